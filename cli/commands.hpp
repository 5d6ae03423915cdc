#pragma once
// The subcommands of the dirtyrace program: each has an options struct and a run function that
// returns the exit code. cli/command_line.hpp declares their options on the command line.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dirtyrace::cli {

/// Exit codes, documented in the README.
enum ExitCode : int {
  kExitVerified = 0,
  kExitViolation = 1,
  kExitUsage = 2,
  kExitInconclusive = 3,
  kExitInternal = 4,
};

/// "512M", "2G", "1.5G", "1000000": bytes. Throws model::UsageError naming `option`.
std::uint64_t parse_size(const std::string& text, const char* option);
/// A --threads value: 1 to 1024. Throws model::UsageError.
unsigned parse_threads(const std::string& text);

/// Scenario options shared by the commands that build a scenario.
struct ScenarioOptions {
  std::string scenario_file;
  std::string variant;
  std::optional<int> pages, blocks, mappings, stores;
  std::string actors;
  std::string properties;
  std::optional<bool> stable_writes;
  std::optional<int> io_errors;
  std::string fs;
  std::optional<std::string> holes;  // comma list of block numbers; "" clears a file's holes
  unsigned z3_rlimit = 10'000'000;   // Z3's resource limit per check on symbolic ranges
};

struct CheckOptions {
  ScenarioOptions scenario;
  std::string order = "bfs";
  std::string threads;  // empty: every core
  std::string max_states, max_memory;
  double time_limit = 0;
  std::string trace_out;
  bool json = false;
  bool stats = false;
  bool quiet = false;
  bool no_compression = false;  // keep every state whole (checker/state_store.hpp)
  bool no_symmetry = false;     // store every state, not one per orbit (model/symmetry.hpp)
  bool distributed = false;     // across the ranks of mpirun (checker/distributed_search.hpp)
};
int run_check(const CheckOptions& o);
/// The processes mpirun started this one among (Open MPI's environment), 1 without mpirun.
int mpi_ranks();
/// Whether mpirun started this process as a rank other than 0: `check` leaves its usage errors,
/// the same on every rank, to rank 0.
bool secondary_rank();
/// A usage error on a rank other than 0: waits for rank 0 to say it (mpirun ends the job once a
/// rank exits non-zero, which could cut rank 0's line off if this rank went first); says it
/// itself, naming the rank, only if the job still runs then (an error of this rank alone, such
/// as a scenario file missing on its node). Returns the exit code.
int secondary_rank_usage_error(const std::string& message);

struct OffsetsOptions {
  ScenarioOptions scenario;
  std::string max_memory;
  bool json = false;
  bool stats = false;
};
/// Lists the footprint classes of a scenario's byte ranges; exit 3 if Z3 could not decide.
int run_offsets(const OffsetsOptions& o);

int run_list();

struct ZooOptions {
  bool json = false;
};
/// Runs every catalogued bug; exit 1 if one is not found or its fixed variant fails.
int run_zoo(const ZooOptions& o);

struct ReplayOptions {
  std::string file;
  std::string variant;
  std::string scenario_file;
};
int run_replay(const ReplayOptions& o);

struct OrderingsOptions {
  ScenarioOptions scenario;
  std::string routine;
  bool list_routines = false;
  std::vector<std::string> drop, cross_lock, add_edges, remove_edges;
  std::string format = "text";
  std::string trace_out;
  long long max_states = 0;
  double time_limit = 0;
  long long max_orders = 5040;
};
/// Checks every order of a routine's steps; exit 1 if the kernel's own order fails, 3 if an
/// order's search or the list of orders was cut short.
int run_orderings(const OrderingsOptions& o);

struct MutantsOptions {
  std::string variant;
  std::string fs;
  std::vector<std::string> routines;
  bool list_routines = false;
  std::string format = "text";
  long long max_states = 0;
  double time_limit = 0;
  bool quiet = false;
};
/// Judges every mutant of the routines on the portfolio; exit 3 if a search was cut short.
int run_mutants(const MutantsOptions& o);

struct GraphOptions {
  ScenarioOptions scenario;
  std::string format = "dot";
  long long max_states = 2000;
  std::string max_memory = "1G";
  std::string output;
};
/// Writes the reachable state graph; refuses (exit 3) one larger than --max-states or
/// --max-memory, and stops (exit 3) on Ctrl-C.
int run_graph(const GraphOptions& o);

struct SimulateOptions {
  ScenarioOptions scenario;
  bool interactive = false;
  std::uint64_t seed = 1;
  std::size_t steps = 1000;
  std::string trace_out;
};
/// A random run (exit 1 if it violates a property) or an interactive session (exit 0).
int run_simulate(const SimulateOptions& o);

struct ExplainOptions {
  std::string file;
};
int run_explain(const ExplainOptions& o);

struct ShowOptions {
  std::string file;
  std::string format = "text";
  std::string output;
};
/// Renders a trace file as text, HTML, DOT or SVG; exit 0, or 2 on bad input.
int run_show(const ShowOptions& o);

}  // namespace dirtyrace::cli
