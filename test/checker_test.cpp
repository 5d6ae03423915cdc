// The search on small hand-written systems whose state spaces are known.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "checker/search.hpp"
#include "checker/state_store.hpp"

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

/// Three counters x, y, z in 0..n-1, each transition increments one: wide levels (up to about
/// 3n^2/4 states), and many states reached from several parents. A state is bad when
/// x + y + z == bad_sum and x == bad_x; with `stuck`, (stuck, stuck, stuck) is a deadlock.
class Cube : public TransitionSystem {
 public:
  Cube(int n, int bad_sum = -1, int bad_x = -1, int stuck = -1)
      : n_(n), bad_sum_(bad_sum), bad_x_(bad_x), stuck_(stuck) {}
  std::size_t state_bytes() const override { return 3; }
  void initial_state(std::byte* out) const override { out[0] = out[1] = out[2] = std::byte{0}; }
  void for_each_successor(const std::byte* s, SuccessorSink sink) const override {
    if (is_stuck(s)) return;
    for (std::size_t c = 0; c < 3; ++c) {
      if (std::to_integer<int>(s[c]) + 1 >= n_) continue;
      std::byte next[3] = {s[0], s[1], s[2]};
      next[c] = std::byte(std::to_integer<int>(s[c]) + 1);
      sink(static_cast<Label>(c), next);
    }
  }
  std::optional<std::uint32_t> violated_invariant(const std::byte* s) const override {
    const int x = std::to_integer<int>(s[0]);
    const int sum = x + std::to_integer<int>(s[1]) + std::to_integer<int>(s[2]);
    if (sum == bad_sum_ && x == bad_x_) return 3u;
    return std::nullopt;
  }
  bool is_terminal(const std::byte* s) const override { return !is_stuck(s); }

