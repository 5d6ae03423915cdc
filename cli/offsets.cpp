#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/scenario_options.hpp"
#include "model/footprints.hpp"
#include "model/model.hpp"
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

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

nlohmann::ordered_json class_to_json(const model::FootprintClass& c, std::size_t index) {
  nlohmann::ordered_json actors = nlohmann::ordered_json::array();
  const model::Geometry g = c.scenario.geometry();
  for (const model::ActorFootprint& a : c.actors) {
    nlohmann::ordered_json j{{"actor", a.name},
                             {"off", a.off},
                             {"len", a.len},
                             {"outcome", model::to_string(a.footprint.outcome)}};
    const bool blocks = a.rule == model::RangeRule::memcpy;
    nlohmann::ordered_json touched = nlohmann::ordered_json::array();
    for (int i = a.footprint.first;
         a.footprint.outcome == model::RangeOutcome::touches && i <= a.footprint.last; ++i) {
      touched.push_back(i);
    }
    j[blocks ? "blocks" : "pages"] = std::move(touched);
    j["touches"] = model::describe_footprint(a.rule, a.footprint, g);
    actors.push_back(std::move(j));
  }
  nlohmann::ordered_json witness = nlohmann::ordered_json::object();
  for (const auto& [name, value] : c.witness) witness[name] = value;
  return {{"class", index + 1},
          {"duplicate_of", c.duplicate_of ? nlohmann::ordered_json(*c.duplicate_of + 1) : nullptr},
          {"actors", std::move(actors)},
          {"witness", std::move(witness)}};
}

/// Refuses what `check` would refuse before its first class (the routine orders, the
/// properties), so that offsets never lists classes of a scenario check rejects: the scenario
/// with every symbol 0, as a model.
void check_as_check_would(const model::Scenario& s) {
  model::Scenario shape = s;
  shape.constraints.clear();
  for (model::ActorSpec& a : shape.actors) {
    if (!a.range) continue;
    for (model::ByteTerm* t : {&a.range->off, &a.range->len}) {
      if (t->symbolic()) *t = model::ByteTerm{};
    }
  }
  const model::Model m(shape);
  properties::select_properties(m, m.scenario().properties);
}

}  // namespace

int run_offsets(const OffsetsOptions& o) {
  const model::Scenario scenario = build_scenario(o.scenario);
  check_as_check_would(scenario);
  const std::uint64_t max_memory =
      o.max_memory.empty() ? 0 : parse_size(o.max_memory, "--max-memory");
  const model::Enumeration e = model::enumerate_footprints(
      scenario, {.rlimit = o.scenario.z3_rlimit, .max_memory_bytes = max_memory});
  const int code = e.complete ? kExitVerified : kExitInconclusive;
  if (o.json) {
    nlohmann::ordered_json classes = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < e.classes.size(); ++i)
      classes.push_back(class_to_json(e.classes[i], i));
    const nlohmann::ordered_json out{
        {"variant", scenario.variant->name},
        {"scenario", traces::scenario_to_json(scenario)},
        {"complete", e.complete},
        {"unknown_reason", e.complete ? nullptr : nlohmann::ordered_json(e.unknown_reason)},
        {"feasible", e.feasible()},
        {"candidates", e.candidates},
        {"infeasible", e.infeasible()},
        {"duplicates", e.duplicates()},
        {"distinct", e.distinct()},
        {"z3_checks", e.checks},
        {"z3_seconds", e.z3_seconds},
        {"classes", std::move(classes)}};
    std::cout << out.dump(2) << "\n";
    return code;
  }
  std::printf("dirtyrace offsets: %s; %s\n", std::string(scenario.variant->name).c_str(),
              traces::describe_scenario(with_geometry(scenario)).c_str());
  for (const std::string& c : scenario.constraints) std::printf("constraint: %s\n", c.c_str());
  std::size_t name_width = 5;
  for (const auto& c : e.classes) {
    for (const auto& a : c.actors) name_width = std::max(name_width, a.name.size());
  }
  for (std::size_t i = 0; i < e.classes.size(); ++i) {
    const model::FootprintClass& c = e.classes[i];
    std::printf("\nclass %zu", i + 1);
    if (c.duplicate_of) {
      std::printf(" (the same as class %zu with the actors in another order: not explored)",
                  *c.duplicate_of + 1);
    }
    std::printf("\n");
    for (const model::ActorFootprint& a : c.actors) {
      std::printf("  %s  off %-6lld len %-6lld %s\n", pad(a.name, name_width).c_str(),
                  static_cast<long long>(a.off), static_cast<long long>(a.len),
                  model::describe_footprint(a.rule, a.footprint, c.scenario.geometry()).c_str());
    }
    if (!c.witness.empty()) {
      std::printf("  %s  %s\n", pad("witness", name_width).c_str(), c.describe_witness().c_str());
    }
  }
  std::printf("\n");
  if (!e.complete) {
    std::printf("INCOMPLETE: Z3 could not decide whether more footprints are feasible (%s)\n\n",
                e.unknown_reason.c_str());
  }
  std::printf("feasible footprints      %zu\n", e.feasible());
  if (e.complete) {
    std::printf("ruled out as infeasible  %llu (of %llu candidate footprints)\n",
                static_cast<unsigned long long>(e.infeasible()),
                static_cast<unsigned long long>(e.candidates));
  }
  std::printf("duplicates               %zu\n", e.duplicates());
  std::printf("classes to explore       %zu\n", e.distinct());
  std::printf("z3 checks                %zu\n", e.checks);
  if (o.stats) std::printf("z3 seconds               %.3f\n", e.z3_seconds);
  return code;
}

}  // namespace dirtyrace::cli
