#include "checker/state_store.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

// Inlined: states are a few bytes long, where a call costs as much as the hash.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "checker/bytes_equal.hpp"

namespace dirtyrace::checker {

namespace {
constexpr std::size_t kGroupAlign = 64;
// Tables this large come from mmap, zero-filled by the kernel and eligible for huge pages.
constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

/// Zero-filled memory for `bytes`, a multiple of kHugePageBytes, aligned to a huge page and,
/// if `huge`, advised to use huge pages (only advice: without them it works the same, more
/// slowly). The kernel provides it page by page as it is first written.
std::byte* map_aligned(std::size_t bytes, bool huge) {
  // Mapped with a huge page to spare, then trimmed to an aligned start.
  const std::size_t padded = bytes + kHugePageBytes;
  void* p = mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  auto* base = static_cast<std::byte*>(p);
  const std::size_t head =
      (kHugePageBytes - reinterpret_cast<std::uintptr_t>(base) % kHugePageBytes) % kHugePageBytes;
  if (head != 0) munmap(base, head);
  if (padded - head - bytes != 0) munmap(base + head + bytes, padded - head - bytes);
#ifdef MADV_HUGEPAGE
  if (huge) madvise(base + head, bytes, MADV_HUGEPAGE);
#endif
  return base + head;
}

/// From this width on, a state and its slot take 21 to 25 bytes or more; its halves' numbers
/// and slot take 13 to 17, and the halves themselves 1 or 2 more. Narrower states are kept
/// whole: encoding and decoding them costs about a fifth of the search's time, for less gain.
constexpr std::size_t kCompressedBytes = 16;
}  // namespace

StateStore::StateStore(std::size_t state_bytes, bool parents, bool compress)
    : state_bytes_(state_bytes),
      key_bytes_(compress && state_bytes >= kCompressedBytes ? sizeof(Halves) : state_bytes),
      record_bytes_(key_bytes_ + (parents ? sizeof(StateIndex) : 0)),
      chunks_(new std::atomic<std::byte*>[kMaxChunks]()),
      slots_(allocate_slots(kGroupSlots)),
      groups_(1),
      index_mask_(kGroupSlots - 1),
      max_size_(kGroupSlots / 8 * 7) {
  if (key_bytes_ != state_bytes_) {
    left_bytes_ = (state_bytes + 1) / 2;
    halves_[0] = std::make_unique<HalfTable>(left_bytes_);
    halves_[1] = std::make_unique<HalfTable>(state_bytes - left_bytes_);
  }
}

StateStore::~StateStore() {
  const std::size_t n = chunk_count_.load(std::memory_order_relaxed);
  for (std::size_t c = 0; c < n; ++c)
    munmap(chunks_[c].load(std::memory_order_relaxed), chunk_bytes());
}

StateStore::Slots StateStore::allocate_slots(std::size_t count) {
  const std::size_t bytes = count * sizeof(std::uint32_t);
  void* p = nullptr;
  if (bytes >= kHugePageBytes) {
    p = map_aligned(bytes, true);  // a power of two: a multiple of the huge page
  } else {
    p = ::operator new (bytes, std::align_val_t{kGroupAlign});
    std::memset(p, 0, bytes);
  }
  return Slots(static_cast<std::uint32_t*>(p), SlotsDeleter{bytes});
}

void StateStore::SlotsDeleter::operator()(std::uint32_t* slots) const {
  if (bytes >= kHugePageBytes) {
    munmap(slots, bytes);
  } else {
    ::operator delete (slots, std::align_val_t{kGroupAlign});
  }
}

StateIndex StateStore::parent(StateIndex i) const {
  if (!keeps_parents()) throw std::logic_error("state store: parents are not kept");
  StateIndex p;
  std::memcpy(&p, record(i) + key_bytes_, sizeof p);
  return p;
}

std::pair<std::size_t, std::size_t> StateStore::distinct_halves() const {
  if (!compresses()) return {0, 0};
  return {halves_[0]->size(), halves_[1]->size()};
}

std::pair<std::size_t, std::size_t> StateStore::half_bytes() const {
  if (!compresses()) return {0, 0};
  return {half_width(0), half_width(1)};
}

StateStore::Halves StateStore::read(StateIndex i, std::byte* out) const {
  const std::byte* r = record(i);
  Halves h{};
  if (!compresses()) {
    std::memcpy(out, r, state_bytes_);
    return h;
  }
  std::memcpy(&h, r, sizeof h);
  for (int k = 0; k < 2; ++k) {
    std::memcpy(out + half_offset(k), halves_[k]->at(h.number[k]), half_width(k));
  }
  return h;
}

std::uint32_t StateStore::shared_half(const std::byte* state, const Origin* origin, int k) const {
  if (origin == nullptr) return HalfTable::kAbsent;
  const std::size_t at = half_offset(k);
  return bytes_equal(state + at, origin->state + at, half_width(k)) ? origin->halves.number[k]
                                                                    : HalfTable::kAbsent;
}

void StateStore::prefetch_halves(const std::byte* state, const Origin& origin) const {
  if (!compresses()) return;
  for (int k = 0; k < 2; ++k) {
    if (shared_half(state, &origin, k) == HalfTable::kAbsent) {
      halves_[k]->prefetch(state + half_offset(k));
    }
  }
}

template <class Number>
const std::byte* StateStore::encode(const std::byte* state, const Origin* origin, Halves& h,
                                    Number number) const {
  if (!compresses()) return state;
  for (int k = 0; k < 2; ++k) {
    h.number[k] = shared_half(state, origin, k);
    if (h.number[k] == HalfTable::kAbsent) {
      h.number[k] = number(*halves_[k], state + half_offset(k));
    }
    if (h.number[k] == HalfTable::kAbsent || h.number[k] == HalfTable::kFull) return nullptr;
  }
  return h.bytes();
}

std::uint64_t StateStore::record_hash(StateIndex i) const {
  if (!compresses()) return hash(record(i));
  std::byte small[256];
  std::vector<std::byte> large;
  std::byte* state = small;
  if (state_bytes_ > sizeof small) {
    large.resize(state_bytes_);
    state = large.data();
  }
  read(i, state);
  return hash(state);
}

std::uint64_t StateStore::hash(const std::byte* state) const {
  return XXH3_64bits(state, state_bytes_);
}

void StateStore::prefetch(std::uint64_t hash) const {
  __builtin_prefetch(slots_.get() + home_group(hash) * kGroupSlots);
}

bool StateStore::same(const std::byte* a, const std::byte* b) const {
  return bytes_equal(a, b, key_bytes_);
}

StateStore::Insertion StateStore::find_or_append(const std::byte* state, std::uint64_t hash,
                                                 StateIndex parent, const Origin* origin) {
  Halves h;
  const std::byte* key =
      encode(state, origin, h, [](HalfTable& t, const std::byte* half) { return t.add(half); });
  const std::uint32_t tag = hash_tag(hash);
  // Slots fill in probe order and are never freed, so the first free slot ends the search.
  for (std::size_t g = home_group(hash);; g = (g + 1) & (groups_ - 1)) {
    std::uint32_t* group = slots_.get() + g * kGroupSlots;
    const GroupMasks m = scan(group, tag);
    // A free slot's bits may equal the tag, and slots after the first free one are free.
    for (unsigned match = m.tag & ((m.free & -m.free) - 1); match != 0; match &= match - 1) {
      const StateIndex i = (group[std::countr_zero(match)] & index_mask_) - 1;
      if (same(record(i), key)) return {i, false};
    }
    if (m.free != 0) {
      if (size() == max_size_) {
        grow(static_cast<StateIndex>(size()), [](StateIndex, std::size_t) {});
        const StateIndex i = append(key, parent);
        place(hash, i);
        return {i, true};
      }
      const StateIndex i = append(key, parent);
      group[std::countr_zero(m.free)] = tag | (i + 1);
      return {i, true};
    }
  }
}

StateIndex StateStore::find(const std::byte* state, std::uint64_t hash,
                            const Origin* origin) const {
  Halves h;
  const std::byte* key =
      encode(state, origin, h, [](HalfTable& t, const std::byte* half) { return t.find(half); });
  if (key == nullptr) return kNoParent;  // a half is not stored, and so neither is the state
  const std::uint32_t tag = hash_tag(hash);
  for (std::size_t g = home_group(hash);; g = (g + 1) & (groups_ - 1)) {
    const std::uint32_t* group = slots_.get() + g * kGroupSlots;
    const GroupMasks m = scan(group, tag);
    for (unsigned match = m.tag & ((m.free & -m.free) - 1); match != 0; match &= match - 1) {
      const StateIndex i = (group[std::countr_zero(match)] & index_mask_) - 1;
      if (same(record(i), key)) return i;
    }
    if (m.free != 0) return kNoParent;
  }
}

std::size_t StateStore::slot_holding(StateIndex i, std::uint64_t hash) const {
  for (std::size_t g = home_group(hash);; g = (g + 1) & (groups_ - 1)) {
    const std::uint32_t* group = slots_.get() + g * kGroupSlots;
    for (std::size_t j = 0; j < kGroupSlots; ++j) {
      if ((group[j] & index_mask_) == i + 1) return g * kGroupSlots + j;
    }
  }
}

StateStore::GroupMasks StateStore::scan(const std::uint32_t* group, std::uint32_t tag) const {
#ifdef __SSE2__
  // Four 4-slot compares, narrowed to one byte per slot so that one movemask gives 16 bits.
  const __m128i zero = _mm_setzero_si128();
  const __m128i tags = _mm_set1_epi32(static_cast<int>(tag));
  const __m128i high = _mm_set1_epi32(static_cast<int>(~index_mask_));
  __m128i free[4], match[4];
  for (int q = 0; q < 4; ++q) {
    const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(group) + q);
    free[q] = _mm_cmpeq_epi32(v, zero);
    match[q] = _mm_cmpeq_epi32(_mm_and_si128(v, high), tags);
  }
  const auto narrow = [](const __m128i* c) {
    const __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(c[0], c[1]), _mm_packs_epi32(c[2], c[3]));
    return static_cast<unsigned>(_mm_movemask_epi8(bytes));
  };
  return {narrow(free), narrow(match)};
