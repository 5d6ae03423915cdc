// The ordering explorer: dependency graphs of routines, their topological orders, the edits a
// user makes, and the verdicts of the orders of clear_page_dirty_for_io, pinned.

#include <doctest/doctest.h>

#include <algorithm>

#include "analyses/orderings.hpp"
#include "model/error.hpp"
#include "model/ordering.hpp"
#include "model/routines.hpp"
#include "support.hpp"
#include "traces/json.hpp"
#include "traces/ordering_report.hpp"
#include "traces/replay.hpp"

using namespace dirtyrace;
using model::DependencyGraph;
using Order = std::vector<std::string>;

namespace {

DependencyGraph graph_of(const std::string& variant, const std::string& routine) {
  return DependencyGraph(model::routines_for(model::variant_named(variant)), routine);
}

std::vector<Order> all_orders(const DependencyGraph& g) {
  bool complete = false;
  auto orders = g.orders(10000, complete);
  CHECK(complete);
  return orders;
}

analyses::OrderingReport explore(const model::Scenario& s, const std::string& routine,
                                 const analyses::OrderingEdits& edits = {}) {
  return analyses::explore_orderings(s, routine, edits, {}, {});
}

}  // namespace

TEST_CASE("clear_page_dirty_for_io: set_page_dirty needs page_mkclean's result, so 3 orders") {
  const DependencyGraph g = graph_of("linux-6.12", "clear_page_dirty_for_io");
  CHECK(g.op_ids() == Order{"page_mkclean", "set_page_dirty", "TestClearPageDirty"});
  const auto edges = g.edges();
  REQUIRE(edges.size() == 1);
  CHECK(edges[0].before == "page_mkclean");
  CHECK(edges[0].after == "set_page_dirty");
  CHECK(edges[0].why == model::Dependency::data);
  CHECK(all_orders(g) == std::vector<Order>{
                             {"page_mkclean", "set_page_dirty", "TestClearPageDirty"},
                             {"page_mkclean", "TestClearPageDirty", "set_page_dirty"},
                             {"TestClearPageDirty", "page_mkclean", "set_page_dirty"},
                         });
}

TEST_CASE("edits: drop a step, remove and add dependencies") {
  DependencyGraph g = graph_of("linux-6.12", "clear_page_dirty_for_io");
  SUBCASE("dropping set_page_dirty leaves the two orders of 2.6.19's steps") {
    g.drop("set_page_dirty");
    CHECK(g.op_ids() == Order{"page_mkclean", "TestClearPageDirty"});
    CHECK(g.edges().empty());
    CHECK(all_orders(g).size() == 2);
  }
  SUBCASE("without the data dependency every permutation is a candidate") {
    g.remove_edge("page_mkclean", "set_page_dirty");
    CHECK(all_orders(g).size() == 6);
  }
  SUBCASE("an added edge narrows the orders; a cycle leaves none and says so") {
    g.add_edge("set_page_dirty", "TestClearPageDirty");
    CHECK(all_orders(g) ==
          std::vector<Order>{{"page_mkclean", "set_page_dirty", "TestClearPageDirty"}});
    g.add_edge("TestClearPageDirty", "page_mkclean");
    bool complete = false;
    CHECK_THROWS_WITH_AS(g.orders(10, complete), doctest::Contains("form a cycle"),
                         model::UsageError);
  }
  SUBCASE("bad edits name what is wrong") {
    CHECK_THROWS_WITH_AS(g.drop("page_mkwrite"), doctest::Contains("has no step or call"),
                         model::UsageError);
    CHECK_THROWS_WITH_AS(g.remove_edge("TestClearPageDirty", "page_mkclean"),
                         doctest::Contains("does not depend on"), model::UsageError);
    CHECK_THROWS_WITH_AS(g.add_edge("page_mkclean", "page_mkclean"),
                         doctest::Contains("before itself"), model::UsageError);
    CHECK_THROWS_WITH_AS(g.cross_lock("page_mkclean"), doctest::Contains("no page-lock boundary"),
                         model::UsageError);
  }
  CHECK_THROWS_WITH_AS(graph_of("linux-6.12", "no_such_routine"),
                       doctest::Contains("no routine 'no_such_routine'"), model::UsageError);
}

