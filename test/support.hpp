#pragma once
// Helpers shared by the tests: build a scenario in one line and check it.

#include <random>
#include <set>
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

/// The state's bytes, as a string: sortable, and each state once in a set.
inline std::string bytes_of(const model::State& s) {
  return std::string(reinterpret_cast<const char*>(&s), sizeof s);
}

/// States to try a property of the model on: the first of a breadth-first exploration, then the
/// states of seeded random runs, which reach deep into routines (locks held, loops half done).
inline std::vector<model::State> sample_states(const model::Model& m, std::size_t breadth, int runs,
                                               int length) {
  std::vector<model::State> out{m.initial()};
  std::set<std::string> seen{bytes_of(out[0])};
  for (std::size_t i = 0; i < out.size() && out.size() < breadth; ++i) {
    const model::State s = out[i];
    m.for_each_transition(s, [&](model::Transition, const model::State& next) {
      if (out.size() < breadth && seen.insert(bytes_of(next)).second) out.push_back(next);
    });
  }
  std::mt19937 random(12);
  for (int r = 0; r < runs; ++r) {
    model::State s = m.initial();
    for (int k = 0; k < length; ++k) {
      std::vector<model::State> next;
      m.for_each_transition(s,
                            [&](model::Transition, const model::State& n) { next.push_back(n); });
      if (next.empty()) break;
      s = next[random() % next.size()];
      if (seen.insert(bytes_of(s)).second) out.push_back(s);
    }
  }
  return out;
}

/// Scenarios of the test suite (threads_test's list: golden_test, bugs_test, liveness_test),
/// and scenarios with interchangeable actors or mappings.
inline std::vector<model::Scenario> suite() {
  return {
      scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync"),
      scenario("linux-2.6.32", 1, 2, 1, "writer,flusher,msync"),
      scenario("linux-4.19", 2, 1, 1, "writer,flusher,msync"),
      scenario("linux-4.19", 1, 1, 2, "writer@0,writer@1,fsync"),
      scenario("linux-2.6.32", 1, 1, 1, "writer,reclaim,journal,fsync"),
      scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync", {"msync_durability"}),
      scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync"),
      scenario("linux-2.6.20", 1, 1, 1, "writer,journal,flusher", {"durable_at_end"}),
      scenario("linux-2.6.18", 1, 1, 2, "writer@0,msync@1"),
      scenario("linux-6.12", 1, 1, 1, "writer,flusher,munmap", {"can_finish", "comes_clean"}),
      scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,munmap", {"can_finish", "comes_clean"}),
      scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync,journal", {"no_deadlock"}),
      // Symmetric: writer threads of one process, msyncs, processes that mirror each other.
      scenario("linux-2.6.32", 1, 1, 1, "writer*2,flusher,msync"),
      scenario("linux-2.6.20", 1, 1, 1, "writer*2,flusher,msync", {"msync_durability"}),
      scenario("linux-4.19", 1, 1, 1, "writer,writer,munmap,flusher,msync"),
      scenario("linux-6.12", 1, 1, 1, "writer*3,flusher", {}, 1),
      scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync*2"),
      scenario("linux-2.6.20", 1, 1, 1, "writer*2,flusher,munmap", {"can_finish", "comes_clean"}),
      scenario("linux-6.12", 1, 1, 2, "writer@0,writer@1,munmap@0,munmap@1"),
      scenario("linux-4.19", 1, 1, 2, "writer@0,writer@1,mprotect@0,mprotect@1"),
      scenario("linux-2.6.32", 1, 1, 2, "writer@0,writer@1,journal"),
      scenario("linux-6.12", 2, 1, 2, "writer@0,writer@1,buffer_flush", {}, 1),
      scenario("linux-6.12", 1, 1, 2, "writer@0*2,writer@1,flusher", {}, 1),
  };
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
