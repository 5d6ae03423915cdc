#pragma once
// Every stored state, packed, with the index of the state it was first reached from, and a hash
// index over them that finds a state by its bytes. Records live in fixed-size chunks so that
// growing the store never moves a state and never needs a transient second copy of the whole
// store. A chunk holds 2^21 records, a whole number of 2 MiB pages: the kernel provides its
// memory page by page as it is first written, and every chunk after the first is advised to
// use huge pages, since on a store of hundreds of millions of states nearly every record a
// lookup reads would otherwise miss the TLB as well as the cache.
//
// The index is an open-addressing table of 32-bit slots, 16 to a 64-byte group: a slot holds
// the state's index in its low bits and, in the bits the index does not need yet, some bits of
// the state's hash. A lookup usually reads one group, and reads a record only when those hash
// bits match, which is almost always the state sought. This costs 4 bytes a slot, less than a
// general-purpose hash set, and no arena reads for states that are not there.
//
// Several threads may insert at once (insert_concurrent, then end_concurrent): a thread claims a
// free slot by compare-and-swap, marking it busy with its tag, writes the record at the next
// index of its own reservation, then publishes the index in the slot. A thread probing for a
// state with the same tag waits for a busy slot to be published; others pass it. Each thread
// reserves indices a block at a time, so that threads share neither a counter nor the cache
// lines of their records on every insertion; what a thread leaves of its last block when it
// stops is a hole, which end_concurrent closes by moving the records after it down. A chunk of
// records is allocated under a mutex by the first thread to need it. The table never grows
// while threads insert: reserving an index that would fill it past 7/8 reports `full`, and the
// caller grows the table once every thread has stopped.
//
// States of 16 bytes or more are compressed: a record holds the numbers of the state's two
// halves in two HalfTables (half_table.hpp), 8 bytes whatever the state's width, and the hash
// index works on those records as it would on states. The hash is still the whole state's, so a
// state is hashed, and its slots prefetched, before its halves are looked up.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <absl/functional/function_ref.h>

#include "checker/half_table.hpp"

namespace dirtyrace::checker {

/// Index of a stored state; states are numbered in the order they were first reached.
using StateIndex = std::uint32_t;
inline constexpr StateIndex kNoParent = UINT32_MAX;

class StateStore {
 public:
  /// `parents`: whether each record keeps the index of the state it was first reached from.
  /// A breadth-first search can do without: its store is in level order, so a state's parent is
  /// the first state of the level before that has it as a successor. `compress`: whether a
  /// state of 16 bytes or more is kept as the numbers of its halves (above).
  explicit StateStore(std::size_t state_bytes, bool parents = true, bool compress = true);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  std::size_t state_bytes() const { return state_bytes_; }
  /// States the table takes before it must grow.
  std::size_t capacity() const { return max_size_; }
  /// Whether records hold the numbers of the states' halves rather than their bytes.
  bool compresses() const { return halves_[0] != nullptr; }
  /// Distinct halves stored, left and right (0 unless compresses()).
  std::pair<std::size_t, std::size_t> distinct_halves() const;
  /// The widths of the left and right halves (0 unless compresses()).
  std::pair<std::size_t, std::size_t> half_bytes() const;
  /// The numbers of a state's halves, a compressing store's record key.
  struct Halves {
    std::uint32_t number[2];
    const std::byte* bytes() const { return reinterpret_cast<const std::byte*>(number); }
  };
  /// Writes state `i`, state_bytes() bytes, to `out`; returns its halves' numbers (meaningless
  /// unless compresses()).
  Halves read(StateIndex i, std::byte* out) const;
  /// A state read from the store, where its successors are inserted: a successor that shares a
  /// half with it takes that half's number without a lookup. A step changes a few bytes of a
  /// state, so most successors share one half with the state they come from, often both.
  struct Origin {
    const std::byte* state;
    Halves halves;
  };
  /// Starts loading the half tables' slots that storing or finding `state`, a successor of
  /// `origin`, will probe (the halves it does not share with `origin`); nothing unless
  /// compresses(). Their cache misses then overlap as the index's do (prefetch).
  void prefetch_halves(const std::byte* state, const Origin& origin) const;
  bool keeps_parents() const { return record_bytes_ > key_bytes_; }
  /// The state `i` was first reached from (kNoParent for the first); only if keeps_parents().
  StateIndex parent(StateIndex i) const;

  /// Hash of a packed state, as find_or_append takes it.
  std::uint64_t hash(const std::byte* state) const;
  /// Starts loading the slots that find_or_append will probe first for `hash`, so that the
  /// cache misses of several lookups overlap instead of following one another.
  void prefetch(std::uint64_t hash) const;

