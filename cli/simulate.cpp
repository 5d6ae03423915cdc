#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"
#include "properties/checked_model.hpp"
#include "traces/json.hpp"
#include "traces/simulate.hpp"

namespace dirtyrace::cli {

void setup_simulate(CLI::App& app, SimulateOptions& o) {
  add_scenario_options(app, o.scenario);
  app.add_flag("-i,--interactive", o.interactive,
               "Choose each step yourself in the terminal (h for help once it runs)");
  app.add_option("--seed", o.seed,
                 "Seed of the random choices (default 1): the same seed gives the same run")
      ->check(whole_number());
  app.add_option("--steps", o.steps, "Stop a random run after this many steps (default 1000)")
      ->check(CLI::Range(0LL, 1000000000LL));
  app.add_option("--trace-out", o.trace_out,
                 "Write the random run as a trace file (for replay and show)")
      ->check(non_empty());
}

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
