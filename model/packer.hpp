#pragma once
// Bit-packs the fields of a State that a scenario uses, each in as few bits as its largest
// value needs, so that stored states cost bytes, not hundreds of bytes.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/state.hpp"

namespace dirtyrace::model {

class Packer {
 public:
  /// Adds the byte at `offset` of State, whose values all fit in `bits` bits (0 adds nothing).
  void add(std::size_t offset, unsigned bits);
  std::size_t bytes() const { return (total_bits_ + 7) / 8; }
  void pack(const State& s, std::byte* out) const;
  void unpack(const std::byte* in, State& s) const;
  /// Whether `s` survives pack and unpack unchanged: every used field fits, every other is 0.
  bool round_trips(const State& s) const;

 private:
  struct Field {
    std::uint16_t offset;
    std::uint8_t bits;
  };
  std::vector<Field> fields_;
  unsigned total_bits_ = 0;
};

/// Bits needed for values 0..max.
unsigned bits_for(unsigned max);

}  // namespace dirtyrace::model