TEST_CASE("labels and jumps stay put: write_cache_pages only swaps its first two steps") {
  DependencyGraph g = graph_of("linux-6.12", "write_cache_pages");
  const auto orders = all_orders(g);
  REQUIRE(orders.size() == 2);
  CHECK(orders[1][0] == "tag_pages_for_writeback");
  CHECK(orders[1][1] == "mapping_tagged");
  CHECK_THROWS_WITH_AS(g.remove_edge("lock_page", "unlock_page"),
                       doctest::Contains("label or jump"), model::UsageError);
  const auto table = model::routines_for(model::variant_named("linux-6.12"));
  CHECK_THROWS_WITH_AS(
      model::reordered_items(
          table, {"write_cache_pages",
                  {"mapping_tagged", "tag_pages_for_writeback", "lock_page", "find_get_pages_tag",
                   "wait_on_page_writeback", "clear_page_dirty_for_io", "__block_write_full_page",
                   "unlock_page"}}),
      doctest::Contains("across a label or jump"), model::UsageError);
  CHECK_THROWS_WITH_AS(
      model::reordered_items(table, {"clear_page_dirty_for_io", {"page_mkclean", "page_mkclean"}}),
      doctest::Contains("twice"), model::UsageError);
  CHECK_THROWS_WITH_AS(model::reordered_items(table, {"clear_page_dirty_for_io", {"lock_page"}}),
                       doctest::Contains("its steps and calls: page_mkclean, set_page_dirty"),
                       model::UsageError);
}

TEST_CASE("an order that leaves a step out drops it — an unknown routine is named") {
  const auto table = model::routines_for(model::variant_named("linux-2.6.20"));
  const auto items = model::reordered_items(
      table, {"clear_page_dirty_for_io", {"page_mkclean", "TestClearPageDirty"}});
  REQUIRE(items.size() == 2);
  CHECK(items[0].kind == model::Item::Kind::call);  // page_mkclean is a routine of its own
  CHECK(items[0].routine == "page_mkclean");
  CHECK(items[1].step->name == "TestClearPageDirty");
  CHECK_THROWS_WITH_AS(model::reordered_items(table, {"nope", {}}),
                       doctest::Contains("no routine 'nope'"), model::UsageError);
}

TEST_CASE("lock boundaries: set_page_dirty stays under the fault's page lock unless moved out") {
  DependencyGraph g = graph_of("linux-6.12", "do_shared_fault");
  CHECK(g.op_ids() == Order{"filemap_fault", "unlock_page#1", "page_mkwrite", "finish_fault",
                            "set_page_dirty", "unlock_page#2"});
  CHECK(all_orders(g).size() == 2);  // finish_fault and set_page_dirty, both under the lock
  CHECK_THROWS_WITH_AS(g.drop("unlock_page"), doctest::Contains("unlock_page#1, page_mkwrite"),
                       model::UsageError);
  g.cross_lock("set_page_dirty");
  const auto orders = all_orders(g);
  CHECK(orders.size() == 5);  // anywhere after filemap_fault, whose page it dirties
  CHECK(std::find(orders.begin(), orders.end(),
                  Order{"filemap_fault", "unlock_page#1", "page_mkwrite", "finish_fault",
                        "unlock_page#2", "set_page_dirty"}) != orders.end());
}

