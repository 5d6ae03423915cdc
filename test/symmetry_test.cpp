// Symmetry reduction (model/symmetry.hpp): the group each scenario gets, canonical members of
// orbits, successors that commute with every permutation of the group, and checks with and
// without the reduction, on 1, 2 and 3 threads, that agree on every scenario of the test suite,
// every zoo entry and the scenario files.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "analyses/zoo.hpp"
#include "model/footprints.hpp"
#include "model/symmetry.hpp"
#include "support.hpp"
#include "traces/replay.hpp"
#include "traces/text.hpp"

using namespace dirtyrace;
using model::Permutation;
using model::State;
using model::Symmetry;

namespace {

using Successors = std::vector<std::pair<std::uint32_t, std::string>>;

/// The transitions of `s` and their successors, sorted; with `p`, each moved by `p`.
Successors successors(const model::Model& m, const State& s, const Permutation* p = nullptr) {
  Successors out;
  m.for_each_transition(s, [&](model::Transition t, const State& next) {
    if (p) {
      out.emplace_back(model::permute(t, *p).encode(), test::bytes_of(model::permute(next, *p)));
    } else {
      out.emplace_back(t.encode(), test::bytes_of(next));
    }
  });
  std::sort(out.begin(), out.end());
  return out;
}

/// For every sampled state and every permutation of the group: the successors of the permuted
/// state are the permuted successors, every property and every end condition holds of both or
/// neither, both canonicalise to the same state, and the orbit has orbit_size() members.
void check_exact(const model::Scenario& scenario, std::size_t breadth = 300, int runs = 30) {
  const model::Model m(scenario);
  const Symmetry g(m);
  const std::vector<Permutation> group = g.elements();
  REQUIRE(group.size() == g.order());
  for (const State& s : test::sample_states(m, breadth, runs, 80)) {
    State canonical = s;
    const Permutation used = g.canonicalize(canonical);
    CHECK(model::permute(s, used) == canonical);
    std::set<std::string> orbit;
    for (const Permutation& p : group) {
      const State ps = model::permute(s, p);
      orbit.insert(test::bytes_of(ps));
      CHECK(model::permute(ps, p.inverse()) == s);
      CHECK(successors(m, ps) == successors(m, s, &p));
      for (const properties::Property& prop : properties::all_properties()) {
        CHECK_MESSAGE(prop.holds(m, ps) == prop.holds(m, s), prop.name);
      }
      CHECK(m.finished(ps) == m.finished(s));
      CHECK(m.at_rest(ps) == m.at_rest(s));
      State c = ps;
      g.canonicalize(c);
      CHECK(c == canonical);
    }
    CHECK(g.orbit_size(s) == orbit.size());
  }
}

struct Run {
  checker::SearchResult result;
  std::string property;
  std::size_t length = 0;  // steps of the trace (the run in actor names)
};

Run run(const model::Scenario& s, bool symmetry, unsigned threads,
        checker::Order order = checker::Order::breadth_first) {
  const model::Model m(s);
  const properties::CheckedModel system(
      m, properties::select_properties(m, m.scenario().properties), symmetry);
  checker::SearchOptions options;
  options.threads = threads;
  options.order = order;
  options.count_represented = true;
  Run r{checker::search(system, options), "", 0};
  if (const auto& cx = r.result.counterexample) {
    const traces::Trace trace = traces::make_trace(system, *cx);
    r.property = trace.property;
    r.length = trace.steps.size();
    // The trace is a run of the model in the actors' own names, and it breaks the property.
    const traces::ReplayResult replayed = traces::replay(trace);
    CHECK_MESSAGE(replayed.confirmed, replayed.message);
    const checker::Counterexample concrete = system.concrete(*cx);
    CHECK(concrete.states.size() == concrete.labels.size() + 1);
    if (concrete.loop_start) CHECK(concrete.states[*concrete.loop_start] == concrete.states.back());
  }
  return r;
}

/// With and without symmetry, on 1, 2 and 3 threads: the same verdict, property and
/// counterexample length; on a complete search the orbits add up to the unreduced state count.
void same_with_and_without(const model::Scenario& s) {
  const Run plain = run(s, false, 1);
  const bool reduced = !Symmetry(model::Model(s)).trivial();
  const bool complete =
      plain.result.verdict == checker::Verdict::verified ||
      (plain.result.counterexample &&
       plain.result.counterexample->kind == checker::Counterexample::Kind::no_progress);
  std::optional<Run> one;
  for (const unsigned threads : {1u, 2u, 3u}) {
    CAPTURE(threads);
    const Run sym = run(s, true, threads);
    CHECK(sym.result.verdict == plain.result.verdict);
    CHECK(sym.property == plain.property);
    REQUIRE(sym.result.counterexample.has_value() == plain.result.counterexample.has_value());
    if (const auto& cx = plain.result.counterexample) {
      const auto& scx = *sym.result.counterexample;
      CHECK(scx.kind == cx->kind);
      // Breadth-first search on the quotient keeps distances: the path to the violation, or to
      // the first state that cannot finish, is as long. After that a lasso may go round its loop
      // more than once before the concrete state recurs.
      CHECK(scx.stuck == cx->stuck);
      if (cx->kind != checker::Counterexample::Kind::no_progress) CHECK(sym.length == plain.length);
    }
    if (complete) {
      CHECK(sym.result.stats.represented_states == plain.result.stats.states);
      if (reduced) CHECK(sym.result.stats.states < plain.result.stats.states);
    }
    if (!reduced) {
      CHECK(sym.result.stats.states == plain.result.stats.states);
      CHECK(sym.length == plain.length);
    }
    if (!one) {
      one = sym;
      continue;
    }
    CHECK(sym.result.stats.states == one->result.stats.states);
    CHECK(sym.result.stats.transitions == one->result.stats.transitions);
    CHECK(sym.result.stats.represented_states == one->result.stats.represented_states);
    CHECK(sym.length == one->length);
    if (sym.result.counterexample) {
      CHECK(sym.result.counterexample->states == one->result.counterexample->states);
    }
  }
}

/// do_shared_fault without finish_fault (liveness_test): the PTE is never installed, so each
/// writer faults forever and can_finish fails with a lasso.
model::Scenario without_finish_fault(const std::string& actors) {
  model::Scenario s = test::scenario("linux-6.12", 1, 1, 1, actors, {"can_finish"});
  s.routine_orders.push_back(
      {"do_shared_fault",
       {"filemap_fault", "unlock_page#1", "page_mkwrite", "set_page_dirty", "unlock_page#2"}});
  return s;
}

}  // namespace

