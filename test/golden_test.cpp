// Pinned state and transition counts: any change to the model's semantics or to the search
// shows up here first. Breadth-first and depth-first search must agree on every count.

#include <doctest/doctest.h>

#include "support.hpp"

using namespace dirtyrace;
using checker::Order;
using checker::Verdict;

namespace {

struct Golden {
  const char* variant;
  int pages, blocks, mappings;
  const char* actors;
  bool stable;
  std::uint64_t states, transitions;
};

constexpr Golden kGolden[] = {
    {"linux-6.12", 1, 1, 1, "writer,flusher,msync", false, 5713, 14675},
    {"linux-2.6.32", 1, 2, 1, "writer,flusher,msync", false, 11423, 36295},
    {"linux-4.19", 2, 1, 1, "writer,flusher,msync", false, 80125, 247324},
    {"linux-6.12", 1, 1, 1, "writer,munmap,flusher", false, 1204, 2805},
    {"linux-4.19", 1, 1, 1, "writer,reclaim,munmap", false, 1273, 2987},
    {"linux-4.9", 1, 1, 1, "writer,reclaim,munmap", false, 1011, 2486},
    {"linux-4.19", 1, 1, 1, "writer,reclaim,mprotect", false, 789, 1577},
    {"linux-4.19", 1, 1, 2, "writer@0,writer@1,fsync", false, 15848, 41987},
    {"linux-6.12", 1, 1, 1, "writer,flusher,journal", true, 1674, 3989},
    {"linux-2.6.32", 1, 1, 1, "writer,reclaim,journal,fsync", false, 24917, 73938},
};

}  // namespace

TEST_CASE("golden state and transition counts, the same in both search orders") {
  for (const Golden& g : kGolden) {
    CAPTURE(g.variant);
    CAPTURE(g.actors);
    model::Scenario s = test::scenario(g.variant, g.pages, g.blocks, g.mappings, g.actors);
    s.stable_writes = g.stable;
    for (Order order : {Order::breadth_first, Order::depth_first}) {
      const test::Checked c = test::check(s, order);
      CHECK(c.result.verdict == Verdict::verified);
      CHECK(c.result.stats.states == g.states);
      CHECK(c.result.stats.transitions == g.transitions);
    }
  }
}

TEST_CASE("a violation is found in both orders, the breadth-first one no longer") {
  const model::Scenario s =
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync", {"msync_durability"});
  const test::Checked bfs = test::check(s, Order::breadth_first);
  const test::Checked dfs = test::check(s, Order::depth_first);
  CHECK(bfs.property == "msync_durability");
  CHECK(dfs.property == "msync_durability");
  CHECK(bfs.length <= dfs.length);
}

TEST_CASE("the checker explores every state within a state limit and says it stopped") {
  checker::Limits limits;
  limits.max_states = 1000;
  const test::Checked c = test::check(test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync"),
                                      Order::breadth_first, limits);
  CHECK(c.result.verdict == Verdict::inconclusive);
  CHECK(c.result.stop == checker::StopReason::max_states);
  CHECK(c.result.stats.states >= 1000);
}
