#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"
#include "properties/checked_model.hpp"
#include "traces/json.hpp"
#include "traces/simulate.hpp"

namespace dirtyrace::cli {

int run_simulate(const SimulateOptions& o) {
  if (o.interactive && !o.trace_out.empty()) {
    throw model::UsageError(
        "--trace-out is for random runs; in an interactive run type s FILE to save it");
  }
  if (!o.trace_out.empty()) traces::check_writable(o.trace_out);
  const model::Model m(build_scenario(o.scenario));
  const properties::CheckedModel system(m,
                                        properties::select_properties(m, m.scenario().properties));
  if (o.interactive) {
    traces::interactive_session(system, o.seed, std::cin, std::cout);
    return kExitVerified;
  }
  const traces::RandomRun run = traces::random_run(system, o.seed, o.steps, std::cout);
  if (!o.trace_out.empty()) {
    traces::write_file_atomically(o.trace_out, traces::trace_to_json(run.trace).dump(2) + "\n");
    std::cout << "run written to " << o.trace_out << "\n";
  }
  return run.end == traces::RunEnd::violation ? kExitViolation : kExitVerified;
}

}  // namespace dirtyrace::cli