TEST_CASE("the group: identical actors are interchangeable, different ones are not") {
  const auto group = [](const model::Scenario& s) { return Symmetry(model::Model(s)); };
  CHECK(group(test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync")).trivial());
  const Symmetry two = group(test::scenario("linux-2.6.32", 1, 1, 1, "writer*2,flusher,msync"));
  CHECK(two.order() == 2);
  CHECK(two.classes() == std::vector<std::vector<int>>{{0, 1}});
  CHECK(two.describe() == "writer0 = writer1; group of 2");
  CHECK(group(test::scenario("linux-6.12", 1, 1, 1, "writer*3,flusher,msync*2")).order() == 12);
  // A writer that stores once is not one that stores twice.
  model::Scenario stores = test::scenario("linux-6.12", 1, 1, 1, "writer*2,flusher");
  stores.actors[1].stores = 1;
  CHECK(group(stores).trivial());
  // Writers of different pages' blocks are not interchangeable either.
  model::Scenario blocks = test::scenario("linux-6.12", 2, 1, 1, "writer*2,flusher");
  blocks.actors[0].blocks = {0};
  blocks.actors[1].blocks = {1};
  CHECK(group(blocks).trivial());
  // Two processes, each a writer with its munmap: the mappings swap with their actors.
  const Symmetry mirrored =
      group(test::scenario("linux-6.12", 1, 1, 2, "writer@0,writer@1,munmap@0,munmap@1"));
  CHECK(mirrored.swaps_mappings());
  CHECK(mirrored.order() == 2);
  CHECK(mirrored.classes().empty());
  // page_mkclean walks mapping 0 first: with a flusher the processes are told apart.
  CHECK(group(test::scenario("linux-6.12", 1, 1, 2, "writer@0,writer@1,flusher")).trivial());
  // Same actors, but mapping 0's process has a thread more than mapping 1's: no swap.
  CHECK(!group(test::scenario("linux-6.12", 1, 1, 2, "writer@0*2,writer@1,munmap@0,munmap@1"))
             .swaps_mappings());
}

TEST_CASE("canonicalize: a permuted state comes out as the same bytes") {
  const model::Model m(test::scenario("linux-6.12", 2, 1, 1, "writer*2,flusher,msync"));
  const Symmetry g(m);
  REQUIRE(g.order() == 2);
  Permutation swap = Permutation::identity();
  std::swap(swap.actor[0], swap.actor[1]);
  // writer1 is mid-store: it holds page 1's lock and its CPU caches page 1 writable and dirty;
  // writer0 has not started.
  State a = m.initial();
  a.actor[1].pc = 3;
  a.actor[1].stores = 1;
  a.page[1].cached = 1;
  a.page[1].locked_by = 2;
  a.tlb[1][1] = model::kTlbWriteDirty;
  const State b = model::permute(a, swap);
  CHECK(b.page[1].locked_by == 1);
  CHECK(b.tlb[0][1] == model::kTlbWriteDirty);
  CHECK(b.tlb[1][1] == model::kTlbNone);
  CHECK(b.actor[0] == a.actor[1]);
  CHECK(!(a == b));
  State ca = a, cb = b;
  const Permutation pa = g.canonicalize(ca), pb = g.canonicalize(cb);
  CHECK(std::memcmp(&ca, &cb, sizeof ca) == 0);
  CHECK(model::permute(a, pa) == ca);
  CHECK(model::permute(b, pb) == cb);
  CHECK(g.orbit_size(a) == 2);
  // Both writers unstarted: the swap changes nothing, the orbit is the state alone.
  CHECK(g.orbit_size(m.initial()) == 1);
  State init = m.initial();
  g.canonicalize(init);
  CHECK(init == m.initial());
}

TEST_CASE("canonicalize: mappings move with their PTEs, locks, VMAs and reclaim's bits") {
  const model::Model m(
      test::scenario("linux-4.19", 2, 1, 2, "writer@0,writer@1,mprotect@0,mprotect@1"));
  const Symmetry g(m);
  REQUIRE(g.swaps_mappings());
  Permutation swap = Permutation::identity();
  std::swap(swap.mapping[0], swap.mapping[1]);
  std::swap(swap.actor[0], swap.actor[1]);
  std::swap(swap.actor[2], swap.actor[3]);
  State a = m.initial();
  a.pte[0][1] = model::kPtePresent | model::kPteWrite;
  a.rmap[0][1] = 1;
  a.ptl[0] = 3;       // mprotect0 (actor 2) holds mapping 0's PTE lock
  a.mmap_sem[0] = 3;  // and its mmap_sem
  a.vma_ro[0] = 2;
  // Reclaim's bits per mapping (no reclaim here: the bits of any slot follow the mappings).
  a.actor[4].ubc = static_cast<std::uint8_t>(1u | model::kUbcWritable);
  const State b = model::permute(a, swap);
  CHECK(b.pte[1][1] == (model::kPtePresent | model::kPteWrite));
  CHECK(b.pte[0][1] == 0);
  CHECK(b.rmap[1][1] == 1);
  CHECK(b.ptl[1] == 4);
  CHECK(b.mmap_sem[1] == 4);
  CHECK(b.ptl[0] == 0);
  CHECK(b.vma_ro[1] == 2);
  CHECK(b.actor[4].ubc == (2u | model::kUbcWritable));
  State ca = a, cb = b;
  g.canonicalize(ca);
  g.canonicalize(cb);
  CHECK(ca == cb);
  CHECK(g.orbit_size(a) == 2);
}

TEST_CASE("successors commute with the group on sampled states of every symmetric scenario") {
  std::vector<model::Scenario> scenarios = test::suite();
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    scenarios.push_back(analyses::zoo_scenario(e, e.variant));
  }
  scenarios.push_back(without_finish_fault("writer*2,flusher"));
  for (const model::Scenario& s : scenarios) {
    if (Symmetry(model::Model(s)).trivial()) continue;
    CAPTURE(traces::describe_scenario(model::Model(s).scenario()));
    check_exact(s);
  }
}

TEST_CASE("scenarios of the test suite: the same answer with and without symmetry") {
  for (const model::Scenario& s : test::suite()) {
    CAPTURE(s.variant->name);
    CAPTURE(traces::describe_scenario(model::Model(s).scenario()));
    same_with_and_without(s);
  }
}

TEST_CASE("every zoo entry: the same answer with and without symmetry, its bug and its fix") {
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    CAPTURE(e.commit);
    same_with_and_without(analyses::zoo_scenario(e, e.variant));
    if (!e.fixed_variant.empty()) same_with_and_without(analyses::zoo_scenario(e, e.fixed_variant));
  }
}