 private:
  bool is_stuck(const std::byte* s) const {
    return std::to_integer<int>(s[0]) == stuck_ && std::to_integer<int>(s[1]) == stuck_ &&
           std::to_integer<int>(s[2]) == stuck_;
  }
  int n_, bad_sum_, bad_x_, stuck_;
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

TEST_CASE("a store keeps states of 16 bytes or more as the numbers of their halves") {
  CHECK(!StateStore(15).compresses());
  CHECK(!StateStore(16, true, false).compresses());
  // 100000 states of 16 bytes, 12500 left halves and 8 right ones, added on one thread: the
  // left halves' table grows on the way (it starts with room for 4096).
  StateStore store(16);
  REQUIRE(store.compresses());
  CHECK(store.record_bytes() == 12);  // two half numbers and the parent
  CHECK(store.half_bytes() == std::pair<std::size_t, std::size_t>{8, 8});
  constexpr std::uint64_t kStates = 100000;
  const auto state_of = [](std::uint64_t v) {
    std::array<std::byte, 16> s{};
    const std::uint64_t left = v >> 3, right = v & 7;
    std::memcpy(s.data(), &left, 8);
    std::memcpy(s.data() + 8, &right, 8);
    return s;
  };
  for (std::uint64_t v = 0; v < kStates; ++v) {
    const auto s = state_of(v * 7919 % kStates);
    const auto r = store.find_or_append(s.data(), store.hash(s.data()), static_cast<StateIndex>(v));
    CHECK(r.added);
    CHECK(r.index == v);
  }
  CHECK(store.distinct_halves() == std::pair<std::size_t, std::size_t>{kStates >> 3, 8});
  std::array<std::byte, 16> s{};
  for (std::uint64_t v = 0; v < kStates; ++v) {
    const auto i = static_cast<StateIndex>(v);
    const StateStore::Halves h = store.read(i, s.data());
    CHECK(s == state_of(v * 7919 % kStates));
    CHECK(store.parent(i) == i);
    CHECK(store.find(s.data(), store.hash(s.data())) == i);
    // Found again with the halves' numbers given by a state that shares both, or one.
    const StateStore::Origin same{s.data(), h};
    CHECK(store.find(s.data(), store.hash(s.data()), &same) == i);
    const auto r = store.find_or_append(s.data(), store.hash(s.data()), 0, &same);
    CHECK(!r.added);
    CHECK(r.index == i);
  }
  // A new state sharing its left half with a stored one, its right half new.
  auto fresh = state_of(5);
  const std::uint64_t right = 9;
  std::memcpy(fresh.data() + 8, &right, 8);
  CHECK(store.find(fresh.data(), store.hash(fresh.data())) == kNoParent);
  const auto five = state_of(5);
  std::array<std::byte, 16> read_back{};
  const StateIndex at = store.find(five.data(), store.hash(five.data()));
  const StateStore::Origin origin{read_back.data(), store.read(at, read_back.data())};
  const auto r = store.find_or_append(fresh.data(), store.hash(fresh.data()), 0, &origin);
  CHECK(r.added);
  CHECK(store.distinct_halves().second == 9);
  store.read(r.index, s.data());
  CHECK(s == fresh);
}

TEST_CASE("concurrent insertions store every state once, with the parent its adder gave") {
  // Four threads insert the same 200000 states, each in its own order; the table starts tiny,
  // so the threads stop on a full table many times and go on after it grows. The states are
  // 8 bytes, kept as they are, or 16, kept as the numbers of their halves: 12500 distinct left
  // halves (so the half tables fill too) and 16 right ones.
  constexpr std::uint64_t kStates = 200000;
  constexpr unsigned kThreads = 4;
  std::size_t width = 8;
  SUBCASE("8-byte states, kept whole") {}
  SUBCASE("16-byte states, kept as halves") {
    width = 16;
  }
  CAPTURE(width);
  StateStore store(width);
  CHECK(store.compresses() == (width == 16));
  const auto encode = [&](std::uint64_t v, std::byte* state) {
    if (width == 8) {
      std::memcpy(state, &v, 8);
      return;
    }
    const std::uint64_t left = v >> 4, right = v & 15;
    std::memcpy(state, &left, 8);
    std::memcpy(state + 8, &right, 8);
  };
  const auto decode = [&](const std::byte* state) {
    std::uint64_t left = 0, right = 0;
    std::memcpy(&left, state, 8);
    if (width == 8) return left;
    std::memcpy(&right, state + 8, 8);
    return left << 4 | right;
  };
  std::vector<std::uint64_t> at(kThreads, 0);     // each thread's progress
  std::vector<std::uint64_t> added(kThreads, 0);  // states each thread added
  // Slot of each added state, by index. Reserved indices run ahead of the states stored (the
  // holes end_concurrent closes), never past the table's capacity.
  std::vector<std::uint32_t> slot_of;
  std::atomic<std::uint64_t> slots_reported{0};
  int index_grows = 0;
  const auto value = [](unsigned t, std::uint64_t i) {
    return (i * (2 * t + 1) + 7919 * t) % kStates;  // odd strides: every value once per thread
  };
  for (bool done = false; !done;) {
    std::atomic<bool> full{false};
    slot_of.resize(std::max<std::size_t>(slot_of.size(), store.capacity()));
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        StateStore::Reservation reservation;
        std::vector<std::byte> state(width);
        for (; at[t] < kStates; ++at[t]) {
          const std::uint64_t v = value(t, at[t]);
          encode(v, state.data());
          const auto r = store.insert_concurrent(state.data(), store.hash(state.data()),
                                                 static_cast<StateIndex>(v / 2), reservation,
                                                 [&](StateIndex i, std::size_t slot) {
                                                   slot_of[i] = static_cast<std::uint32_t>(slot);
                                                   slots_reported.fetch_add(1);
                                                 });
          if (r.outcome == StateStore::Outcome::full) {
            full = true;
            break;
          }
          if (r.outcome == StateStore::Outcome::added) ++added[t];
        }
        store.release(reservation);
      });
    }
    for (std::thread& t : threads) t.join();
    // Closing the holes moves records down: their slots go with them.
    store.end_concurrent([&](StateIndex from, StateIndex to) { slot_of[to] = slot_of[from]; });
    done = !full;
    if (full) {
      // The half tables grow at once; a full index is rehashed on four threads.
      if (!store.begin_grow()) continue;
      ++index_grows;
      const auto placed = [&](StateIndex i, std::size_t slot) {
        slot_of[i] = static_cast<std::uint32_t>(slot);
      };
      const auto n = static_cast<StateIndex>(store.size());
      std::vector<std::thread> rehashers;
      for (StateIndex t = 0; t < kThreads; ++t) {
        rehashers.emplace_back(
            [&, t] { store.rehash(n * t / kThreads, n * (t + 1) / kThreads, 0, placed); });
      }
      for (std::thread& t : rehashers) t.join();
    }
  }
  CHECK(index_grows > 4);
  // More left halves than a half table's first 7168, so that table grew on the way.
  if (width == 16) {
    CHECK(store.distinct_halves() == std::pair<std::size_t, std::size_t>{kStates >> 4, 16});
  }
  CHECK(store.size() == kStates);
  std::uint64_t total = 0;
  for (const std::uint64_t a : added) total += a;
  CHECK(total == kStates);
  CHECK(slots_reported.load() == kStates);
  std::vector<bool> seen(kStates, false);
  std::vector<std::byte> state(width);
  for (StateIndex i = 0; i < kStates; ++i) {
    store.read(i, state.data());
    const std::uint64_t v = decode(state.data());
    REQUIRE(v < kStates);
    CHECK(!seen[v]);
    seen[v] = true;
    CHECK(store.parent(i) == v / 2);
    CHECK(store.find(state.data(), store.hash(state.data())) == i);
  }
  encode(kStates, state.data());  // never stored, its halves neither
  CHECK(store.find(state.data(), store.hash(state.data())) == kNoParent);
  // The slot positions reported point at the states: swap two records and their slots.
  std::vector<std::byte> a(width), b(width);
  store.read(0, a.data());
  store.read(1, b.data());
  const std::size_t record = store.record_bytes();
  std::vector<std::byte> ra(store.record_at(0), store.record_at(0) + record),
      rb(store.record_at(1), store.record_at(1) + record);
  store.put_record(0, rb.data());
  store.put_record(1, ra.data());
  store.set_parent(0, 5);
  store.set_parent(1, 6);
  store.repoint(slot_of[0], 1);
  store.repoint(slot_of[1], 0);
  CHECK(store.find(a.data(), store.hash(a.data())) == 1);
  CHECK(store.find(b.data(), store.hash(b.data())) == 0);
  CHECK(store.parent(0) == 5);
  CHECK(store.parent(1) == 6);
}

