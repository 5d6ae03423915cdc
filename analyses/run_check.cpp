#include "analyses/run_check.hpp"

#include "model/model.hpp"

namespace dirtyrace::analyses {

CheckRun run_check(model::Scenario scenario, const checker::Limits& limits,
                   const std::atomic<bool>* interrupt, const CheckSink& sink, bool symmetry) {
  const model::Model m(std::move(scenario));
  const properties::CheckedModel system(
      m, properties::select_properties(m, m.scenario().properties), symmetry);
  checker::SearchOptions options;
  options.limits = limits;
  options.interrupt = interrupt;
  const checker::SearchResult result = checker::search(system, options);
  CheckRun run;
  run.verdict = result.verdict;
  run.stop = result.stop;
  run.states = result.stats.states;
  run.transitions = result.stats.transitions;
  run.seconds = result.stats.seconds;
  if (const auto& cx = result.counterexample) {
    // A loop closing up to a permutation is unrolled in the trace: count its steps.
    run.length = system.concrete(*cx).labels.size();
    run.property = std::string(system.violated(*cx).name);
  }
  if (sink) sink(system, result);
  return run;
}

}  // namespace dirtyrace::analyses
