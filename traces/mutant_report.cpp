#include "traces/mutant_report.hpp"

#include <vector>

#include "traces/columns.hpp"

namespace dirtyrace::traces {

namespace {

using analyses::MutantResult;

std::string kind_text(analyses::Mutant::Kind kind) {
  switch (kind) {
    case analyses::Mutant::Kind::drop:
      return "drop";
    case analyses::Mutant::Kind::reorder:
      return "reorder";
    case analyses::Mutant::Kind::swap:
      return "swap";
  }
  return "?";
}

std::string fate_text(const MutantResult& r) {
  switch (r.fate) {
    case MutantResult::Fate::killed:
      return "killed";
    case MutantResult::Fate::survived:
      return r.same_counts ? "survives (same state space size)" : "survives";
    case MutantResult::Fate::inconclusive:
      return "inconclusive";
    case MutantResult::Fate::unjudged:
      return "not judged";
  }
  return "?";
}

std::string percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? "-" : std::to_string((part * 100 + whole / 2) / whole) + "%";
}

std::string summary(const analyses::MutantReport& report) {
  const std::size_t killed = report.count(MutantResult::Fate::killed);
  const std::size_t survived = report.count(MutantResult::Fate::survived);
  std::size_t same = 0;
  for (const auto& r : report.routines) {
    for (const auto& m : r.results) same += m.fate == MutantResult::Fate::survived && m.same_counts;
  }
  std::string s = std::to_string(report.total()) + " mutants: " + std::to_string(killed) +
                  " killed (" + percent(killed, report.total()) + "), " + std::to_string(survived) +
                  " survive";
  if (same > 0) s += " (" + std::to_string(same) + " with the kernel's state space size)";
  const std::size_t open = report.count(MutantResult::Fate::inconclusive);
  if (open > 0) s += ", " + std::to_string(open) + " inconclusive";
  const std::size_t unjudged = report.count(MutantResult::Fate::unjudged);
  if (unjudged > 0) {
    s += ", " + std::to_string(unjudged) +
         " not judged (the kernel's own routines fail every scenario that runs them)";
  }
  return s;
}

std::string kernel_failures(const analyses::MutantReport& report, const std::string& quote) {
  std::string out;
  for (const auto& [scenario, property] : report.kernel_failures) {
    out += "the kernel's own routines fail " + quote + property + quote + " on scenario " + quote +
           scenario + quote + ", which judges no mutant\n";
  }
  return out;
}

/// " --fs ext4" when the report is of another filesystem than the variant's default.
std::string on_fs(const analyses::MutantReport& report) {
  return report.fs.empty() || report.fs == "generic" ? "" : " --fs " + report.fs;
}

}  // namespace

std::string mutants_text(const analyses::MutantReport& report) {
  std::string out =
      "dirtyrace mutants: " + report.variant + on_fs(report) + "\n" + kernel_failures(report, "");
  for (const auto& r : report.routines) {
    std::string scenarios;
    for (const std::string& s : r.scenarios) scenarios += (scenarios.empty() ? "" : ", ") + s;
    out += "\n" + r.routine + " (scenarios: " + (scenarios.empty() ? "none" : scenarios) + ")\n";
    std::vector<std::vector<std::string>> rows = {
        {"#", "kind", "mutant", "fate", "property", "scenario", "length"}};
    for (std::size_t i = 0; i < r.results.size(); ++i) {
      const MutantResult& m = r.results[i];
      const bool killed = m.fate == MutantResult::Fate::killed;
      rows.push_back({std::to_string(i + 1), kind_text(m.mutant.kind), m.mutant.change,
                      fate_text(m), killed ? m.property : "-", killed ? m.scenario : "-",
                      killed ? std::to_string(m.length) : "-"});
    }
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < row.size(); ++c)
        width[c] = std::max(width[c], display_width(row[c]));
    }
    for (const auto& row : rows) {
      std::string line = "  " + pad_left(row[0], width[0]);
      for (std::size_t c = 1; c < row.size(); ++c) {
        line += "  " + (c + 1 == row.size() ? pad_left(row[c], width[c]) : pad(row[c], width[c]));
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  out += "\n" + summary(report) + "\n";
  return out;
}

std::string mutants_markdown(const analyses::MutantReport& report) {
  std::string out = "**dirtyrace mutants** on " + report.variant + on_fs(report) + "\n\n" +
                    kernel_failures(report, "`");
  for (const auto& r : report.routines) {
    out += "\n`" + r.routine +
           "`\n\n| # | kind | mutant | fate | property | scenario | length |\n"
           "|--:|---|---|---|---|---|--:|\n";
    for (std::size_t i = 0; i < r.results.size(); ++i) {
      const MutantResult& m = r.results[i];
      const bool killed = m.fate == MutantResult::Fate::killed;
      out += "| " + std::to_string(i + 1) + " | " + kind_text(m.mutant.kind) + " | " +
             m.mutant.change + " | " + fate_text(m) + " | " +
             (killed ? "`" + m.property + "`" : "-") + " | " + (killed ? m.scenario : "-") + " | " +
             (killed ? std::to_string(m.length) : "-") + " |\n";
    }
  }
  out += "\n" + summary(report) + ".\n";
  return out;
}

nlohmann::ordered_json mutants_json(const analyses::MutantReport& report) {
  using nlohmann::ordered_json;
  ordered_json failures = ordered_json::array();
  for (const auto& [scenario, property] : report.kernel_failures) {
    failures.push_back({{"scenario", scenario}, {"property", property}});
  }
  ordered_json routines = ordered_json::array();
  for (const auto& r : report.routines) {
    ordered_json mutants = ordered_json::array();
    for (const MutantResult& m : r.results) {
      ordered_json j = {{"kind", kind_text(m.mutant.kind)},
                        {"change", m.mutant.change},
                        {"order", m.mutant.order},
                        {"fate", analyses::to_string(m.fate)}};
      if (m.fate == MutantResult::Fate::killed) {
        j["property"] = m.property;
        j["scenario"] = m.scenario;
        j["length"] = m.length;
      }
      if (m.fate == MutantResult::Fate::survived) j["same_state_space_size"] = m.same_counts;
      mutants.push_back(std::move(j));
    }
    routines.push_back({{"routine", r.routine}, {"scenarios", r.scenarios}, {"mutants", mutants}});
  }
  return {{"variant", report.variant},
          {"fs", report.fs},
          {"kernel_failures", failures},
          {"routines", routines},
          {"mutants", report.total()},
          {"killed", report.count(MutantResult::Fate::killed)},
          {"survived", report.count(MutantResult::Fate::survived)},
          {"inconclusive", report.count(MutantResult::Fate::inconclusive)},
          {"unjudged", report.count(MutantResult::Fate::unjudged)},
          {"complete", report.complete}};
}

}  // namespace dirtyrace::traces
