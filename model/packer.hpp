#pragma once
// Bit-packs the fields of a State that a scenario uses, each in as few bits as its largest
// value needs, so that stored states cost bytes, not hundreds of bytes. Fields are laid out in
// 64-bit words and never straddle two, which keeps pack and unpack to a shift and a mask each.
// Where the CPU has BMI2, fields that sit in one 8-byte window of State and end up side by side
// in one word move together, with one pext (pack) or pdep (unpack) per such run.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/state.hpp"

namespace dirtyrace::model {

class Packer {
 public:
  /// Adds the byte at `offset` of State, whose values all fit in `bits` bits (0 adds nothing).
  void add(std::size_t offset, unsigned bits);
  std::size_t bytes() const { return (bits_used_ + 7) / 8; }
  void pack(const State& s, std::byte* out) const;
  void unpack(const std::byte* in, State& s) const;
  /// Whether `s` survives pack and unpack unchanged: every used field fits, every other is 0.
  bool round_trips(const State& s) const;

 private:
  struct Field {
    std::uint16_t offset;  // byte of State
    std::uint8_t word;     // 64-bit word of the packed form
    std::uint8_t shift;    // bit position within the word
    std::uint8_t mask;
  };
  /// Fields next to each other in one packed word that come, in the same order, from one
  /// 8-byte window of State: pext(window, mask) is their packed bits, from `shift` on.
  struct Run {
    std::uint16_t window;  // first byte of the window in State: the first field's, at most
                           // sizeof(State) - 8
    std::uint8_t word;
    std::uint8_t shift;
    std::uint64_t mask;  // the fields' bits in the window
  };
  void add_to_runs(const Field& f);
  void pack_fields(const State& s, std::byte* out) const;
  void unpack_fields(const std::byte* in, State& s) const;
  void pack_runs(const State& s, std::byte* out) const;  // BMI2 only
  void unpack_runs(const std::byte* in, State& s) const;

  std::vector<Field> fields_;
  std::vector<Run> runs_;   // in field order, hence word order
  unsigned bits_used_ = 0;  // position of the next field, in bits
};

/// Bits needed for values 0..max.
unsigned bits_for(unsigned max);

}  // namespace dirtyrace::model
