#pragma once
// Mutation analysis of the kernel's routines: "why is each step of this routine there?" Each
// mutant is the routine with one step (or call) dropped, in another order its dependencies
// allow, or with two neighbouring steps swapped across a page-lock boundary. Every mutant is
// checked on a small portfolio of scenarios; a property that fails kills it. A mutant that
// survives either changes nothing the properties can see, or shows a gap in them.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "analyses/run_check.hpp"
#include "model/scenario.hpp"

namespace dirtyrace::analyses {

struct Mutant {
  enum class Kind : std::uint8_t { drop, reorder, swap };
  Kind kind;
  std::string routine;
  std::string change;              // "drop finish_fault", "unlock_page ↔ end_page_writeback", ...
  std::vector<std::string> order;  // the routine's steps and calls as the mutant has them
};

/// One scenario of the portfolio, by name ("default", "two mappings", ...).
struct PortfolioScenario {
  std::string name;
  model::Scenario scenario;
};

/// The scenarios every mutant of a variant is checked on, each one page, each with a writer, the
/// flusher and msync: alone (default), with munmap, with reclaim, with two processes writing,
/// with two threads of one process writing, with two blocks per page, with stable writes where
/// the variant has them, and with a buffer-level flush (ext3's journal and reclaim on 2.6.x, the
/// buffer_flush what-if later). Each actor kind has a scenario of its own, so that a variant's
/// own bug in one (munmap before 6.2, say) leaves the others to judge the mutants. On another
/// filesystem (`fs`) every scenario runs on it; ext4's start with block 0 a hole (delayed
/// allocation: the fault reserves it, writeback allocates it), and its buffer-level flush, which
/// ext4 has no use for, gives way to jbd2's commit with an fsync, and to the same on an
/// allocated block.
std::vector<PortfolioScenario> mutant_portfolio(const model::Variant& variant,
                                                model::Filesystem fs = model::Filesystem::generic);

/// Every mutant of `routine`: each step or call dropped (not a system call's entry, nor a
/// routine's only step), each order other than the kernel's
/// that the dependencies allow, each swap of neighbours across a page-lock boundary that no
/// data dependency forbids. Throws UsageError for an unknown routine.
std::vector<Mutant> mutants_of(const model::Variant& variant, const std::string& routine,
                               model::Filesystem fs = model::Filesystem::generic);

struct MutantResult {
  Mutant mutant;
  /// unjudged: no scenario that runs the routine is one the kernel's own routines pass.
  enum class Fate : std::uint8_t { killed, survived, inconclusive, unjudged };
  Fate fate = Fate::survived;
  std::string property;  // killed: the property that fails
  std::string scenario;  // killed: the portfolio scenario it fails on
  std::size_t length = 0;
  /// survived: on every scenario the mutant had the kernel's state and transition counts.
  bool same_counts = false;
};

/// "killed", "survived", "inconclusive" or "unjudged".
std::string_view to_string(MutantResult::Fate fate);

struct RoutineMutants {
  std::string routine;
  std::vector<std::string> scenarios;  // the portfolio scenarios that run the routine
  std::vector<MutantResult> results;
};

struct MutantReport {
  std::string variant;
  std::string fs;  // the filesystem, "generic" unless --fs named another
  /// Portfolio scenarios on which the kernel's own routines already fail (not used to judge
  /// mutants), with the property.
  std::vector<std::pair<std::string, std::string>> kernel_failures;
  std::vector<RoutineMutants> routines;
  bool complete = true;  // no search was cut short

  std::size_t count(MutantResult::Fate fate) const;
  std::size_t total() const;
};

struct MutantOptions {
  model::Filesystem fs = model::Filesystem::generic;  // whose routines, and the portfolio's
  checker::Limits limits;                             // for each search
  const std::atomic<bool>* interrupt = nullptr;
  /// Called after each mutant is judged (for progress lines).
  std::function<void(const std::string& routine, const MutantResult&)> on_result;
};

/// The routines the portfolio's actors run on `variant`, each once.
std::vector<std::string> mutable_routines(const model::Variant& variant,
                                          model::Filesystem fs = model::Filesystem::generic);

/// Judges every mutant of each routine (every routine the portfolio runs when `routines` is
/// empty) on the portfolio.
MutantReport run_mutants(const model::Variant& variant, const std::vector<std::string>& routines,
                         const MutantOptions& options);

}  // namespace dirtyrace::analyses
