#pragma once
// How much partial-order reduction could save with the dependency relation the steps declare
// today (Step::reads and Step::writes, by kind of variable): over every reachable state, the
// transitions enabled against those of the smallest persistent set (every reachable state,
// properties aside: a search with violations explores all). The sets are computed
// without a visibility condition and without a cycle proviso, so the figure is an upper bound on
// what a sound reduction at this granularity would prune.

#include <utility>
#include <vector>

#include "model/scenario.hpp"

namespace dirtyrace::bench {

void bench_independence(const std::vector<std::pair<const char*, model::Scenario>>& cases);

}  // namespace dirtyrace::bench
