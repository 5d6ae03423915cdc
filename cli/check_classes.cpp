// `dirtyrace check` on symbolic byte ranges: the report of analyses::check_classes, which
// explores the footprint classes one after another.

#include <cstdio>
#include <iostream>

#include "analyses/check_classes.hpp"
#include "cli/check_common.hpp"
#include "cli/interrupt.hpp"
#include "cli/scenario_options.hpp"
#include "properties/checked_model.hpp"
#include "traces/json.hpp"
#include "traces/text.hpp"

namespace dirtyrace::cli {

namespace {

model::Scenario with_geometry(model::Scenario s) {
  s.resolve_geometry();
  s.assign_writer_mappings();
  return s;
}

}  // namespace

int run_check_classes(const CheckOptions& o, const model::Scenario& scenario) {
  checker::SearchOptions search = search_options(o);
  // Ctrl-C stops the class being searched, and with it the run, as inconclusive.
  const InterruptScope interrupt;
  search.interrupt = interrupt.flag();
  std::optional<traces::Trace> trace;
  const analyses::ClassesCheck run = analyses::check_classes(
      scenario, search, o.scenario.z3_rlimit, !o.no_symmetry,
      [&](const properties::CheckedModel& system, const checker::SearchResult& r) {
        if (r.counterexample) trace = traces::make_trace(system, *r.counterexample);
      });
  const model::Enumeration& e = run.enumeration;
  const checker::Verdict verdict = run.verdict;
  const checker::StopReason stop = run.stop;
  const checker::Statistics& total = run.total;
  const std::vector<std::string>& properties_checked = run.properties_checked;
  const std::size_t explored = run.explored;
  if (trace && !o.trace_out.empty()) {
    traces::write_file_atomically(o.trace_out, traces::trace_to_json(*trace).dump(2) + "\n");
  }
  const model::FootprintClass* failing = run.violating();

  if (o.json) {
    nlohmann::ordered_json witness = nlohmann::ordered_json::object();
    if (failing) {
      for (const auto& [name, value] : failing->witness) witness[name] = value;
    }
    const nlohmann::ordered_json out{
        {"verdict", checker::to_string(verdict)},
        {"property", trace ? nlohmann::ordered_json(trace->property) : nullptr},
        {"variant", scenario.variant->name},
        {"scenario", traces::scenario_to_json(scenario)},
        {"properties_checked", properties_checked},
        {"stop_reason", stop == checker::StopReason::none
                            ? nullptr
                            : nlohmann::ordered_json(checker::to_string(stop))},
        {"states", total.states},
        {"transitions", total.transitions},
        {"depth", total.depth},
        {"seconds", total.seconds},
        {"states_per_second", total.states_per_second()},
        {"bytes_per_state", total.bytes_per_state()},
        {"peak_memory_bytes", total.peak_rss_bytes},
        {"classes",
         {{"feasible", e.feasible()},
          {"candidates", e.candidates},
          {"infeasible", e.infeasible()},
          {"duplicates", e.duplicates()},
          {"to_explore", e.distinct()},
          {"explored", explored},
          {"complete", e.complete},
          {"unknown_reason", e.complete ? nullptr : nlohmann::ordered_json(e.unknown_reason)},
          {"z3_checks", e.checks},
          {"z3_seconds", e.z3_seconds},
          {"violating_class", failing ? nlohmann::ordered_json(*run.last + 1) : nullptr},
          {"witness", failing ? std::move(witness) : nullptr},
          {"witness_ranges", failing ? nlohmann::ordered_json(failing->describe()) : nullptr}}},
        {"trace", trace ? traces::trace_to_json(*trace) : nullptr}};
    std::cout << out.dump(2) << "\n";
    return exit_code(verdict);
  }

  std::printf("dirtyrace check: %s; %s\n", std::string(scenario.variant->name).c_str(),
              traces::describe_scenario(with_geometry(scenario)).c_str());
  for (const std::string& c : scenario.constraints) std::printf("constraint: %s\n", c.c_str());
  std::string names;
  for (const auto& p : properties_checked) names += (names.empty() ? "" : ", ") + p;
  std::printf("properties: %s\n", names.c_str());
  std::printf("footprint classes: %zu feasible", e.feasible());
  if (e.complete) {
    std::printf(" (%llu of %llu candidates ruled out as infeasible)",
                static_cast<unsigned long long>(e.infeasible()),
                static_cast<unsigned long long>(e.candidates));
  }
  std::printf(", %zu duplicates, %zu to explore\n\n", e.duplicates(), e.distinct());
  switch (verdict) {
    case checker::Verdict::verified:
      std::printf(
          "verdict: VERIFIED: in each of the %zu footprint classes, every reachable state "
          "satisfies every property\n",
          explored);
      break;
    case checker::Verdict::violation:
      std::printf("verdict: VIOLATION of %s in footprint class %zu: %s\n", trace->property.c_str(),
                  *run.last + 1, failing->describe().c_str());
      if (!failing->witness.empty())
        std::printf("witness: %s\n", failing->describe_witness().c_str());
      std::printf("\n%s", traces::render_trace(*trace).c_str());
      if (!o.trace_out.empty()) std::printf("\ntrace written to %s\n", o.trace_out.c_str());
      break;
    case checker::Verdict::inconclusive:
      if (stop != checker::StopReason::none) {
        std::printf(
            "verdict: INCONCLUSIVE (%s): no violation in the %llu states explored; not every "
            "state of every class was reached\n",
            std::string(checker::to_string(stop)).c_str(),
            static_cast<unsigned long long>(total.states));
      } else {
        std::printf(
            "verdict: INCONCLUSIVE (Z3: %s): no violation in the %zu classes Z3 found, but it "
            "could not decide whether other footprints are feasible\n",
            e.unknown_reason.c_str(), explored);
      }
      break;
  }
  std::printf("\n");
  // Each class has its own ranges, so its own group.
  print_statistics(
      total, o.stats,
      o.no_symmetry ? "off (--no-symmetry)" : "on, each footprint class by its own group",
      o.no_compression ? "off (--no-compression)" : "");
  std::printf("  classes explored %zu of %zu\n", explored, e.distinct());
  std::printf("  z3 checks       %zu\n", e.checks);
  if (o.stats) std::printf("  z3 seconds      %.3f\n", e.z3_seconds);
  return exit_code(verdict);
}

}  // namespace dirtyrace::cli