TEST_CASE("scenario files: the same answer with and without symmetry in every footprint class") {
  const std::filesystem::path dir = std::filesystem::path(DIRTYRACE_SOURCE_DIR) / "scenarios";
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    CAPTURE(file.path().string());
    const model::Scenario s = model::read_scenario_file(file.path().string());
    if (!s.needs_classes()) {
      same_with_and_without(s);
      continue;
    }
    for (const model::FootprintClass& c : model::enumerate_footprints(s).classes) {
      if (!c.duplicate_of) same_with_and_without(c.scenario);
    }
  }
}

TEST_CASE("can_finish lassos: the run in actor names closes its loop") {
  for (const char* actors : {"writer,writer", "writer*2,flusher", "writer*3"}) {
    CAPTURE(actors);
    const model::Scenario s = without_finish_fault(actors);
    const Run plain = run(s, false, 1);
    const Run sym = run(s, true, 1);
    REQUIRE(sym.result.counterexample);
    CHECK(sym.property == "can_finish");
    CHECK(plain.property == "can_finish");
    const checker::Counterexample& cx = *sym.result.counterexample;
    REQUIRE(cx.loop_start);
    if (std::string(actors) == "writer,writer") {
      // The stored loop (steps 6-12) closes on its start with the writers swapped: the trace
      // goes round once more, 7 steps, to come back to the state itself.
      CHECK(cx.labels.size() == 12);
      CHECK(*cx.loop_start == 5);
      CHECK(sym.length == 19);
      CHECK(plain.length == 12);
    }
    same_with_and_without(s);
  }
}

