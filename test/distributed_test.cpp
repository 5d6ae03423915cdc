// The distributed search gives the one-process answer: the same verdict, violated property,
// stop reason, state, transition and depth counts, and the very same counterexample, on
// scenarios of the test suite and on both variants of every zoo entry, with and without the
// state limit. An MPI program: ctest runs it under `mpirun -np 1`, `-np 2` and `-np 3`, every
// rank runs every case (each rank gets the whole result) and rank 0 alone prints.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <vector>

#include "analyses/zoo.hpp"
#include "checker/distributed_search.hpp"
#include "support.hpp"

using namespace dirtyrace;
using checker::Verdict;

namespace {

const checker::MpiSession* g_session = nullptr;

struct Outcome {
  checker::SearchResult result;
  std::string property;
};

/// The scenario's properties, or its default ones without can_finish, which the distributed
/// search does not check.
std::vector<const properties::Property*> checked_properties(const model::Model& m) {
  std::vector<const properties::Property*> selected =
      properties::select_properties(m, m.scenario().properties);
  std::erase_if(selected,
                [](const properties::Property* p) { return p->name == properties::kCanFinish; });
  return selected;
}

Outcome check(const model::Scenario& s, bool distributed, checker::SearchOptions options = {}) {
  const model::Model m(s);
  const properties::CheckedModel system(m, checked_properties(m));
  Outcome o{distributed ? checker::distributed_search(*g_session, system, options)
                        : checker::search(system, options),
            ""};
  if (o.result.counterexample) o.property = system.violated(*o.result.counterexample).name;
  return o;
}

/// Checks `s` on one process and across the ranks, and compares everything but the timings.
void same_as_one_process(const model::Scenario& s, checker::SearchOptions options = {}) {
  const Outcome one = check(s, false, options);
  const Outcome many = check(s, true, options);
  test::check_same_answer(one.result, one.property, many.result, many.property);
}

}  // namespace

TEST_CASE("scenarios of the test suite give the one-process answer across ranks") {
  const std::vector<model::Scenario> scenarios = {
      // verified
      test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync"),
      test::scenario("linux-2.6.32", 1, 2, 1, "writer,flusher,msync"),
      test::scenario("linux-4.19", 2, 1, 1, "writer,flusher,msync"),
      test::scenario("linux-4.19", 1, 1, 2, "writer@0,writer@1,fsync"),
      test::scenario("linux-2.6.32", 1, 1, 1, "writer,reclaim,journal,fsync"),
      // invariant violations, the state found mid-level
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync", {"msync_durability"}),
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync"),
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,journal,flusher", {"durable_at_end"}),
      test::scenario("linux-2.6.18", 1, 1, 2, "writer@0,msync@1"),
      // a deadlock
      test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync,journal", {"no_deadlock"}),
      // two writer threads with their TLBs, with symmetry (4.19 fails, 6.12 verifies)
      test::scenario("linux-4.19", 1, 1, 1, "writer,writer,munmap,flusher,msync"),
      test::scenario("linux-2.6.32", 1, 1, 1, "writer*2,flusher,msync"),
  };
  checker::SearchOptions options;
  options.count_represented = true;
  for (const model::Scenario& s : scenarios) {
    CAPTURE(s.variant->name);
    CAPTURE(s.actors.size());
    CAPTURE(s.pages);
    same_as_one_process(s, options);
  }
}

TEST_CASE("the state limit stops at the one-process count across ranks") {
  const model::Scenario s = test::scenario("linux-4.19", 2, 1, 1, "writer,flusher,msync");
  for (const std::uint64_t max_states : {1ull, 1000ull, 4321ull, 50000ull, 80125ull}) {
    CAPTURE(max_states);
    checker::SearchOptions options;
    options.limits.max_states = max_states;
    options.count_represented = true;
    same_as_one_process(s, options);
    CHECK(check(s, true, options).result.verdict == Verdict::inconclusive);
  }
  // A limit the search reaches in the level of a violation, before it and after it.
  const model::Scenario bug =
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync", {"msync_durability"});
  const std::uint64_t states = check(bug, false).result.stats.states;
  for (const std::uint64_t max_states : {states - 1, states, states + 1}) {
    CAPTURE(max_states);
    checker::SearchOptions options;
    options.limits.max_states = max_states;
    same_as_one_process(bug, options);
  }
}

TEST_CASE("every zoo entry gives the one-process answer across ranks, its bug and its fix") {
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    CAPTURE(e.commit);
    same_as_one_process(analyses::zoo_scenario(e, e.variant));
    if (!e.fixed_variant.empty()) same_as_one_process(analyses::zoo_scenario(e, e.fixed_variant));
  }
}

TEST_CASE("an interrupt, the time limit and the memory limit stop every rank") {
  const model::Scenario s = test::scenario("linux-4.19", 2, 1, 1, "writer,flusher,msync");
  // Every rank is asked to stop at its first look: all stop, none waits for another.
  const std::atomic<bool> interrupted{true};
  checker::SearchOptions options;
  options.interrupt = &interrupted;
  Outcome o = check(s, true, options);
  CHECK(o.result.verdict == Verdict::inconclusive);
  CHECK(o.result.stop == checker::StopReason::interrupted);

  options = {};
  options.limits.max_memory_bytes = 1;
  o = check(s, true, options);
  CHECK(o.result.verdict == Verdict::inconclusive);
  CHECK(o.result.stop == checker::StopReason::max_memory);

  options = {};
  options.limits.time_limit_seconds = 1e-9;
  o = check(s, true, options);
  CHECK(o.result.verdict == Verdict::inconclusive);
  CHECK(o.result.stop == checker::StopReason::time_limit);
}

TEST_CASE("every rank stores a share of the states") {
  const model::Scenario s = test::scenario("linux-4.19", 2, 1, 1, "writer,flusher,msync");
  const model::Model m(s);
  const properties::CheckedModel system(m, checked_properties(m));
  std::vector<checker::RankStatistics> ranks;
  const checker::SearchResult r = checker::distributed_search(*g_session, system, {}, &ranks);
  REQUIRE(ranks.size() == static_cast<std::size_t>(g_session->ranks()));
  std::uint64_t sum = 0;
  for (const checker::RankStatistics& rank : ranks) {
    CHECK(rank.states > r.stats.states / (2 * ranks.size()));  // roughly even: none starves
    sum += rank.states;
  }
  CHECK(sum == r.stats.states);
}

TEST_CASE("the distributed search refuses depth-first order and the progress check") {
  const model::Scenario s =
      test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,munmap", {"can_finish", "comes_clean"});
  const model::Model m(s);
  const properties::CheckedModel with_progress(
      m, properties::select_properties(m, m.scenario().properties));
  REQUIRE(with_progress.checks_progress());
  CHECK_THROWS_AS(checker::distributed_search(*g_session, with_progress, {}),
                  std::invalid_argument);
  const properties::CheckedModel without(m, checked_properties(m));
  checker::SearchOptions dfs;
  dfs.order = checker::Order::depth_first;
  CHECK_THROWS_AS(checker::distributed_search(*g_session, without, dfs), std::invalid_argument);
}

int main(int argc, char** argv) {
  const checker::MpiSession session;
  g_session = &session;
  doctest::Context context(argc, argv);
  // Every rank runs and checks every case; one report is enough.
  if (session.rank() != 0) context.setOption("out", "/dev/null");
  return context.run();
}
