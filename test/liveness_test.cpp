// Progress and clean-up properties on the model: can_finish (the checker's progress check),
// comes_clean and munmap_unmaps, on mutants that keep data safe but never finish, never come
// clean, or leave PTEs behind; their traces as JSON, text and replay.

#include <doctest/doctest.h>

#include "support.hpp"
#include "traces/explain.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"
#include "traces/text.hpp"

using namespace dirtyrace;

namespace {

/// A scenario with `routine`'s steps in `order` (the others dropped).
model::Scenario edited(model::Scenario s, const std::string& routine,
                       std::vector<std::string> order) {
  s.routine_orders.push_back({routine, std::move(order)});
  return s;
}

/// The counterexample of `s` as a trace, or none.
std::optional<traces::Trace> trace_of(const model::Scenario& s,
                                      checker::Order order = checker::Order::breadth_first) {
  const model::Model m(s);
  const properties::CheckedModel system(m,
                                        properties::select_properties(m, m.scenario().properties));
  checker::SearchOptions options;
  options.order = order;
  const checker::SearchResult r = checker::search(system, options);
  if (!r.counterexample) return std::nullopt;
  return traces::make_trace(system, *r.counterexample);
}

/// do_shared_fault without finish_fault: the PTE is never installed, so the store faults
/// again and again.
model::Scenario without_finish_fault(const std::string& actors) {
  return edited(
      test::scenario("linux-6.12", 1, 1, 1, actors), "do_shared_fault",
      {"filemap_fault", "unlock_page#1", "page_mkwrite", "set_page_dirty", "unlock_page#2"});
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("the kernel's own orders can always finish and come clean") {
  // linux-2.6.20 is left out: its fault between page_mkclean and TestClearPageDirty (79352894)
  // leaves a writable PTE over a clean page, which comes_clean sees as well (below).
  for (const char* variant : {"linux-2.6.18", "linux-2.6.19", "linux-2.6.29", "linux-2.6.32",
                              "linux-4.19", "linux-6.12"}) {
    CAPTURE(variant);
    const auto c = test::check(
        test::scenario(variant, 1, 1, 1, "writer,flusher,munmap", {"can_finish", "comes_clean"}));
    CHECK(c.result.verdict == checker::Verdict::verified);
    CHECK(c.result.stats.progress_bytes > 0);
  }
}

TEST_CASE("2.6.20's fault in clear_page_dirty_for_io leaves a writable PTE after the last sync") {
  const auto c = test::check(test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,munmap",
                                            {"can_finish", "comes_clean"}));
  CHECK(c.property == "comes_clean");
  CHECK(c.length == 23);  // 22 before page_mkclean began with its page_mapped test
}

TEST_CASE("without finish_fault the writer faults forever: can_finish fails with a lasso") {
  const model::Scenario s = without_finish_fault("writer");
  // Every other property holds: only the progress check sees it.
  const auto t = trace_of(s);
  REQUIRE(t);
  CHECK(t->property == "can_finish");
  // The first store faults and dirties the page (5 steps); from then on each fault ends where
  // it began: steps 6-12 repeat forever.
  CHECK(t->steps.size() == 12);
  REQUIRE(t->loop_start);
  CHECK(*t->loop_start == 5);
  CHECK(t->stuck_at == 0u);  // no run from the initial state finishes
  CHECK(has(t->detail, "writer0 (at "));
  CHECK(has(traces::render_trace(*t),
            "Steps 6-12 repeat forever: after step 12 the state is "
            "again the state after step 5."));
  const std::string story = traces::explain(*t);
  CHECK(has(story, "From here on the run repeats forever:\n"));
  CHECK(has(story, "\nWhy it fails: no run from here lets every actor finish"));

  // The trace survives JSON, and replay checks that the loop closes.
  const traces::Trace back = traces::trace_from_json(traces::trace_to_json(*t));
  CHECK(back.loop_start == t->loop_start);
  CHECK(back.stuck_at == t->stuck_at);
  const auto replayed = traces::replay(back);
  CHECK(replayed.confirmed);
  CHECK(has(replayed.message, "the loop closes"));

  // A loop that does not close is refused.
  traces::Trace bad = back;
  bad.loop_start = 4;
  CHECK(!traces::replay(bad).confirmed);

  // Depth-first finds a lasso too (not necessarily the shortest).
  const auto dfs = trace_of(s, checker::Order::depth_first);
  REQUIRE(dfs);
  CHECK(dfs->property == "can_finish");
  REQUIRE(dfs->loop_start);
  CHECK(traces::replay(*dfs).confirmed);
}

TEST_CASE("a trace without loop_start is read as before and refused a loop it does not have") {
  const auto t = trace_of(test::scenario("linux-2.6.19", 1, 1, 1, "writer,journal"));
  REQUIRE(t);
  CHECK(t->property == "durable_at_end");
  const auto j = traces::trace_to_json(*t);
  CHECK(!j.contains("loop_start"));
  CHECK(!j.contains("stuck_at"));
  traces::Trace looped = traces::trace_from_json(j);
  CHECK(!looped.loop_start);
  looped.loop_start = 1;
  CHECK(!traces::replay(looped).confirmed);
}

TEST_CASE("2.6.20 with TestClearPageDirty first never comes clean") {
  // The page is cleaned, then page_mkclean finds the PTE dirty and set_page_dirty dirties it
  // again: every pass leaves a mapped page dirty. No data is lost, so only comes_clean sees it.
  const model::Scenario s =
      edited(test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher"), "clear_page_dirty_for_io",
             {"TestClearPageDirty", "page_mkclean", "set_page_dirty"});
  const auto c = test::check(s);
  CHECK(c.property == "comes_clean");
  CHECK(c.length == 7);
  const auto t = trace_of(s);
  REQUIRE(t);
  CHECK(has(t->detail, "page 0 still has PG_dirty set"));
  CHECK(traces::replay(*t).confirmed);
  CHECK(has(traces::explain(*t), "\nWhy it fails: "));

  // The same scenario without comes_clean verifies: the data does reach the disk.
  model::Scenario others = s;
  others.properties = {"durable_at_end", "writable_implies_dirty", "no_deadlock", "can_finish"};
  CHECK(test::check(others).result.verdict == checker::Verdict::verified);
}

TEST_CASE("munmap_unmaps: in the default set only where no fault can refill a PTE") {
  // munmap through mapping 0 while the writer uses mapping 1: exact, and it holds.
  const model::Scenario apart = test::scenario("linux-6.12", 1, 1, 2, "writer@1,munmap@0");
  CHECK(test::check(apart).result.verdict == checker::Verdict::verified);
  const model::Model one(apart);
  bool selected = false;
  for (const auto* p : properties::select_properties(one, {})) {
    selected = selected || p->name == "munmap_unmaps";
  }
  CHECK(selected);

  // A writer on munmap's own mapping: the model keeps the VMA (MADV_DONTNEED), so the writer may
  // fault the page back in after munmap zapped it and before munmap returns (on 3.14, between
  // dropping the PTE lock and the TLB flush); the kernel's munmap detaches the VMA first. Not in
  // the default set there, and when asked for explicitly, it reports exactly that run.
  const model::Scenario same = test::scenario("linux-3.14", 1, 1, 1, "writer,munmap");
  const model::Model m(same);
  for (const auto* p : properties::select_properties(m, {})) CHECK(p->name != "munmap_unmaps");
  model::Scenario asked = same;
  asked.properties = {"munmap_unmaps"};
  const auto t = trace_of(asked);
  REQUIRE(t);
  CHECK(t->property == "munmap_unmaps");
  CHECK(t->steps.back().actor == "munmap0");
  CHECK(t->steps.back().next == "done");
  bool refaulted = false;
  for (const auto& step : t->steps) refaulted = refaulted || step.step == "finish_fault";
  CHECK(refaulted);
  CHECK(traces::replay(*t).confirmed);
}

TEST_CASE("dropping zap_pte_range leaves an munmap that returns before anything is mapped") {
  // With no step, munmap is done in the initial state: every run of the mutant is a run of the
  // kernel's munmap called before the first fault, so no property of states can tell them
  // apart. munmap_unmaps holds, and so does everything else.
  const model::Scenario s =
      edited(test::scenario("linux-6.12", 1, 1, 1, "writer,munmap"), "munmap", {});
  CHECK(test::check(s).result.verdict == checker::Verdict::verified);
}