#else
  GroupMasks m{0, 0};
  for (unsigned j = 0; j < kGroupSlots; ++j) {
    m.free |= unsigned{group[j] == 0} << j;
    m.tag |= unsigned{(group[j] & ~index_mask_) == tag} << j;
  }
  return m;
#endif
}

std::size_t StateStore::place(std::uint64_t hash, StateIndex i) {
  for (std::size_t g = home_group(hash);; g = (g + 1) & (groups_ - 1)) {
    std::uint32_t* group = slots_.get() + g * kGroupSlots;
    if (const unsigned free = scan(group, 0).free; free != 0) {
      const auto j = static_cast<std::size_t>(std::countr_zero(free));
      group[j] = hash_tag(hash) | (i + 1);
      return g * kGroupSlots + j;
    }
  }
}

bool StateStore::begin_grow() {
  for (const auto& half : halves_) {
    if (half && half->must_grow()) half->grow();
  }
  if (!index_full_.exchange(false, std::memory_order_relaxed)) return false;
  grow_index();
  return true;
}

void StateStore::grow_index() {
  const std::size_t slots = groups_ * kGroupSlots * 2;
  if (slots > (std::size_t{1} << 32)) throw std::length_error("state index full: 2^32 slots");
  // The records are the authority: free the old table first and rebuild from them, which
  // keeps the peak lower than holding both tables. (Should the allocation fail, the store is
  // left without a table; the exception ends the search that owns it.)
  slots_.reset();
  slots_ = allocate_slots(slots);
  groups_ = slots / kGroupSlots;
  index_mask_ = static_cast<std::uint32_t>(slots - 1);
  max_size_ = slots / 8 * 7;
}

