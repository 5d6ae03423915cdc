#include "checker/search.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <new>
#include <span>
#include <stdexcept>
#include <utility>

#include <sys/mman.h>

#include "checker/memory.hpp"
#include "checker/progress.hpp"
#include "checker/state_store.hpp"
#include "checker/workers.hpp"

namespace dirtyrace::checker {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::verified:
      return "verified";
    case Verdict::violation:
      return "violation";
    case Verdict::inconclusive:
      return "inconclusive";
  }
  return "?";
}

std::string_view to_string(StopReason r) {
  switch (r) {
    case StopReason::none:
      return "none";
    case StopReason::max_states:
      return "state limit reached";
    case StopReason::max_memory:
      return "memory limit reached";
    case StopReason::time_limit:
      return "time limit reached";
    case StopReason::interrupted:
      return "interrupted";
    case StopReason::progress_memory:
      return "memory limit reached by the progress check";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

/// How many states ahead of the one being looked up breadth-first search generates.
constexpr std::size_t kLookahead = 4;

/// States that one thread takes at a time from the level being expanded.
constexpr std::size_t kChunk = 128;

/// An array whose memory the kernel provides page by page as it is first written (anonymous
/// mmap), so that a capacity sized for the worst case costs only what is used.
template <typename T>
class LazyArray {
 public:
  LazyArray() = default;
  ~LazyArray() { release(); }
  LazyArray(const LazyArray&) = delete;
  LazyArray& operator=(const LazyArray&) = delete;

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  /// Makes room for `n` elements, keeping the first `keep`.
  void reserve(std::size_t n, std::size_t keep) {
    if (n <= capacity_) return;
    void* p =
        mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (keep) std::memcpy(p, data_, keep * sizeof(T));
    release();
    data_ = static_cast<T*>(p);
    capacity_ = n;
  }
  void clear() {
    release();
    used_ = 0;
  }
  /// Records that the first `n` elements are in use, for used_bytes().
  void use(std::size_t n) { used_ = std::max(used_, n); }
  std::uint64_t used_bytes() const { return used_ * sizeof(T); }

 private:
  void release() {
    if (data_) munmap(data_, capacity_ * sizeof(T));
    data_ = nullptr;
    capacity_ = 0;
  }
  T* data_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;  // the most elements ever used: the pages touched
};

/// Lowers `a` to `value` unless it is lower already.
void store_min(std::uint64_t& a, std::uint64_t value) {
  std::atomic_ref<std::uint64_t> ref(a);
  std::uint64_t now = ref.load(std::memory_order_relaxed);
  while (value < now && !ref.compare_exchange_weak(now, value, std::memory_order_relaxed)) {
  }
}
void store_min(std::atomic<std::uint64_t>& a, std::uint64_t value) {
  std::uint64_t now = a.load(std::memory_order_relaxed);
  while (value < now && !a.compare_exchange_weak(now, value, std::memory_order_relaxed)) {
  }
}

class Search {
 public:
  Search(const TransitionSystem& system, const SearchOptions& options)
      : system_(system),
        options_(options),
        // Breadth-first stores are in level order, which gives every state's parent (parent_of).
        store_(system.state_bytes(), options.order == Order::depth_first, options.compress_states) {
  }

  SearchResult run() {
    reset_peak_rss();
    start_ = last_progress_ = Clock::now();
    std::vector<std::byte> initial(system_.state_bytes());
    system_.initial_state(initial.data());
    insert(initial.data(), store_.hash(initial.data()), kNoParent, 0);
    if (!violation_) {
      if (options_.order == Order::breadth_first && options_.threads > 1) {
        parallel_breadth_first();
      } else if (options_.order == Order::breadth_first) {
        breadth_first();
      } else {
        depth_first();
      }
    }
    if (!violation_ && stop_ == StopReason::none && system_.checks_progress()) check_progress();
    return finish();
  }

 private:
  /// Stores `state`, whose hash is `hash`, and checks it, unless it is stored already.
  void insert(const std::byte* state, std::uint64_t hash, StateIndex parent, std::uint32_t depth,
              const StateStore::Origin* origin = nullptr) {
    const auto [index, added] = store_.find_or_append(state, hash, parent, origin);
    if (!added) return;
    if (options_.order == Order::depth_first) depth_of_.push_back(depth);
    if (depth > depth_) depth_ = depth;
    if (const auto invariant = system_.violated_invariant(state)) {
      violation_ = Violation{Counterexample::Kind::invariant, *invariant, index};
    }
  }

  /// Successors of one state, generated but not yet looked up.
  struct Expansion {
    StateIndex state = 0;
    std::vector<std::byte> bytes;       // the state's own
    StateStore::Halves halves{};        // its halves' numbers, if the store compresses
    std::vector<std::byte> successors;  // packed, back to back
    std::vector<std::uint64_t> hashes;  // of each successor
  };

  /// Generates the successors of stored state `index`, hashes them and prefetches their slots.
  void generate(StateIndex index, Expansion& e) const {
    const std::size_t width = store_.state_bytes();
    e.state = index;
    e.bytes.resize(width);
    e.halves = store_.read(index, e.bytes.data());
    e.successors.clear();
    e.hashes.clear();
    const StateStore::Origin origin{e.bytes.data(), e.halves};
    system_.for_each_successor(e.bytes.data(), [&](Label, const std::byte* next) {
      e.successors.insert(e.successors.end(), next, next + width);
      e.hashes.push_back(store_.hash(next));
      store_.prefetch(e.hashes.back());
      store_.prefetch_halves(next, origin);
    });
  }

  /// Looks up the successors of a generated state and stores the new ones, in the order they
  /// were generated; returns false when the search must stop.
  bool commit(const Expansion& e, std::uint32_t depth) {
    const std::size_t successors = e.hashes.size();
    const std::size_t width = store_.state_bytes();
    transitions_ += successors;
    const StateStore::Origin origin{e.bytes.data(), e.halves};
    for (std::size_t k = 0; k < successors && !violation_; ++k) {
      insert(e.successors.data() + k * width, e.hashes[k], e.state, depth + 1, &origin);
    }
    if (!violation_ && successors == 0 && !system_.is_terminal(e.bytes.data())) {
      violation_ = Violation{Counterexample::Kind::deadlock, 0, e.state};
    }
    if (violation_) return false;
    return within_limits(pending());
  }

  void breadth_first() {
    // States are stored in breadth-first order, so the queue is the store itself. Successors
    // are generated a few states ahead of their lookup: the slots prefetched then have
    // arrived by the time they are probed, their latency hidden behind generating other
    // states. Lookups, and so the store, still follow the plain breadth-first order.
    std::size_t level_end = store_.size();
    std::uint32_t level = 0;
    std::size_t generated = 0;  // states whose successors have been generated
    for (next_ = 0; next_ < store_.size(); ++next_) {
      if (next_ == level_end) {
        ++level;
        level_sizes_.push_back(store_.size() - level_end);
        level_end = store_.size();
        level_ = level;
      }
      for (; generated < store_.size() && generated <= next_ + kLookahead; ++generated) {
        generate(static_cast<StateIndex>(generated), ahead_[generated % ahead_.size()]);
      }
      if (!commit(ahead_[next_ % ahead_.size()], level)) return;
    }
  }

  void depth_first() {
    // The next state to expand is known only once the last one's successors are stored, so
    // there is nothing to generate ahead.
    stack_.push_back(0);
    while (!stack_.empty()) {
      const StateIndex index = stack_.back();
      stack_.pop_back();
      const std::size_t before = store_.size();
      generate(index, ahead_[0]);
      if (!commit(ahead_[0], depth_of_[index])) return;
      // Push in reverse so that the first successor is expanded first.
      for (std::size_t i = store_.size(); i > before; --i) {
        stack_.push_back(static_cast<StateIndex>(i - 1));
      }
    }
  }

  std::uint64_t pending() const {
    return options_.order == Order::breadth_first ? store_.size() - next_ - 1 : stack_.size();
  }

  std::uint64_t stored_bytes() const {
    // The breadth-first queue is the store; the depth-first one is the stack. The successors
    // generated ahead are counted too.
    std::uint64_t ahead = 0;
    for (const Expansion& e : ahead_) {
      ahead += e.successors.capacity() + e.hashes.capacity() * sizeof(std::uint64_t);
    }
    // The parallel search's arrays for one level (resized only between the threads' runs).
    const std::uint64_t level = keys_.used_bytes() + slot_of_.used_bytes() +
                                successors_of_.capacity() * sizeof(std::uint32_t) +
                                count_.capacity() * sizeof(std::uint32_t) +
                                order_.capacity() * sizeof(std::uint32_t);
    return store_.allocated_bytes() + depth_of_.capacity() * sizeof(std::uint32_t) +
           stack_.capacity() * sizeof(StateIndex) + ahead + level;
  }

  bool within_limits(std::uint64_t pending_states) {
    const Limits& limits = options_.limits;
    if (limits.max_states && store_.size() >= limits.max_states) {
      stop_ = StopReason::max_states;
      return false;
    }
    if ((++polls_ & 1023) != 0) return true;
    if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed)) {
      stop_ = StopReason::interrupted;
      return false;
    }
    if (limits.max_memory_bytes && stored_bytes() >= limits.max_memory_bytes) {
      stop_ = StopReason::max_memory;
      return false;
    }
    const auto now = Clock::now();
    const double elapsed = seconds_since(start_, now);
    if (limits.time_limit_seconds > 0 && elapsed >= limits.time_limit_seconds) {
      stop_ = StopReason::time_limit;
      return false;
    }
    if (options_.on_progress &&
        seconds_since(last_progress_, now) >= options_.progress_interval_seconds) {
      last_progress_ = now;
      options_.on_progress(snapshot(pending_states, elapsed));
    }
    return true;
  }

  /// A progress report, with an estimate of the states left where levels allow one.
  Progress snapshot(std::uint64_t pending_states, double elapsed) const {
    Progress p{store_.size(), pending_states, elapsed, stored_bytes(), options_.order, 0, 0, {}};
    if (options_.order != Order::breadth_first) return p;
    p.level = level_;
    estimate_left(p, level_sizes_);
    return p;
  }

  // Breadth-first search on several threads, level by level. The states of level L, numbered
  // [first, end), are expanded by every thread at once into the shared store, a chunk of
  // kChunk states at a time; a new state of level L + 1 keeps the least key
  // (parent << 32 | successor number) under which any thread generated it: the one under which
  // a single thread, expanding the level in order, would have stored it first. Once the level
  // is done, its new states are renumbered in key order, so that the store holds, record for
  // record, what the one-thread search stores: the same numbering, hence the same parents (the
  // first state of the level before with the state as a successor: parent_of), the same
  // counterexamples, and the same progress check afterwards.
  //
  // A violation or the state limit is settled the same way: the first violation in key order
  // (an invariant broken by a new state, at the state's key; a deadlock of a parent, after all
  // of that parent's successors) or the first parent after which one thread would have held
  // max_states states, with the states, transitions and depth one thread would have counted
  // there. Threads skip the parents after the least violation found so far, and stop taking
  // chunks once max_states states are stored; the chunks taken are always a prefix of the level.
  // The time and memory limits and interrupts stop the threads wherever they are, as they stop
  // one thread wherever it is.

  /// What the threads expanding one level share.
  struct Level {
    StateIndex first = 0, end = 0;        // the level's states
    std::atomic<std::uint64_t> next{0};   // the first state no thread has taken
    std::atomic<bool> enough{false};      // max_states states are stored: take no more
    std::atomic<std::uint64_t> added{0};  // new states, as threads report them between chunks
    std::atomic<bool> full{false};        // the table must grow before anything is added
    std::atomic<StopReason> halt{StopReason::none};
    std::atomic<std::uint64_t> least{UINT64_MAX};     // bound on the least violation key
    std::atomic<std::uint64_t> deadlock{UINT64_MAX};  // the least parent without successors
    std::mutex mutex;
    std::vector<std::pair<StateIndex, StateIndex>> leftovers;  // chunks to finish after a grow
    std::vector<std::pair<StateIndex, std::uint32_t>> broken;  // new states and an invariant

    bool take(StateIndex& from, StateIndex& to) {
      {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!leftovers.empty()) {
          std::tie(from, to) = leftovers.back();
          leftovers.pop_back();
          return true;
        }
      }
      if (enough.load(std::memory_order_relaxed)) return false;
      const std::uint64_t at = next.fetch_add(kChunk, std::memory_order_relaxed);
      if (at >= end) return false;
      from = static_cast<StateIndex>(at);
      to = static_cast<StateIndex>(std::min<std::uint64_t>(at + kChunk, end));
      return true;
    }
    void give_back(StateIndex from, StateIndex to) {
      const std::lock_guard<std::mutex> lock(mutex);
      leftovers.emplace_back(from, to);
    }
    void stop(StopReason reason) {
      StopReason none = StopReason::none;
      halt.compare_exchange_strong(none, reason);
    }
  };

  static constexpr std::uint32_t kNotExpanded = UINT32_MAX;
  static std::uint64_t key_of(StateIndex parent, std::uint64_t successor) {
    return std::uint64_t{parent} << 32 | successor;
  }

  void parallel_breadth_first() {
    Workers workers(options_.threads);
    StateIndex first = 0;
    auto end = static_cast<StateIndex>(store_.size());
    for (level_ = 0;; ++level_) {
      if (!expand_level(workers, first, end)) return;
      if (store_.size() == end) return;
      first = end;
      end = static_cast<StateIndex>(store_.size());
      level_sizes_.push_back(end - first);
    }
  }

  /// Runs job(w) on every thread, or on this one alone when `work` is too little to share.
  static void share(Workers& workers, std::size_t work, absl::FunctionRef<void(unsigned)> job) {
    if (work > kChunk) {
      workers.run(job);
    } else {
      job(0);
    }
  }

  /// Calls body(from, to) on ranges that cover [0, n), on every thread.
  static void for_ranges(Workers& workers, std::size_t n,
                         absl::FunctionRef<void(std::size_t, std::size_t)> body) {
    constexpr std::size_t kRange = 4096;
    std::atomic<std::size_t> next{0};
    share(workers, n / 16, [&](unsigned) {
      for (std::size_t at; (at = next.fetch_add(kRange)) < n;) body(at, std::min(n, at + kRange));
    });
  }

  /// Expands level [first, end); returns false when the search must stop.
  bool expand_level(Workers& workers, StateIndex first, StateIndex end) {
    const std::size_t parents = end - first;
    successors_of_.assign(parents, kNotExpanded);
    keys_.reserve(store_.capacity() - end, 0);
    slot_of_.reserve(store_.capacity() - end, 0);
    Level lv;
    lv.first = first;
    lv.end = end;
    lv.next = first;
    // Records end_concurrent moves down to close the holes take their key, slot and violation.
    const auto moved = [&](StateIndex from, StateIndex to) {
      keys_[to - end] = keys_[from - end];
      slot_of_[to - end] = slot_of_[from - end];
      for (auto& broken : lv.broken) {
        if (broken.first == from) broken.first = to;
      }
    };
    for (;;) {
      share(workers, parents, [&](unsigned w) { expand(lv, w); });
      store_.end_concurrent(moved);
      if (!lv.full || lv.halt.load() != StopReason::none) break;
      // Every thread has stopped: grow what is full, then finish the chunks they gave back.
      if (store_.begin_grow()) {
        const std::size_t kept = store_.size() - end;
        for_ranges(workers, store_.size(), [&](std::size_t from, std::size_t to) {
          store_.rehash(static_cast<StateIndex>(from), static_cast<StateIndex>(to), end,
                        [&](StateIndex i, std::size_t slot) {
                          slot_of_[i - end] = static_cast<std::uint32_t>(slot);
                        });
        });
        keys_.reserve(store_.capacity() - end, kept);
        slot_of_.reserve(store_.capacity() - end, kept);
      }
      lv.full = false;
    }
    const std::size_t added = store_.size() - end;
    keys_.use(added);
    slot_of_.use(added);

    if (const StopReason halt = lv.halt.load(); halt != StopReason::none) {
      stop_ = halt;
      for (const std::uint32_t n : successors_of_) transitions_ += n == kNotExpanded ? 0 : n;
      if (added) depth_ = level_ + 1;
      return false;
    }

    // The least violation, in key order.
    std::uint64_t least = UINT64_MAX;
    for (const auto& [index, invariant] : lv.broken) {
      const std::uint64_t key = keys_[index - end];
      if (key < least) {
        least = key;
        violation_ = Violation{Counterexample::Kind::invariant, invariant, index};
      }
    }
    if (const std::uint64_t parent = lv.deadlock.load(); parent != UINT64_MAX) {
      const std::uint64_t key = key_of(static_cast<StateIndex>(parent), UINT32_MAX);
      if (key < least) {
        least = key;
        violation_ = Violation{Counterexample::Kind::deadlock, 0, static_cast<StateIndex>(parent)};
      }
    }

    // New states per parent, and where one thread would have stopped: at the violation, or
    // after the first parent that brings the store to max_states.
    count_.assign(parents + 1, 0);
    for (std::size_t j = 0; j < added; ++j) ++count_[(keys_[j] >> 32) - first];
    const std::uint64_t max_states = options_.limits.max_states;
    std::uint64_t states = end;
    for (StateIndex p = first; p < end; ++p) {
      if (violation_ && p == least >> 32) {
        // Up to the violating state, or all the parent's successors (none) for a deadlock.
        for (std::size_t j = 0; j < added; ++j) {
          if (keys_[j] >> 32 == p && keys_[j] < least) ++states;
        }
        if (violation_->kind == Counterexample::Kind::invariant) ++states;
        transitions_ += successors_of_[p - first];
        // One thread would have stored the new states before the violation's key, and for an
        // invariant the violating state, whose key is `least`.
        const bool invariant = violation_->kind == Counterexample::Kind::invariant;
        return settle(states, end, invariant ? least + 1 : least);
      }
      if (successors_of_[p - first] == kNotExpanded) {
        throw std::logic_error("parallel search: a state of the level was not expanded");
      }
      states += count_[p - first];
      transitions_ += successors_of_[p - first];
      if (max_states && states >= max_states) {
        stop_ = StopReason::max_states;
        return settle(states, end, key_of(p + 1, 0));  // every new state of parents up to p
      }
    }
    renumber(workers, first, end, added);
    if (added) depth_ = level_ + 1;
    return true;
  }

  /// Ends the search after a cut within the level: `states` as one thread would have counted,
  /// which are those before `end` and the new ones with a key below `bound`.
  bool settle(std::uint64_t states, StateIndex end, std::uint64_t bound) {
    counted_states_ = states;
    cut_ = Cut{end, bound};
    if (states > end) depth_ = level_ + 1;
    return false;
  }

  /// One thread's share of expanding a level. As in breadth_first(), successors are generated
  /// a few states ahead of their lookup, so that the slots prefetched have arrived.
  void expand(Level& lv, unsigned w) {
    std::array<Expansion, kLookahead + 1> ahead;
    // Whichever way this returns, what is left of the reservation goes back.
    struct Held {
      StateStore& store;
      StateStore::Reservation reservation{};
      ~Held() { store.release(reservation); }
    } held{store_};
    StateStore::Reservation& reservation = held.reservation;
    StateIndex from = 0, to = 0;
    while (lv.take(from, to)) {
      const std::size_t used_before = reservation.used;
      StateIndex generated = from;
      for (StateIndex p = from; p < to; ++p) {
        if (lv.halt.load(std::memory_order_relaxed) != StopReason::none) return;
        if (lv.full.load(std::memory_order_relaxed)) {
          lv.give_back(p, to);
          return;
        }
        if (key_of(p, 0) > lv.least.load(std::memory_order_relaxed)) continue;
        for (; generated < to && generated <= p + kLookahead; ++generated) {
          generate(generated, ahead[generated % ahead.size()]);
        }
        if (!insert_all(lv, ahead[p % ahead.size()], reservation)) {
          lv.full = true;
          lv.give_back(p, to);
          return;
        }
      }
      lv.added.fetch_add(reservation.used - used_before, std::memory_order_relaxed);
      poll(lv, w);
    }
  }

  /// Stores the successors of one state; false, with the state's expansion to be redone, when
  /// the table is full (redoing it finds the successors stored so far under the same keys).
  bool insert_all(Level& lv, const Expansion& e, StateStore::Reservation& reservation) {
    const std::size_t width = store_.state_bytes();
    const std::size_t n = e.hashes.size();
    const StateStore::Origin origin{e.bytes.data(), e.halves};
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint64_t key = key_of(e.state, k);
      const std::byte* next = e.successors.data() + k * width;
      const auto r = store_.insert_concurrent(
          next, e.hashes[k], e.state, reservation,
          [&](StateIndex i, std::size_t slot) {
            std::atomic_ref<std::uint64_t>(keys_[i - lv.end]).store(key, std::memory_order_relaxed);
            slot_of_[i - lv.end] = static_cast<std::uint32_t>(slot);
          },
          &origin);
      if (r.outcome == StateStore::Outcome::full) return false;
      if (r.outcome == StateStore::Outcome::added) {
        if (const auto invariant = system_.violated_invariant(next)) {
          const std::lock_guard<std::mutex> lock(lv.mutex);
          lv.broken.emplace_back(r.index, *invariant);
          store_min(lv.least, key);
        }
      } else if (r.index >= lv.end) {
        store_min(keys_[r.index - lv.end], key);
      }
    }
    successors_of_[e.state - lv.first] = static_cast<std::uint32_t>(n);
    if (n == 0 && !system_.is_terminal(e.bytes.data())) {
      store_min(lv.deadlock, e.state);
      store_min(lv.least, key_of(e.state, UINT32_MAX));
    }
    return true;
  }

  /// Limits, interrupt and progress reports, from a thread between chunks.
  void poll(Level& lv, unsigned w) {
    const Limits& limits = options_.limits;
    // Reservations run ahead of the states stored: count what the threads have reported.
    if (limits.max_states &&
        lv.end + lv.added.load(std::memory_order_relaxed) >= limits.max_states) {
      lv.enough = true;
    }
    if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed)) {
      lv.stop(StopReason::interrupted);
    }
    if (limits.max_memory_bytes && stored_bytes() >= limits.max_memory_bytes) {
      lv.stop(StopReason::max_memory);
    }
    const auto now = Clock::now();
    const double elapsed = seconds_since(start_, now);
    if (limits.time_limit_seconds > 0 && elapsed >= limits.time_limit_seconds) {
      lv.stop(StopReason::time_limit);
    }
    if (w == 0 && options_.on_progress &&
        seconds_since(last_progress_, now) >= options_.progress_interval_seconds) {
      last_progress_ = now;
      const std::uint64_t taken = std::min<std::uint64_t>(lv.next.load(), lv.end);
      options_.on_progress(snapshot(lv.end - taken + store_.size() - lv.end, elapsed));
    }
  }

  /// Renumbers the `added` states after `end` in key order.
  void renumber(Workers& workers, StateIndex first, StateIndex end, std::size_t added) {
    // Counting sort by parent (count_ holds each parent's new states), then by successor.
    std::uint32_t at = 0;
    for (std::uint32_t& c : count_) at += std::exchange(c, at);
    order_.resize(added);
    for (std::size_t j = 0; j < added; ++j) {
      order_[count_[(keys_[j] >> 32) - first]++] = static_cast<std::uint32_t>(j);
    }
    const auto by_key = [&](std::uint32_t a, std::uint32_t b) { return keys_[a] < keys_[b]; };
    for (std::size_t p = 0, from = 0; p + 1 < count_.size(); from = count_[p++]) {
      if (count_[p] - from > 1) std::sort(&order_[from], &order_[0] + count_[p], by_key);
    }
    for_ranges(workers, added, [&](std::size_t from, std::size_t to) {
      for (std::size_t n = from; n < to; ++n) {
        store_.repoint(slot_of_[order_[n]], static_cast<StateIndex>(end + n));
      }
    });
    // The records move along the cycles of the permutation, one record held aside per cycle, so
    // that no copy of the level is needed.
    std::vector<bool> moved(added, false);
    std::vector<std::byte> held(store_.record_bytes());
    for (std::size_t start = 0; start < added; ++start) {
      if (moved[start]) continue;
      std::memcpy(held.data(), store_.record_at(static_cast<StateIndex>(end + start)), held.size());
      std::size_t n = start;
      for (std::size_t j = order_[n]; j != start; n = j, j = order_[n]) {
        store_.put_record(static_cast<StateIndex>(end + n),
                          store_.record_at(static_cast<StateIndex>(end + j)));
        moved[n] = true;
      }
      store_.put_record(static_cast<StateIndex>(end + n), held.data());  // breadth-first: no parent
      moved[n] = true;
    }
  }

  /// Interrupt and time limit, for the progress check.
  StopReason poll() const {
    if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed)) {
      return StopReason::interrupted;
    }
    const double limit = options_.limits.time_limit_seconds;
    if (limit > 0 && seconds_since(start_, Clock::now()) >= limit) return StopReason::time_limit;
    return StopReason::none;
  }

  /// The progress check over the complete store, within the memory limit.
  void check_progress() {
    const std::uint64_t main_bytes = stored_bytes();
    // The search's own work lists are done with.
    std::vector<std::uint32_t>().swap(depth_of_);
    std::vector<StateIndex>().swap(stack_);
    std::vector<std::uint32_t>().swap(successors_of_);
    std::vector<std::uint32_t>().swap(count_);
    std::vector<std::uint32_t>().swap(order_);
    keys_.clear();
    slot_of_.clear();
    const auto progress_start = Clock::now();
    const std::uint64_t limit = options_.limits.max_memory_bytes;
    const std::uint64_t stored = stored_bytes();  // what stays: the store, the expansion buffers
    if (limit && stored + least_progress_bytes(store_.size()) > limit) {
      stop_ = StopReason::progress_memory;  // not started: progress_bytes_ stays 0
    } else {
      // Depth-first search keeps to one thread, its check too.
      const unsigned threads = options_.order == Order::breadth_first ? options_.threads : 1;
      ProgressOutcome p = checker::check_progress(
          system_, store_, threads, limit ? limit - stored : 0, [this] { return poll(); },
          [this](StateIndex i) { return parent_of(i); });
      progress_bytes_ = p.bytes;
      stop_ = p.stop;
      progress_sweeps_ = p.sweeps;
      if (!p.path.empty()) {
        no_progress_ = std::move(p);
      }
    }
    main_bytes_ = main_bytes;
    progress_seconds_ = seconds_since(progress_start, Clock::now());
  }

  static double seconds_since(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
  }

  /// The state `i` was first reached from, or kNoParent for the initial state. Depth-first: the
  /// parent link. Breadth-first: the first state of the level before `i`'s that has `i` as a
  /// successor, the one that a single thread, expanding that level in order, reached it from
  /// first (the parallel search numbers states as one thread would). Finding it re-expands at
  /// most that level, which only counterexamples ask for.
  StateIndex parent_of(StateIndex i) const {
    if (store_.keeps_parents()) return store_.parent(i);
    if (i == 0) return kNoParent;
    // level_sizes_: the levels whose states are all stored, from the initial state's; a state
    // past them is in the level being built.
    std::uint64_t from = 0, to = 0;  // the level before i's
    for (const std::uint64_t size : level_sizes_) {
      if (i < to + size) break;
      from = to;
      to += size;
    }
    const std::size_t width = store_.state_bytes();
    std::vector<std::byte> target(width), state(width);
    store_.read(i, target.data());
    for (std::uint64_t p = from; p < to; ++p) {
      bool reaches = false;
      store_.read(static_cast<StateIndex>(p), state.data());
      system_.for_each_successor(state.data(), [&](Label, const std::byte* next) {
        reaches = reaches || std::memcmp(next, target.data(), width) == 0;
      });
      if (reaches) return static_cast<StateIndex>(p);
    }
    throw std::logic_error("counterexample rebuild: no state of the level before reaches a state");
  }

  /// Rebuilds the path to `index` from parents, re-running the system to recover labels.
  Counterexample trace(const Counterexample::Kind kind, std::uint32_t invariant,
                       StateIndex index) const {
    std::vector<StateIndex> path;
    for (StateIndex i = index; i != kNoParent; i = parent_of(i)) path.push_back(i);
    std::reverse(path.begin(), path.end());
    return trace(kind, invariant, path);
  }

  /// The run through stored states `path`, re-running the system to recover labels.
  Counterexample trace(const Counterexample::Kind kind, std::uint32_t invariant,
                       const std::vector<StateIndex>& path) const {
    Counterexample cx{kind, invariant, {}, {}, {}, 0};
    const std::size_t width = store_.state_bytes();
    for (const StateIndex i : path) {
      cx.states.emplace_back(width);
      store_.read(i, cx.states.back().data());
    }
    for (std::size_t k = 0; k + 1 < cx.states.size(); ++k) {
      const std::byte* to = cx.states[k + 1].data();
      std::optional<Label> found;
      system_.for_each_successor(cx.states[k].data(), [&](Label label, const std::byte* next) {
        if (!found && std::memcmp(next, to, width) == 0) found = label;
      });
      if (!found) throw std::logic_error("counterexample rebuild: a parent link has no transition");
      cx.labels.push_back(*found);
    }
    return cx;
  }

  /// TransitionSystem::represented summed over the states one thread would have stored.
  std::uint64_t represented() const {
    std::uint64_t sum = 0;
    std::vector<std::byte> state(store_.state_bytes());
    for (std::size_t i = 0; i < store_.size(); ++i) {
      const auto index = static_cast<StateIndex>(i);
      if (cut_ && index >= cut_->end && keys_[index - cut_->end] >= cut_->bound) continue;
      store_.read(index, state.data());
      sum += system_.represented(state.data());
    }
    return sum;
  }

  SearchResult finish() {
    SearchResult result;
    result.stats.states = counted_states_ ? *counted_states_ : store_.size();
    result.stats.transitions = transitions_;
    result.stats.depth = depth_;
    result.stats.threads = options_.order == Order::breadth_first ? options_.threads : 1;
    result.stats.seconds = seconds_since(start_, Clock::now());
    result.stats.state_bytes = store_.state_bytes();
    if (store_.compresses()) {
      std::tie(result.stats.halves[0], result.stats.halves[1]) = store_.distinct_halves();
      std::tie(result.stats.half_bytes[0], result.stats.half_bytes[1]) = store_.half_bytes();
    }
    result.stats.stored_bytes = main_bytes_ ? main_bytes_ : stored_bytes();
    result.stats.peak_rss_bytes = peak_rss_bytes();
    result.stats.progress_seconds = progress_seconds_;
    result.stats.progress_bytes = progress_bytes_;
    result.stats.progress_sweeps = progress_sweeps_;
    if (options_.count_represented) {
      result.stats.represented_states = result.stats.states;
      if (system_.reduces()) result.stats.represented_states = represented();
    }
    if (violation_) {
      result.verdict = Verdict::violation;
      result.counterexample = trace(violation_->kind, violation_->invariant, violation_->state);
    } else if (no_progress_) {
      result.verdict = Verdict::violation;
      result.counterexample = trace(Counterexample::Kind::no_progress, 0, no_progress_->path);
      result.counterexample->loop_start = no_progress_->loop_start;
      result.counterexample->stuck = no_progress_->stuck;
    } else if (stop_ != StopReason::none) {
      result.verdict = Verdict::inconclusive;
      result.stop = stop_;
    } else {
      result.verdict = Verdict::verified;
    }
    return result;
  }

  struct Violation {
    Counterexample::Kind kind;
    std::uint32_t invariant;
    StateIndex state;
  };

  const TransitionSystem& system_;
  const SearchOptions& options_;
  StateStore store_;
  std::array<Expansion, kLookahead + 1> ahead_;  // state i's at [i % size]; depth-first: [0]
  std::vector<StateIndex> stack_;                // depth-first only
  std::vector<std::uint32_t> depth_of_;          // depth-first only: depth of each stored state
  std::size_t next_ = 0;                         // breadth-first only: next state to expand
  std::uint32_t level_ = 0;                      // breadth-first: the level being expanded
  std::vector<std::uint64_t> level_sizes_{1};    // breadth-first: sizes of the levels complete
  // The parallel breadth-first search: per state of the next level, its key and its slot; per
  // state of the level, its successors; for renumbering, new states per parent and the new
  // order.
  LazyArray<std::uint64_t> keys_;
  LazyArray<std::uint32_t> slot_of_;
  std::vector<std::uint32_t> successors_of_, count_, order_;
  // The states one thread would have stored when it stopped, where the store holds more: the
  // states before `end` and the new states of its level with a key below `bound`.
  std::optional<std::uint64_t> counted_states_;
  struct Cut {
    StateIndex end;
    std::uint64_t bound;
  };
  std::optional<Cut> cut_;
  std::uint64_t transitions_ = 0;
  std::uint32_t depth_ = 0;
  std::uint64_t polls_ = 0;
  std::optional<Violation> violation_;
  std::optional<ProgressOutcome> no_progress_;  // the progress check failed
  std::uint64_t main_bytes_ = 0;                // stored_bytes() when the search ended
  std::uint64_t progress_bytes_ = 0;
  std::uint32_t progress_sweeps_ = 0;
  double progress_seconds_ = 0;
  StopReason stop_ = StopReason::none;
  Clock::time_point start_, last_progress_;
};

}  // namespace

void estimate_left(Progress& p, const std::vector<std::uint64_t>& level_sizes) {
  // Level sizes zigzag (steps of different actors take turns), so compare pairs of levels.
  const std::size_t n = level_sizes.size();
  if (n < 4) return;
  const double recent = double(level_sizes[n - 1] + level_sizes[n - 2]);
  const double before = double(level_sizes[n - 3] + level_sizes[n - 4]);
  p.growth = std::sqrt(recent / before);  // per level
  if (p.growth >= 1) return;
  // Levels shrinking by `growth` each: the ones to come hold last * (g + g^2 + ...).
  std::uint64_t complete = 0;
  for (const std::uint64_t size : level_sizes) complete += size;
  const double total = double(complete) + double(level_sizes[n - 1]) * p.growth / (1 - p.growth);
  p.states_left = total > double(p.states) ? static_cast<std::uint64_t>(total) - p.states : 0;
}

SearchResult search(const TransitionSystem& system, const SearchOptions& options) {
  return Search(system, options).run();
}

}  // namespace dirtyrace::checker
