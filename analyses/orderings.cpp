#include "analyses/orderings.hpp"

#include <algorithm>

#include "model/error.hpp"
#include "model/model.hpp"
#include "model/routines.hpp"

namespace dirtyrace::analyses {

using model::DependencyGraph;

std::vector<std::string> routines_run(const model::Scenario& scenario) {
  const model::RoutineTable table = model::routines_for(*scenario.variant, scenario.fs);
  std::vector<std::string> out;
  for (const model::ActorSpec& a : scenario.actors) {
    for (std::string& r : table.reachable(model::entry_routine(a.kind))) {
      if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
    }
  }
  return out;
}

model::DependencyGraph ordering_graph(const model::Scenario& scenario, const std::string& routine,
                                      const OrderingEdits& edits) {
  const model::RoutineTable table = model::routines_for(*scenario.variant, scenario.fs);
  const std::vector<std::string> run = routines_run(scenario);
  if (std::find(run.begin(), run.end(), routine) == run.end()) {
    std::string names;
    for (const std::string& r : run) names += (names.empty() ? "" : ", ") + r;
    for (const std::string& r : run) {
      const DependencyGraph graph(table, r);
      const auto ops = graph.op_ids();
      if (std::find(ops.begin(), ops.end(), routine) != ops.end()) {
        throw model::UsageError("'" + model::echo(routine) + "' is a step of routine '" + r +
                                "'; reorder that routine (--routine " + r + ")");
      }
    }
    throw model::UsageError("no actor of the scenario runs routine '" + model::echo(routine) +
                            "' on " + std::string(scenario.variant->name) +
                            "; the routines run: " + names);
  }
  model::DependencyGraph graph(table, routine);
  for (const std::string& op : edits.drop) graph.drop(op);
  for (const std::string& op : edits.cross_lock) graph.cross_lock(op);
  for (const auto& [before, after] : edits.remove_edges) graph.remove_edge(before, after);
  for (const auto& [before, after] : edits.add_edges) graph.add_edge(before, after);
  return graph;
}

OrderingReport explore_orderings(const model::Scenario& scenario, const std::string& routine,
                                 const OrderingEdits& edits, const OrderingOptions& options,
                                 const CheckSink& on_row) {
  const model::DependencyGraph graph = ordering_graph(scenario, routine, edits);
  OrderingReport report;
  report.routine = routine;
  report.edges = graph.edges();
  const auto orders = graph.orders(options.max_orders, report.complete);
  // Edits other than drops change only which orders are allowed, not the routine itself.
  const std::vector<std::string> own = graph.op_ids();
  for (const std::vector<std::string>& order : orders) {
    if (options.interrupt && options.interrupt->load()) {
      report.complete = false;
      break;
    }
    model::Scenario variant_scenario = scenario;
    std::erase_if(variant_scenario.routine_orders,
                  [&](const model::RoutineOrder& r) { return r.routine == routine; });
    variant_scenario.routine_orders.push_back({routine, order});
    const CheckRun run =
        run_check(std::move(variant_scenario), options.limits, options.interrupt, on_row);
    OrderingRow row;
    row.order = order;
    row.kernel = order == own;
    row.verdict = run.verdict;
    row.stop = run.stop;
    row.states = run.states;
    row.seconds = run.seconds;
    row.length = run.length;
    row.property = run.property;
    report.rows.push_back(std::move(row));
  }
  return report;
}

}  // namespace dirtyrace::analyses
