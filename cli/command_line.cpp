#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "cli/command_line.hpp"
#include "model/error.hpp"

namespace dirtyrace::cli {

namespace {

// Checks on option values, so that a value the user gave never silently means "not given" or a
// default: non_empty() for text ("--actors ''"), seconds() for a time limit (a finite number,
// not negative; "nan" and "inf" are refused), whole_number() for a count or seed (digits only,
// so "-1" never wraps around, and within 64 bits).

const CLI::Validator& non_empty() {
  static const CLI::Validator v(
      [](std::string& value) {
        return value.empty() ? std::string("the value is empty; leave the option out instead")
                             : std::string();
      },
      "TEXT", "non_empty");
  return v;
}

const CLI::Validator& seconds() {
  static const CLI::Validator v(
      [](std::string& value) {
        std::size_t used = 0;
        double d = -1;
        try {
          d = std::stod(value, &used);
        } catch (const std::exception&) {
        }
        if (used != value.size() || !std::isfinite(d) || d < 0) {
          return "'" + model::echo(value) +
                 "' is not a number of seconds (e.g. 60 or 0.5; 0: none)";
        }
        return std::string();
      },
      "SECONDS", "seconds");
  return v;
}

const CLI::Validator& whole_number() {
  static const CLI::Validator v(
      [](std::string& value) {
        std::uint64_t n = 0;
        const char* end = value.data() + value.size();
        const auto [ptr, ec] = std::from_chars(value.data(), end, n);
        if (value.empty() || ec != std::errc() || ptr != end) {
          return "'" + model::echo(value) + "' is not a whole number from 0 to " +
                 std::to_string(UINT64_MAX);
        }
        return std::string();
      },
      "UINT", "whole_number");
  return v;
}

void add_scenario_options(CLI::App& app, ScenarioOptions& o) {
  app.add_option("--scenario", o.scenario_file,
                 "Scenario file (TOML); the options below override what it says")
      ->check(non_empty());
  app.add_option("--variant", o.variant,
                 "Kernel variant (see 'dirtyrace list'); default linux-6.12")
      ->check(non_empty());
  app.add_option("--pages", o.pages, "Pages in the file, 1 to 4 (default 1)");
  app.add_option("--blocks", o.blocks, "Blocks (buffers) per page, 1 to 4 (default 1)");
  app.add_option("--mappings", o.mappings,
                 "Processes mapping the file MAP_SHARED, 1 to 3 (default 1)");
  app.add_option("--stores", o.stores, "Stores per writer, 0 to 8 (default 2)");
  app.add_option("--actors", o.actors,
                 "Comma list of actors: KIND[@MAPPING][*COUNT], e.g. writer*2,flusher,msync@1 "
                 "(fsync@M: on the file mapping M's process mmapped; fsync alone: its own file) "
                 "(default: writer,flusher,msync,fsync,munmap,reclaim,journal)")
      ->check(non_empty());
  app.add_option("--property", o.properties,
                 "Comma list of properties to check (default: every one that applies)")
      ->check(non_empty());
  app.add_flag("--stable-writes,!--no-stable-writes", o.stable_writes,
               "The device requires stable pages during writeback (linux-3.14 and later)");
  app.add_option("--io-errors", o.io_errors,
                 "Block writes the device may fail, 0 to 3 (default 0): each write of page "
                 "writeback may then succeed or fail");
  app.add_option("--fs", o.fs,
                 "Filesystem: generic (default), ext3 (linux-2.6.32: no ->page_mkwrite; "
                 "linux-3.14: filemap_page_mkwrite), blockdev (no journal) or ext4 (delayed "
                 "allocation, jbd2; linux-3.14 and later)")
      ->check(non_empty());
  app.add_option("--holes", o.holes,
                 "Blocks that are holes in the file at the start, as block numbers p*B+b, e.g. "
                 "1,3 (--fs ext4: delayed allocation reserves them at the write fault)");
  app.add_option("--z3-rlimit", o.z3_rlimit,
                 "Z3's resource limit per query on symbolic byte ranges (about 3 s per 10000000); "
                 "reaching it makes the result inconclusive; 0: none (default 10000000)");
}

}  // namespace

void setup_check(CLI::App& app, CheckOptions& o) {
  add_scenario_options(app, o.scenario);
  app.add_option("--order", o.order, "Search order: bfs (shortest counterexample) or dfs")
      ->check(non_empty());
  app.add_option("--threads", o.threads,
                 "Threads for breadth-first search (default: every core); the same verdict, "
                 "states and counterexample for any number. Depth-first search uses one")
      ->check(non_empty());
  app.add_option("--max-states", o.max_states, "Stop (inconclusive) after storing this many states")
      ->check(non_empty());
  app.add_option("--max-memory", o.max_memory,
                 "Stop (inconclusive) when the state store reaches this size, e.g. 2G")
      ->check(non_empty());
  app.add_option("--time-limit", o.time_limit, "Stop (inconclusive) after this many seconds")
      ->check(seconds());
  app.add_option("--trace-out", o.trace_out, "Write the counterexample to this file as JSON")
      ->check(non_empty());
  app.add_flag("--json", o.json, "Print one JSON object instead of text");
  app.add_flag("--stats", o.stats, "Also print time, speed and memory figures");
  app.add_flag("--quiet", o.quiet, "No progress lines on stderr");
  app.add_flag("--no-compression", o.no_compression,
               "Keep every state whole, not states of 16 bytes or more as the numbers of their "
               "halves: about a fifth faster, half again as much memory or more");
  app.add_flag("--no-symmetry", o.no_symmetry,
               "Store every state, not one per orbit of interchangeable actors and mappings");
  app.add_flag("--distributed", o.distributed,
               "Explore across the processes of `mpirun -np N dirtyrace check --distributed`, "
               "breadth-first, one thread each; the same answer as one process (needs Open MPI)");
}

void setup_offsets(CLI::App& app, OffsetsOptions& o) {
  add_scenario_options(app, o.scenario);
  app.add_option("--max-memory", o.max_memory,
                 "Stop (inconclusive) when Z3 and the classes found reach this size, e.g. 2G")
      ->check(non_empty());
  app.add_flag("--json", o.json, "Print one JSON object instead of text");
  app.add_flag("--stats", o.stats, "Also print the time Z3 took");
}

void setup_replay(CLI::App& app, ReplayOptions& o) {
  app.add_option("trace", o.file, "Trace file written by 'dirtyrace check --trace-out'")
      ->required();
  app.add_option("--variant", o.variant, "Fail unless the trace was recorded under this variant")
      ->check(non_empty());
  app.add_option("--scenario", o.scenario_file,
                 "Fail unless the trace was recorded under this scenario file")
      ->check(non_empty());
}

void setup_zoo(CLI::App& app, ZooOptions& o) {
  app.add_flag("--json", o.json, "Print one JSON array instead of the table");
}

void setup_orderings(CLI::App& app, OrderingsOptions& o) {
  add_scenario_options(app, o.scenario);
  app.add_option("--routine", o.routine,
                 "The routine whose steps are reordered, e.g. clear_page_dirty_for_io")
      ->check(non_empty());
  app.add_flag("--list-routines", o.list_routines,
               "List the routines that the scenario's actors run, and stop");
  app.add_option("--drop", o.drop, "Remove this step from the routine (repeatable)")
      ->check(non_empty());
  app.add_option("--cross-lock", o.cross_lock,
                 "Let this step move across the routine's page-lock boundaries (repeatable)")
      ->check(non_empty());
  app.add_option("--add-edge", o.add_edges, "BEFORE,AFTER: make a step come before another")
      ->check(non_empty());
  app.add_option("--remove-edge", o.remove_edges,
                 "BEFORE,AFTER: remove the dependency of AFTER on BEFORE")
      ->check(non_empty());
  app.add_option("--format", o.format, "text (default), md or json")->check(non_empty());
  app.add_option("--trace-out", o.trace_out,
                 "Directory to write each order's counterexample to, as order-N.json")
      ->check(non_empty());
  app.add_option("--max-states", o.max_states,
                 "Stop each order's search (inconclusive) after this many states");
  app.add_option("--time-limit", o.time_limit,
                 "Stop each order's search (inconclusive) after this many seconds")
      ->check(seconds());
  app.add_option("--max-orders", o.max_orders, "Check at most this many orders (default 5040)");
}

void setup_mutants(CLI::App& app, MutantsOptions& o) {
  app.add_option("--variant", o.variant, "Kernel variant (default: the default scenario's)");
  app.add_option("--fs", o.fs,
                 "Filesystem whose routines to mutate, the portfolio running on it (default: "
                 "generic; see 'dirtyrace list')");
  app.add_option("--routine", o.routines,
                 "A routine whose mutants to judge (repeatable; default: every routine the "
                 "portfolio runs)");
  app.add_flag("--list-routines", o.list_routines, "List the routines that have mutants, and stop");
  app.add_option("--format", o.format, "text (default), md or json");
  app.add_option("--max-states", o.max_states,
                 "Stop each search (inconclusive) after this many states");
  app.add_option("--time-limit", o.time_limit,
                 "Stop each search (inconclusive) after this many seconds");
  app.add_flag("--quiet", o.quiet, "No progress lines on stderr");
}

void setup_graph(CLI::App& app, GraphOptions& o) {
  add_scenario_options(app, o.scenario);
  app.add_option("--format", o.format, "Output format: dot (default) or svg (needs Graphviz)")
      ->check(non_empty());
  app.add_option("--max-states", o.max_states,
                 "Refuse (exit 3) a scenario with more states than this (default 2000)");
  app.add_option("--max-memory", o.max_memory,
                 "Refuse (exit 3) a graph that needs more memory than this, e.g. 512M "
                 "(default 1G)")
      ->check(non_empty());
  app.add_option("-o,--output", o.output, "Write the graph to this file instead of stdout")
      ->check(non_empty());
}

void setup_simulate(CLI::App& app, SimulateOptions& o) {
  add_scenario_options(app, o.scenario);
  app.add_flag("-i,--interactive", o.interactive,
               "Choose each step yourself in the terminal (h for help once it runs)");
  app.add_option("--seed", o.seed,
                 "Seed of the random choices (default 1): the same seed gives the same run")
      ->check(whole_number());
  app.add_option("--steps", o.steps, "Stop a random run after this many steps (default 1000)")
      ->check(CLI::Range(0LL, 1000000000LL));
  app.add_option("--trace-out", o.trace_out,
                 "Write the random run as a trace file (for replay and show)")
      ->check(non_empty());
}

void setup_explain(CLI::App& app, ExplainOptions& o) {
  app.add_option("trace", o.file, "Trace file (from check --trace-out or simulate)")->required();
}

void setup_show(CLI::App& app, ShowOptions& o) {
  app.add_option("trace", o.file, "Trace file written by 'dirtyrace check --trace-out'")
      ->required();
  app.add_option("--format", o.format,
                 "text (default), html (a self-contained page to step through), dot (Graphviz "
                 "source) or svg (needs Graphviz)")
      ->check(non_empty());
  app.add_option("-o,--output", o.output, "Write to this file (whole or not at all), not stdout")
      ->check(non_empty());
}

}  // namespace dirtyrace::cli
