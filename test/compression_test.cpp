// Keeping states as the numbers of their halves (checker/state_store.hpp) changes nothing a
// search answers: the verdict, the violated property, the state, transition and depth counts,
// the progress check and the counterexample, state for state, are those of the search that keeps
// every state whole, breadth-first on one and two threads and depth-first, with and without a
// state limit, on scenarios of the test suite whose states are 16 bytes or more.

#include <doctest/doctest.h>

#include <vector>

#include "support.hpp"

using namespace dirtyrace;

namespace {

test::Checked check(const model::Scenario& s, checker::SearchOptions options, bool compress) {
  options.compress_states = compress;
  return test::check(s, options);
}

void same_with_and_without_compression(const model::Scenario& s, checker::SearchOptions options) {
  const test::Checked whole = check(s, options, false);
  const test::Checked halves = check(s, options, true);
  CHECK(whole.result.stats.halves[0] == 0);
  CHECK(halves.result.stats.halves[0] > 0);  // the store did compress
  CHECK(halves.result.stats.half_bytes[0] + halves.result.stats.half_bytes[1] ==
        halves.result.stats.state_bytes);
  test::check_same_answer(whole.result, whole.property, halves.result, halves.property);
}

}  // namespace

TEST_CASE("compressed states give the answers whole states give") {
  const std::vector<model::Scenario> scenarios = {
      // Verified, with the progress check (19-byte states; 18).
      test::scenario("linux-4.19", 2, 2, 2, "writer,flusher,msync@1,journal"),
      test::scenario("linux-4.19", 2, 2, 2, "writer,writer,munmap,flusher"),
      // A violation mid-level, under symmetry (18 bytes).
      test::scenario("linux-2.6.20", 2, 2, 2, "writer*2,flusher,msync"),
  };
  for (const model::Scenario& s : scenarios) {
    CAPTURE(s.variant->name);
    CAPTURE(s.actors.size());
    checker::SearchOptions options;
    for (const unsigned threads : {1u, 2u}) {
      CAPTURE(threads);
      options.threads = threads;
      same_with_and_without_compression(s, options);
    }
    options.threads = 1;
    options.order = checker::Order::depth_first;  // records with parent links
    same_with_and_without_compression(s, options);
    options.order = checker::Order::breadth_first;
    options.limits.max_states = 5000;
    same_with_and_without_compression(s, options);
  }
}