TEST_CASE("breadth-first search gives one answer on 1 to 4 threads on wide levels") {
  struct Case {
    Cube cube;
    Limits limits;
  };
  Limits at_5000;
  at_5000.max_states = 5000;
  Limits at_all;
  at_all.max_states = 60 * 60 * 60;
  const Case cases[] = {{Cube(60), {}},
                        {Cube(60, 90, 20), {}},
                        {Cube(60, 90, 59), {}},
                        {Cube(60, -1, -1, 30), {}},
                        {Cube(60), at_5000},
                        {Cube(60), at_all},
                        {Cube(60, 150, 50), at_5000}};
  for (const Case& c : cases) {
    SearchOptions one;
    one.limits = c.limits;
    const SearchResult a = search(c.cube, one);
    for (const unsigned threads : {2u, 3u, 4u}) {
      CAPTURE(threads);
      SearchOptions many = one;
      many.threads = threads;
      const SearchResult b = search(c.cube, many);
      CHECK(b.verdict == a.verdict);
      CHECK(b.stop == a.stop);
      CHECK(b.stats.states == a.stats.states);
      CHECK(b.stats.transitions == a.stats.transitions);
      CHECK(b.stats.depth == a.stats.depth);
      REQUIRE(b.counterexample.has_value() == a.counterexample.has_value());
      if (!a.counterexample) continue;
      CHECK(b.counterexample->kind == a.counterexample->kind);
      CHECK(b.counterexample->labels == a.counterexample->labels);
      CHECK(b.counterexample->states == a.counterexample->states);
    }
  }
  // The verified cube has every state, at depth 3 (n - 1).
  SearchOptions o;
  o.threads = 3;
  const SearchResult r = search(Cube(60), o);
  CHECK(r.verdict == Verdict::verified);
  CHECK(r.stats.states == 60 * 60 * 60);
  CHECK(r.stats.depth == 3 * 59);
}

TEST_CASE("limits and interrupts stop a search on several threads cleanly") {
  SearchOptions o;
  o.threads = 3;
  o.limits.max_memory_bytes = 256 * 1024;
  SearchResult r = search(Cube(100), o);
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.stop == StopReason::max_memory);
  CHECK(r.stats.states < 100 * 100 * 100);

  std::atomic<bool> stop{true};
  o.limits = {};
  o.interrupt = &stop;
  r = search(Cube(100), o);
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.stop == StopReason::interrupted);
  CHECK(r.stats.states < 100 * 100 * 100);

  // Progress reports come from the search's own thread, with an estimate once levels shrink.
  o.interrupt = nullptr;
  o.progress_interval_seconds = 0;
  std::vector<Progress> seen;
  const std::thread::id self = std::this_thread::get_id();
  bool same_thread = true;
  o.on_progress = [&](const Progress& p) {
    same_thread = same_thread && std::this_thread::get_id() == self;
    seen.push_back(p);
  };
  r = search(Cube(100), o);
  CHECK(r.verdict == Verdict::verified);
  CHECK(same_thread);
  REQUIRE(!seen.empty());
  CHECK(seen.front().growth >= 0);
  bool estimated = false;
  for (const Progress& p : seen) {
    if (p.states_left) {
      estimated = true;
      CHECK(p.growth < 1);
    }
  }
  CHECK(estimated);  // the cube's levels shrink after its widest, at depth 148
}
