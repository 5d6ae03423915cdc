#pragma once
// One exhaustive check of a scenario with its default properties, summed up for the analyses
// that run many (orderings, mutants, the zoo).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "checker/search.hpp"
#include "model/scenario.hpp"
#include "properties/checked_model.hpp"

namespace dirtyrace::analyses {

struct CheckRun {
  checker::Verdict verdict = checker::Verdict::inconclusive;
  checker::StopReason stop = checker::StopReason::none;
  std::string property;    // the violated property
  std::size_t length = 0;  // steps of the shortest counterexample (as its trace shows it)
  std::uint64_t states = 0, transitions = 0;
  double seconds = 0;
};

/// Sees the system and the raw result, e.g. to write the counterexample as a trace.
using CheckSink =
    std::function<void(const properties::CheckedModel&, const checker::SearchResult&)>;

/// Checks `scenario` (breadth first) with the properties it names, or every one that applies;
/// with `symmetry`, on one state per orbit of its symmetry group (model/symmetry.hpp). The sink
/// sees the search's own result: make_trace turns its counterexample into the run in actor names.
CheckRun run_check(model::Scenario scenario, const checker::Limits& limits,
                   const std::atomic<bool>* interrupt = nullptr, const CheckSink& sink = {},
                   bool symmetry = true);

}  // namespace dirtyrace::analyses
