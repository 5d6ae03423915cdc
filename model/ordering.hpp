#pragma once
// Orders of a routine's steps (issue: "which orders of these steps are safe?"). A routine's items
// are the vertices of a dependency graph (Boost.Graph); an edge says that one item must come
// before another, and why: control (labels and jumps stay where they are, so no step crosses
// one), data (one writes a local, Step::writes, that the other reads, Step::reads), lock (a step
// stays on its side of each page-lock boundary: Step::page_lock), entry (a system call's entry
// stays first) or user (added on the command line). Every topological order is a candidate order of
// the routine; a RoutineOrder names one, and Model applies it to the variant's routines.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "model/program.hpp"
#include "model/scenario.hpp"

namespace dirtyrace::model {

enum class Dependency : std::uint8_t { control, data, lock, entry, user };
std::string_view dependency_name(Dependency d);

class DependencyGraph {
 public:
  /// The graph of `routine` as `table` has it; throws UsageError naming the routines if there
  /// is no such routine.
  DependencyGraph(const RoutineTable& table, std::string_view routine);

  const std::string& routine() const { return routine_; }
  /// The ids of the routine's steps and calls not dropped, in the routine's own order. An id
  /// is the step's name (or the called routine's), with "#k" added when k > 1 items share it.
  std::vector<std::string> op_ids() const;

  /// Removes a step or call from the routine; the steps that needed it lose that dependency.
  void drop(std::string_view op);
  /// Makes `before` come before `after`.
  void add_edge(std::string_view before, std::string_view after);
  /// Removes every dependency of `after` on `before` but control ones (labels never move).
  void remove_edge(std::string_view before, std::string_view after);
  /// Lets `op` move across the page-lock boundaries of its routine.
  void cross_lock(std::string_view op);

  struct Edge {
    std::string before, after;
    Dependency why;
    std::string locals;  // data: the locals that tie the two, e.g. "cleaned"
  };
  /// Every dependency between steps and calls (control edges are implied by the labels).
  std::vector<Edge> edges() const;

  /// Every order that respects the dependencies, as op ids; the routine's own order comes
  /// first when it is one of them. Stops after `limit` orders; `complete` says whether all
  /// were listed.
  std::vector<std::vector<std::string>> orders(std::size_t limit, bool& complete) const;

 private:
  struct Vertex {
    Item item;
    std::string id;  // empty for labels and jumps
    bool dropped = false;
  };
  struct EdgeKind {
    Dependency why;
    VarSet locals = 0;  // data edges
  };
  using Graph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Vertex, EdgeKind>;
  using VertexId = Graph::vertex_descriptor;

  VertexId op_named(std::string_view name) const;
  void add_dependencies(const RoutineTable& table);

  std::string routine_;
  Graph graph_;
};

/// The items of `routine` in `table` rearranged as `order` says: its steps and calls (by the
/// ids of DependencyGraph::op_ids) in that order, the ones not listed dropped, labels and jumps
/// where they were. Throws UsageError when an id is unknown or repeated, or a step would cross
/// a label or jump.
std::vector<Item> reordered_items(const RoutineTable& table, const RoutineOrder& order);

}  // namespace dirtyrace::model
