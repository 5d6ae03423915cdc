// The search on small hand-written systems whose state spaces are known.

#include <doctest/doctest.h>

#include <atomic>
#include <cstring>

#include "checker/search.hpp"

using namespace dirtyrace::checker;

namespace {

/// Two counters x, y in 0..n-1; each transition increments one of them. States (n*n), and a
/// state is bad when x == bad_x and y == bad_y. With `stuck`, the state (stuck, stuck) has no
/// successor and is not terminal.
class Grid : public TransitionSystem {
 public:
  Grid(int n, int bad_x = -1, int bad_y = -1, int stuck = -1)
      : n_(n), bad_x_(bad_x), bad_y_(bad_y), stuck_(stuck) {}
  std::size_t state_bytes() const override { return 2; }
  void initial_state(std::byte* out) const override { out[0] = out[1] = std::byte{0}; }
  void for_each_successor(const std::byte* s, SuccessorSink sink) const override {
    const int x = std::to_integer<int>(s[0]), y = std::to_integer<int>(s[1]);
    if (x == stuck_ && y == stuck_) return;
    std::byte next[2];
    if (x + 1 < n_) {
      next[0] = std::byte(x + 1);
      next[1] = s[1];
      sink(0, next);
    }
    if (y + 1 < n_) {
      next[0] = s[0];
      next[1] = std::byte(y + 1);
      sink(1, next);
    }
  }
  std::optional<std::uint32_t> violated_invariant(const std::byte* s) const override {
    if (std::to_integer<int>(s[0]) == bad_x_ && std::to_integer<int>(s[1]) == bad_y_) return 7u;
    return std::nullopt;
  }
  bool is_terminal(const std::byte* s) const override {
    return !(std::to_integer<int>(s[0]) == stuck_ && std::to_integer<int>(s[1]) == stuck_);
  }

 private:
  int n_, bad_x_, bad_y_, stuck_;
};

SearchResult run(const TransitionSystem& sys, Order order, Limits limits = {}) {
  SearchOptions o;
  o.order = order;
  o.limits = limits;
  return search(sys, o);
}

}  // namespace

TEST_CASE("breadth-first and depth-first search agree on a verified state space") {
  const Grid g(20);
  for (Order order : {Order::breadth_first, Order::depth_first}) {
    const SearchResult r = run(g, order);
    CHECK(r.verdict == Verdict::verified);
    CHECK(r.stats.states == 400);
    CHECK(r.stats.transitions == 2 * 19 * 20);
    CHECK(r.stats.depth == 38);
    CHECK(!r.counterexample);
  }
}

TEST_CASE("breadth-first search returns a shortest counterexample, rebuilt with its labels") {
  const Grid g(10, 3, 2);
  const SearchResult r = run(g, Order::breadth_first);
  REQUIRE(r.verdict == Verdict::violation);
  REQUIRE(r.counterexample);
  const Counterexample& cx = *r.counterexample;
  CHECK(cx.kind == Counterexample::Kind::invariant);
  CHECK(cx.invariant == 7);
  CHECK(cx.labels.size() == 5);
  CHECK(cx.states.size() == 6);
  int zeros = 0;
  for (Label l : cx.labels) zeros += l == 0;
  CHECK(zeros == 3);
  CHECK(std::to_integer<int>(cx.states.back()[0]) == 3);
  CHECK(std::to_integer<int>(cx.states.back()[1]) == 2);
}

TEST_CASE("depth-first search finds the same violation by a path that replays") {
  const Grid g(10, 3, 2);
  const SearchResult r = run(g, Order::depth_first);
  REQUIRE(r.verdict == Verdict::violation);
  const Counterexample& cx = *r.counterexample;
  CHECK(cx.labels.size() == 5);  // every path to (3,2) in this grid has 5 steps
  for (std::size_t i = 0; i + 1 < cx.states.size(); ++i) {
    const int dx =
        std::to_integer<int>(cx.states[i + 1][0]) - std::to_integer<int>(cx.states[i][0]);
    CHECK(dx == (cx.labels[i] == 0 ? 1 : 0));
  }
}

TEST_CASE("a state without successors that is not terminal is a deadlock") {
  const Grid g(10, -1, -1, 4);
  for (Order order : {Order::breadth_first, Order::depth_first}) {
    const SearchResult r = run(g, order);
    REQUIRE(r.verdict == Verdict::violation);
    CHECK(r.counterexample->kind == Counterexample::Kind::deadlock);
    CHECK(r.counterexample->labels.size() == 8);
  }
}

TEST_CASE("a state limit stops the search as inconclusive with the statistics so far") {
  const Grid g(100);
  Limits limits;
  limits.max_states = 1000;
  const SearchResult r = run(g, Order::breadth_first, limits);
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.stop == StopReason::max_states);
  CHECK(r.stats.states >= 1000);
  CHECK(r.stats.states < 10000);
  CHECK(r.stats.transitions > 0);
}

TEST_CASE("a memory limit and an interrupt stop the search as inconclusive") {
  const Grid g(250);
  Limits limits;
  limits.max_memory_bytes = 64 * 1024;
  SearchResult r = run(g, Order::breadth_first, limits);
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.stop == StopReason::max_memory);

  std::atomic<bool> stop{true};
  SearchOptions o;
  o.interrupt = &stop;
  r = search(g, o);
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.stop == StopReason::interrupted);
  CHECK(r.stats.states < 250 * 250);
}

TEST_CASE("statistics count stored bytes per state") {
  const SearchResult r = run(Grid(50), Order::breadth_first);
  CHECK(r.stats.state_bytes == 2);
  CHECK(r.stats.bytes_per_state() > 2.0);
  CHECK(r.stats.bytes_per_state() < 400.0);
}
