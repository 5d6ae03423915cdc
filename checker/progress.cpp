#include "checker/progress.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <unordered_map>

#include "checker/workers.hpp"

namespace dirtyrace::checker {

namespace {

/// States whose successors are generated before the first of them is looked up.
constexpr std::size_t kBatch = 8;

/// Edges visited while looking for a short cycle before settling for any cycle.
constexpr std::uint64_t kCycleSearchBudget = 20'000'000;

/// States whose successor lists one thread builds at a time: a range.
constexpr unsigned kRangeBits = 16;
constexpr std::size_t kRange = std::size_t{1} << kRangeBits;

/// The stored states and their successors as compact successor lists, one per range of kRange
/// states, so that threads build them independently. The successors of state i, sorted and each
/// once, are coded in lists[i >> kRangeBits][start .. ends[i]), where start is ends[i - 1] within
/// the same range and 0 for a range's first state, as LEB128 varints: the first as its distance
/// from i (zigzag: it may come before i), each next one as its distance from the one before,
/// less one. A breadth-first store numbers a state's new successors one after the other, and the
/// others lie mostly in the next level: about 2 bytes a successor instead of 4.
struct Successors {
  std::vector<std::vector<std::uint8_t>> lists;
  std::vector<std::uint32_t> ends;

  /// Calls f(j) on each successor j of i in increasing order until f returns true; returns
  /// whether it did.
  template <typename F>
  bool any(StateIndex i, F f) const {
    const std::uint8_t* at = begin(i);
    const std::uint8_t* const stop = end(i);
    if (at == stop) return false;
    const std::uint64_t zigzag = get_varint(at);
    auto j = static_cast<StateIndex>(static_cast<std::int64_t>(i) +
                                     ((zigzag & 1) ? -static_cast<std::int64_t>(zigzag >> 1) - 1
                                                   : static_cast<std::int64_t>(zigzag >> 1)));
    for (;;) {
      if (f(j)) return true;
      if (at == stop) return false;
      j = static_cast<StateIndex>(j + 1 + get_varint(at));
    }
  }
  bool empty(StateIndex i) const { return begin(i) == end(i); }
  StateIndex first(StateIndex i) const {
    StateIndex out = kNoParent;
    any(i, [&](StateIndex j) {
      out = j;
      return true;
    });
    return out;
  }

  /// Appends the sorted, distinct successors `sorted` of state i to `out`.
  static void put(StateIndex i, const std::vector<StateIndex>& sorted,
                  std::vector<std::uint8_t>& out) {
    if (sorted.empty()) return;
    const std::int64_t d = static_cast<std::int64_t>(sorted[0]) - static_cast<std::int64_t>(i);
    put_varint(
        d < 0 ? static_cast<std::uint64_t>(-(d + 1)) << 1 | 1 : static_cast<std::uint64_t>(d) << 1,
        out);
    for (std::size_t k = 1; k < sorted.size(); ++k) put_varint(sorted[k] - sorted[k - 1] - 1, out);
  }

 private:
  const std::uint8_t* begin(StateIndex i) const {
    return lists[i >> kRangeBits].data() + ((i & (kRange - 1)) != 0 ? ends[i - 1] : 0);
  }
  const std::uint8_t* end(StateIndex i) const { return lists[i >> kRangeBits].data() + ends[i]; }
  static void put_varint(std::uint64_t v, std::vector<std::uint8_t>& out) {
    for (; v >= 0x80; v >>= 7) out.push_back(static_cast<std::uint8_t>(v | 0x80));
    out.push_back(static_cast<std::uint8_t>(v));
  }
  static std::uint64_t get_varint(const std::uint8_t*& at) {
    std::uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
      const std::uint8_t b = *at++;
      v |= std::uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) return v;
    }
  }
};

/// One thread's buffers for building successor lists, reused from range to range.
struct Scratch {
  std::vector<std::byte> successors;       // a batch's successors, packed
  std::vector<std::uint64_t> hashes;       // of each
  std::vector<StateIndex> list;            // one state's successors
  std::vector<std::uint8_t> coded;         // the range's successor lists so far
  std::vector<std::byte> states;           // the batch's states
  std::vector<StateStore::Halves> halves;  // and their halves' numbers
};