  struct Insertion {
    StateIndex index;
    bool added;  // the state was not stored before
  };
  /// Finds `state`, whose hash is `hash`, or else appends a copy of it reached from `parent`;
  /// an index stays valid for the store's lifetime. `origin`, if given, is the state `state`
  /// was generated from.
  Insertion find_or_append(const std::byte* state, std::uint64_t hash, StateIndex parent,
                           const Origin* origin = nullptr);
  /// The index of `state`, whose hash is `hash`, or kNoParent if it is not stored.
  StateIndex find(const std::byte* state, std::uint64_t hash, const Origin* origin = nullptr) const;

  /// Receives a state's index and the position of its slot in the table.
  using SlotSink = absl::FunctionRef<void(StateIndex, std::size_t)>;
  enum class Outcome { found, added, full };
  struct ConcurrentInsertion {
    StateIndex index;  // meaningful unless full
    Outcome outcome;
  };
  /// The indices one thread has reserved for the states it adds: [next, end).
  struct Reservation {
    StateIndex next = 0, end = 0;
    std::size_t used = 0;  // indices taken from all its blocks so far
  };
  /// find_or_append, safe to call from several threads at once, each with its own
  /// reservation. A new state's `on_add` runs before any other thread can see the state, with
  /// its index and slot position. Reports `full`, adding nothing, when the table must grow first.
  /// Indices are unique but, across threads, not in the order of insertion.
  ConcurrentInsertion insert_concurrent(const std::byte* state, std::uint64_t hash,
                                        StateIndex parent, Reservation& reservation,
                                        SlotSink on_add, const Origin* origin = nullptr);
  /// Gives back what a thread has not used of its reservation; safe from several threads.
  void release(Reservation& reservation);
  /// Receives a record's old and new index when end_concurrent moves it.
  using MoveSink = absl::FunctionRef<void(StateIndex from, StateIndex to)>;
  /// After a round of insert_concurrent calls, on one thread, every reservation released:
  /// closes the holes left by the reservations, keeping the records in index order; the slots
  /// of the records moved are repointed, and `moved` is told of each.
  void end_concurrent(MoveSink moved);
  /// Doubles the table; `placed` receives the new slot position of every state from `first`
  /// on. Not while threads insert.
  void grow(StateIndex first, SlotSink placed);
  /// What made insert_concurrent report `full` grows, for several threads: begin_grow() grows
  /// the half tables that are full and, if the index is full, allocates it doubled, empty, and
  /// returns true; then rehash() puts the states [from, to) back, safe to call at once on
  /// disjoint ranges.
  bool begin_grow();
  void rehash(StateIndex from, StateIndex to, StateIndex first, SlotSink placed);

  /// Reordering stored states (not while threads insert): a record's bytes, the state (or the
  /// numbers of its halves) then the parent, if kept.
  std::size_t record_bytes() const { return record_bytes_; }
  const std::byte* record_at(StateIndex i) const { return record(i); }
  /// Overwrites record `i` with `record`, record_bytes() bytes from record_at().
  void put_record(StateIndex i, const std::byte* record);
  /// Sets the parent of `i`, if parents are kept.
  void set_parent(StateIndex i, StateIndex parent);
  /// Points the slot at position `slot` to index `i`, keeping its hash bits.
  void repoint(std::size_t slot, StateIndex i);

  /// Bytes of memory the records and the index take: the records up to size(), rounded up to
  /// the page that holds the last (a huge page after the first chunk), and the whole index.
  std::size_t allocated_bytes() const;

 private:
  static constexpr unsigned kChunkBits = 21;
  static constexpr std::size_t kChunkRecords = std::size_t{1} << kChunkBits;
  static constexpr std::size_t kMaxChunks = (std::size_t{1} << 32) / kChunkRecords;
  static constexpr unsigned kGroupBits = 4;  // 16 slots of 4 bytes: one cache line
  static constexpr std::size_t kGroupSlots = std::size_t{1} << kGroupBits;

  /// Slot storage: zero-filled, aligned to its group size and, when large, backed by huge pages
  /// where the system offers them (random probes would otherwise miss the TLB as well).
  struct SlotsDeleter {
    std::size_t bytes;
    void operator()(std::uint32_t* slots) const;
  };
  using Slots = std::unique_ptr<std::uint32_t[], SlotsDeleter>;
  static Slots allocate_slots(std::size_t count);

