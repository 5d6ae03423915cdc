#include <cstdio>
#include <filesystem>
#include <iostream>

#include "analyses/orderings.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"
#include "traces/json.hpp"
#include "traces/ordering_report.hpp"
#include "traces/trace.hpp"

namespace dirtyrace::cli {

namespace {

/// "before,after" as a pair.
std::pair<std::string, std::string> parse_edge(const std::string& text, const char* option) {
  const std::vector<std::string> parts = split_list(text);
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    throw model::UsageError(std::string(option) + " '" + model::echo(text) +
                            "' must name two steps, the earlier first: BEFORE,AFTER");
  }
  return {parts[0], parts[1]};
}

int exit_code(const analyses::OrderingReport& report) {
  bool inconclusive = !report.complete;
  for (const auto& row : report.rows) {
    if (row.kernel && row.verdict == checker::Verdict::violation) return kExitViolation;
    inconclusive = inconclusive || row.verdict == checker::Verdict::inconclusive;
  }
  return inconclusive ? kExitInconclusive : kExitVerified;
}

/// The scenario when given no options: small enough to check many orders quickly, with every
/// actor kind whose routines are worth reordering.
model::Scenario orderings_default_scenario() {
  model::Scenario s = model::default_scenario();
  s.actors = model::parse_actor_list("writer,flusher,msync,munmap,reclaim");
  return s;
}

}  // namespace

int run_orderings(const OrderingsOptions& o) {
  model::Scenario scenario = build_scenario(o.scenario, orderings_default_scenario());
  scenario.validate_and_resolve();
  if (o.format != "text" && o.format != "md" && o.format != "json") {
    throw model::UsageError("unknown --format '" + model::echo(o.format) +
                            "'; use text, md or json");
  }
  if (o.list_routines) {
    for (const std::string& r : analyses::routines_run(scenario)) std::printf("%s\n", r.c_str());
    return kExitVerified;
  }
  if (o.routine.empty()) {
    throw model::UsageError(
        "--routine is required (dirtyrace orderings --list-routines lists them)");
  }
  analyses::OrderingEdits edits;
  edits.drop = o.drop;
  edits.cross_lock = o.cross_lock;
  for (const auto& e : o.add_edges) edits.add_edges.push_back(parse_edge(e, "--add-edge"));
  for (const auto& e : o.remove_edges) edits.remove_edges.push_back(parse_edge(e, "--remove-edge"));

  analyses::OrderingOptions options;
  if (o.max_states < 0) throw model::UsageError("--max-states must not be negative");
  options.limits.max_states = static_cast<std::uint64_t>(o.max_states);
  if (o.time_limit < 0) throw model::UsageError("--time-limit must not be negative");
  options.limits.time_limit_seconds = o.time_limit;
  if (o.max_orders < 1) throw model::UsageError("--max-orders must be at least 1");
  options.max_orders = static_cast<std::size_t>(o.max_orders);
  if (!o.trace_out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.trace_out, ec);
    if (ec) {
      throw model::UsageError("cannot create --trace-out directory '" + model::echo(o.trace_out) +
                              "': " + ec.message());
    }
  }

  std::vector<std::string> trace_files;
  const auto on_row = [&](const properties::CheckedModel& system,
                          const checker::SearchResult& result) {
    std::string file;
    if (result.counterexample && !o.trace_out.empty()) {
      file = (std::filesystem::path(o.trace_out) /
              ("order-" + std::to_string(trace_files.size() + 1) + ".json"))
                 .string();
      const traces::Trace trace = traces::make_trace(system, *result.counterexample);
      traces::write_file_atomically(file, traces::trace_to_json(trace).dump(2) + "\n");
    }
    trace_files.push_back(std::move(file));
  };
  const analyses::OrderingReport report = [&] {
    const InterruptScope interrupt;
    options.interrupt = interrupt.flag();
    return analyses::explore_orderings(scenario, o.routine, edits, options, on_row);
  }();

  if (o.format == "json") {
    std::cout << traces::orderings_json(scenario, report, trace_files).dump(2) << "\n";
  } else if (o.format == "md") {
    std::cout << traces::orderings_markdown(scenario, report);
  } else {
    std::cout << traces::orderings_text(scenario, report);
    for (std::size_t i = 0; i < trace_files.size(); ++i) {
      if (!trace_files[i].empty())
        std::printf("order %zu: trace written to %s\n", i + 1, trace_files[i].c_str());
    }
  }
  return exit_code(report);
}

}  // namespace dirtyrace::cli
