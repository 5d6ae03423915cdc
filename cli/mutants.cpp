#include <cstdio>
#include <iostream>

#include "analyses/mutants.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "model/error.hpp"
#include "model/variant.hpp"
#include "traces/mutant_report.hpp"

namespace dirtyrace::cli {

int run_mutants(const MutantsOptions& o) {
  const model::Variant& variant =
      o.variant.empty() ? *model::default_scenario().variant : model::variant_named(o.variant);
  const model::Filesystem fs =
      o.fs.empty() ? model::Filesystem::generic : model::filesystem_named(o.fs);
  if (!model::has_filesystem(variant, fs)) {
    throw model::UsageError("--fs " + o.fs + " is not modelled on " + std::string(variant.name) +
                            "; 'dirtyrace list' says which variants model it");
  }
  if (o.format != "text" && o.format != "md" && o.format != "json") {
    throw model::UsageError("unknown --format '" + o.format + "'; use text, md or json");
  }
  if (o.list_routines) {
    for (const std::string& r : analyses::mutable_routines(variant, fs)) {
      std::printf("%s\n", r.c_str());
    }
    return kExitVerified;
  }
  for (const std::string& r : o.routines) analyses::mutants_of(variant, r, fs);  // names checked
  analyses::MutantOptions options;
  options.fs = fs;
  if (o.max_states < 0) throw model::UsageError("--max-states must not be negative");
  options.limits.max_states = static_cast<std::uint64_t>(o.max_states);
  if (o.time_limit < 0) throw model::UsageError("--time-limit must not be negative");
  options.limits.time_limit_seconds = o.time_limit;
  std::size_t judged = 0;
  if (!o.quiet) {
    options.on_result = [&](const std::string& routine, const analyses::MutantResult& r) {
      std::fprintf(stderr, "mutant %zu (%s): %s\n", ++judged, routine.c_str(),
                   r.mutant.change.c_str());
    };
  }
  const analyses::MutantReport report = [&] {
    const InterruptScope interrupt;
    options.interrupt = interrupt.flag();
    return analyses::run_mutants(variant, o.routines, options);
  }();
  if (o.format == "json") {
    std::cout << traces::mutants_json(report).dump(2) << "\n";
  } else if (o.format == "md") {
    std::cout << traces::mutants_markdown(report);
  } else {
    std::cout << traces::mutants_text(report);
  }
  return report.complete ? kExitVerified : kExitInconclusive;
}

}  // namespace dirtyrace::cli
