// Steps read only what they declare (Step::reads): for every order of every routine that
// `dirtyrace orderings` allows, on every state a small exploration reaches, each enabled step
// is taken again with every local it does not declare read set to 0, and must do exactly the
// same. Together with the self-checking build, which verifies every write against Step::writes,
// this is what lets the ordering graph, and the dead-local clearing, trust the declarations:
// no step's effect depends on a step that is not its declared predecessor.

#include <doctest/doctest.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "analyses/orderings.hpp"
#include "model/ordering.hpp"
#include "model/routines.hpp"
#include "support.hpp"

using namespace dirtyrace;
using model::Actor;
using model::Exec;
using model::Flow;
using model::Model;
using model::State;
using model::Step;
using model::Var;

namespace {

/// Every local an actor has, with its field.
std::vector<std::pair<Var, std::uint8_t Actor::*>> locals() {
  return {{Var::page, &Actor::page},
          {Var::cleaned, &Actor::cleaned},
          {Var::index, &Actor::index},
          {Var::pagevec, &Actor::pagevec},
          {Var::refs, &Actor::refs},
          {Var::picked, &Actor::picked},
          {Var::underway, &Actor::underway},
          {Var::orig_pte, &Actor::orig_pte},
          {Var::stores, &Actor::stores},
          {Var::wait_index, &Actor::wait_index},
          {Var::ubc, &Actor::ubc}};
}

struct Outcome {
  bool enabled = false, skipped = false;
  std::vector<std::pair<int, State>> next;  // per choice: the flow's kind and target, the state
};

bool same_flow(Flow a, Flow b) {
  return a.kind == b.kind && (a.kind != Flow::Kind::jump || a.target == b.target);
}

/// What actor `a`'s step does from `s`: the guard, the skip, and each choice's flow and state.
Outcome take(const Model& m, const State& s, int a, const Step& st, std::vector<Flow>& flows) {
  Outcome out;
  out.enabled = !st.enabled || st.enabled(s, m.env(), a);
  out.skipped = st.skip && st.skip(s, m.env(), a);
  flows.clear();
  if (!out.enabled || out.skipped) return out;
  for (int c = 0; c < st.choices(); ++c) {
    State next = s;
    Exec x{next, m.env(), a, static_cast<std::uint8_t>(c)};
    flows.push_back(st.apply(x));
    out.next.emplace_back(c, next);
  }
  return out;
}

/// Explores up to `cap` states of `m` and checks every enabled step against its declared reads;
/// returns the number of (state, step, local) perturbations tried.
std::size_t check_reads(const Model& m, std::size_t cap, const std::string& what) {
  std::unordered_set<std::string> seen;
  std::vector<State> queue{m.initial()};
  std::string key(m.packed_bytes(), '\0');
  const auto pack = [&](const State& s) {
    m.pack(s, reinterpret_cast<std::byte*>(key.data()));
    return key;
  };
  seen.insert(pack(queue.front()));
  std::size_t tried = 0;
  for (std::size_t i = 0; i < queue.size() && i < cap; ++i) {
    const State s = queue[i];
    for (int a = 0; a < m.env().actors; ++a) {
      const auto& prog = m.env().of(a).program;
      const std::uint8_t pc = s.actor[static_cast<std::size_t>(a)].pc;
      if (pc >= prog.done()) continue;
      // A step taken again (one round per mapping, buffer or page) carries its locals from one
      // round to the next; what it declares is what it reads when it starts.
      if (s.actor[static_cast<std::size_t>(a)].cursor != 0) continue;
      const Step& st = *prog[pc].step;
      std::vector<Flow> flows, perturbed_flows;
      const Outcome base = take(m, s, a, st, flows);
      for (const auto& [var, field] : locals()) {
        if (model::has(st.reads, var)) continue;
        State p = s;
        Actor& act = p.actor[static_cast<std::size_t>(a)];
        if (act.*field == 0) continue;
        act.*field = 0;
        ++tried;
        const Outcome o = take(m, p, a, st, perturbed_flows);
        CAPTURE(what);
        CAPTURE(st.function);
        CAPTURE(st.name);
        CAPTURE(model::var_name(var));
        REQUIRE(o.enabled == base.enabled);
        REQUIRE(o.skipped == base.skipped);
        REQUIRE(o.next.size() == base.next.size());
        for (std::size_t c = 0; c < o.next.size(); ++c) {
          REQUIRE(same_flow(perturbed_flows[c], flows[c]));
          State expect = base.next[c].second;
          // A local the step does not write keeps the value it was given.
          if (!model::has(st.writes, var)) {
            expect.actor[static_cast<std::size_t>(a)].*field = 0;
          }
          REQUIRE(o.next[c].second == expect);
        }
      }
    }
    m.for_each_transition(s, [&](model::Transition, const State& next) {
      if (seen.insert(pack(next)).second) queue.push_back(next);
    });
  }
  return tried;
}

/// Scenarios whose actors between them run every routine of the variant.
std::vector<model::Scenario> portfolio(const std::string& variant) {
  std::vector<model::Scenario> out = {
      test::scenario(variant, 1, 2, 2, "writer@0,writer@1,flusher,msync"),
      test::scenario(variant, 2, 1, 1, "writer,munmap,reclaim,fsync"),
      test::scenario(variant, 1, 2, 1, "writer,journal,flusher"),
      test::scenario(variant, 2, 1, 1, "writer,reclaim,mprotect,munmap")};
  return out;
}

}  // namespace

TEST_CASE("every step, in every allowed order of its routine, reads only what it declares") {
  std::size_t tried = 0, orders = 0;
  for (const char* variant : {"linux-2.6.18", "linux-2.6.19", "linux-2.6.20", "linux-2.6.32",
                              "linux-3.14", "linux-4.9", "linux-4.19", "linux-6.1", "linux-6.12"}) {
    for (const model::Scenario& base : portfolio(variant)) {
      for (const std::string& routine : analyses::routines_run(base)) {
        const model::DependencyGraph graph = analyses::ordering_graph(base, routine, {});
        bool complete = true;
        const auto all = graph.orders(40, complete);
        CHECK(complete);  // every order, not a sample
        for (const auto& order : all) {
          model::Scenario s = base;
          s.routine_orders.push_back({routine, order});
          const Model m(s);
          tried += check_reads(m, 3000, std::string(variant) + " " + routine);
          ++orders;
        }
      }
    }
  }
  MESSAGE(orders << " orders, " << tried << " perturbed steps");
  CHECK(orders > 100);
  CHECK(tried > 10000);
}
