// The state graph: every reachable state once, the violation path the checker's, refusal above
// the limit, and DOT that names the steps.

#include <doctest/doctest.h>

#include <string>

#include "checker/state_graph.hpp"
#include "support.hpp"
#include "traces/graph_dot.hpp"

using namespace dirtyrace;

namespace {

struct Explored {
  model::Model model;
  properties::CheckedModel system;
  checker::GraphExploration graph;
  Explored(const model::Scenario& s, std::uint64_t limit)
      : model(s),
        system(model, properties::select_properties(model, model.scenario().properties)),
        graph(checker::explore_graph(system, limit)) {}
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a verified scenario's graph has the checker's states and transitions") {
  const model::Scenario s = test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync");
  const test::Checked c = test::check(s);
  REQUIRE(c.result.verdict == checker::Verdict::verified);
  const Explored e(s, 10000);
  CHECK(!e.graph.too_large);
  CHECK(e.graph.states == 5713);
  CHECK(boost::num_vertices(e.graph.graph) == c.result.stats.states);
  CHECK(boost::num_edges(e.graph.graph) == c.result.stats.transitions);
  CHECK(e.graph.violation_path.empty());
}

TEST_CASE("the highlighted path is the breadth-first counterexample") {
  for (const char* variant : {"linux-2.6.19", "linux-2.6.20"}) {
    CAPTURE(variant);
    const model::Scenario s = test::scenario(variant, 1, 1, 1, "writer,journal,flusher");
    const test::Checked c = test::check(s);
    REQUIRE(c.result.counterexample);
    const Explored e(s, 2000);
    REQUIRE(!e.graph.too_large);
    CHECK(e.graph.violation_labels.size() == c.length);
    CHECK(e.graph.violation_labels == c.result.counterexample->labels);
    CHECK(e.graph.violation_path.front() == 0);
    const checker::GraphState& last = e.graph.graph[e.graph.violation_path.back()];
    CHECK(last.invariant == c.result.counterexample->invariant);
    // The whole graph goes on past the violation the search stops at.
    CHECK(e.graph.states > c.result.stats.states);
  }
}

TEST_CASE("a graph above the limit is refused with the count reached") {
  const Explored e(test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync"), 2000);
  CHECK(e.graph.too_large);
  CHECK(e.graph.states == 2001);
}

TEST_CASE("DOT: one node per state, the path in red, steps on the edges") {
  const Explored e(test::scenario("linux-2.6.19", 1, 1, 1, "writer,journal", {"durable_at_end"}),
                   2000);
  const std::string dot = traces::state_graph_to_dot(e.system, e.graph);
  CHECK(dot.starts_with("digraph G {"));
  CHECK(count(dot, "[label=\"#") == boost::num_vertices(e.graph.graph));
  CHECK(count(dot, "->") == boost::num_edges(e.graph.graph));
  // 10 states and 9 transitions on the path.
  CHECK(count(dot, ", color=red") == 19);
  CHECK(dot.find("journal0\\njournal_submit_data_buffers: lock_buffer") != std::string::npos);
  CHECK(dot.find("VIOLATES durable_at_end") != std::string::npos);
  CHECK(dot.find("#0\\nb0.0: disk=v0\\nwriter0 store, journal0 lock_buffer") != std::string::npos);
}
