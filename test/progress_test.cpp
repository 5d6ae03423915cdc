// The progress check (checker/progress.hpp) on small hand-written graphs.

#include <doctest/doctest.h>

#include <initializer_list>
#include <vector>

#include "checker/search.hpp"

using namespace dirtyrace::checker;

namespace {

/// A graph given edge by edge; a state is one byte, its node. Label k is a node's k-th edge.
class Graph : public TransitionSystem {
 public:
  Graph(std::vector<std::vector<int>> edges, std::initializer_list<int> goals)
      : edges_(std::move(edges)), goal_(edges_.size()) {
    for (int g : goals) goal_[static_cast<std::size_t>(g)] = true;
  }
  std::size_t state_bytes() const override { return 1; }
  void initial_state(std::byte* out) const override { out[0] = std::byte{0}; }
  void for_each_successor(const std::byte* s, SuccessorSink sink) const override {
    const auto& out = edges_[std::to_integer<std::size_t>(s[0])];
    for (std::size_t k = 0; k < out.size(); ++k) {
      const std::byte next{static_cast<unsigned char>(out[k])};
      sink(static_cast<Label>(k), &next);
    }
  }
  std::optional<std::uint32_t> violated_invariant(const std::byte*) const override {
    return std::nullopt;
  }
  bool is_terminal(const std::byte*) const override { return true; }  // no deadlocks reported
  bool checks_progress() const override { return true; }
  bool is_goal(const std::byte* s) const override {
    return goal_[std::to_integer<std::size_t>(s[0])];
  }

 private:
  std::vector<std::vector<int>> edges_;
  std::vector<bool> goal_;
};

SearchResult run(const TransitionSystem& sys, Order order, Limits limits = {}) {
  SearchOptions o;
  o.order = order;
  o.limits = limits;
  return search(sys, o);
}

std::vector<int> nodes(const Counterexample& cx) {
  std::vector<int> out;
  for (const auto& s : cx.states) out.push_back(std::to_integer<int>(s[0]));
  return out;
}

}  // namespace

TEST_CASE("every state can reach a goal, even across a back edge") {
  // 0 → 1 → 2 → 0 and 0 → 3 (goal): breadth-first numbers 0, 1, 3, 2, so the edge 2 → 0 goes
  // back and a second sweep is needed to mark 2.
  const Graph g({{1, 3}, {2}, {0}, {}}, {3});
  for (Order order : {Order::breadth_first, Order::depth_first}) {
    const SearchResult r = run(g, order);
    CHECK(r.verdict == Verdict::verified);
    CHECK(r.stats.states == 4);
    CHECK(!r.counterexample);
    CHECK(r.stats.progress_sweeps >= 2);
    CHECK(r.stats.progress_bytes > 0);
  }
}

TEST_CASE("a livelock: the shortest path to the first stuck state, then the shortest loop") {
  // 0 → 1 → 2 (goal); 1 → 3 → 4 → 5 → 3 never reaches 2, and 4 → 4 loops in place.
  const Graph g({{1}, {2, 3}, {}, {4}, {5, 4}, {3}}, {2});
  const SearchResult r = run(g, Order::breadth_first);
  REQUIRE(r.verdict == Verdict::violation);
  REQUIRE(r.counterexample);
  const Counterexample& cx = *r.counterexample;
  CHECK(cx.kind == Counterexample::Kind::no_progress);
  // State 3 is the first stuck one and itself lies on a cycle, so the loop is the shortest
  // cycle through 3 (3 → 4 → 5 → 3). The lasso through 4's self-loop would be one step shorter
  // in all: the loop is chosen through the nearest state on a cycle, not for the total length.
  CHECK(nodes(cx) == std::vector<int>{0, 1, 3, 4, 5, 3});
  CHECK(cx.stuck == 2);
  REQUIRE(cx.loop_start);
  CHECK(*cx.loop_start == 2);
  CHECK(cx.labels == std::vector<Label>{0, 1, 0, 0, 0});
}

TEST_CASE("a loop in place is a loop of one step") {
  const Graph g({{1, 2}, {1}, {}}, {2});
  const SearchResult r = run(g, Order::breadth_first);
  REQUIRE(r.counterexample);
  CHECK(nodes(*r.counterexample) == std::vector<int>{0, 1, 1});
  CHECK(r.counterexample->loop_start == 1);
}