  /// A chunk's bytes: 2^21 records, a whole number of 2 MiB pages.
  std::size_t chunk_bytes() const { return kChunkRecords * record_bytes_; }
  std::byte* record(StateIndex i) const {
    return chunks_[i >> kChunkBits].load(std::memory_order_relaxed) +
           (i & (kChunkRecords - 1)) * record_bytes_;
  }
  /// The key of `state`: the state itself, or `h` filled with its halves' numbers, each taken
  /// from `origin` where the half is the same as there, else from number(table, half): a
  /// HalfTable's add, add_concurrent or find. Null when `number` answers kAbsent or kFull.
  template <class Number>
  const std::byte* encode(const std::byte* state, const Origin* origin, Halves& h,
                          Number number) const;
  /// Where half `k` (0: left, 1: right) of a state starts, and its width.
  std::size_t half_offset(int k) const { return k == 0 ? 0 : left_bytes_; }
  std::size_t half_width(int k) const { return k == 0 ? left_bytes_ : state_bytes_ - left_bytes_; }
  /// The number `origin` gives for half `k` of `state`, if that half is the same, else
  /// HalfTable::kAbsent.
  std::uint32_t shared_half(const std::byte* state, const Origin* origin, int k) const;
  /// The hash of the state record `i` holds, as hash() gives it.
  std::uint64_t record_hash(StateIndex i) const;
  /// Writes key and parent into record `i`.
  void write(StateIndex i, const std::byte* key, StateIndex parent);
  StateIndex append(const std::byte* key, StateIndex parent);
  /// Allocates the chunk of record `i` unless another thread has.
  void ensure_chunk(StateIndex i);
  /// First group a state with `hash` may be in; later ones follow it in order, wrapping around.
  std::size_t home_group(std::uint64_t hash) const {
    return static_cast<std::size_t>(hash >> 32) & (groups_ - 1);
  }
  /// The slot bits that hold hash bits (those above the index), taken from `hash`.
  std::uint32_t hash_tag(std::uint64_t hash) const {
    return static_cast<std::uint32_t>(hash) & ~index_mask_;
  }
  /// Which slots of a group are free, and which hold `tag`, as bit masks (bit j: slot j).
  struct GroupMasks {
    unsigned free;
    unsigned tag;
  };
  GroupMasks scan(const std::uint32_t* group, std::uint32_t tag) const;
  /// The position of the slot that holds index `i`, whose state has `hash`; `i` is stored.
  std::size_t slot_holding(StateIndex i, std::uint64_t hash) const;
  /// Whether two keys are equal: inline, since a key is a few bytes long and a memcmp call
  /// would cost more than the comparison.
  bool same(const std::byte* a, const std::byte* b) const;
  /// Puts a slot for a state known to be absent into the first free slot of its probe
  /// sequence; returns the slot's position.
  std::size_t place(std::uint64_t hash, StateIndex i);
  /// place(), safe while other threads place other states.
  std::size_t place_concurrent(std::uint64_t hash, StateIndex i);
  /// Allocates the index doubled, empty.
  void grow_index();
  /// Takes a block of indices for `r`; false when the table cannot take one more state.
  bool reserve(Reservation& r);
  /// The slot value of a slot being filled: the tag and an index that no state has.
  std::uint32_t busy(std::uint32_t tag) const { return tag | index_mask_; }

  std::size_t state_bytes_;
  std::size_t key_bytes_;     // the state's bytes, or two half numbers
  std::size_t record_bytes_;  // the key, then the parent index if kept
  // The halves' tables when compressing, else null; the left half is the longer by a byte
  // when the width is odd.
  std::unique_ptr<HalfTable> halves_[2];
  std::size_t left_bytes_ = 0;
  // Set by reserve() when the index is full, for begin_grow().
  std::atomic<bool> index_full_ = false;
  // Fixed in size, so that threads read it while another adds a chunk.
  std::unique_ptr<std::atomic<std::byte*>[]> chunks_;
  std::atomic<std::size_t> chunk_count_ = 0;
  std::mutex chunk_mutex_;
  std::atomic<std::size_t> size_ = 0;
  // Since the last end_concurrent: indices released unused, and used, by reservations.
  std::vector<std::pair<StateIndex, StateIndex>> holes_;
  std::size_t reserved_used_ = 0;
  std::size_t round_start_ = 0;  // size() at the last end_concurrent

  // A slot is 0 when free, else (hash_tag | index + 1): index + 1 < 2^k - 1 for a table of 2^k
  // slots, since the table grows before it is 7/8 full; (hash_tag | 2^k - 1) is a busy slot.
  Slots slots_;
  std::size_t groups_ = 0;
  std::uint32_t index_mask_ = 0;  // 2^k - 1
  std::size_t max_size_ = 0;      // states the table takes before it grows
};

}  // namespace dirtyrace::checker
