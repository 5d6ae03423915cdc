#pragma once
// `dirtyrace check` on symbolic byte ranges: Z3 lists the footprint classes, and each class that
// is no duplicate is explored in turn, breadth-first, in the order `dirtyrace offsets` lists
// them. The first class with a violation ends the run: its counterexample is a shortest one for
// that class, and its witness gives the offsets that reproduce it.

#include <optional>
#include <string>
#include <vector>

#include "analyses/run_check.hpp"
#include "checker/search.hpp"
#include "model/footprints.hpp"
#include "model/scenario.hpp"

namespace dirtyrace::analyses {

struct ClassesCheck {
  model::Enumeration enumeration;
  /// Verified only if every class verified and Z3 ruled every other footprint out.
  checker::Verdict verdict = checker::Verdict::verified;
  checker::StopReason stop = checker::StopReason::none;
  std::size_t explored = 0;  // classes searched
  /// The class whose search ended the run (a violation or a limit): enumeration.classes[*last].
  std::optional<std::size_t> last;
  /// The searches' figures as one: sums, and the largest depth, width and memory.
  checker::Statistics total;
  std::vector<std::string> properties_checked;  // those of the first class searched

  /// The class with the violation, if any.
  const model::FootprintClass* violating() const {
    return verdict == checker::Verdict::violation ? &enumeration.classes[*last] : nullptr;
  }
};

/// Checks each footprint class of `scenario` with `search` (its limits hold for the enumeration
/// too: memory for Z3, the time for all of it), with symmetry reduction if `symmetry`. `sink`
/// sees the system and result of the search that ended the run, e.g. to make its trace.
/// Throws model::UsageError when the constraints admit no byte ranges at all.
ClassesCheck check_classes(const model::Scenario& scenario, checker::SearchOptions search,
                           unsigned z3_rlimit, bool symmetry, const CheckSink& sink);

}  // namespace dirtyrace::analyses
