// What an edited routine does when the kernel order it breaks would hang, leak or spin: a
// property violation with a trace that replays, never an internal error.

#include <doctest/doctest.h>

#include "support.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"

using namespace dirtyrace;
using checker::Verdict;

namespace {

model::Scenario edited(const std::string& variant, const std::string& actors,
                       const std::string& routine, std::vector<std::string> order,
                       std::vector<std::string> properties = {}) {
  model::Scenario s = test::scenario(variant, 1, 1, 1, actors, std::move(properties));
  s.routine_orders.push_back({routine, std::move(order)});
  return s;
}

/// The trace of `s`'s violation, after checking it replays through JSON.
traces::Trace violation(const model::Scenario& s) {
  const model::Model m(s);
  const properties::CheckedModel system(m,
                                        properties::select_properties(m, m.scenario().properties));
  const checker::SearchResult r = checker::search(system, {});
  REQUIRE(r.verdict == Verdict::violation);
  const traces::Trace t = traces::make_trace(system, *r.counterexample);
  const traces::ReplayResult replayed =
      traces::replay(traces::trace_from_json(traces::trace_to_json(t)));
  CHECK_MESSAGE(replayed.confirmed, replayed.message);
  return t;
}

}  // namespace

TEST_CASE("a wait that never looks up what it waits for leaves the references it took: no_leak") {
  const traces::Trace t =
      violation(edited("linux-6.12", "writer,msync", "filemap_fdatawait", {"find_get_pages_tag"}));
  CHECK(t.property == "no_leak");
  CHECK(t.detail == "msync0 finished holding a reference on page 0.");
}

TEST_CASE("a fault that never unlocks the page finishes holding its lock: no_leak") {
  const traces::Trace t = violation(
      edited("linux-6.12", "writer", "do_shared_fault",
             {"filemap_fault", "unlock_page#1", "page_mkwrite", "finish_fault", "set_page_dirty"}));
  CHECK(t.property == "no_leak");
  CHECK(t.detail == "writer0 finished holding the lock of page 0.");
}

TEST_CASE(
    "I/O submitted before set_page_writeback can leave PG_writeback set with nothing in flight: "
    "no_leak, and the final fsync never returns") {
  const std::vector<std::string> order = {"lock_buffer", "trylock_buffer",
                                          "submit_bh",   "set_page_writeback",
                                          "unlock_page", "end_page_writeback"};
  const traces::Trace leak = violation(
      edited("linux-6.12", "writer,flusher", "__block_write_full_page", order, {"no_leak"}));
  CHECK(leak.property == "no_leak");
  CHECK(leak.detail.find("page 0 is under writeback") != std::string::npos);
  const traces::Trace stuck = violation(
      edited("linux-6.12", "writer,flusher", "__block_write_full_page", order, {"durable_at_end"}));
  CHECK(stuck.property == "durable_at_end");
  CHECK(stuck.detail.find("a final fsync never returns") != std::string::npos);
}

TEST_CASE("buffers picked but never submitted stay locked once every actor has finished") {
  const traces::Trace t = violation(edited(
      "linux-6.12", "writer,flusher", "__block_write_full_page",
      {"lock_buffer", "trylock_buffer", "set_page_writeback", "unlock_page", "end_page_writeback"},
      {"no_leak"}));
  CHECK(t.property == "no_leak");
  CHECK(t.detail.find("buffer b0.0 is locked") != std::string::npos);
}

TEST_CASE("a loop whose every step is passed over spins: the actor never finishes") {
  // filemap_fdatawait without its lookup: wait_on_page_writeback is passed over while the
  // lookup's pages are none, and sends the actor back to the lookup, which is itself.
  const model::Model m(edited("linux-6.12", "msync", "filemap_fdatawait",
                              {"wait_on_page_writeback"}, {"no_bug_on"}));
  const model::State s0 = m.initial();
  int spinning = 0;
  // Run msync alone until it can go no further.
  model::State s = s0;
  for (int steps = 0; steps < 50; ++steps) {
    bool moved = false;
    m.for_each_transition(s, [&](model::Transition t, const model::State& next) {
      if (moved || t.actor != 0) return;
      moved = true;
      if (next == s) ++spinning;
      s = next;
    });
    if (!moved || spinning > 0) break;
  }
  CHECK(spinning == 1);
  CHECK(m.position(s, 0) == "spinning (a loop that takes no step)");
  CHECK_FALSE(m.finished(s));
  CHECK_FALSE(m.at_rest(s));
}
