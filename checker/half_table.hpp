#pragma once
// The distinct values of one half of the stored states, each kept once and numbered in the
// order it was first added. A store that compresses (state_store.hpp) keeps a state as the
// numbers of its two halves: the states of a model share their halves far more than they share
// whole bytes (the 19607572 states of two pages, two blocks and two processes on linux-6.12
// without reclaim have 20327 distinct left halves and 292810 right ones), so the halves cost
// little and a state costs 8 bytes of record. This is one level of
// LTSmin's tree compression (Laarman, van de Pol and Weber, "Parallel Recursive State
// Compression for Free", 2011).
//
// The table is an open-addressing table of 64-bit slots, the half's hash above its number.
// Several threads may add at once (add_concurrent): a thread claims a free slot by
// compare-and-swap, marking it busy with its hash, takes the next number, writes the half and
// then publishes the number; a thread probing for the same half waits for a busy slot with its
// hash to be published. The table never grows while threads add: add_concurrent reports kFull
// once it holds its share, and grow() runs when every thread has stopped.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

namespace dirtyrace::checker {

class HalfTable {
 public:
  /// find's answer for a half the table does not hold.
  static constexpr std::uint32_t kAbsent = UINT32_MAX;
  /// add_concurrent's answer when the table must grow before it takes another half.
  static constexpr std::uint32_t kFull = UINT32_MAX - 1;

  explicit HalfTable(std::size_t half_bytes);
  ~HalfTable();
  HalfTable(const HalfTable&) = delete;
  HalfTable& operator=(const HalfTable&) = delete;

  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  /// The half numbered `i`.
  const std::byte* at(std::uint32_t i) const {
    return chunks_[i >> kChunkBits].load(std::memory_order_relaxed) +
           (i & (kChunkHalves - 1)) * half_bytes_;
  }
  /// Starts loading the slot a lookup of `half` probes first.
  void prefetch(const std::byte* half) const { __builtin_prefetch(&slots_[hash(half) & mask_]); }
  /// The number of `half`, or kAbsent.
  std::uint32_t find(const std::byte* half) const;
  /// The number of `half`, added if new; on one thread, growing the table as it needs.
  std::uint32_t add(const std::byte* half);
  /// add(), safe to call from several threads at once; kFull, adding nothing, when the table
  /// must grow first.
  std::uint32_t add_concurrent(const std::byte* half);
  /// Whether add_concurrent would report kFull for a new half.
  bool must_grow() const { return size() >= max_size_; }
  /// Doubles the slots; not while threads add.
  void grow();
  /// Bytes of memory the halves (up to the last, rounded up to a page) and the slots take.
  std::size_t allocated_bytes() const;

 private:
  static constexpr unsigned kChunkBits = 20;
  static constexpr std::size_t kChunkHalves = std::size_t{1} << kChunkBits;
  static constexpr std::size_t kMaxChunks = (std::size_t{1} << 32) / kChunkHalves;
  /// At least as many free slots as threads may overshoot the limit by, one each (see
  /// add_concurrent): the table starts with 8192 slots, 4096 of them spare.
  static constexpr std::size_t kFirstSlots = 8192;
  /// Slot value of a slot being filled: the tag and a number no half has.
  static constexpr std::uint64_t kBusyLow = UINT32_MAX;

  std::uint64_t hash(const std::byte* half) const;
  bool same(const std::byte* a, const std::byte* b) const;
  /// Writes `half` as number `i`, allocating its chunk if no thread has.
  void write(std::uint32_t i, const std::byte* half);
  /// Puts number `i`, with `hash`, into the first free slot of its probe sequence.
  void place(std::uint64_t hash, std::uint32_t i);

  std::size_t half_bytes_;
  // Fixed in size, so that threads read it while another adds a chunk.
  std::unique_ptr<std::atomic<std::byte*>[]> chunks_;
  std::mutex chunk_mutex_;
  std::atomic<std::size_t> size_ = 0;
  // A slot is 0 when free, else the hash's high 32 bits above the half's number + 1.
  std::unique_ptr<std::uint64_t[]> slots_;
  std::size_t mask_ = 0;  // slots - 1
  // Half the slots: one slot at a time, linear probing needs that many free to stay short
  // (about 2.5 probes for a half not there, against 32 at 7/8 full).
  std::size_t max_size_ = 0;
};

}  // namespace dirtyrace::checker
