#pragma once
// The reachable state graph as Graphviz DOT: each state a box with its non-default variables,
// each transition an arrow named by its step, the shortest path to the violation in red.

#include <string>

#include "checker/state_graph.hpp"
#include "properties/checked_model.hpp"

namespace dirtyrace::traces {

/// Short text of a state for a node: one line per object, only what differs from a clean,
/// idle page ("p0: cached PG_dirty tag.DIRTY", "b0.0: mem=v2 disk=v1"), then the step each actor
/// is at ("writer0 store, flusher0 done").
std::string compact_state(const std::vector<model::Variable>& vars);

/// The graph `g`, explored from `system`, in DOT.
std::string state_graph_to_dot(const properties::CheckedModel& system,
                               const checker::GraphExploration& g);

}  // namespace dirtyrace::traces
