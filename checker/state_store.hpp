#pragma once
// Every stored state, packed, with the index of the state it was first reached from. Records
// live in fixed-size chunks so that growing the store never moves a state and never needs a
// transient second copy of the whole store.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace dirtyrace::checker {

/// Index of a stored state; states are numbered in the order they were first reached.
using StateIndex = std::uint32_t;
inline constexpr StateIndex kNoParent = UINT32_MAX;

class StateStore {
 public:
  explicit StateStore(std::size_t state_bytes);

  std::size_t size() const { return size_; }
  std::size_t state_bytes() const { return state_bytes_; }
  const std::byte* state(StateIndex i) const { return record(i); }
  StateIndex parent(StateIndex i) const;
  /// Appends a copy of `state`; the returned index stays valid for the store's lifetime.
  StateIndex append(const std::byte* state, StateIndex parent);
  /// Bytes allocated for records, including the unused tail of the last chunk.
  std::size_t allocated_bytes() const;

 private:
  static constexpr unsigned kChunkBits = 16;
  static constexpr std::size_t kChunkRecords = std::size_t{1} << kChunkBits;

  std::byte* record(StateIndex i) const {
    return chunks_[i >> kChunkBits].get() + (i & (kChunkRecords - 1)) * record_bytes_;
  }

  std::size_t state_bytes_;
  std::size_t record_bytes_;  // the state, then its parent index
  std::vector<std::unique_ptr<std::byte[]>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace dirtyrace::checker
