// Write errors (--io-errors): the failing completion, how each era reports the error to msync
// and fsync, open files, and no_silent_loss.

#include <doctest/doctest.h>

#include <string>

#include "model/error.hpp"
#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"
#include "support.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"

using namespace dirtyrace;
using namespace dirtyrace::model;
using namespace dirtyrace::model::kernel;

namespace {

model::Scenario with_errors(const std::string& variant, const std::string& actors, int errors = 1,
                            std::vector<std::string> props = {}) {
  model::Scenario s = test::scenario(variant, 1, 1, 1, actors, std::move(props));
  s.io_errors = errors;
  return s;
}

/// A page under writeback with block 0's write captured at version 1.
State writing(const Model& m) {
  State s = m.initial();
  Page& pg = s.page[0];
  pg.cached = 1;
  pg.writeback = pg.tag_writeback = 1;
  Block& b = s.block[0];
  b.locked = b.async_write = 1;
  b.io = kIoCaptured;
  b.io_version = b.mem = 1;
  return s;
}

/// The successors of `s` by the device's transition `pc` on block 0.
std::vector<State> device_steps(const Model& m, const State& s, std::uint8_t pc) {
  std::vector<State> out;
  m.for_each_transition(s, [&](Transition t, const State& next) {
    if (t.actor == Transition::kDevice && t.pc == pc) out.push_back(next);
  });
  return out;
}

/// Runs the step at actor `a`'s pc once.
State run(const Model& m, State s, int a, const Step& st) {
  Exec x{s, m.env(), a, 0};
  st.apply(x);
  return s;
}

}  // namespace

TEST_CASE("a write completes, or fails while failures remain, and only writes of page writeback") {
  const Model m(with_errors("linux-4.9", "writer,fsync"));
  const State s = writing(m);
  REQUIRE(device_steps(m, s, 1).size() == 1);
  const std::vector<State> failed = device_steps(m, s, Transition::kDeviceFailed);
  REQUIRE(failed.size() == 1);
  const State& f = failed[0];
  CHECK(f.block[0].disk == 0);  // the disk keeps its old version
  CHECK(f.block[0].ghost_lost == 1);
  CHECK(f.ghost_io_failures == 1);
  CHECK(f.block[0].locked == 0);
  CHECK(f.page[0].writeback == 0);  // end_page_writeback as on success
  CHECK(f.page[0].dirty == 0);      // never redirtied
  CHECK(f.page[0].error == 1);      // SetPageError
  CHECK(f.as_eio == 1);             // mapping_set_error: AS_EIO
  CHECK(f.wb_err == 0);

  // No failure left: only success.
  State spent = s;
  spent.ghost_io_failures = 1;
  CHECK(device_steps(m, spent, Transition::kDeviceFailed).empty());
  // A buffer-level (sync) write never fails in the model.
  State sync = s;
  sync.block[0].async_write = 0;
  CHECK(device_steps(m, sync, Transition::kDeviceFailed).empty());
  // Without --io-errors nothing fails.
  const Model none(test::scenario("linux-4.9", 1, 1, 1, "writer,fsync"));
  CHECK(device_steps(none, writing(none), Transition::kDeviceFailed).empty());
}

TEST_CASE("from 4.13 a failed write goes to mapping->wb_err, and errseq_set waits for SEEN") {
  const Model m(with_errors("linux-4.19", "writer,fsync", 2));
  State f = device_steps(m, writing(m), Transition::kDeviceFailed).at(0);
  CHECK(f.wb_err == 2);  // counter 1, not seen
  CHECK(f.as_eio == 0);
  CHECK(f.page[0].error == 0);
  // A second error before anyone looked changes nothing; after SEEN it is a new value.
  mapping_set_error(f, m.env(), 0);
  CHECK(f.wb_err == 2);
  CHECK(errseq_check_and_advance(f, 0));
  CHECK(f.wb_err == 3);
  CHECK(f.f_wb_err[0] == 3);
  CHECK_FALSE(errseq_check_and_advance(f, 0));  // once per file
  mapping_set_error(f, m.env(), 0);
  CHECK(f.wb_err == 4);
  CHECK(errseq_check_and_advance(f, 0));
}

TEST_CASE("filemap_check_errors test-and-clears AS_EIO - one caller hears of it") {
  const Model m(with_errors("linux-4.9", "fsync,fsync"));
  State s = m.initial();
  s.as_eio = 1;
  s.ghost_io_failures = 1;
  const State first = run(m, s, 0, kFilemapCheckErrors);
  CHECK(first.as_eio == 0);
  CHECK(first.actor[0].err == 1);
  CHECK(first.ghost_reported[static_cast<std::size_t>(m.env().of(0).file)] == 1);
  const State second = run(m, first, 1, kFilemapCheckErrors);
  CHECK(second.actor[1].err == 0);
}

TEST_CASE("file_check_and_advance_wb_err tells every open file once") {
  const Model m(with_errors("linux-4.19", "fsync,fsync"));
  REQUIRE(m.env().of(0).file != m.env().of(1).file);
  State s = m.initial();
  s.wb_err = 2;
  s.ghost_io_failures = 1;
  State a = run(m, s, 0, kFileCheckAndAdvanceWbErr);
  CHECK(a.actor[0].err == 1);
  a = run(m, a, 1, kFileCheckAndAdvanceWbErr);
  CHECK(a.actor[1].err == 1);
  a.actor[0].err = 0;
  a = run(m, a, 0, kFileCheckAndAdvanceWbErr);
  CHECK(a.actor[0].err == 0);
}

