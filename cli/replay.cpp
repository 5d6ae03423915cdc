#include <cstdio>

#include "cli/commands.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"
#include "model/footprints.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"

namespace dirtyrace::cli {

namespace {

/// `symbolic` made concrete with the values the trace's ranges give its symbols, if those are
/// consistent and admitted by its constraints; else `symbolic` resolved as far as it goes, which
/// then differs from the trace's scenario.
model::Scenario at_trace_witness(const model::Scenario& symbolic, const model::Scenario& recorded) {
  model::Assignment values;
  bool consistent = symbolic.actors.size() == recorded.actors.size();
  for (std::size_t i = 0; consistent && i < symbolic.actors.size(); ++i) {
    const auto& want = symbolic.actors[i].range;
    const auto& got = recorded.actors[i].range;
    if (!want) continue;
    if (!got) {
      consistent = false;
      break;
    }
    for (const auto& [term, value] :
         {std::pair{&want->off, got->off.value}, std::pair{&want->len, got->len.value}}) {
      if (!term->symbolic()) continue;
      const auto [it, fresh] = values.emplace(term->symbol, value);
      consistent = consistent && (fresh || it->second == value);
    }
  }
  model::Scenario resolved = symbolic;
  resolved.resolve_geometry();
  if (!consistent || !model::admits(resolved, model::parse_constraints(resolved), values)) {
    return resolved;
  }
  return model::concrete_scenario(resolved, values);
}

}  // namespace

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
    if (expected.needs_classes()) {
      // A symbolic scenario: the trace was found in one of its footprint classes, at a witness.
      expected = at_trace_witness(expected, trace.scenario);
    } else {
      expected.validate_and_resolve();
    }
    if (traces::scenario_to_json(expected) != traces::scenario_to_json(trace.scenario)) {
      throw model::UsageError("the trace was recorded under another scenario than '" +
                              model::echo(o.scenario_file) + "'; replay it without --scenario");
    }
  }
  const traces::ReplayResult r = traces::replay(trace);
  std::printf("%s: %s\n", r.confirmed ? "confirmed" : "diverged", r.message.c_str());
  return r.confirmed ? kExitVerified : kExitViolation;
}

}  // namespace dirtyrace::cli
