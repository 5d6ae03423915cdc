// dirtyrace: a model checker for the races between the Linux kernel's dirty-page bookkeeping
// and writeback. A thin front end over the libraries; see README.md.

#include <cstdio>
#include <exception>
#include <string>

#include "cli/command_line.hpp"
#include "model/error.hpp"

using namespace dirtyrace::cli;

namespace {

/// A message as one line of at most `max` characters.
std::string one_line(const char* message, std::size_t max = 1000) {
  return dirtyrace::model::echo(message, max);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "dirtyrace: explore every interleaving of the kernel's dirty-page bookkeeping "
      "and writeback, and show how data is lost"};
  app.require_subcommand(1);
  CheckOptions check;
  ReplayOptions replay;
  CLI::App* check_cmd = app.add_subcommand("check", "Explore a scenario and check its properties");
  setup_check(*check_cmd, check);
  CLI::App* list_cmd = app.add_subcommand("list", "List variants, actors, properties, parameters");
  CLI::App* replay_cmd =
      app.add_subcommand("replay", "Re-execute a trace file and confirm its violation");
  setup_replay(*replay_cmd, replay);
  ZooOptions zoo;
  CLI::App* zoo_cmd =
      app.add_subcommand("zoo", "Reproduce every catalogued kernel bug and verify its fix");
  setup_zoo(*zoo_cmd, zoo);
  OrderingsOptions orderings;
  CLI::App* orderings_cmd = app.add_subcommand(
      "orderings", "Check every order of a routine's steps that its dependencies allow");
  setup_orderings(*orderings_cmd, orderings);
  MutantsOptions mutants;
  CLI::App* mutants_cmd = app.add_subcommand(
      "mutants", "Drop, reorder and swap each routine's steps; say which property kills each");
  setup_mutants(*mutants_cmd, mutants);
  GraphOptions graph;
  CLI::App* graph_cmd = app.add_subcommand(
      "graph", "Draw the whole reachable state graph of a small scenario (DOT or SVG)");
  setup_graph(*graph_cmd, graph);
  SimulateOptions simulate;
  CLI::App* simulate_cmd = app.add_subcommand(
      "simulate", "Take one random run, or step through the model yourself (--interactive)");
  setup_simulate(*simulate_cmd, simulate);
  ExplainOptions explain;
  CLI::App* explain_cmd =
      app.add_subcommand("explain", "Tell a trace as a short story in plain English");
  setup_explain(*explain_cmd, explain);
  ShowOptions show;
  CLI::App* show_cmd =
      app.add_subcommand("show", "Render a trace file as text, an HTML page, DOT or SVG");
  setup_show(*show_cmd, show);
  OffsetsOptions offsets;
  CLI::App* offsets_cmd = app.add_subcommand(
      "offsets", "List the footprint classes of a scenario's symbolic byte ranges (Z3)");
  setup_offsets(*offsets_cmd, offsets);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "dirtyrace: error: %s (see dirtyrace --help)\n",
                 one_line(e.what(), 200).c_str());
    return kExitUsage;
  }
  try {
    if (check_cmd->parsed()) return run_check(check);
    if (list_cmd->parsed()) return run_list();
    if (zoo_cmd->parsed()) return run_zoo(zoo);
    if (orderings_cmd->parsed()) return run_orderings(orderings);
    if (mutants_cmd->parsed()) return run_mutants(mutants);
    if (graph_cmd->parsed()) return run_graph(graph);
    if (simulate_cmd->parsed()) return run_simulate(simulate);
    if (explain_cmd->parsed()) return run_explain(explain);
    if (show_cmd->parsed()) return run_show(show);
    if (offsets_cmd->parsed()) return run_offsets(offsets);
    return run_replay(replay);
  } catch (const dirtyrace::model::UsageError& e) {
    if (check_cmd->parsed() && secondary_rank())
      return secondary_rank_usage_error(one_line(e.what()));
    // Each message echoes the user's text through model::echo; this keeps it one line whatever
    // a message forgot to escape.
    std::fprintf(stderr, "dirtyrace: error: %s\n", one_line(e.what()).c_str());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dirtyrace: internal error: %s\n", one_line(e.what()).c_str());
    return kExitInternal;
  }
}
