#include "analyses/mutants.hpp"

#include <algorithm>

#include "analyses/orderings.hpp"
#include "model/error.hpp"
#include "model/ordering.hpp"
#include "model/routines.hpp"

namespace dirtyrace::analyses {

namespace {

model::Scenario small(const model::Variant& variant, model::Filesystem fs, int mappings,
                      const std::string& actors) {
  model::Scenario s = model::default_scenario();
  s.variant = &variant;
  s.fs = fs;
  // ext4's own paths (the reservation at the fault, the allocation in writeback) need a hole.
  if (fs == model::Filesystem::ext4) s.holes = {0};
  s.mappings = mappings;
  s.actors = model::parse_actor_list(actors);
  return s;
}

std::string joined(const std::vector<std::string>& ops) {
  std::string out;
  for (const std::string& op : ops) out += (out.empty() ? "" : " → ") + op;
  return out.empty() ? "(no steps)" : out;
}

bool is_entry(const model::RoutineTable& table, const std::string& routine, const std::string& op) {
  for (const model::Item& item : table.get(routine)) {
    if (item.kind == model::Item::Kind::step && item.step->entry && item.step->name == op) {
      return true;
    }
  }
  return false;
}

bool runs(const model::Scenario& s, const std::string& routine) {
  const std::vector<std::string> run = routines_run(s);
  return std::find(run.begin(), run.end(), routine) != run.end();
}

}  // namespace

std::vector<PortfolioScenario> mutant_portfolio(const model::Variant& variant,
                                                model::Filesystem fs) {
  const auto scenario = [&](int mappings, const std::string& actors) {
    return small(variant, fs, mappings, actors);
  };
  std::vector<PortfolioScenario> out;
  out.push_back({"default", scenario(1, "writer,flusher,msync")});
  out.push_back({"munmap", scenario(1, "writer,munmap,flusher,msync")});
  out.push_back({"reclaim", scenario(1, "writer,reclaim,flusher,msync")});
  out.push_back({"two mappings", scenario(2, "writer@0,writer@1,flusher,msync@1")});
  // Two threads of one process: one stores through the PTE the other's fault made writable.
  out.push_back({"two threads", scenario(1, "writer@0*2,flusher,msync")});
  model::Scenario blocks = scenario(1, "writer,flusher,msync");
  blocks.blocks_per_page = 2;
  out.push_back({"two blocks", std::move(blocks)});
  if (variant.stable_pages) {
    model::Scenario s = scenario(1, "writer,flusher,msync");
    s.stable_writes = true;
    out.push_back({"stable writes", std::move(s)});
  }
  if (fs == model::Filesystem::ext4) {
    // jbd2's commit writes through ext4_writepage, which may not allocate (1c8349a1).
    out.push_back({"journal", scenario(1, "writer,journal,fsync")});
    model::Scenario allocated = scenario(1, "writer,journal,fsync");
    allocated.holes.clear();
    out.push_back({"journal (allocated)", std::move(allocated)});
    return out;
  }
  // A block device has no journal: it takes the buffer_flush what-if on every variant.
  const bool ext3 = fs != model::Filesystem::blockdev &&
                    model::journal_kind(variant, fs) == model::JournalKind::buffers;
  out.push_back({"buffer-level flush", scenario(1, ext3 ? "writer,journal,flusher,reclaim"
                                                        : "writer,buffer_flush,flusher")});
  return out;
}

std::vector<std::string> mutable_routines(const model::Variant& variant, model::Filesystem fs) {
  const model::RoutineTable table = model::routines_for(variant, fs);
  // Kernel code with at least two steps or calls: not the writer's user-space loop (the store
  // and the CPU's fault dispatch), nor a routine of one step or call (munmap, flusher,
  // zap_pte_range), whose only "mutant" is an actor that does nothing.
  const auto is_kernel_code = [&](const std::string& r) {
    return r != model::entry_routine(model::ActorKind::writer) &&
           model::DependencyGraph(table, r).op_ids().size() >= 2;
  };
  std::vector<std::string> out;
  for (const PortfolioScenario& p : mutant_portfolio(variant, fs)) {
    for (std::string& r : routines_run(p.scenario)) {
      if (is_kernel_code(r) && std::find(out.begin(), out.end(), r) == out.end()) {
        out.push_back(std::move(r));
      }
    }
  }
  return out;
}

std::vector<Mutant> mutants_of(const model::Variant& variant, const std::string& routine,
                               model::Filesystem fs) {
  const std::vector<std::string> known = mutable_routines(variant, fs);
  if (std::find(known.begin(), known.end(), routine) == known.end()) {
    std::string names;
    for (const std::string& r : known) names += (names.empty() ? "" : ", ") + r;
    throw model::UsageError("no routine '" + routine + "' is run on " + std::string(variant.name) +
                            (fs == model::Filesystem::generic
                                 ? ""
                                 : " --fs " + std::string(model::filesystem_name(fs))) +
                            "; the routines: " + names);
  }
  const model::RoutineTable table = model::routines_for(variant, fs);
  const model::DependencyGraph graph(table, routine);
  const std::vector<std::string> kernel = graph.op_ids();
  std::vector<Mutant> out;
  for (const std::string& op : kernel) {
    // A system call's entry records what the caller asked for: without it there is no call.
    // A routine's only step dropped leaves an actor that does nothing: another scenario.
    if (is_entry(table, routine, op) || kernel.size() == 1) continue;
    std::vector<std::string> order = kernel;
    std::erase(order, op);
    out.push_back({Mutant::Kind::drop, routine, "drop " + op, std::move(order)});
  }
  bool complete = true;
  for (std::vector<std::string>& order : graph.orders(5040, complete)) {
    if (order != kernel) {
      out.push_back({Mutant::Kind::reorder, routine, joined(order), std::move(order)});
    }
  }
  // Neighbours that only a page-lock boundary keeps in place; the other dependencies stand.
  const std::vector<model::DependencyGraph::Edge> edges = graph.edges();
  const auto tied = [&](const std::string& a, const std::string& b, bool lock) {
    return std::any_of(edges.begin(), edges.end(), [&](const auto& e) {
      return e.before == a && e.after == b && (e.why == model::Dependency::lock) == lock;
    });
  };
  for (std::size_t i = 0; i + 1 < kernel.size(); ++i) {
    const std::string &a = kernel[i], &b = kernel[i + 1];
    if (!tied(a, b, true) || tied(a, b, false)) continue;
    std::vector<std::string> order = kernel;
    std::swap(order[i], order[i + 1]);
    try {  // a swap across a label or jump is no order of this routine
      model::reordered_items(table, {routine, order});
    } catch (const model::UsageError&) {
      continue;
    }
    out.push_back(
        {Mutant::Kind::swap, routine, b + " ↔ " + a + " (across the page lock)", std::move(order)});
  }
  return out;
}

std::string_view to_string(MutantResult::Fate fate) {
  switch (fate) {
    case MutantResult::Fate::killed:
      return "killed";
    case MutantResult::Fate::survived:
      return "survived";
    case MutantResult::Fate::inconclusive:
      return "inconclusive";
    case MutantResult::Fate::unjudged:
      return "unjudged";
  }
  return "?";
}

std::size_t MutantReport::count(MutantResult::Fate fate) const {
  std::size_t n = 0;
  for (const RoutineMutants& r : routines) {
    n += static_cast<std::size_t>(std::count_if(r.results.begin(), r.results.end(),
                                                [&](const auto& m) { return m.fate == fate; }));
  }
  return n;
}

std::size_t MutantReport::total() const {
  std::size_t n = 0;
  for (const RoutineMutants& r : routines) n += r.results.size();
  return n;
}

MutantReport run_mutants(const model::Variant& variant, const std::vector<std::string>& routines,
                         const MutantOptions& options) {
  MutantReport report;
  report.variant = std::string(variant.name);
  report.fs = std::string(model::filesystem_name(options.fs));
  // The kernel's own routines first: a scenario they already fail cannot judge a mutant.
  std::vector<PortfolioScenario> portfolio;
  std::vector<CheckRun> baseline;
  for (PortfolioScenario& p : mutant_portfolio(variant, options.fs)) {
    const CheckRun run = run_check(p.scenario, options.limits, options.interrupt);
    if (run.verdict == checker::Verdict::violation) {
      report.kernel_failures.emplace_back(p.name, run.property);
      continue;
    }
    report.complete = report.complete && run.verdict == checker::Verdict::verified;
    portfolio.push_back(std::move(p));
    baseline.push_back(run);
  }
  const std::vector<std::string> names =
      routines.empty() ? mutable_routines(variant, options.fs) : routines;
  for (const std::string& routine : names) {
    RoutineMutants rm{routine, {}, {}};
    for (const PortfolioScenario& p : portfolio) {
      if (runs(p.scenario, routine)) rm.scenarios.push_back(p.name);
    }
    for (Mutant& mutant : mutants_of(variant, routine, options.fs)) {
      MutantResult result;
      result.mutant = std::move(mutant);
      result.same_counts = true;
      result.fate = MutantResult::Fate::unjudged;
      for (std::size_t i = 0; i < portfolio.size(); ++i) {
        if (!runs(portfolio[i].scenario, routine)) continue;
        if (result.fate == MutantResult::Fate::unjudged) result.fate = MutantResult::Fate::survived;
        if (options.interrupt && options.interrupt->load()) break;
        model::Scenario s = portfolio[i].scenario;
        s.routine_orders.push_back({routine, result.mutant.order});
        const CheckRun run = run_check(std::move(s), options.limits, options.interrupt);
        if (run.verdict == checker::Verdict::violation) {
          result.fate = MutantResult::Fate::killed;
          result.property = run.property;
          result.scenario = portfolio[i].name;
          result.length = run.length;
          break;
        }
        if (run.verdict == checker::Verdict::inconclusive) {
          result.fate = MutantResult::Fate::inconclusive;
        }
        result.same_counts = result.same_counts && run.states == baseline[i].states &&
                             run.transitions == baseline[i].transitions;
      }
      if (result.fate != MutantResult::Fate::survived) result.same_counts = false;
      if (options.interrupt && options.interrupt->load() &&
          result.fate != MutantResult::Fate::killed) {
        result.fate = MutantResult::Fate::inconclusive;
      }
      report.complete = report.complete && result.fate != MutantResult::Fate::inconclusive;
      if (options.on_result) options.on_result(routine, result);
      rm.results.push_back(std::move(result));
    }
    report.routines.push_back(std::move(rm));
  }
  return report;
}

}  // namespace dirtyrace::analyses