void StateStore::grow(StateIndex first, SlotSink placed) {
  grow_index();
  // Records are read in order; hashing a few ahead lets their random slot writes overlap.
  constexpr std::size_t kAhead = 8;
  std::uint64_t ahead[kAhead];
  const std::size_t n = size();
  for (std::size_t i = 0; i < n + kAhead; ++i) {
    if (i >= kAhead) {
      const auto index = static_cast<StateIndex>(i - kAhead);
      const std::size_t slot = place(ahead[i % kAhead], index);
      if (index >= first) placed(index, slot);
    }
    if (i < n) {
      ahead[i % kAhead] = record_hash(static_cast<StateIndex>(i));
      prefetch(ahead[i % kAhead]);
    }
  }
}

void StateStore::rehash(StateIndex from, StateIndex to, StateIndex first, SlotSink placed) {
  constexpr std::size_t kAhead = 8;
  std::uint64_t ahead[kAhead];
  for (std::size_t i = from; i < std::size_t{to} + kAhead; ++i) {
    if (i >= from + kAhead) {
      const auto index = static_cast<StateIndex>(i - kAhead);
      const std::size_t slot = place_concurrent(ahead[i % kAhead], index);
      if (index >= first) placed(index, slot);
    }
    if (i < to) {
      ahead[i % kAhead] = record_hash(static_cast<StateIndex>(i));
      prefetch(ahead[i % kAhead]);
    }
  }
}

