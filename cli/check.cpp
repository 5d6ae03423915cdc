#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

#include "checker/search.hpp"
#include "cli/check_common.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"
#include "properties/checked_model.hpp"
#include "traces/json.hpp"
#include "traces/text.hpp"

namespace dirtyrace::cli {

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::string describe_estimate(const checker::Progress& p) {
  char buf[160];
  if (p.order != checker::Order::breadth_first) {
    return "no estimate of what is left (depth-first order)";
  }
  if (p.growth == 0) {
    std::snprintf(buf, sizeof buf, "level %u, no estimate of what is left yet", p.level);
  } else if (!p.states_left) {
    std::snprintf(buf, sizeof buf,
                  "level %u, no estimate of what is left while levels grow (x%.2f a level)",
                  p.level, p.growth);
  } else {
    const double rate = double(p.states) / p.seconds;
    std::snprintf(buf, sizeof buf,
                  "level %u, levels shrink x%.2f a level: about %llu states and %.0f s left if "
                  "they keep to it",
                  p.level, p.growth, static_cast<unsigned long long>(*p.states_left),
                  rate > 0 ? double(*p.states_left) / rate : 0.0);
  }
  return buf;
}

checker::SearchResult search_with_sigint(const checker::TransitionSystem& system,
                                         const checker::SearchOptions& options) {
  const InterruptScope interrupt;
  checker::SearchOptions with_interrupt = options;
  with_interrupt.interrupt = interrupt.flag();
  return checker::search(system, with_interrupt);
}

std::string describe_symmetry(const properties::CheckedModel& system, bool off) {
  if (off) return "off (--no-symmetry)";
  if (!system.symmetry()) return "none: no two actors or mappings are interchangeable";
  return system.symmetry()->describe();
}

namespace {
/// How the store kept the states: whole, or as the numbers of their halves.
std::string describe_compression(const checker::Statistics& st, bool off) {
  if (off) return "off (--no-compression)";
  if (st.halves[0] == 0) return "none: states under 16 bytes are kept whole";
  return "each state as the numbers of its halves: " + std::to_string(st.halves[0]) +
         " distinct of " + std::to_string(st.half_bytes[0]) + " bytes, " +
         std::to_string(st.halves[1]) + " of " + std::to_string(st.half_bytes[1]);
}
}  // namespace

void print_statistics(const checker::Statistics& st, bool timing, const std::string& symmetry,
                      const std::string& compression) {
  std::printf("statistics:\n");
  std::printf("  states          %llu\n", static_cast<unsigned long long>(st.states));
  std::printf("  transitions     %llu\n", static_cast<unsigned long long>(st.transitions));
  std::printf("  depth           %u\n", st.depth);
  std::printf("  state width     %zu bytes packed\n", st.state_bytes);
  if (!timing) return;
  std::printf("  threads         %u\n", st.threads);
  std::printf("  seconds         %.3f\n", st.seconds);
  std::printf("  states/s        %.0f\n", st.states_per_second());
  std::printf("  bytes/state     %.1f (states, parent links if any, hash table)\n",
              st.bytes_per_state());
  if (!compression.empty()) std::printf("  compression     %s\n", compression.c_str());
  std::printf("  peak memory     %s\n", mib(st.peak_rss_bytes).c_str());
  if (!symmetry.empty()) {
    std::printf("  symmetry        %s\n", symmetry.c_str());
    // Without a reduction each state stands for itself.
    if (st.represented_states != st.states && st.states > 0) {
      std::printf("  represented     %llu states without symmetry, %.2fx the states stored\n",
                  static_cast<unsigned long long>(st.represented_states),
                  double(st.represented_states) / double(st.states));
    }
  }
  if (st.progress_bytes) {
    std::printf("  progress check  %.3f s of the seconds above, %s, %u sweeps\n",
                st.progress_seconds, mib(st.progress_bytes).c_str(), st.progress_sweeps);
  }
}

int exit_code(checker::Verdict v) {
  switch (v) {
    case checker::Verdict::verified:
      return kExitVerified;
    case checker::Verdict::violation:
      return kExitViolation;
    case checker::Verdict::inconclusive:
      return kExitInconclusive;
  }
  return kExitInternal;
}

checker::SearchOptions search_options(const CheckOptions& o) {
  checker::SearchOptions search;
  if (o.order == "bfs") {
    search.order = checker::Order::breadth_first;
  } else if (o.order == "dfs") {
    search.order = checker::Order::depth_first;
  } else {
    throw model::UsageError("unknown --order '" + model::echo(o.order) + "'; use bfs or dfs");
  }
  search.compress_states = !o.no_compression;
  search.threads = o.threads.empty() ? std::max(1u, std::thread::hardware_concurrency())
                                     : parse_threads(o.threads);
  if (!o.max_states.empty()) search.limits.max_states = parse_size(o.max_states, "--max-states");
  if (!o.max_memory.empty())
    search.limits.max_memory_bytes = parse_size(o.max_memory, "--max-memory");
  if (o.time_limit < 0) throw model::UsageError("--time-limit must not be negative");
  search.limits.time_limit_seconds = o.time_limit;
  // What symmetry saved, for --stats and --json (a pass over the states stored, after the search).
  search.count_represented = o.stats || o.json;
  if (!o.quiet) {
    search.on_progress = [](const checker::Progress& p) {
      std::fprintf(stderr, "dirtyrace: %llu states, %.0f states/s, %llu queued, %s, %s\n",
                   static_cast<unsigned long long>(p.states), double(p.states) / p.seconds,
                   static_cast<unsigned long long>(p.pending), mib(p.stored_bytes).c_str(),
                   describe_estimate(p).c_str());
    };
  }
  return search;
}

int run_check(const CheckOptions& o) {
  if (!o.distributed && mpi_ranks() > 1) {
    throw model::UsageError("started by mpirun with " + std::to_string(mpi_ranks()) +
                            " processes: add --distributed to explore across them");
  }
  // Before the search: what it finds must not be lost to an unwritable path (distributed: rank
  // 0 writes it, and checks once MPI has started).
  if (!o.trace_out.empty() && !o.distributed) traces::check_writable(o.trace_out);
  const model::Scenario scenario = build_scenario(o.scenario);
  if (scenario.needs_classes()) {
    if (o.distributed) {
      throw model::UsageError(
          "--distributed does not explore footprint classes (symbolic ranges or constraints); "
          "give the scenario concrete offsets, or check it on one process");
    }
    return run_check_classes(o, scenario);
  }
  const model::Model m(scenario);
  const properties::CheckedModel system(
      m, properties::select_properties(m, m.scenario().properties), !o.no_symmetry);
  if (o.distributed) return run_check_distributed(o, m, system);
  return report_check(o, m, system, search_with_sigint(system, search_options(o)));
}

int report_check(const CheckOptions& o, const model::Model& m,
                 const properties::CheckedModel& system, const checker::SearchResult& result,
                 const std::vector<checker::RankStatistics>& ranks) {
  std::optional<traces::Trace> trace;
  if (result.counterexample) trace = traces::make_trace(system, *result.counterexample);
  if (trace && !o.trace_out.empty()) {
    traces::write_file_atomically(o.trace_out, traces::trace_to_json(*trace).dump(2) + "\n");
  }

  const checker::Statistics& st = result.stats;
  if (o.json) {
    nlohmann::ordered_json out{
        {"verdict", checker::to_string(result.verdict)},
        {"property", trace ? nlohmann::ordered_json(trace->property) : nullptr},
        {"variant", m.scenario().variant->name},
        {"scenario", traces::scenario_to_json(m.scenario())},
        {"properties_checked", nlohmann::ordered_json::array()},
        {"stop_reason", result.stop == checker::StopReason::none
                            ? nullptr
                            : nlohmann::ordered_json(checker::to_string(result.stop))},
        {"states", st.states},
        {"transitions", st.transitions},
        {"depth", st.depth},
        {"threads", st.threads},
        {"seconds", st.seconds},
        {"states_per_second", st.states_per_second()},
        {"bytes_per_state", st.bytes_per_state()},
        {"distinct_halves", {st.halves[0], st.halves[1]}},
        {"peak_memory_bytes", st.peak_rss_bytes},
        {"progress_check_seconds", st.progress_seconds},
        {"progress_check_bytes", st.progress_bytes},
        {"symmetry_group", system.symmetry() ? system.symmetry()->order() : 1},
        {"represented_states", st.represented_states},
        {"trace", trace ? traces::trace_to_json(*trace) : nullptr}};
    for (const auto* p : system.properties()) out["properties_checked"].push_back(p->name);
    if (!ranks.empty()) {
      out["ranks"] = nlohmann::ordered_json::array();
      for (const checker::RankStatistics& r : ranks) {
        out["ranks"].push_back({{"states", r.states},
                                {"stored_bytes", r.stored_bytes},
                                {"peak_memory_bytes", r.peak_rss_bytes},
                                {"sent_bytes", r.sent_bytes},
                                {"seconds", r.seconds}});
      }
    }
    std::cout << out.dump(2) << "\n";
    return exit_code(result.verdict);
  }

  std::printf("dirtyrace check: %s; %s\n", std::string(m.scenario().variant->name).c_str(),
              traces::describe_scenario(m.scenario()).c_str());
  std::string names;
  for (const auto* p : system.properties())
    names += (names.empty() ? "" : ", ") + std::string(p->name);
  std::printf("properties: %s\n\n", names.c_str());
  switch (result.verdict) {
    case checker::Verdict::verified:
      std::printf(
          "verdict: VERIFIED: every one of the %llu reachable states%s satisfies every "
          "property\n",
          static_cast<unsigned long long>(st.states),
          system.symmetry() ? " (one per orbit under symmetry)" : "");
      break;
    case checker::Verdict::violation:
      std::printf("verdict: VIOLATION of %s\n\n%s", trace->property.c_str(),
                  traces::render_trace(*trace).c_str());
      if (!o.trace_out.empty()) std::printf("\ntrace written to %s\n", o.trace_out.c_str());
      break;
    case checker::Verdict::inconclusive:
      std::printf("verdict: INCONCLUSIVE (%s): no violation among the %llu states explored; %s\n",
                  std::string(checker::to_string(result.stop)).c_str(),
                  static_cast<unsigned long long>(st.states),
                  st.progress_seconds > 0 || result.stop == checker::StopReason::progress_memory
                      ? "every state was reached, but the can_finish check did not complete"
                      : "not every state was reached");
      break;
  }
  std::printf("\n");
  // Each rank of a distributed search has half tables of its own: no one figure to give.
  print_statistics(st, o.stats, describe_symmetry(system, o.no_symmetry),
                   ranks.empty() ? describe_compression(st, o.no_compression) : "");
  if (o.stats && !ranks.empty()) {
    std::printf("  ranks           %zu, one thread each; states, bytes/state, peak memory, sent:\n",
                ranks.size());
    for (std::size_t r = 0; r < ranks.size(); ++r) {
      const checker::RankStatistics& f = ranks[r];
      std::printf("    rank %-4zu    %llu, %.1f, %s, %s\n", r,
                  static_cast<unsigned long long>(f.states),
                  f.states ? double(f.stored_bytes) / double(f.states) : 0.0,
                  mib(f.peak_rss_bytes).c_str(), mib(f.sent_bytes).c_str());
    }
  }
  return exit_code(result.verdict);
}

}  // namespace dirtyrace::cli
