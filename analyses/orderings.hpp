#pragma once
// The ordering explorer: every order of one routine's steps that its dependencies allow
// (model/ordering.hpp), each checked exhaustively on the same scenario.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "analyses/run_check.hpp"
#include "checker/search.hpp"
#include "model/ordering.hpp"
#include "model/scenario.hpp"
#include "properties/checked_model.hpp"

namespace dirtyrace::analyses {

/// What the user changes in the routine's dependency graph before its orders are listed.
struct OrderingEdits {
  std::vector<std::string> drop;        // steps removed from the routine
  std::vector<std::string> cross_lock;  // steps free to move across page-lock boundaries
  std::vector<std::pair<std::string, std::string>> add_edges;     // (before, after)
  std::vector<std::pair<std::string, std::string>> remove_edges;  // (before, after)
};

/// The routines of the scenario's variant that some actor of the scenario runs.
std::vector<std::string> routines_run(const model::Scenario& scenario);

/// The dependency graph of `routine` in the scenario's variant, edited. Throws UsageError when
/// no actor of the scenario runs the routine or an edit names an unknown step.
model::DependencyGraph ordering_graph(const model::Scenario& scenario, const std::string& routine,
                                      const OrderingEdits& edits);

/// One candidate order and what the checker found.
struct OrderingRow {
  std::vector<std::string> order;
  bool kernel = false;  // the variant's own order, less any dropped steps
  checker::Verdict verdict = checker::Verdict::inconclusive;
  checker::StopReason stop = checker::StopReason::none;
  std::string property;    // the violated property
  std::size_t length = 0;  // steps of the shortest counterexample
  std::uint64_t states = 0;
  double seconds = 0;
};

struct OrderingOptions {
  checker::Limits limits;  // for each order's search
  std::size_t max_orders = 5040;
  const std::atomic<bool>* interrupt = nullptr;
};

struct OrderingReport {
  std::string routine;
  std::vector<model::DependencyGraph::Edge> edges;
  std::vector<OrderingRow> rows;
  bool complete = true;  // every order allowed was checked (none cut by max_orders)
};

/// Checks every order of `routine` that the edited dependencies allow, the variant's own first.
OrderingReport explore_orderings(const model::Scenario& scenario, const std::string& routine,
                                 const OrderingEdits& edits, const OrderingOptions& options,
                                 const CheckSink& on_row);

}  // namespace dirtyrace::analyses