TEST_CASE("the state limit: the same states and orbits on 1, 2 and 3 threads") {
  const model::Scenario s = test::scenario("linux-2.6.32", 1, 1, 1, "writer*2,flusher,msync");
  const model::Model m(s);
  const properties::CheckedModel system(m, properties::select_properties(m, {}), true);
  for (const std::uint64_t max_states : {1ull, 1000ull, 4321ull, 20000ull}) {
    CAPTURE(max_states);
    std::optional<checker::Statistics> one;
    for (const unsigned threads : {1u, 2u, 3u}) {
      checker::SearchOptions options;
      options.threads = threads;
      options.limits.max_states = max_states;
      options.count_represented = true;
      const checker::SearchResult r = checker::search(system, options);
      CHECK(r.verdict == checker::Verdict::inconclusive);
      CHECK(r.stats.represented_states >= r.stats.states);
      if (!one) one = r.stats;
      CHECK(r.stats.states == one->states);
      CHECK(r.stats.represented_states == one->represented_states);
    }
  }
}

TEST_CASE("depth-first search with symmetry finds the same violations") {
  for (const model::Scenario& s :
       {test::scenario("linux-2.6.20", 1, 1, 1, "writer*2,flusher,msync", {"msync_durability"}),
        test::scenario("linux-2.6.32", 1, 1, 1, "writer*2,flusher,msync")}) {
    const Run plain = run(s, false, 1, checker::Order::depth_first);
    const Run sym = run(s, true, 1, checker::Order::depth_first);
    CHECK(sym.result.verdict == plain.result.verdict);
    CHECK(sym.property == plain.property);
  }
}

TEST_CASE("without symmetry a counterexample is its own concrete run") {
  const model::Model m(test::scenario("linux-2.6.20", 1, 1, 1, "writer*2,flusher,msync"));
  const properties::CheckedModel system(m, properties::select_properties(m, {}));
  CHECK(system.symmetry() == nullptr);
  const checker::SearchResult r = checker::search(system, {});
  REQUIRE(r.counterexample);
  const checker::Counterexample c = system.concrete(*r.counterexample);
  CHECK(c.states == r.counterexample->states);
  CHECK(c.labels == r.counterexample->labels);
}
