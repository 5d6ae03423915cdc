#pragma once
// Helpers shared by the tests: build a scenario in one line and check it.

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "checker/search.hpp"
#include "model/model.hpp"
#include "properties/checked_model.hpp"
#include "traces/trace.hpp"

namespace dirtyrace::test {

inline model::Scenario scenario(const std::string& variant, int pages, int blocks, int mappings,
                                const std::string& actors, std::vector<std::string> props = {},
                                int stores = 2) {
  model::Scenario s;
  s.variant = &model::variant_named(variant);
  s.pages = pages;
  s.blocks_per_page = blocks;
  s.mappings = mappings;
  s.stores = stores;
  s.actors = model::parse_actor_list(actors);
  s.properties = std::move(props);
  return s;
}

struct Checked {
  checker::SearchResult result;
  std::string property;    // violated property, if any
  std::size_t length = 0;  // counterexample steps
};

inline Checked check(const model::Scenario& s, const checker::SearchOptions& options) {
  const model::Model m(s);
  const properties::CheckedModel system(m,
                                        properties::select_properties(m, m.scenario().properties));
  Checked c{checker::search(system, options), "", 0};
  if (c.result.counterexample) {
    const traces::Trace t = traces::make_trace(system, *c.result.counterexample);
    c.property = t.property;
    c.length = t.steps.size();
  }
  return c;
}

/// Checks that search `b` answers as search `a` of the same scenario does, timings aside: the
/// verdict, why it stopped, the property violated, the state, transition and depth counts, the
/// progress check's sweeps, the states represented and the counterexample, state for state.
inline void check_same_answer(const checker::SearchResult& a, const std::string& a_property,
                              const checker::SearchResult& b, const std::string& b_property) {
  CHECK(b.verdict == a.verdict);
  CHECK(b.stop == a.stop);
  CHECK(b_property == a_property);
  CHECK(b.stats.states == a.stats.states);
  CHECK(b.stats.transitions == a.stats.transitions);
  CHECK(b.stats.depth == a.stats.depth);
  CHECK(b.stats.progress_sweeps == a.stats.progress_sweeps);
  CHECK(b.stats.represented_states == a.stats.represented_states);
  REQUIRE(b.counterexample.has_value() == a.counterexample.has_value());
  if (!a.counterexample) return;
  const checker::Counterexample &x = *a.counterexample, &y = *b.counterexample;
  CHECK(y.kind == x.kind);
  CHECK(y.invariant == x.invariant);
  CHECK(y.labels == x.labels);
  CHECK(y.states == x.states);
  CHECK(y.loop_start == x.loop_start);
  CHECK(y.stuck == x.stuck);
}

inline Checked check(const model::Scenario& s, checker::Order order = checker::Order::breadth_first,
                     checker::Limits limits = {}) {
  checker::SearchOptions options;
  options.order = order;
  options.limits = limits;
  return check(s, options);
}

}  // namespace dirtyrace::test
