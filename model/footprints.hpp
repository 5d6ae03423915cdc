#pragma once
// Symbolic byte ranges reduced to what the exploration must cover (MODEL.md section 5): Z3
// enumerates every feasible footprint of the actors' ranges under the constraints, one concrete
// witness each, by blocking-clause enumeration (check, read the model, forbid its footprint,
// repeat until unsat). Each class is explored once; infeasible footprints never.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/constraint.hpp"
#include "model/scenario.hpp"

namespace dirtyrace::model {

/// One actor's part of a class: its range at the witness and what it touches.
struct ActorFootprint {
  std::size_t actor;  // index in the scenario's actors
  std::string name;   // "writer0"
  RangeRule rule;
  std::int64_t off, len;  // at the witness
  Footprint footprint;
};

/// One footprint class: every actor with a byte range and its footprint, and a witness.
struct FootprintClass {
  std::vector<ActorFootprint> actors;
  Assignment witness;  // a value for every symbol
  /// The concrete scenario to explore: the witness's ranges, no constraints, resolved.
  Scenario scenario;
  /// Index of an earlier class whose scenario is this one's with the actors in another order
  /// (e.g. two writers swapped): exploring it again would find the same.
  std::optional<std::size_t> duplicate_of;

  std::vector<Footprint> footprints() const;
  /// "writer0 off 10 len 40 (blocks b0.0-b0.3 (page 0)), msync0 off 0 len 64 (page 0)".
  std::string describe() const;
  /// "w = 10, n = 40", or "" without symbols.
  std::string describe_witness() const;
};

struct Enumeration {
  std::vector<FootprintClass> classes;  // every feasible footprint, sorted, duplicates marked
  bool complete = true;                 // false: Z3 answered unknown; more may be feasible
  std::string unknown_reason;           // Z3's reason_unknown
  std::uint64_t candidates = 0;         // footprints the ranges could have in this file
  std::size_t checks = 0;               // Z3 check() calls
  double z3_seconds = 0;

  std::size_t feasible() const { return classes.size(); }
  /// Candidates proven infeasible: all but the feasible ones once the enumeration is complete.
  std::uint64_t infeasible() const { return complete ? candidates - classes.size() : 0; }
  std::size_t duplicates() const;
  /// The classes to explore: those that are no duplicate.
  std::size_t distinct() const { return feasible() - duplicates(); }
};

struct FootprintOptions {
  /// Z3's resource limit per check (its deterministic work units; 10 million take about 3 s
  /// here), 0 for none. Reaching it makes the answer unknown. A wall-clock `timeout` would do
  /// the same, but Z3 4.8.12 (Debian 12) can hang on it in nonlinear queries.
  unsigned rlimit = kDefaultRlimit;
  static constexpr unsigned kDefaultRlimit = 10'000'000;
  /// What Z3 and the classes found may take, in bytes, 0 for no limit: reaching it ends the
  /// enumeration as incomplete ("memory limit reached"), as Z3's unknown does.
  std::uint64_t max_memory_bytes = 0;
};

/// The names and ranges the scenario's constraints may use, with the geometry resolved.
ConstraintContext constraint_context(const Scenario& s);

/// The scenario's constraints, parsed.
std::vector<Expr> parse_constraints(const Scenario& s);

/// Every feasible footprint class of `s` (a scenario with byte ranges). Throws UsageError for a
/// bad scenario or constraint.
Enumeration enumerate_footprints(const Scenario& s, const FootprintOptions& options = {});

/// `s` with every symbol replaced by its value in `values` and the constraints dropped, resolved.
Scenario concrete_scenario(const Scenario& s, const Assignment& values);

/// Brute force, for tests and the bench: calls `visit` for every assignment of 0..max_value to
/// the symbols that the constraints and the implicit bounds allow, in increasing order.
/// Returns how many there were.
std::uint64_t for_each_assignment(const Scenario& s, std::int64_t max_value,
                                  const std::function<void(const Assignment&)>& visit);

/// Whether the constraints and implicit bounds of `s` hold for `values`.
bool admits(const Scenario& s, const std::vector<Expr>& constraints, const Assignment& values);

/// The footprints of every actor with a byte range under `values`, in actor order.
std::vector<Footprint> footprints_at(const Scenario& s, const Assignment& values);

}  // namespace dirtyrace::model
