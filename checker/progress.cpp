#include "checker/progress.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <unordered_map>

namespace dirtyrace::checker {

namespace {

/// States whose successors are generated before the first of them is looked up.
constexpr std::size_t kBatch = 8;

/// Edges visited while looking for a short cycle before settling for any cycle.
constexpr std::uint64_t kCycleSearchBudget = 20'000'000;

/// The stored states and their successors as a compact successor list: the successors of
/// state i are targets[offsets[i] .. offsets[i + 1]), sorted, each once.
struct Successors {
  std::vector<std::uint32_t> offsets;
  std::vector<StateIndex> targets;

  std::size_t size() const { return offsets.size() - 1; }
  const StateIndex* begin(StateIndex i) const { return targets.data() + offsets[i]; }
  const StateIndex* end(StateIndex i) const { return targets.data() + offsets[i + 1]; }
  bool empty(StateIndex i) const { return offsets[i] == offsets[i + 1]; }
};

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
                               std::uint64_t transitions, absl::FunctionRef<StopReason()> poll,
                               absl::FunctionRef<StateIndex(StateIndex)> parent) {
  ProgressOutcome out;
  const std::size_t n = store.size();
  const std::size_t width = store.state_bytes();
  if (transitions > UINT32_MAX) {
    out.stop = StopReason::progress_memory;
    return out;
  }
  out.bytes = progress_bytes(n, transitions);
  Successors g;
  g.offsets.reserve(n + 1);
  g.targets.reserve(transitions);
  std::vector<std::uint8_t> reaches_goal(n);  // one byte each: sweeps test it for every edge

  // Re-expand each state once; every successor is stored already. States go in batches: the
  // successors of a whole batch are generated, hashed and their slots prefetched before the
  // first is looked up, so that the cache misses of the lookups overlap.
  std::vector<std::byte> successors;
  std::vector<std::uint64_t> hashes;
  std::array<std::size_t, kBatch + 1> first_of{};  // batch state k's successors start here
  for (std::size_t batch = 0; batch < n; batch += kBatch) {
    if ((batch & 0xffff) == 0 && batch != 0) {
      if ((out.stop = poll()) != StopReason::none) return out;
    }
    const std::size_t end = std::min(n, batch + kBatch);
    successors.clear();
    hashes.clear();
    for (std::size_t i = batch; i < end; ++i) {
      first_of[i - batch] = hashes.size();
      system.for_each_successor(store.state(static_cast<StateIndex>(i)),
                                [&](Label, const std::byte* next) {
                                  successors.insert(successors.end(), next, next + width);
                                  hashes.push_back(store.hash(next));
                                  store.prefetch(hashes.back());
                                });
    }
    first_of[end - batch] = hashes.size();
    for (std::size_t i = batch; i < end; ++i) {
      g.offsets.push_back(static_cast<std::uint32_t>(g.targets.size()));
      for (std::size_t k = first_of[i - batch]; k < first_of[i - batch + 1]; ++k) {
        const StateIndex j = store.find(successors.data() + k * width, hashes[k]);
        if (j == kNoParent) throw std::logic_error("progress check: a successor was never stored");
        g.targets.push_back(j);
      }
      const auto first = g.targets.begin() + g.offsets.back();
      std::sort(first, g.targets.end());
      g.targets.erase(std::unique(first, g.targets.end()), g.targets.end());
      // A goal is a proper end: no successor, and the system says the run is complete there.
      reaches_goal[i] = first_of[i - batch] == first_of[i - batch + 1] &&
                        system.is_goal(store.state(static_cast<StateIndex>(i)));
    }
  }
  g.offsets.push_back(static_cast<std::uint32_t>(g.targets.size()));

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
