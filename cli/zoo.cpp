#include <cstdio>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "analyses/zoo.hpp"
#include "cli/commands.hpp"

namespace dirtyrace::cli {

int run_zoo(const ZooOptions& o) {
  bool all_ok = true;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  if (!o.json) {
    std::printf("%-12s %-14s %-15s %-13s %-8s %-17s %-6s %5s  %-13s %-9s %7s\n", "commit", "date",
                "author", "variant", "fs", "property", "found", "steps", "fixed in", "verdict",
                "seconds");
  }
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    const analyses::ZooResult r = analyses::run_zoo_entry(e);
    all_ok = all_ok && r.ok();
    const std::string fixed_in = e.fixed_variant.empty() ? "-" : std::string(e.fixed_variant);
    const std::string verdict =
        e.fixed_variant.empty() ? "-" : std::string(checker::to_string(r.fixed));
    const std::string fs = e.fs.empty() ? "generic" : std::string(e.fs);
    if (o.json) {
      rows.push_back(
          {{"commit", e.commit},
           {"date", e.date},
           {"author", e.author},
           {"summary", e.summary},
           {"variant", e.variant},
           {"fs", fs},
           {"actors", e.actors},
           {"io_errors", e.io_errors},
           {"holes", e.holes},
           {"property", e.property},
           {"found", r.found},
           {"steps", r.length},
           {"fixed_variant", e.fixed_variant.empty() ? nullptr : nlohmann::ordered_json(fixed_in)},
           {"fixed_verdict", e.fixed_variant.empty() ? nullptr : nlohmann::ordered_json(verdict)},
           {"seconds", r.seconds},
           {"ok", r.ok()}});
      continue;
    }
    std::printf("%-12s %-14s %-15s %-13s %-8s %-17s %-6s %5zu  %-13s %-9s %7.2f\n",
                std::string(e.commit).c_str(), std::string(e.date).c_str(),
                std::string(e.author).c_str(), std::string(e.variant).c_str(), fs.c_str(),
                std::string(e.property).c_str(), r.found ? "yes" : "NO", r.length, fixed_in.c_str(),
                verdict.c_str(), r.seconds);
    const std::string errors =
        e.io_errors ? ", --io-errors " + std::to_string(e.io_errors) : std::string();
    std::printf("             %s; actors %s%s\n", std::string(e.summary).c_str(),
                std::string(e.actors).c_str(), errors.c_str());
  }
  if (o.json)
    std::cout << rows.dump(2) << "\n";
  else if (!all_ok)
    std::printf("\nzoo: a known bug was not found or a fixed variant failed\n");
  return all_ok ? kExitVerified : kExitViolation;
}

}  // namespace dirtyrace::cli
