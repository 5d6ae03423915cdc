#include "traces/graph_dot.hpp"

#include <set>
#include <sstream>
#include <utility>

#include <boost/graph/graphviz.hpp>

#include "properties/property.hpp"
#include "traces/text.hpp"

namespace dirtyrace::traces {

namespace {

/// A DOT string literal's contents: quotes and backslashes escaped, lines joined by "\n".
std::string quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

bool is_default(const model::Variable& v) {
  return v.value == "0" || v.value == "-" || v.value == "none";
}

}  // namespace

std::string compact_state(const std::vector<model::Variable>& vars) {
  std::string out;
  std::string object;
  std::string positions;
  for (const model::Variable& v : vars) {
    if (v.attribute == "at") {
      // "writer0 filemap_nopage": the step alone tells states of one actor apart.
      const std::size_t colon = v.value.find(": ");
      positions += (positions.empty() ? "" : ", ") + v.object + " " +
                   (colon == std::string::npos ? v.value : v.value.substr(colon + 2));
      continue;
    }
    if (is_default(v)) continue;
    if (v.object != object) {
      out += (out.empty() ? "" : "\n") + v.object + ":";
      object = v.object;
    }
    out += " " + (v.value == "1" && v.object != "nr_dirty"
                      ? v.attribute
                      : (v.attribute == v.object ? "" : v.attribute + "=") + v.value);
  }
  if (!positions.empty()) out += (out.empty() ? "" : "\n") + positions;
  return out;
}

std::string state_graph_to_dot(const properties::CheckedModel& system,
                               const checker::GraphExploration& g) {
  const model::Model& m = system.model();
  std::set<std::size_t> on_path(g.violation_path.begin(), g.violation_path.end());
  std::set<std::tuple<std::size_t, std::size_t, checker::Label>> path_edges;
  for (std::size_t k = 0; k < g.violation_labels.size(); ++k) {
    path_edges.emplace(g.violation_path[k], g.violation_path[k + 1], g.violation_labels[k]);
  }
  const auto property_name = [&](const checker::GraphState& s) -> std::string {
    if (s.deadlock) return std::string(properties::kNoDeadlock);
    return std::string(system.properties().at(*s.invariant)->name);
  };

  const auto write_vertex = [&](std::ostream& out, std::size_t v) {
    const checker::GraphState& node = g.graph[v];
    model::State s;
    m.unpack(node.bytes.data(), s);
    const std::vector<model::Variable> vars = m.variables(s);
    std::string label = "#" + std::to_string(v);
    if (node.invariant || node.deadlock) label += "  VIOLATES " + property_name(node);
    const std::string summary = compact_state(vars);
    if (!summary.empty()) label += "\n" + summary;
    out << "[label=" << quote(label) << ", tooltip=" << quote(render_state(vars, ""));
    if (node.invariant || node.deadlock) out << ", style=filled, fillcolor=\"#ffd6d6\"";
    if (on_path.count(v)) out << ", color=red, penwidth=2.5, fontcolor=red";
    out << "]";
  };
  const auto write_edge = [&](std::ostream& out, const checker::StateGraph::edge_descriptor e) {
    const checker::Label label = g.graph[e].label;
    const model::TransitionInfo info = m.describe(model::Transition::decode(label));
    out << "[label=" << quote(info.actor + "\n" + info.name());
    const std::size_t from = boost::source(e, g.graph), to = boost::target(e, g.graph);
    if (path_edges.count({from, to, label})) {
      out << ", color=red, fontcolor=red, penwidth=2.5, style=bold";
    }
    out << "]";
  };
  const auto write_graph = [&](std::ostream& out) {
    out << "node [shape=box, fontname=\"monospace\", fontsize=10];\n"
        << "edge [fontname=\"monospace\", fontsize=9];\n"
        << "label="
        << quote(std::string(m.scenario().variant->name) + "; " + describe_scenario(m.scenario()))
        << ";\nlabelloc=t;\n";
  };

  std::ostringstream out;
  boost::write_graphviz(out, g.graph, write_vertex, write_edge, write_graph);
  return out.str();
}

}  // namespace dirtyrace::traces
