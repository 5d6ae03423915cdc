#pragma once
// How much partial-order reduction could save: over every reachable state, the transitions
// enabled against those of the smallest persistent set (every reachable state, properties aside:
// a search with violations explores all), twice. First with the dependency relation the steps
// declare (Step::reads and Step::writes, by kind of variable); then by object, optimistically:
// each kind split per page, per mapping and page, per CPU and page or per mapping, each actor's
// next step on the one page it works on, and its future on the pages it may visit at all, which
// is less than a sound relation could claim. The sets are computed without a visibility condition
// and without a cycle proviso, so both figures are upper bounds on what a sound reduction at
// their granularity would prune.

#include <utility>
#include <vector>

#include "model/scenario.hpp"

namespace dirtyrace::bench {

void bench_independence(const std::vector<std::pair<const char*, model::Scenario>>& cases);

}  // namespace dirtyrace::bench