TEST_CASE("the wait reports PG_error - 2.6.x leaves it set, 3.14 and 4.9 clear it") {
  for (const auto& [variant, clears] :
       {std::pair{"linux-2.6.32", false}, {"linux-3.14", true}, {"linux-4.9", true}}) {
    CAPTURE(variant);
    const Model m(with_errors(variant, "fsync"));
    State s = m.initial();
    s.page[0].cached = 1;
    s.page[0].error = 1;
    s.actor[0].pagevec = 1;
    const State after = run(m, s, 0, kWaitOnPageWriteback);
    CHECK(after.actor[0].err == 1);
    CHECK(after.page[0].error == (clears ? 0 : 1));
  }
}

TEST_CASE(
    "open files - msync through mapping m and fsync@m share one, other fsyncs have their own") {
  model::Scenario s = with_errors("linux-4.19", "msync@0,fsync@0,fsync,msync@1,fsync");
  s.mappings = 2;
  const Model m(s);
  const auto file = [&](int a) { return m.env().of(a).file; };
  CHECK(file(0) == file(1));
  CHECK(file(2) != file(0));
  CHECK(file(3) != file(0));
  CHECK(file(4) != file(2));
  CHECK(m.env().files == 4);
  CHECK(m.env().of(5).file == -1);  // the final fsync of durable_at_end
}

TEST_CASE("fsync@m names a mapping's file, and bad values are one-line errors") {
  const auto actors = parse_actor_list("fsync@1,fsync");
  CHECK(actors[0].file == 1);
  CHECK(actors[1].file == -1);
  model::Scenario s = with_errors("linux-4.19", "writer,fsync@1");
  CHECK_THROWS_AS(s.validate_and_resolve(), UsageError);
  model::Scenario many = with_errors("linux-4.19", "writer,fsync", 4);
  CHECK_THROWS_WITH_AS(many.validate_and_resolve(),
                       doctest::Contains("write errors is 4 but must be 0 to 3"), UsageError);
  CHECK_THROWS_AS(parse_actor_list("flusher@1"), UsageError);
}

TEST_CASE("scenario files carry io_errors and an fsync's file, and round-trip") {
  const Scenario s = parse_scenario_toml(
      "variant = \"linux-4.9\"\nio_errors = 2\nmappings = 2\n"
      "[[actors]]\nkind = \"writer\"\n[[actors]]\nkind = \"fsync\"\nmapping = 1\n",
      "t.toml");
  CHECK(s.io_errors == 2);
  CHECK(s.actors[1].file == 1);
  const Scenario back = parse_scenario_toml(to_toml(s), "back.toml");
  CHECK(back.io_errors == 2);
  CHECK(back.actors[1].file == 1);
}

TEST_CASE(
    "fsyncgate - before 4.13 a second process's fsync returns 0 for data a failed write lost") {
  const std::vector<std::string> prop = {"no_silent_loss"};
  for (const char* buggy : {"linux-2.6.32", "linux-3.14", "linux-4.9"}) {
    CAPTURE(buggy);
    const auto r = test::check(with_errors(buggy, "writer,fsync,fsync", 1, prop));
    CHECK(r.result.verdict == checker::Verdict::violation);
    CHECK(r.property == "no_silent_loss");
  }
  for (const char* fixed : {"linux-4.19", "linux-6.1", "linux-6.12"}) {
    CAPTURE(fixed);
    CHECK(test::check(with_errors(fixed, "writer,fsync,fsync", 1, prop)).result.verdict ==
          checker::Verdict::verified);
  }
  // Two fsyncs on one open file share its report, in every era.
  CHECK(test::check(with_errors("linux-4.9", "writer,fsync@0,fsync@0", 1, prop)).result.verdict ==
        checker::Verdict::verified);
  // One process alone always hears of the error.
  CHECK(test::check(with_errors("linux-4.9", "writer,flusher,fsync", 1, prop)).result.verdict ==
        checker::Verdict::verified);
}

TEST_CASE(
    "a failed write makes no durability property fail, and without errors they keep their "
    "verdicts") {
  // The flusher's write fails and the page stays clean: the disk stays behind for good, which is
  // what write errors do; no_silent_loss, not durable_at_end, judges it.
  const auto r = test::check(with_errors("linux-6.12", "writer,flusher,fsync"));
  CHECK(r.result.verdict == checker::Verdict::verified);
  const auto plain = test::check(test::scenario("linux-6.12", 1, 1, 1, "writer,flusher,fsync"));
  CHECK(plain.result.verdict == checker::Verdict::verified);
  CHECK(plain.result.stats.states < r.result.stats.states);
}

TEST_CASE("a trace with write errors and a shared open file keeps both, and replays") {
  model::Scenario s = with_errors("linux-4.9", "writer,fsync,fsync@0");
  const Model m(s);
  const properties::CheckedModel system(m, properties::select_properties(m, {}));
  const auto result = checker::search(system, {});
  REQUIRE(result.counterexample);
  const traces::Trace t = traces::make_trace(system, *result.counterexample);
  const traces::Trace read =
      traces::trace_from_json(nlohmann::json::parse(traces::trace_to_json(t).dump()));
  CHECK(read.scenario.io_errors == 1);
  CHECK(read.scenario.actors[2].file == 0);
  CHECK(traces::replay(read).confirmed);
}
