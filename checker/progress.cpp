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
/// states, so that threads build them independently: the successors of state i are
/// targets[i >> kRangeBits][start .. ends[i]), where start is ends[i - 1] within the same range
/// and 0 for a range's first state; sorted, each once.
struct Successors {
  std::vector<std::vector<StateIndex>> targets;
  std::vector<std::uint32_t> ends;

  const StateIndex* begin(StateIndex i) const {
    return targets[i >> kRangeBits].data() + ((i & (kRange - 1)) != 0 ? ends[i - 1] : 0);
  }
  const StateIndex* end(StateIndex i) const { return targets[i >> kRangeBits].data() + ends[i]; }
  bool empty(StateIndex i) const { return begin(i) == end(i); }
};

/// One thread's buffers for building successor lists, reused from range to range.
struct Scratch {
  std::vector<std::byte> successors;       // a batch's successors, packed
  std::vector<std::uint64_t> hashes;       // of each
  std::vector<StateIndex> list;            // the range's successor list so far
  std::vector<std::byte> states;           // the batch's states
  std::vector<StateStore::Halves> halves;  // and their halves' numbers
};

/// Fills range `r` of `g` and marks its goals in `reaches_goal`. States go in batches: the
/// successors of a whole batch are generated, hashed and their slots prefetched before the
/// first is looked up, so that the cache misses of the lookups overlap.
void build_range(const TransitionSystem& system, const StateStore& store, std::size_t r,
                 Scratch& scratch, Successors& g, std::vector<std::uint8_t>& reaches_goal) {
  const std::size_t width = store.state_bytes();
  const std::size_t range_end = std::min(store.size(), (r + 1) * kRange);
  std::vector<StateIndex>& list = scratch.list;
  list.clear();
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
      const auto start = static_cast<std::ptrdiff_t>(list.size());
      const std::byte* state = scratch.states.data() + (i - batch) * width;
      const StateStore::Origin origin{state, scratch.halves[i - batch]};
      for (std::size_t k = first_of[i - batch]; k < first_of[i - batch + 1]; ++k) {
        const StateIndex j =
            store.find(scratch.successors.data() + k * width, scratch.hashes[k], &origin);
        if (j == kNoParent) throw std::logic_error("progress check: a successor was never stored");
        list.push_back(j);
      }
      std::sort(list.begin() + start, list.end());
      list.erase(std::unique(list.begin() + start, list.end()), list.end());
      g.ends[i] = static_cast<std::uint32_t>(list.size());
      // A goal is a proper end: no successor, and the system says the run is complete there.
      if (first_of[i - batch] == first_of[i - batch + 1]) reaches_goal[i] = system.is_goal(state);
    }
  }
  g.targets[r].assign(list.begin(), list.end());
}

/// Fills `g` and marks the goals in `reaches_goal` by re-expanding every stored state once,
/// a range at a time on each thread; every successor is stored already. Returns why it stopped
/// early, or StopReason::none.
StopReason build(const TransitionSystem& system, const StateStore& store, unsigned threads,
                 absl::FunctionRef<StopReason()> poll, Successors& g,
                 std::vector<std::uint8_t>& reaches_goal) {
  const std::size_t ranges = (store.size() + kRange - 1) / kRange;
  g.targets.resize(ranges);
  g.ends.resize(store.size());
  std::atomic<std::size_t> next_range{0};
  std::atomic<StopReason> stop{StopReason::none};
  Workers workers(ranges > 1 ? threads : 1);
  workers.run([&](unsigned) {
    Scratch scratch;
    for (std::size_t r; stop.load(std::memory_order_relaxed) == StopReason::none &&
                        (r = next_range.fetch_add(1, std::memory_order_relaxed)) < ranges;) {
      if (const StopReason why = poll(); why != StopReason::none) {
        StopReason none = StopReason::none;
        stop.compare_exchange_strong(none, why);
        return;
      }
      build_range(system, store, r, scratch, g, reaches_goal);
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
    for (const StateIndex* v = g.begin(u); v != g.end(u); ++v) {
      ++work;
      if (*v == c) {
        std::vector<StateIndex> cycle = path_back([&](StateIndex i) { return pred.at(i); }, c, u);
        cycle.push_back(c);
        return cycle;
      }
      if (pred.emplace(*v, u).second) queue.push_back(*v);
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
    for (const StateIndex* v = g.begin(u); v != g.end(u); ++v) {
      if (pred.emplace(*v, u).second) order.push_back(*v);
    }
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
  for (StateIndex u = b; seen.emplace(u, run.size()).second; u = *g.begin(u)) run.push_back(u);
  const StateIndex repeated = *g.begin(run.back());
  run.push_back(repeated);
  return {run, seen.at(repeated)};
}

}  // namespace

std::uint64_t progress_bytes(std::uint64_t states, std::uint64_t transitions) {
  // offsets, targets (at most one per transition), and one byte per state for the marks.
  return (states + 1) * sizeof(std::uint32_t) + transitions * sizeof(StateIndex) + states;
}

ProgressOutcome check_progress(const TransitionSystem& system, const StateStore& store,
                               std::uint64_t transitions, unsigned threads,
                               absl::FunctionRef<StopReason()> poll,
                               absl::FunctionRef<StateIndex(StateIndex)> parent) {
  ProgressOutcome out;
  const std::size_t n = store.size();
  out.bytes = progress_bytes(n, transitions);
  Successors g;
  std::vector<std::uint8_t> reaches_goal(n);  // one byte each: sweeps test it for every edge
  if ((out.stop = build(system, store, threads, poll, g, reaches_goal)) != StopReason::none) {
    return out;
  }

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
      const auto index = static_cast<StateIndex>(i);
      for (const StateIndex* j = g.begin(index); j != g.end(index); ++j) {
        if (reaches_goal[*j]) {
          reaches_goal[i] = 1;
          changed = true;
          break;
        }
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
