#include "checker/state_store.hpp"

#include <cstring>
#include <stdexcept>

namespace dirtyrace::checker {

StateStore::StateStore(std::size_t state_bytes)
    : state_bytes_(state_bytes), record_bytes_(state_bytes + sizeof(StateIndex)) {}

StateIndex StateStore::parent(StateIndex i) const {
  StateIndex p;
  std::memcpy(&p, record(i) + state_bytes_, sizeof p);
  return p;
}

StateIndex StateStore::append(const std::byte* state, StateIndex parent) {
  if (size_ >= kNoParent) throw std::length_error("state store full: more than 2^32-1 states");
  if ((size_ & (kChunkRecords - 1)) == 0) {
    chunks_.push_back(std::make_unique<std::byte[]>(kChunkRecords * record_bytes_));
  }
  const auto i = static_cast<StateIndex>(size_++);
  std::byte* r = record(i);
  std::memcpy(r, state, state_bytes_);
  std::memcpy(r + state_bytes_, &parent, sizeof parent);
  return i;
}

std::size_t StateStore::allocated_bytes() const {
  return chunks_.size() * kChunkRecords * record_bytes_;
}

}  // namespace dirtyrace::checker
