#pragma once
// The whole reachable state graph of a small TransitionSystem, for drawing: every state and
// every transition, with the shortest path to the first violation a breadth-first search meets
// (the same one checker::search reports). Knows nothing of what the states mean.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "checker/transition_system.hpp"

namespace dirtyrace::checker {

/// One state of the graph: its packed bytes and what is wrong with it, if anything.
struct GraphState {
  std::vector<std::byte> bytes;
  std::optional<std::uint32_t> invariant;  // the first invariant it violates
  bool deadlock = false;                   // no successor, yet not a proper end
  std::uint32_t depth = 0;                 // length of a shortest path from the initial state
};

/// One transition: its opaque label.
struct GraphTransition {
  Label label = 0;
};

/// Vertices are numbered in breadth-first order, the initial state 0; a state reached by two
/// transitions from one state has two edges.
using StateGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, GraphState, GraphTransition>;

/// Why an exploration stopped before the whole graph was stored.
enum class GraphStop { none, max_states, max_memory, interrupted };

struct GraphLimits {
  std::uint64_t max_states = 2000;
  std::uint64_t max_memory_bytes = 0;  // the graph, its index and its parent links; 0: none
  /// Polled as states are stored; when it becomes true the exploration stops.
  const std::atomic<bool>* interrupt = nullptr;
};

struct GraphExploration {
  StateGraph graph;        // complete unless too_large
  bool too_large = false;  // a limit stopped the exploration (`stop` says which): partial
  GraphStop stop = GraphStop::none;
  std::uint64_t memory_bytes = 0;  // estimated size of what the exploration stored
  std::uint64_t states = 0;        // states stored when the exploration ended
  std::uint64_t transitions = 0;
  /// Vertices of a shortest path from the initial state to the first violating state, and the
  /// labels between them (violation_labels.size() + 1 == violation_path.size()); empty if none.
  std::vector<std::size_t> violation_path;
  std::vector<Label> violation_labels;
};

/// Explores every state reachable from the initial one, breadth first, without stopping at
/// violations; stops with too_large set when more than `limits.max_states` states are
/// reachable, when what it stores would exceed `limits.max_memory_bytes`, or on an interrupt.
GraphExploration explore_graph(const TransitionSystem& system, const GraphLimits& limits);
/// As above with a state limit only.
GraphExploration explore_graph(const TransitionSystem& system, std::uint64_t max_states);

}  // namespace dirtyrace::checker
