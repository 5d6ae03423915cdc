#include "analyses/check_classes.hpp"

#include <algorithm>
#include <chrono>

#include "model/error.hpp"
#include "properties/checked_model.hpp"

namespace dirtyrace::analyses {

namespace {

void add(checker::Statistics& total, const checker::Statistics& st) {
  total.states += st.states;
  total.transitions += st.transitions;
  total.depth = std::max(total.depth, st.depth);
  total.threads = std::max(total.threads, st.threads);
  total.seconds += st.seconds;
  total.state_bytes = std::max(total.state_bytes, st.state_bytes);
  total.stored_bytes += st.stored_bytes;
  total.peak_rss_bytes = std::max(total.peak_rss_bytes, st.peak_rss_bytes);
  total.represented_states += st.represented_states;
}

}  // namespace

ClassesCheck check_classes(const model::Scenario& scenario, checker::SearchOptions search,
                           unsigned z3_rlimit, bool symmetry, const CheckSink& sink) {
  ClassesCheck out;
  out.enumeration = model::enumerate_footprints(
      scenario, {.rlimit = z3_rlimit, .max_memory_bytes = search.limits.max_memory_bytes});
  const model::Enumeration& e = out.enumeration;
  if (e.complete && e.classes.empty()) {
    throw model::UsageError(
        "the constraints admit no byte ranges at all; 'dirtyrace offsets' lists what they admit");
  }
  const double time_limit = search.limits.time_limit_seconds;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < e.classes.size(); ++i) {
    const model::FootprintClass& c = e.classes[i];
    if (c.duplicate_of) continue;
    if (time_limit > 0) {
      const double left =
          time_limit -
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (left <= 0) {
        out.verdict = checker::Verdict::inconclusive;
        out.stop = checker::StopReason::time_limit;
        break;
      }
      search.limits.time_limit_seconds = left;
    }
    const model::Model m(c.scenario);
    const properties::CheckedModel system(
        m, properties::select_properties(m, m.scenario().properties), symmetry);
    if (out.properties_checked.empty()) {
      for (const auto* p : system.properties()) out.properties_checked.emplace_back(p->name);
    }
    const checker::SearchResult r = checker::search(system, search);
    ++out.explored;
    add(out.total, r.stats);
    if (r.verdict == checker::Verdict::verified) continue;
    out.verdict = r.verdict;
    out.stop = r.stop;
    out.last = i;
    if (sink) sink(system, r);
    break;
  }
  // Classes Z3 could not rule in or out may hold a violation: without one, nothing is verified.
  if (out.verdict == checker::Verdict::verified && !e.complete) {
    out.verdict = checker::Verdict::inconclusive;
  }
  return out;
}

}  // namespace dirtyrace::analyses
