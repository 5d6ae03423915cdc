// The breadth-first search on 1, 2 and 3 threads gives one answer: the same verdict, violated
// property, state, transition and depth counts, and the very same counterexample, on scenarios
// of the test suite and on every entry of the zoo, with and without the state limit.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "analyses/zoo.hpp"
#include "support.hpp"

using namespace dirtyrace;
using checker::Verdict;

namespace {

test::Checked check(const model::Scenario& s, unsigned threads, checker::Limits limits = {}) {
  checker::SearchOptions options;
  options.threads = threads;
  options.limits = limits;
  return test::check(s, options);
}

/// Checks `s` on 1, 2 and 3 threads and compares everything but the timings; returns the answer
/// on one thread.
test::Checked same_for_every_thread_count(const model::Scenario& s, checker::Limits limits = {}) {
  test::Checked one = check(s, 1, limits);
  for (const unsigned threads : {2u, 3u}) {
    CAPTURE(threads);
    const test::Checked many = check(s, threads, limits);
    test::check_same_answer(one.result, one.property, many.result, many.property);
  }
  return one;
}

}  // namespace

TEST_CASE("scenarios of the test suite give one answer on 1, 2 and 3 threads") {
  const std::vector<model::Scenario> scenarios = {
      // golden_test (verified; the largest has levels of thousands of states)
      test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync"),
      test::scenario("linux-2.6.32", 1, 2, 1, "writer,flusher,msync"),
      test::scenario("linux-4.19", 2, 1, 1, "writer,flusher,msync"),
      test::scenario("linux-4.19", 1, 1, 2, "writer@0,writer@1,fsync"),
      test::scenario("linux-2.6.32", 1, 1, 1, "writer,reclaim,journal,fsync"),
      // bugs_test (invariant violations, the state found mid-level)
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync", {"msync_durability"}),
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync"),
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,journal,flusher", {"durable_at_end"}),
      test::scenario("linux-2.6.18", 1, 1, 2, "writer@0,msync@1"),
      // liveness_test (the progress check after the search, and a violation it finds)
      test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,munmap", {"can_finish", "comes_clean"}),
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,munmap",
                     {"can_finish", "comes_clean"}),
      // with no_deadlock selected
      test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,msync,journal", {"no_deadlock"}),
  };
  for (const model::Scenario& s : scenarios) {
    CAPTURE(s.variant->name);
    CAPTURE(s.actors.size());
    CAPTURE(s.pages);
    same_for_every_thread_count(s);
  }
}

TEST_CASE("the state limit stops at the same count on 1, 2 and 3 threads") {
  const model::Scenario s = test::scenario("linux-4.19", 2, 1, 1, "writer,flusher,msync");
  for (const std::uint64_t max_states : {1ull, 1000ull, 4321ull, 50000ull, 80125ull}) {
    CAPTURE(max_states);
    checker::Limits limits;
    limits.max_states = max_states;
    CHECK(same_for_every_thread_count(s, limits).result.verdict == Verdict::inconclusive);
  }
}

TEST_CASE("every zoo entry gives one answer on 1, 2 and 3 threads, its bug and its fix") {
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    CAPTURE(e.commit);
    same_for_every_thread_count(analyses::zoo_scenario(e, e.variant));
    if (!e.fixed_variant.empty()) {
      same_for_every_thread_count(analyses::zoo_scenario(e, e.fixed_variant));
    }
  }
}

TEST_CASE("the progress check, on threads, finds the same state that cannot finish") {
  // do_shared_fault without finish_fault: the store faults forever, which only can_finish sees.
  // With two pages the store spans several of the ranges the threads re-expand separately.
  model::Scenario s = test::scenario("linux-6.12", 2, 2, 1, "writer,flusher,msync,fsync,journal");
  s.routine_orders.push_back(
      {"do_shared_fault",
       {"filemap_fault", "unlock_page#1", "page_mkwrite", "set_page_dirty", "unlock_page#2"}});
  const test::Checked one = same_for_every_thread_count(s);
  CHECK(one.property == "can_finish");
  CHECK(one.result.stats.states > 3 * 65536);
}
