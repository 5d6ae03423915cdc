#include "checker/state_graph.hpp"

#include <string>
#include <unordered_map>

namespace dirtyrace::checker {

namespace {

constexpr std::size_t kNone = SIZE_MAX;

}  // namespace

GraphExploration explore_graph(const TransitionSystem& system, std::uint64_t max_states) {
  return explore_graph(system, GraphLimits{.max_states = max_states});
}

GraphExploration explore_graph(const TransitionSystem& system, const GraphLimits& limits) {
  GraphExploration out;
  StateGraph& g = out.graph;
  const std::size_t width = system.state_bytes();
  // The graph is small by construction, so a plain map of the bytes does.
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::size_t> parent;
  std::vector<Label> parent_label;
  std::size_t violating = kNone;

  // What one state and one transition cost, counted generously: the vertex with its bytes,
  // the index entry with its key, the parent links; an edge with its label.
  const std::uint64_t per_state = 2 * width + sizeof(GraphState) + 160;
  const std::uint64_t per_transition = 48;
  const auto stop = [&](GraphStop why) {
    out.too_large = true;
    out.stop = why;
    return std::nullopt;
  };
  const auto add = [&](const std::byte* state, std::size_t from, Label label,
                       std::uint32_t depth) -> std::optional<std::size_t> {
    const auto [it, added] =
        index.try_emplace(std::string(reinterpret_cast<const char*>(state), width), 0);
    if (!added) return it->second;
    if (index.size() > limits.max_states) return stop(GraphStop::max_states);
    out.memory_bytes = index.size() * per_state + out.transitions * per_transition;
    if (limits.max_memory_bytes && out.memory_bytes > limits.max_memory_bytes)
      return stop(GraphStop::max_memory);
    if (limits.interrupt && limits.interrupt->load(std::memory_order_relaxed))
      return stop(GraphStop::interrupted);
    const std::size_t v = boost::add_vertex(g);
    it->second = v;
    GraphState& node = g[v];
    node.bytes.assign(state, state + width);
    node.invariant = system.violated_invariant(state);
    node.depth = depth;
    parent.push_back(from);
    parent_label.push_back(label);
    // checker::search checks a state when it stores it, so the first violating state stored
    // is the one it reports.
    if (node.invariant && violating == kNone) violating = v;
    return v;
  };

  std::vector<std::byte> initial(width);
  system.initial_state(initial.data());
  add(initial.data(), kNone, 0, 0);
  std::vector<std::byte> current;
  for (std::size_t v = 0; v < boost::num_vertices(g) && !out.too_large; ++v) {
    current = g[v].bytes;  // adding vertices may move g[v]
    const std::uint32_t depth = g[v].depth + 1;
    std::vector<std::pair<std::size_t, Label>> edges;
    system.for_each_successor(current.data(), [&](Label label, const std::byte* next) {
      if (out.too_large) return;
      ++out.transitions;
      if (const auto to = add(next, v, label, depth)) edges.emplace_back(*to, label);
    });
    for (const auto& [to, label] : edges) boost::add_edge(v, to, GraphTransition{label}, g);
    if (edges.empty() && !out.too_large && !system.is_terminal(current.data())) {
      g[v].deadlock = true;
      // The search finds a deadlock when it expands the state, after the states stored before.
      if (violating == kNone) violating = v;
    }
  }
  out.states = index.size();
  if (out.too_large || violating == kNone) return out;
  for (std::size_t v = violating; v != kNone; v = parent[v]) {
    out.violation_path.insert(out.violation_path.begin(), v);
    if (parent[v] != kNone)
      out.violation_labels.insert(out.violation_labels.begin(), parent_label[v]);
  }
  return out;
}

}  // namespace dirtyrace::checker
