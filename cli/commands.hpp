#pragma once
// The subcommands of the dirtyrace program: each has an options struct, a setup function that
// declares its options on a CLI11 app, and a run function that returns the exit code.

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dirtyrace::cli {

/// Exit codes, documented in the README.
enum ExitCode : int {
  kExitVerified = 0,
  kExitViolation = 1,
  kExitUsage = 2,
  kExitInconclusive = 3,
  kExitInternal = 4,
};

/// Scenario options shared by the commands that build a scenario.
struct ScenarioOptions {
  std::string scenario_file;
  std::string variant;
  std::optional<int> pages, blocks, mappings, stores;
  std::string actors;
  std::string properties;
  std::optional<bool> stable_writes;
  unsigned z3_rlimit = 10'000'000;  // Z3's resource limit per check on symbolic ranges
};
void add_scenario_options(CLI::App& app, ScenarioOptions& o);

struct CheckOptions {
  ScenarioOptions scenario;
  std::string order = "bfs";
  std::string max_states, max_memory;
  double time_limit = 0;
  std::string trace_out;
  bool json = false;
  bool stats = false;
  bool quiet = false;
};
void setup_check(CLI::App& app, CheckOptions& o);
int run_check(const CheckOptions& o);

struct OffsetsOptions {
  ScenarioOptions scenario;
  bool json = false;
  bool stats = false;
};
void setup_offsets(CLI::App& app, OffsetsOptions& o);
/// Lists the footprint classes of a scenario's byte ranges; exit 3 if Z3 could not decide.
int run_offsets(const OffsetsOptions& o);

void setup_list(CLI::App& app);
int run_list();

struct ZooOptions {
  bool json = false;
};
void setup_zoo(CLI::App& app, ZooOptions& o);
/// Runs every catalogued bug; exit 1 if one is not found or its fixed variant fails.
int run_zoo(const ZooOptions& o);

struct ReplayOptions {
  std::string file;
  std::string variant;
  std::string scenario_file;
};
void setup_replay(CLI::App& app, ReplayOptions& o);
int run_replay(const ReplayOptions& o);

}  // namespace dirtyrace::cli