TEST_CASE("every routine of every variant has a graph whose first order is the kernel's") {
  for (const model::Variant& v : model::all_variants()) {
    const auto table = model::routines_for(v);
    const model::Scenario every_actor = test::scenario(
        std::string(v.name), 1, 1, 1, "writer,flusher,msync,fsync,munmap,reclaim,journal");
    for (const std::string& routine : analyses::routines_run(every_actor)) {
      CAPTURE(v.name);
      CAPTURE(routine);
      const DependencyGraph g(table, routine);
      const auto orders = all_orders(g);
      REQUIRE(!orders.empty());
      CHECK(orders.front() == g.op_ids());
      // Applying the kernel's order changes nothing.
      const auto items = model::reordered_items(table, {routine, g.op_ids()});
      const auto& own = table.get(routine);
      REQUIRE(items.size() == own.size());
      for (std::size_t i = 0; i < items.size(); ++i) {
        CHECK(items[i].kind == own[i].kind);
        CHECK(items[i].step == own[i].step);
        CHECK(items[i].routine == own[i].routine);
      }
    }
  }
}

// With set_page_dirty after TestClearPageDirty, in either place, every pass re-dirties the
// mapped page it writes: no data is lost, but the page never comes clean (comes_clean).
TEST_CASE(
    "pinned: the orders of clear_page_dirty_for_io on linux-6.12 keep data — two never clean") {
  // Without reclaim: 6.12's reclaim loses a store in every order (its batched TLB flush).
  const model::Scenario s = test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync,munmap");
  const auto report = explore(s, "clear_page_dirty_for_io");
  model::Scenario resolved = s;
  resolved.validate_and_resolve();
  CHECK(traces::orderings_text(resolved, report) ==
        "dirtyrace orderings: clear_page_dirty_for_io on linux-6.12; 1 page x 1 block, 1 mapping; "
        "writer0 (mapping 0, 2 stores to block 0), flusher0, msync0 (mapping 0), munmap0 "
        "(mapping 0)\n"
        "dependencies (before → after):\n"
        "  page_mkclean → set_page_dirty (data: cleaned)\n"
        "\n"
        "  #  order                                               verdict    property     length  "
        "states\n"
        "  1  page_mkclean → set_page_dirty → TestClearPageDirty  verified   -                 -  "
        "31437  (the kernel's order)\n"
        "  2  page_mkclean → TestClearPageDirty → set_page_dirty  VIOLATION  comes_clean      16  "
        "1427\n"
        "  3  TestClearPageDirty → page_mkclean → set_page_dirty  VIOLATION  comes_clean      16  "
        "1465\n"
        "\n"
        "3 order(s) checked, 2 with a violation\n");
}

TEST_CASE(
    "pinned: on linux-2.6.20 the kernel's order loses msync's data — clearing first never cleans") {
  // Without munmap: before 3.15 zap_pte_range flushes the TLB after dropping ptl, and a store
  // through the stale entry then loses msync's data whatever the order (1cf35d47's race).
  const model::Scenario s = test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync,reclaim");
  const auto report = explore(s, "clear_page_dirty_for_io");
  REQUIRE(report.rows.size() == 3);
  CHECK(report.rows[0].kernel);
  CHECK(report.rows[0].verdict == checker::Verdict::violation);
  CHECK(report.rows[0].property == "writable_implies_dirty");
  CHECK(report.rows[0].length == 17);
  // Either order with set_page_dirty after TestClearPageDirty leaves the page it wrote dirty,
  // so it never comes clean.
  for (const std::size_t row : {std::size_t{1}, std::size_t{2}}) {
    CHECK(report.rows[row].property == "comes_clean");
    CHECK(report.rows[row].length == 11);
  }
  CHECK(report.rows[1].states == 1005);
  CHECK(report.rows[2].order == Order{"TestClearPageDirty", "page_mkclean", "set_page_dirty"});
  CHECK(report.rows[2].states == 983);
  // For the data alone: page_mkclean → TestClearPageDirty → set_page_dirty has the kernel
  // order's race too, two steps later; clearing first loses nothing.
  model::Scenario data = s;
  data.properties = {"writable_implies_dirty"};
  const auto raced = explore(data, "clear_page_dirty_for_io");
  CHECK(raced.rows[1].property == "writable_implies_dirty");
  CHECK(raced.rows[1].length == 19);
  CHECK(raced.rows[1].states == 9209);
  CHECK(raced.rows[2].verdict == checker::Verdict::verified);
  CHECK(raced.rows[2].states == 72869);
}