std::size_t StateStore::place_concurrent(std::uint64_t hash, StateIndex i) {
  const std::uint32_t value = hash_tag(hash) | (i + 1);
  for (std::size_t g = home_group(hash);;) {
    std::uint32_t* group = slots_.get() + g * kGroupSlots;
    std::size_t j = 0;
    for (; j < kGroupSlots; ++j) {
      std::atomic_ref<std::uint32_t> slot(group[j]);
      std::uint32_t expected = 0;
      if (slot.load(std::memory_order_relaxed) == 0 &&
          slot.compare_exchange_strong(expected, value, std::memory_order_relaxed)) {
        return g * kGroupSlots + j;
      }
    }
    g = (g + 1) & (groups_ - 1);
  }
}

bool StateStore::reserve(Reservation& r) {
  constexpr std::size_t kBlock = 64;
  std::size_t n = size_.load(std::memory_order_relaxed);
  std::size_t take = 0;
  do {
    if (n >= max_size_) {
      index_full_.store(true, std::memory_order_relaxed);
      return false;
    }
    take = std::min(kBlock, max_size_ - n);
    if (n + take > kNoParent) throw std::length_error("state store full: more than 2^32-1 states");
  } while (!size_.compare_exchange_weak(n, n + take, std::memory_order_relaxed));
  // The chunks are allocated in order, up to the last index of the block.
  ensure_chunk(static_cast<StateIndex>(n + take - 1));
  r.next = static_cast<StateIndex>(n);
  r.end = static_cast<StateIndex>(n + take);
  return true;
}

void StateStore::release(Reservation& r) {
  const std::lock_guard<std::mutex> lock(chunk_mutex_);
  if (r.next != r.end) holes_.emplace_back(r.next, r.end);
  reserved_used_ += r.used;
  r = Reservation{};
}

void StateStore::end_concurrent(MoveSink moved) {
  std::size_t unused = 0;
  for (const auto& [from, to] : holes_) unused += to - from;
  if (round_start_ + reserved_used_ + unused != size()) {
    throw std::logic_error("state store: a reservation was not released");
  }
  std::sort(holes_.begin(), holes_.end());
  const std::size_t n = size();
  std::size_t to = holes_.empty() ? n : holes_.front().first;
  std::size_t h = 0;
  for (std::size_t from = to; from < n; ++from) {
    if (h < holes_.size() && from == holes_[h].first) {
      from = holes_[h++].second - 1;
      continue;
    }
    const auto src = static_cast<StateIndex>(from), dst = static_cast<StateIndex>(to++);
    std::memcpy(record(dst), record(src), record_bytes_);
    repoint(slot_holding(src, record_hash(dst)), dst);
    moved(src, dst);
  }
  size_.store(to, std::memory_order_relaxed);
  holes_.clear();
  reserved_used_ = 0;
  round_start_ = to;
}

