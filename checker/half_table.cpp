#include "checker/half_table.hpp"

#include <cstring>
#include <stdexcept>
#include <thread>

#include <unistd.h>

// Inlined: halves are a few bytes long, where a call costs as much as the hash.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "checker/bytes_equal.hpp"

namespace dirtyrace::checker {

HalfTable::HalfTable(std::size_t half_bytes)
    : half_bytes_(half_bytes),
      chunks_(new std::atomic<std::byte*>[kMaxChunks]()),
      slots_(new std::uint64_t[kFirstSlots]()),
      mask_(kFirstSlots - 1),
      max_size_(kFirstSlots / 2) {}

HalfTable::~HalfTable() {
  for (std::size_t c = 0; c < kMaxChunks; ++c) delete[] chunks_[c].load(std::memory_order_relaxed);
}

std::uint64_t HalfTable::hash(const std::byte* half) const {
  return XXH3_64bits(half, half_bytes_);
}

bool HalfTable::same(const std::byte* a, const std::byte* b) const {
  return bytes_equal(a, b, half_bytes_);
}

std::uint32_t HalfTable::find(const std::byte* half) const {
  const std::uint64_t h = hash(half);
  const std::uint64_t tag = h >> 32 << 32;
  for (std::size_t s = h & mask_;; s = (s + 1) & mask_) {
    const std::uint64_t v = slots_[s];
    if (v == 0) return kAbsent;
    const auto i = static_cast<std::uint32_t>(v) - 1;
    if ((v & ~kBusyLow) == tag && same(at(i), half)) return i;
  }
}

std::uint32_t HalfTable::add(const std::byte* half) {
  const std::uint64_t h = hash(half);
  const std::uint64_t tag = h >> 32 << 32;
  for (std::size_t s = h & mask_;; s = (s + 1) & mask_) {
    const std::uint64_t v = slots_[s];
    if (v == 0) {
      const auto i = static_cast<std::uint32_t>(size());
      write(i, half);
      size_.store(i + std::size_t{1}, std::memory_order_relaxed);
      if (must_grow()) {
        grow();  // places every half, this one too
      } else {
        slots_[s] = tag | (i + std::uint64_t{1});
      }
      return i;
    }
    const auto i = static_cast<std::uint32_t>(v) - 1;
    if ((v & ~kBusyLow) == tag && same(at(i), half)) return i;
  }
}

std::uint32_t HalfTable::add_concurrent(const std::byte* half) {
  const std::uint64_t h = hash(half);
  const std::uint64_t tag = h >> 32 << 32;
  const std::uint64_t busy = tag | kBusyLow;
  for (std::size_t s = h & mask_;;) {
    std::atomic_ref<std::uint64_t> slot(slots_[s]);
    std::uint64_t v = slot.load(std::memory_order_acquire);
    if (v == busy) {
      std::this_thread::yield();  // maybe this half, being added: read the slot again
      continue;
    }
    if (v != 0) {
      const auto i = static_cast<std::uint32_t>(v) - 1;
      if ((v & ~kBusyLow) == tag && same(at(i), half)) return i;
      s = (s + 1) & mask_;
      continue;
    }
    // The limit is checked before the slot is claimed, so that a claimed slot is always
    // filled: every thread past the check adds at most one half, hence the spare slots.
    if (must_grow()) return kFull;
    if (!slot.compare_exchange_strong(v, busy, std::memory_order_acquire)) continue;
    const auto i = static_cast<std::uint32_t>(size_.fetch_add(1, std::memory_order_relaxed));
    if (i > mask_ - 1) throw std::logic_error("half table: more threads than spare slots");
    write(i, half);
    slot.store(tag | (i + std::uint64_t{1}), std::memory_order_release);
    return i;
  }
}

void HalfTable::write(std::uint32_t i, const std::byte* half) {
  const std::size_t c = i >> kChunkBits;
  if (c >= kMaxChunks) throw std::length_error("half table full: more than 2^32 halves");
  if (chunks_[c].load(std::memory_order_acquire) == nullptr) {
    const std::lock_guard<std::mutex> lock(chunk_mutex_);
    // Not zero-filled: the memory is provided page by page as halves are written.
    if (chunks_[c].load(std::memory_order_relaxed) == nullptr) {
      chunks_[c].store(new std::byte[kChunkHalves * half_bytes_], std::memory_order_release);
    }
  }
  std::memcpy(chunks_[c].load(std::memory_order_acquire) + (i & (kChunkHalves - 1)) * half_bytes_,
              half, half_bytes_);
}

void HalfTable::place(std::uint64_t hash, std::uint32_t i) {
  for (std::size_t s = hash & mask_;; s = (s + 1) & mask_) {
    if (slots_[s] == 0) {
      slots_[s] = hash >> 32 << 32 | (i + std::uint64_t{1});
      return;
    }
  }
}

void HalfTable::grow() {
  const std::size_t slots = (mask_ + 1) * 2;
  slots_.reset();
  slots_.reset(new std::uint64_t[slots]());
  mask_ = slots - 1;
  max_size_ = slots / 2;
  const std::size_t n = size();
  for (std::size_t i = 0; i < n; ++i) {
    place(hash(at(static_cast<std::uint32_t>(i))), static_cast<std::uint32_t>(i));
  }
}

std::size_t HalfTable::allocated_bytes() const {
  static const auto kPageBytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t halves = size() * half_bytes_;
  return (halves + kPageBytes - 1) / kPageBytes * kPageBytes + (mask_ + 1) * sizeof(std::uint64_t) +
         kMaxChunks * sizeof(std::byte*);
}

}  // namespace dirtyrace::checker