TEST_CASE("a dead end that is not a goal fails without a loop") {
  // 1 has no successor; the system calls it terminal, so only the progress check objects.
  const Graph g({{1, 2}, {}, {}}, {2});
  const SearchResult r = run(g, Order::breadth_first);
  REQUIRE(r.verdict == Verdict::violation);
  CHECK(nodes(*r.counterexample) == std::vector<int>{0, 1});
  CHECK(!r.counterexample->loop_start);
  CHECK(r.counterexample->stuck == 1);
}

TEST_CASE("the progress check finds the stuck state depth-first too") {
  // Depth-first numbers the states 0, 1, 2, 3, 4, 5 along 0 → 1 → 2 → ...; the first stuck
  // one is still 3, reached by the depth-first tree path.
  const Graph g({{1}, {2, 3}, {}, {4}, {5, 4}, {3}}, {2});
  const SearchResult r = run(g, Order::depth_first);
  REQUIRE(r.verdict == Verdict::violation);
  const Counterexample& cx = *r.counterexample;
  CHECK(cx.kind == Counterexample::Kind::no_progress);
  REQUIRE(cx.loop_start);
  CHECK(cx.states[*cx.loop_start] == cx.states.back());
  CHECK(nodes(cx) == std::vector<int>{0, 1, 3, 4, 5, 3});
}

TEST_CASE("a progress check over the memory limit stops inconclusive") {
  const Graph g({{1, 2}, {1}, {}}, {2});
  const SearchResult full = run(g, Order::breadth_first);
  Limits limits;
  limits.max_memory_bytes = full.stats.stored_bytes + 1;  // the search fits, the check does not
  const SearchResult r = run(g, Order::breadth_first, limits);
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.stop == StopReason::progress_memory);
  CHECK(!r.counterexample);
  CHECK(r.stats.stored_bytes == full.stats.stored_bytes);  // the search's own figure
  CHECK(r.stats.progress_bytes == 0);                      // not started
}

TEST_CASE("a progress check whose successor lists outgrow the memory limit stops inconclusive") {
  // One thread breadth-first keeps nothing of the search's own beside the store, so the check's
  // budget is exactly the limit less stored_bytes.
  const Graph g({{1, 2}, {1}, {}}, {2});
  const SearchResult full = run(g, Order::breadth_first);
  REQUIRE(full.verdict == Verdict::violation);  // 1 → 1 forever: state 1 cannot reach the goal
  Limits limits;
  limits.max_memory_bytes = full.stats.stored_bytes + full.stats.progress_bytes - 1;
  const SearchResult r = run(g, Order::breadth_first, limits);
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.stop == StopReason::progress_memory);
  CHECK(r.stats.progress_bytes == full.stats.progress_bytes);  // started, and got that far
  limits.max_memory_bytes += 1;
  CHECK(run(g, Order::breadth_first, limits).verdict == Verdict::violation);
}

TEST_CASE("successor lists keep far, near and backward successors") {
  // Node 0 reaches 1..200 (breadth-first numbers them in order); each of those goes back to 0,
  // on to 201, or both; only 201 is a goal. Distances from 1 to 200 take one and two bytes, and
  // the edges back to 0 go backwards.
  std::vector<std::vector<int>> edges(202);
  for (int k = 1; k <= 200; ++k) {
    edges[0].push_back(k);
    if (k % 3 != 1) edges[static_cast<std::size_t>(k)].push_back(0);
    if (k % 3 != 2) edges[static_cast<std::size_t>(k)].push_back(201);
  }
  const SearchResult ok = run(Graph(edges, {201}), Order::breadth_first);
  CHECK(ok.verdict == Verdict::verified);
  CHECK(ok.stats.states == 202);
  // With no goal at all (and 201 looping), no state can reach one; the run shown from 0 is the
  // shortest cycle through it, 0 → 2 → 0 (1 goes on only to 201).
  edges[201].push_back(201);
  const SearchResult bad = run(Graph(edges, {}), Order::breadth_first);
  REQUIRE(bad.verdict == Verdict::violation);
  REQUIRE(bad.counterexample);
  CHECK(nodes(*bad.counterexample) == std::vector<int>{0, 2, 0});
}
