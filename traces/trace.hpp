#pragma once
// A counterexample as data: the scenario it was found in, each step with the kernel code it
// models and the variables it changed, and the property it breaks. Built from a search result
// by re-running the model (traces store no states), written as JSON, rendered as text.

#include <optional>
#include <string>
#include <vector>

#include "checker/search.hpp"
#include "model/model.hpp"
#include "properties/checked_model.hpp"

namespace dirtyrace::traces {

struct Change {
  std::string object;
  std::string attribute;
  std::string before;
  std::string after;
  bool operator==(const Change&) const = default;
};

struct TraceStep {
  std::string actor;     // "writer0", or "disk"
  std::string function;  // the kernel function
  std::string step;      // the step (or the outcome taken)
  std::string source;    // kernel file and versions
  std::string what;      // what the step does
  int block = -1;        // device steps: the block
  std::string next;      // where the actor is after the step: "function: step" or "done"
  std::vector<Change> changes;
};

struct Trace {
  model::Scenario scenario;  // resolved: every default filled in
  std::string property;      // name of the violated property
  std::string description;   // the property's one-sentence description
  std::string detail;        // what exactly is wrong in the final state
  std::vector<model::Variable> initial;
  std::vector<TraceStep> steps;
  std::vector<model::Variable> final_state;
  /// can_finish: after step `stuck_at` (0: from the initial state) no run lets every actor
  /// finish; the steps after it lead to a dead end, or to the loop.
  std::optional<std::size_t> stuck_at;
  /// A lasso: the state after step `loop_start` (0: the initial state) recurs after the last
  /// step, so steps loop_start + 1 .. steps.size() repeat forever.
  std::optional<std::size_t> loop_start;
};

/// Variables that differ between two listings of the same model (actor positions excluded:
/// the step itself says where its actor is).
std::vector<Change> diff(const std::vector<model::Variable>& before,
                         const std::vector<model::Variable>& after);

/// Describes one transition of `model` as a trace step, with the changes from `from` to `to`.
TraceStep describe_step(const model::Model& model, model::Transition t, const model::State& from,
                        const model::State& to);

/// The counterexample of a search over `system` as a trace, as a run of the model in its own
/// actor names (CheckedModel::concrete).
Trace make_trace(const properties::CheckedModel& system, const checker::Counterexample& cx);

}  // namespace dirtyrace::traces
