#include <cstdio>

#include "cli/commands.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"

namespace dirtyrace::cli {

void setup_replay(CLI::App& app, ReplayOptions& o) {
  app.add_option("trace", o.file, "Trace file written by 'dirtyrace check --trace-out'")
      ->required();
  app.add_option("--variant", o.variant, "Fail unless the trace was recorded under this variant")
      ->check(non_empty());
  app.add_option("--scenario", o.scenario_file,
                 "Fail unless the trace was recorded under this scenario file")
      ->check(non_empty());
}

int run_replay(const ReplayOptions& o) {
  const traces::Trace trace = traces::read_trace_file(o.file);
  const std::string recorded(trace.scenario.variant->name);
  if (!o.variant.empty() && model::variant_named(o.variant).name != recorded) {
    throw model::UsageError("the trace was recorded under " + recorded + ", not " +
                            model::echo(o.variant) + "; replay it with --variant " + recorded +
                            " or without --variant");
  }
  if (!o.scenario_file.empty()) {
    ScenarioOptions so;
    so.scenario_file = o.scenario_file;
    model::Scenario expected = build_scenario(so);
    expected.validate_and_resolve();
    if (traces::scenario_to_json(expected) != traces::scenario_to_json(trace.scenario)) {
      throw model::UsageError("the trace was recorded under another scenario than '" +
                              o.scenario_file + "'; replay it without --scenario");
    }
  }
  const traces::ReplayResult r = traces::replay(trace);
  std::printf("%s: %s\n", r.confirmed ? "confirmed" : "diverged", r.message.c_str());
  return r.confirmed ? kExitVerified : kExitViolation;
}

}  // namespace dirtyrace::cli
