#include "traces/dot.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include "model/error.hpp"
#include "traces/json.hpp"
#include "traces/lanes.hpp"
#include "traces/text.hpp"

extern char** environ;

namespace dirtyrace::traces {

namespace {

struct Node {
  std::string id;     // DOT node id
  std::string lane;   // the actor whose column holds it; empty for the verdict
  std::string label;  // shown text
  std::string style;  // DOT attributes besides the label
};

struct Edge {
  std::string label;
  std::string style;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Node, Edge>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

/// A DOT double-quoted string. Boost's escape_dot_string leaves backslashes alone, which DOT
/// reads as escapes, so labels are quoted here.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string step_label(std::size_t index, const TraceStep& s) {
  std::string label = std::to_string(index) + ". " + s.function + ": " + s.step;
  if (s.block >= 0) label += " (block " + std::to_string(s.block) + ")";
  return label;
}

/// The objects a step changes, each once, in the order the step lists them.
std::vector<std::string> changed_objects(const TraceStep& s) {
  std::vector<std::string> out;
  for (const Change& c : s.changes) {
    if (std::find(out.begin(), out.end(), c.object) == out.end()) out.push_back(c.object);
  }
  return out;
}

Graph build_graph(const Trace& trace) {
  Graph g;
  const std::vector<std::string> actors = lanes(trace);
  std::map<std::string, Vertex> last_in_lane;
  for (std::size_t i = 0; i < actors.size(); ++i) {
    last_in_lane[actors[i]] = boost::add_vertex(
        Node{"lane" + std::to_string(i), actors[i], actors[i], "shape=plaintext, fontsize=12"}, g);
  }
  std::vector<Vertex> steps;
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    const TraceStep& s = trace.steps[i];
    const Vertex v =
        boost::add_vertex(Node{"s" + std::to_string(i + 1), s.actor, step_label(i + 1, s),
                               s.changes.empty() ? "color=gray50" : ""},
                          g);
    // Each step gets a row of its own: an edge from the previous step, invisible when that step
    // is in another lane.
    if (!steps.empty() && steps.back() != last_in_lane.at(s.actor)) {
      boost::add_edge(steps.back(), v, Edge{"", "style=invis"}, g);
    }
    boost::add_edge(last_in_lane.at(s.actor), v, Edge{"", "weight=10"}, g);
    last_in_lane[s.actor] = v;
    steps.push_back(v);
  }
  // Hand-offs: for each object a step changes, the next step that changes it again, if that
  // step belongs to another actor.
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    std::map<std::size_t, std::string> to;  // later step -> objects handed on
    for (const std::string& object : changed_objects(trace.steps[i])) {
      for (std::size_t j = i + 1; j < trace.steps.size(); ++j) {
        const std::vector<std::string> later = changed_objects(trace.steps[j]);
        if (std::find(later.begin(), later.end(), object) == later.end()) continue;
        if (trace.steps[j].actor != trace.steps[i].actor) {
          to[j] += (to[j].empty() ? "" : ", ") + object;
        }
        break;
      }
    }
    for (const auto& [j, objects] : to) {
      boost::add_edge(steps[i], steps[j],
                      Edge{objects,
                           "style=dashed, color=firebrick, fontcolor=firebrick, "
                           "constraint=false"},
                      g);
    }
  }
  const Vertex verdict = boost::add_vertex(
      Node{"violation", "",
           (trace.property.empty() ? "no property violated" : "violated: " + trace.property) +
               "\n" + trace.detail +
               (trace.loop_start || trace.stuck_at ? "\n" + describe_progress(trace) : ""),
           "shape=note, color=firebrick, fontcolor=firebrick"},
      g);
  if (!steps.empty()) boost::add_edge(steps.back(), verdict, Edge{"", "style=invis"}, g);
  return g;
}

/// Graph attributes, one cluster per lane, and the lane heads in the top row. Node ids in a
/// cluster before their declaration are allowed and place the node in it.
class GraphWriter {
 public:
  GraphWriter(const Graph& g, const Trace& trace) : g_(g), trace_(trace) {}
  void operator()(std::ostream& out) const {
    out << "label=" << quoted(std::string(trace_.scenario.variant->name) + ": " + trace_.property)
        << ";\nlabelloc=t;\nnewrank=true;\nranksep=0.25;\nfontname=\"Helvetica\";\n"
        << "node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
        << "edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.6];\n";
    const std::vector<std::string> actors = lanes(trace_);
    std::string heads;
    for (std::size_t i = 0; i < actors.size(); ++i) {
      out << "subgraph cluster_" << i << " {\nlabel=\"\";\ncolor=gray80;\n";
      for (const Vertex v : boost::make_iterator_range(boost::vertices(g_))) {
        if (g_[v].lane == actors[i]) out << boost::escape_dot_string(g_[v].id) << ";\n";
      }
      out << "}\n";
      heads += " lane" + std::to_string(i) + ";";
    }
    out << "subgraph lane_heads {rank=min;" << heads << "}\n";
  }

 private:
  const Graph& g_;
  const Trace& trace_;
};

/// A scratch directory, removed with what it holds.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "dirtyrace-dot-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw model::UsageError("cannot create a temporary directory");
    path = templ;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

}  // namespace

std::string render_dot(const Trace& trace) {
  const Graph g = build_graph(trace);
  std::ostringstream out;
  boost::write_graphviz(
      out, g,
      [&](std::ostream& o, Vertex v) {
        o << " [label=" << quoted(g[v].label) << (g[v].style.empty() ? "" : ", ") << g[v].style
          << "]";
      },
      [&](std::ostream& o, const boost::graph_traits<Graph>::edge_descriptor& e) {
        const Edge& edge = g[e];
        o << "[";
        if (!edge.label.empty()) o << "label=" << quoted(edge.label) << ", ";
        o << edge.style << "]";
      },
      GraphWriter(g, trace), boost::get(&Node::id, g));
  return out.str();
}

std::string render_svg(const Trace& trace) {
  const ScratchDir dir;
  const std::string in = (dir.path / "trace.dot").string();
  const std::string out = (dir.path / "trace.svg").string();
  write_file_atomically(in, render_dot(trace));
  std::vector<std::string> args{"dot", "-Tsvg", in, "-o", out};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "dot", nullptr, nullptr, argv.data(), environ);
  if (spawned == ENOENT) {
    throw model::UsageError(
        "--format svg needs Graphviz's 'dot' on PATH; install graphviz (apt-get install graphviz) "
        "or use --format dot");
  }
  if (spawned != 0) throw model::UsageError("cannot run Graphviz's 'dot' to render the SVG");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw model::UsageError("lost track of Graphviz's 'dot'");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw model::UsageError("Graphviz's 'dot -Tsvg' failed on the trace (see its message above)");
  }
  std::ifstream svg(out, std::ios::binary);
  std::ostringstream text;
  text << svg.rdbuf();
  return text.str();
}

}  // namespace dirtyrace::traces
