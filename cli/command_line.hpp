#pragma once
// The command line: each subcommand's options, declared on a CLI11 app for main() to parse.
// Only this file's .cpp and main.cpp include CLI11, whose header alone takes as long to compile
// as most files of the project (15 s in the sanitizer build).

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace dirtyrace::cli {

void setup_check(CLI::App& app, CheckOptions& o);
void setup_offsets(CLI::App& app, OffsetsOptions& o);
void setup_replay(CLI::App& app, ReplayOptions& o);
void setup_zoo(CLI::App& app, ZooOptions& o);
void setup_orderings(CLI::App& app, OrderingsOptions& o);
void setup_mutants(CLI::App& app, MutantsOptions& o);
void setup_graph(CLI::App& app, GraphOptions& o);
void setup_simulate(CLI::App& app, SimulateOptions& o);
void setup_explain(CLI::App& app, ExplainOptions& o);
void setup_show(CLI::App& app, ShowOptions& o);

}  // namespace dirtyrace::cli
