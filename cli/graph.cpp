#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "checker/state_graph.hpp"
#include "cli/check_common.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"
#include "properties/checked_model.hpp"
#include "traces/graph_dot.hpp"
#include "traces/json.hpp"

extern char** environ;

namespace dirtyrace::cli {

namespace {

/// A temporary file, removed when it goes out of scope.
struct TempFile {
  std::string path;
  TempFile() {
    std::string templ = "/tmp/dirtyrace-graph-XXXXXX";
    const int fd = mkstemp(templ.data());
    if (fd < 0) throw model::UsageError("cannot create a temporary file in /tmp");
    close(fd);
    path = templ;
  }
  ~TempFile() { std::remove(path.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

/// Renders DOT as SVG with Graphviz's dot program.
std::string render_svg(const std::string& dot) {
  TempFile in, out;
  std::ofstream(in.path, std::ios::binary) << dot;
  std::string tsvg = "-Tsvg", dash_o = "-o";
  char* argv[] = {const_cast<char*>("dot"), tsvg.data(), in.path.data(), dash_o.data(),
                  out.path.data(),          nullptr};
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, "dot", nullptr, nullptr, argv, environ);
  if (err == ENOENT) {
    throw model::UsageError(
        "--format svg needs Graphviz's 'dot' program, which is not on PATH; install graphviz "
        "(apt-get install graphviz) or use --format dot");
  }
  if (err != 0) throw model::UsageError("cannot run Graphviz's 'dot' program");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw model::UsageError("Graphviz's 'dot' failed to render the graph; try --format dot");
  }
  std::ifstream svg(out.path, std::ios::binary);
  std::ostringstream text;
  text << svg.rdbuf();
  return text.str();
}

}  // namespace

int run_graph(const GraphOptions& o) {
  if (o.format != "dot" && o.format != "svg") {
    throw model::UsageError("unknown --format '" + model::echo(o.format) + "'; use dot or svg");
  }
  if (o.max_states < 1) throw model::UsageError("--max-states must be at least 1");
  if (!o.output.empty()) traces::check_writable(o.output);
  const model::Model m(build_scenario(o.scenario));
  const properties::CheckedModel system(m,
                                        properties::select_properties(m, m.scenario().properties));
  const std::uint64_t max_memory = parse_size(o.max_memory, "--max-memory");
  const InterruptScope interrupt;  // Ctrl-C stops the exploration; no graph is written
  const checker::GraphExploration g =
      checker::explore_graph(system, {.max_states = static_cast<std::uint64_t>(o.max_states),
                                      .max_memory_bytes = max_memory,
                                      .interrupt = interrupt.flag()});
  const auto states = static_cast<unsigned long long>(g.states);
  const auto transitions = static_cast<unsigned long long>(g.transitions);
  switch (g.stop) {
    case checker::GraphStop::none:
      break;
    case checker::GraphStop::max_states:
      std::fprintf(stderr,
                   "dirtyrace: error: the state graph has more than %lld states (exploration "
                   "stopped at %llu states, %llu transitions); choose a smaller scenario or "
                   "raise --max-states\n",
                   o.max_states, states, transitions);
      return kExitInconclusive;
    case checker::GraphStop::max_memory:
      std::fprintf(stderr,
                   "dirtyrace: error: the state graph needs more than --max-memory %s "
                   "(exploration stopped at %llu states, %llu transitions, %s); choose a smaller "
                   "scenario or raise --max-memory\n",
                   model::echo(o.max_memory).c_str(), states, transitions,
                   mib(g.memory_bytes).c_str());
      return kExitInconclusive;
    case checker::GraphStop::interrupted:
      std::fprintf(stderr,
                   "dirtyrace: interrupted after %llu states and %llu transitions; no graph "
                   "written\n",
                   states, transitions);
      return kExitInconclusive;
  }
  const std::string dot = traces::state_graph_to_dot(system, g);
  const std::string text = o.format == "svg" ? render_svg(dot) : dot;
  if (o.output.empty()) {
    std::cout << text;
    return kExitVerified;
  }
  traces::write_file_atomically(o.output, text);
  std::printf("wrote %llu states and %llu transitions to %s",
              static_cast<unsigned long long>(g.states),
              static_cast<unsigned long long>(g.transitions), o.output.c_str());
  if (g.violation_path.empty()) {
    std::printf("; no state violates a checked property\n");
  } else {
    std::printf("; the shortest path to a violation (%zu steps) is drawn in red\n",
                g.violation_labels.size());
  }
  return kExitVerified;
}

}  // namespace dirtyrace::cli