TEST_CASE("the 2.6.19 order of clear_page_dirty_for_io fails with the lost write") {
  const model::Scenario s =
      test::scenario("linux-2.6.19", 1, 1, 1, "writer,journal,flusher", {"durable_at_end"});
  std::vector<std::string> traces_json;
  const auto report = analyses::explore_orderings(
      s, "clear_page_dirty_for_io", {}, {},
      [&](const properties::CheckedModel& system, const checker::SearchResult& r) {
        REQUIRE(r.counterexample);
        const traces::Trace t = traces::make_trace(system, *r.counterexample);
        // The order travels with the trace: it replays, through JSON, on the reordered routine.
        const traces::Trace back = traces::trace_from_json(traces::trace_to_json(t));
        CHECK(back.scenario.routine_orders == t.scenario.routine_orders);
        CHECK(traces::replay(back).confirmed);
        traces_json.push_back(traces::trace_to_json(t).dump());
      });
  REQUIRE(report.rows.size() == 2);
  CHECK(report.rows[0].order == Order{"TestClearPageDirty", "page_mkclean"});
  CHECK(report.rows[0].kernel);
  CHECK(report.rows[0].property == "durable_at_end");
  CHECK(report.rows[0].length == 10);
  CHECK(report.rows[1].verdict == checker::Verdict::violation);
  CHECK(traces_json.size() == 2);
}

TEST_CASE("the 2.6.20 fix, undone: dropping set_page_dirty brings the lost write back") {
  analyses::OrderingEdits edits;
  edits.drop = {"set_page_dirty"};
  const model::Scenario s =
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync", {"msync_durability"});
  const auto report = explore(s, "clear_page_dirty_for_io", edits);
  REQUIRE(report.rows.size() == 2);
  for (const auto& row : report.rows) CHECK(row.verdict == checker::Verdict::violation);
}

TEST_CASE("a routine no actor runs is refused, naming the routines that are run") {
  const model::Scenario s = test::scenario("linux-6.12", 1, 1, 1, "writer,munmap");
  CHECK_THROWS_WITH_AS(explore(s, "clear_page_dirty_for_io"),
                       doctest::Contains("the routines run: writer, do_shared_fault"),
                       model::UsageError);
}

TEST_CASE("routine orders in scenario files: read, written back, and applied by the model") {
  const model::Scenario s = model::parse_scenario_toml(
      "variant = \"linux-2.6.19\"\n"
      "[[actors]]\nkind = \"writer\"\n[[actors]]\nkind = \"journal\"\n"
      "[[routines]]\nname = \"clear_page_dirty_for_io\"\n"
      "order = [\"page_mkclean\", \"TestClearPageDirty\"]\n",
      "test.toml");
  REQUIRE(s.routine_orders.size() == 1);
  CHECK(model::parse_scenario_toml(model::to_toml(s), "again").routine_orders == s.routine_orders);
  CHECK_THROWS_WITH_AS(
      model::Model(model::parse_scenario_toml(
          "[[actors]]\nkind = \"flusher\"\n[[routines]]\nname = \"clear_page_dirty_for_io\"\n"
          "order = [\"page_mkclean\", \"msync\"]\n",
          "bad.toml")),
      doctest::Contains("has no step or call 'msync'"), model::UsageError);
  CHECK_THROWS_WITH_AS(model::parse_scenario_toml("[[routines]]\nname = \"x\"\n", "bad.toml"),
                       doctest::Contains("needs an 'order' list"), model::UsageError);
}