/// Fills range `r` of `g` and marks its goals in `reaches_goal`. States go in batches: the
/// successors of a whole batch are generated, hashed and their slots prefetched before the
/// first is looked up, so that the cache misses of the lookups overlap.
void build_range(const TransitionSystem& system, const StateStore& store, std::size_t r,
                 Scratch& scratch, Successors& g, std::vector<std::uint8_t>& reaches_goal,
                 std::atomic<std::uint64_t>& bytes) {
  const std::size_t width = store.state_bytes();
  const std::size_t range_end = std::min(store.size(), (r + 1) * kRange);
  std::vector<StateIndex>& list = scratch.list;
  std::vector<std::uint8_t>& coded = scratch.coded;
  coded.clear();
  scratch.states.resize(kBatch * width);
  scratch.halves.resize(kBatch);
  std::array<std::size_t, kBatch + 1> first_of{};  // batch state k's successors start here
  for (std::size_t batch = r * kRange; batch < range_end; batch += kBatch) {
    const std::size_t end = std::min(range_end, batch + kBatch);
    scratch.successors.clear();
    scratch.hashes.clear();
    for (std::size_t i = batch; i < end; ++i) {
      first_of[i - batch] = scratch.hashes.size();
      std::byte* state = scratch.states.data() + (i - batch) * width;
      scratch.halves[i - batch] = store.read(static_cast<StateIndex>(i), state);
      const StateStore::Origin origin{state, scratch.halves[i - batch]};
      system.for_each_successor(state, [&](Label, const std::byte* next) {
        scratch.successors.insert(scratch.successors.end(), next, next + width);
        scratch.hashes.push_back(store.hash(next));
        store.prefetch(scratch.hashes.back());
        store.prefetch_halves(next, origin);
      });
    }
    first_of[end - batch] = scratch.hashes.size();
    for (std::size_t i = batch; i < end; ++i) {
      list.clear();
      const std::byte* state = scratch.states.data() + (i - batch) * width;
      const StateStore::Origin origin{state, scratch.halves[i - batch]};
      for (std::size_t k = first_of[i - batch]; k < first_of[i - batch + 1]; ++k) {
        const StateIndex j =
            store.find(scratch.successors.data() + k * width, scratch.hashes[k], &origin);
        if (j == kNoParent) throw std::logic_error("progress check: a successor was never stored");
        list.push_back(j);
      }
      std::sort(list.begin(), list.end());
      list.erase(std::unique(list.begin(), list.end()), list.end());
      Successors::put(static_cast<StateIndex>(i), list, coded);
      g.ends[i] = static_cast<std::uint32_t>(coded.size());
      // A goal is a proper end: no successor, and the system says the run is complete there.
      if (first_of[i - batch] == first_of[i - batch + 1]) reaches_goal[i] = system.is_goal(state);
    }
  }
  g.lists[r].assign(coded.begin(), coded.end());
  bytes.fetch_add(coded.size(), std::memory_order_relaxed);
}

/// Fills `g` and marks the goals in `reaches_goal` by re-expanding every stored state once,
/// a range at a time on each thread; every successor is stored already. `bytes` holds the
/// check's bytes so far and grows by each range's lists; past `max_bytes` (unless 0) the build
/// stops. Returns why it stopped early, or StopReason::none.
StopReason build(const TransitionSystem& system, const StateStore& store, unsigned threads,
                 absl::FunctionRef<StopReason()> poll, std::uint64_t max_bytes,
                 std::atomic<std::uint64_t>& bytes, Successors& g,
                 std::vector<std::uint8_t>& reaches_goal) {
  const std::size_t ranges = (store.size() + kRange - 1) / kRange;
  g.lists.resize(ranges);
  g.ends.resize(store.size());
  std::atomic<std::size_t> next_range{0};
  std::atomic<StopReason> stop{StopReason::none};
  Workers workers(ranges > 1 ? threads : 1);
  workers.run([&](unsigned) {
    Scratch scratch;
    for (std::size_t r; stop.load(std::memory_order_relaxed) == StopReason::none &&
                        (r = next_range.fetch_add(1, std::memory_order_relaxed)) < ranges;) {
      StopReason why = poll();
      if (why == StopReason::none) {
        build_range(system, store, r, scratch, g, reaches_goal, bytes);
        if (max_bytes && bytes.load() > max_bytes) why = StopReason::progress_memory;
      }
      if (why != StopReason::none) {
        StopReason none = StopReason::none;
        stop.compare_exchange_strong(none, why);
        return;
      }
    }
  });
  return stop.load();
}

/// Path from `from` to `to` along `pred` links (pred[from] == from), from first.
template <typename Pred>
std::vector<StateIndex> path_back(const Pred& pred, StateIndex from, StateIndex to) {
  std::vector<StateIndex> out;
  for (StateIndex i = to; i != from; i = pred(i)) out.push_back(i);
  out.push_back(from);
  std::reverse(out.begin(), out.end());
  return out;
}

