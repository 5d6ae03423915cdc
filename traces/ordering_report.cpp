#include "traces/ordering_report.hpp"
#include "traces/columns.hpp"

#include <algorithm>

#include "traces/json.hpp"
#include "traces/text.hpp"

namespace dirtyrace::traces {

namespace {

std::string verdict_text(const analyses::OrderingRow& row) {
  switch (row.verdict) {
    case checker::Verdict::verified:
      return "verified";
    case checker::Verdict::violation:
      return "VIOLATION";
    case checker::Verdict::inconclusive:
      return "inconclusive (" + std::string(checker::to_string(row.stop)) + ")";
  }
  return "?";
}

std::string dash_if_empty(const std::string& s) {
  return s.empty() ? "-" : s;
}

std::string length_text(const analyses::OrderingRow& row) {
  return row.verdict == checker::Verdict::violation ? std::to_string(row.length) : "-";
}

std::string header(const model::Scenario& scenario, const analyses::OrderingReport& report) {
  return report.routine + " on " + std::string(scenario.variant->name) + "; " +
         describe_scenario(scenario);
}

std::string summary(const analyses::OrderingReport& report) {
  std::size_t failing = 0;
  for (const auto& row : report.rows) failing += row.verdict == checker::Verdict::violation;
  std::string s = std::to_string(report.rows.size()) + " order(s) checked, " +
                  std::to_string(failing) + " with a violation";
  if (!report.complete) s += "; the dependencies allow more orders than were checked";
  return s;
}

/// "data: cleaned", or the kind alone for edges that tie no local.
std::string why(const model::DependencyGraph::Edge& e) {
  std::string out(model::dependency_name(e.why));
  return e.locals.empty() ? out : out + ": " + e.locals;
}

}  // namespace

std::string order_text(const std::vector<std::string>& order) {
  std::string s;
  for (const std::string& op : order) s += (s.empty() ? "" : " → ") + op;
  return s.empty() ? "(no steps)" : s;
}

std::string orderings_text(const model::Scenario& scenario,
                           const analyses::OrderingReport& report) {
  std::string out = "dirtyrace orderings: " + header(scenario, report) + "\n";
  out += "dependencies (before → after):\n";
  if (report.edges.empty()) out += "  none: the steps may run in any order\n";
  for (const auto& e : report.edges) {
    out += "  " + e.before + " → " + e.after + " (" + why(e) + ")\n";
  }
  std::size_t order_width = 5, verdict_width = 7, property_width = 8;
  for (const auto& row : report.rows) {
    order_width = std::max(order_width, display_width(order_text(row.order)));
    verdict_width = std::max(verdict_width, verdict_text(row).size());
    property_width = std::max(property_width, row.property.size());
  }
  out += "\n  #  " + pad("order", order_width) + "  " + pad("verdict", verdict_width) + "  " +
         pad("property", property_width) + "  length  states\n";
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const auto& row = report.rows[i];
    const std::string number = std::to_string(i + 1);
    const std::string length = length_text(row);
    out += std::string(number.size() < 3 ? 3 - number.size() : 0, ' ') + number + "  " +
           pad(order_text(row.order), order_width) + "  " + pad(verdict_text(row), verdict_width) +
           "  " + pad(dash_if_empty(row.property), property_width) + "  " +
           std::string(length.size() < 6 ? 6 - length.size() : 0, ' ') + length + "  " +
           std::to_string(row.states) + (row.kernel ? "  (the kernel's order)" : "") + "\n";
  }
  out += "\n" + summary(report) + "\n";
  return out;
}

std::string orderings_markdown(const model::Scenario& scenario,
                               const analyses::OrderingReport& report) {
  std::string out = "**dirtyrace orderings**: `" + report.routine + "` on " +
                    std::string(scenario.variant->name) + "; " + describe_scenario(scenario) +
                    "\n\n| # | order | verdict | property | length | states |\n"
                    "|--:|---|---|---|--:|--:|\n";
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const auto& row = report.rows[i];
    std::string order;
    for (const std::string& op : row.order)
      order += std::string(order.empty() ? "" : " → ") + "`" + op + "`";
    if (row.kernel) order += " (kernel)";
    out += "| " + std::to_string(i + 1) + " | " + order + " | " + verdict_text(row) + " | " +
           dash_if_empty(row.property) + " | " + length_text(row) + " | " +
           std::to_string(row.states) + " |\n";
  }
  out += "\nDependencies: ";
  std::string deps;
  for (const auto& e : report.edges) {
    deps += (deps.empty() ? "" : "; ") +
            ("`" + e.before + "` before `" + e.after + "` (" + why(e) + ")");
  }
  out += (deps.empty() ? "none" : deps) + ". " + summary(report) + ".\n";
  return out;
}

nlohmann::ordered_json orderings_json(const model::Scenario& scenario,
                                      const analyses::OrderingReport& report,
                                      const std::vector<std::string>& trace_files) {
  using nlohmann::ordered_json;
  ordered_json deps = ordered_json::array();
  for (const auto& e : report.edges) {
    ordered_json dep = {
        {"before", e.before}, {"after", e.after}, {"kind", model::dependency_name(e.why)}};
    if (!e.locals.empty()) dep["locals"] = e.locals;
    deps.push_back(std::move(dep));
  }
  ordered_json rows = ordered_json::array();
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const auto& row = report.rows[i];
    const bool has_trace = i < trace_files.size() && !trace_files[i].empty();
    rows.push_back({{"order", row.order},
                    {"kernel", row.kernel},
                    {"verdict", checker::to_string(row.verdict)},
                    {"stop_reason", row.stop == checker::StopReason::none
                                        ? nullptr
                                        : ordered_json(checker::to_string(row.stop))},
                    {"property", row.property.empty() ? nullptr : ordered_json(row.property)},
                    {"length", row.verdict == checker::Verdict::violation ? ordered_json(row.length)
                                                                          : nullptr},
                    {"states", row.states},
                    {"seconds", row.seconds},
                    {"trace", has_trace ? ordered_json(trace_files[i]) : nullptr}});
  }
  return {{"routine", report.routine},
          {"variant", scenario.variant->name},
          {"scenario", scenario_to_json(scenario)},
          {"dependencies", std::move(deps)},
          {"complete", report.complete},
          {"orders", std::move(rows)}};
}

}  // namespace dirtyrace::traces
