#pragma once
// What `dirtyrace check` shares between a concrete scenario (check.cpp) and one explored a
// footprint class at a time (check_classes.cpp).

#include <cstdint>
#include <string>
#include <vector>

#include "checker/distributed_search.hpp"
#include "checker/search.hpp"
#include "cli/commands.hpp"
#include "model/scenario.hpp"
#include "properties/checked_model.hpp"

namespace dirtyrace::cli {

std::string mib(std::uint64_t bytes);
/// The progress line's estimate of what is left, or why there is none.
std::string describe_estimate(const checker::Progress& p);
/// The "statistics:" block; `timing` adds seconds, speed and memory, `symmetry` (from
/// describe_symmetry) what symmetry reduction saved and `compression` how states were kept.
void print_statistics(const checker::Statistics& st, bool timing, const std::string& symmetry = "",
                      const std::string& compression = "");
/// The symmetry group `system` reduces by, or why none: "off (--no-symmetry)", "none: ...".
std::string describe_symmetry(const properties::CheckedModel& system, bool off);
int exit_code(checker::Verdict v);
/// Order, limits, progress and Ctrl-C from the options. Throws model::UsageError.
checker::SearchOptions search_options(const CheckOptions& o);
/// checker::search with Ctrl-C stopping it as interrupted.
checker::SearchResult search_with_sigint(const checker::TransitionSystem& system,
                                         const checker::SearchOptions& options);
/// Prints the report of `check` on `result` (text or --json); `ranks`, from a distributed search,
/// adds each rank's figures. Returns the exit code.
int report_check(const CheckOptions& o, const model::Model& m,
                 const properties::CheckedModel& system, const checker::SearchResult& result,
                 const std::vector<checker::RankStatistics>& ranks = {});
/// `check --distributed`, on every rank that mpirun started (cli/distributed.cpp).
int run_check_distributed(const CheckOptions& o, const model::Model& m,
                          const properties::CheckedModel& system);
/// `check` on a scenario with symbolic ranges or constraints: each footprint class in turn.
int run_check_classes(const CheckOptions& o, const model::Scenario& scenario);

}  // namespace dirtyrace::cli