/// The shortest cycle through `c`, as c, ..., c; empty if `c` is on none. Adds the edges it
/// visits to `work`.
std::vector<StateIndex> cycle_through(const Successors& g, StateIndex c, std::uint64_t& work) {
  std::unordered_map<StateIndex, StateIndex> pred{{c, c}};
  std::vector<StateIndex> queue{c};
  for (std::size_t k = 0; k < queue.size(); ++k) {
    const StateIndex u = queue[k];
    const bool closed = g.any(u, [&](StateIndex v) {
      ++work;
      if (v == c) return true;
      if (pred.emplace(v, u).second) queue.push_back(v);
      return false;
    });
    if (closed) {
      std::vector<StateIndex> cycle = path_back([&](StateIndex i) { return pred.at(i); }, c, u);
      cycle.push_back(c);
      return cycle;
    }
  }
  return {};
}

/// From a state `b` that cannot reach a goal (so neither can any state after it): the way to
/// the nearest dead end, or else to a cycle. Returns the states from b on, and where the cycle
/// starts in them if there is one.
std::pair<std::vector<StateIndex>, std::optional<std::size_t>> bad_run(const Successors& g,
                                                                       StateIndex b) {
  std::unordered_map<StateIndex, StateIndex> pred{{b, b}};
  std::vector<StateIndex> order{b};
  for (std::size_t k = 0; k < order.size(); ++k) {
    const StateIndex u = order[k];
    if (g.empty(u)) return {path_back([&](StateIndex i) { return pred.at(i); }, b, u), {}};
    g.any(u, [&](StateIndex v) {
      if (pred.emplace(v, u).second) order.push_back(v);
      return false;
    });
  }
  // No dead end: every state reached has a successor, so there are cycles. Take the first state
  // in breadth-first order on a cycle, with the shortest cycle through it, while the budget lasts.
  std::uint64_t work = 0;
  for (const StateIndex c : order) {
    if (work > kCycleSearchBudget) break;
    std::vector<StateIndex> cycle = cycle_through(g, c, work);
    if (cycle.empty()) continue;
    std::vector<StateIndex> run = path_back([&](StateIndex i) { return pred.at(i); }, b, c);
    const std::size_t loop_start = run.size() - 1;
    run.insert(run.end(), cycle.begin() + 1, cycle.end());
    return {run, loop_start};
  }
  // Otherwise walk first successors until a state repeats: some cycle, maybe not the shortest.
  std::unordered_map<StateIndex, std::size_t> seen;
  std::vector<StateIndex> run;
  for (StateIndex u = b; seen.emplace(u, run.size()).second; u = g.first(u)) run.push_back(u);
  const StateIndex repeated = g.first(run.back());
  run.push_back(repeated);
  return {run, seen.at(repeated)};
}

}  // namespace

std::uint64_t least_progress_bytes(std::uint64_t states) {
  // An end offset and a mark for each state; the successor lists come on top.
  return states * (sizeof(std::uint32_t) + 1);
}

ProgressOutcome check_progress(const TransitionSystem& system, const StateStore& store,
                               unsigned threads, std::uint64_t max_bytes,
                               absl::FunctionRef<StopReason()> poll,
                               absl::FunctionRef<StateIndex(StateIndex)> parent) {
  ProgressOutcome out;
  const std::size_t n = store.size();
  std::atomic<std::uint64_t> bytes{least_progress_bytes(n)};
  Successors g;
  std::vector<std::uint8_t> reaches_goal(n);  // one byte each: sweeps test it for every edge
  out.stop = build(system, store, threads, poll, max_bytes, bytes, g, reaches_goal);
  out.bytes = bytes.load();
  if (out.stop != StopReason::none) return out;

  // Backward sweeps: breadth-first and depth-first stores mostly number successors after their
  // state, so one sweep from the last state settles most states; back edges need another.
  for (bool changed = true; changed;) {
    changed = false;
    ++out.sweeps;
    for (std::size_t i = n; i-- > 0;) {
      if ((i & 0xfffff) == 0) {
        if ((out.stop = poll()) != StopReason::none) return out;
      }
      if (reaches_goal[i]) continue;
      if (g.any(static_cast<StateIndex>(i), [&](StateIndex j) { return reaches_goal[j] != 0; })) {
        reaches_goal[i] = 1;
        changed = true;
      }
    }
  }

  const auto bad = std::find(reaches_goal.begin(), reaches_goal.end(), 0);
  if (bad == reaches_goal.end()) return out;
  const auto b = static_cast<StateIndex>(bad - reaches_goal.begin());
  for (StateIndex i = b; i != kNoParent; i = parent(i)) out.path.push_back(i);
  std::reverse(out.path.begin(), out.path.end());
  out.stuck = out.path.size() - 1;
  auto [run, loop_start] = bad_run(g, b);
  if (loop_start) out.loop_start = *loop_start + out.path.size() - 1;
  out.path.insert(out.path.end(), run.begin() + 1, run.end());
  return out;
}

}  // namespace dirtyrace::checker