StateStore::ConcurrentInsertion StateStore::insert_concurrent(const std::byte* state,
                                                              std::uint64_t hash, StateIndex parent,
                                                              Reservation& reservation,
                                                              SlotSink on_add,
                                                              const Origin* origin) {
  Halves h;
  const std::byte* key = encode(
      state, origin, h, [](HalfTable& t, const std::byte* half) { return t.add_concurrent(half); });
  if (key == nullptr) return {0, Outcome::full};  // a half table must grow first
  const std::uint32_t tag = hash_tag(hash);
  const std::uint32_t pending = busy(tag);
  for (std::size_t g = home_group(hash);;) {
    std::uint32_t* group = slots_.get() + g * kGroupSlots;
    // Each slot read atomically: other threads fill slots of this group meanwhile.
    alignas(kGroupAlign) std::uint32_t seen[kGroupSlots];
    for (std::size_t j = 0; j < kGroupSlots; ++j) {
      seen[j] = std::atomic_ref<std::uint32_t>(group[j]).load(std::memory_order_acquire);
    }
    const GroupMasks m = scan(seen, tag);
    bool again = false;  // a slot with this tag was being filled: read the group again
    for (unsigned match = m.tag & ((m.free & -m.free) - 1); match != 0; match &= match - 1) {
      const std::uint32_t v = seen[std::countr_zero(match)];
      if (v == pending) {
        again = true;
        continue;
      }
      const StateIndex i = (v & index_mask_) - 1;
      if (same(record(i), key)) return {i, Outcome::found};
    }
    if (again) {
      std::this_thread::yield();
      continue;
    }
    if (m.free == 0) {
      g = (g + 1) & (groups_ - 1);
      continue;
    }
    if (reservation.next == reservation.end && !reserve(reservation)) return {0, Outcome::full};
    const auto j = static_cast<std::size_t>(std::countr_zero(m.free));
    std::uint32_t expected = 0;
    if (!std::atomic_ref<std::uint32_t>(group[j]).compare_exchange_strong(
            expected, pending, std::memory_order_acquire, std::memory_order_acquire)) {
      continue;  // another thread filled it: read the group again, it may be this state
    }
    const StateIndex i = reservation.next++;
    ++reservation.used;
    write(i, key, parent);
    on_add(i, g * kGroupSlots + j);
    std::atomic_ref<std::uint32_t>(group[j]).store(tag | (i + 1), std::memory_order_release);
    return {i, Outcome::added};
  }
}

void StateStore::ensure_chunk(StateIndex i) {
  const std::size_t c = i >> kChunkBits;
  if (chunks_[c].load(std::memory_order_acquire) != nullptr) return;
  const std::lock_guard<std::mutex> lock(chunk_mutex_);
  if (chunks_[c].load(std::memory_order_relaxed) != nullptr) return;
  // Chunks are allocated in order: an index is taken only after every lower one.
  for (std::size_t k = chunk_count_.load(std::memory_order_relaxed); k <= c; ++k) {
    // Small searches stay in the first chunk, on ordinary pages.
    chunks_[k].store(map_aligned(chunk_bytes(), k > 0), std::memory_order_release);
    chunk_count_.store(k + 1, std::memory_order_relaxed);
  }
}

void StateStore::write(StateIndex i, const std::byte* key, StateIndex parent) {
  std::byte* r = record(i);
  std::memcpy(r, key, key_bytes_);
  if (keeps_parents()) std::memcpy(r + key_bytes_, &parent, sizeof parent);
}

void StateStore::put_record(StateIndex i, const std::byte* record_bytes) {
  std::memcpy(record(i), record_bytes, record_bytes_);
}

void StateStore::set_parent(StateIndex i, StateIndex parent) {
  if (keeps_parents()) std::memcpy(record(i) + key_bytes_, &parent, sizeof parent);
}

void StateStore::repoint(std::size_t slot, StateIndex i) {
  std::uint32_t& v = slots_[slot];
  v = (v & ~index_mask_) | (i + 1);
}

StateIndex StateStore::append(const std::byte* key, StateIndex parent) {
  const std::size_t n = size();
  if (n >= kNoParent) throw std::length_error("state store full: more than 2^32-1 states");
  const auto i = static_cast<StateIndex>(n);
  ensure_chunk(i);
  size_.store(n + 1, std::memory_order_relaxed);
  round_start_ = n + 1;
  write(i, key, parent);
  return i;
}

std::size_t StateStore::allocated_bytes() const {
  // The kernel provides a chunk page by page: what is resident of the records is their bytes up
  // to the last one stored, rounded up to the page that holds it, an ordinary page in the first
  // chunk and a huge page after it.
  static const auto kPageBytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t records = size() * record_bytes_;
  const std::size_t page = size() <= kChunkRecords ? kPageBytes : kHugePageBytes;
  std::size_t halves = 0;
  for (const auto& half : halves_) halves += half ? half->allocated_bytes() : 0;
  return (records + page - 1) / page * page + groups_ * kGroupSlots * sizeof(std::uint32_t) +
         halves;
}

}  // namespace dirtyrace::checker
