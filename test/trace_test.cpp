// Traces: JSON round trip, text rendering, and replay catching a trace that does not fit.

#include <doctest/doctest.h>

#include "model/error.hpp"
#include "support.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"
#include "traces/text.hpp"

using namespace dirtyrace;

namespace {

traces::Trace lost_write_trace() {
  const model::Model m(test::scenario("linux-2.6.19", 1, 1, 1, "writer,journal,flusher"));
  const properties::CheckedModel system(m, properties::select_properties(m, {}));
  const checker::SearchResult r = checker::search(system, {});
  REQUIRE(r.counterexample);
  return traces::make_trace(system, *r.counterexample);
}

}  // namespace

TEST_CASE("a trace survives JSON unchanged and carries its format and version") {
  const traces::Trace t = lost_write_trace();
  const auto j = traces::trace_to_json(t);
  CHECK(j["format"] == "dirtyrace-trace");
  CHECK(j["version"] == 1);
  CHECK(j["variant"] == "linux-2.6.19");
  CHECK(j["steps"].size() == t.steps.size());
  const traces::Trace back = traces::trace_from_json(nlohmann::json::parse(j.dump()));
  CHECK(traces::trace_to_json(back) == j);
}

TEST_CASE("a trace on ext3 carries its filesystem through JSON and replays on it") {
  model::Scenario s = test::scenario("linux-2.6.32", 1, 1, 1, "writer*2,flusher,msync");
  s.fs = model::Filesystem::ext3;
  const model::Model m(s);
  const properties::CheckedModel system(m, properties::select_properties(m, {}));
  const checker::SearchResult r = checker::search(system, {});
  REQUIRE(r.counterexample);
  const traces::Trace t = traces::make_trace(system, *r.counterexample);
  const auto j = traces::trace_to_json(t);
  CHECK(j["scenario"]["fs"] == "ext3");
  CHECK(traces::trace_to_json(lost_write_trace())["scenario"].count("fs") == 0);
  const traces::Trace back = traces::trace_from_json(nlohmann::json::parse(j.dump()));
  CHECK(back.scenario.fs == model::Filesystem::ext3);
  const traces::ReplayResult replayed = traces::replay(back);
  CHECK_MESSAGE(replayed.confirmed, replayed.message);
}

TEST_CASE("the text shows one line per step with the kernel function and the changes") {
  const std::string text = traces::render_trace(lost_write_trace());
  CHECK(text.find("Counterexample, 10 steps:\n") == 0);
  CHECK(text.find("journal_submit_data_buffers: lock_buffer") != std::string::npos);
  CHECK(text.find("b0.0: BH_dirty 1→0, BH_lock 0→1, io -→submitted") != std::string::npos);
  CHECK(text.find("Violated: durable_at_end") != std::string::npos);
  CHECK(text.find("b0.0:       BH_dirty=0  BH_lock=0  mem=v2  io=-  disk=v1") != std::string::npos);
}

TEST_CASE("replay names the first step the model does not take as recorded") {
  traces::Trace t = lost_write_trace();
  CHECK(traces::replay(t).confirmed);

  traces::Trace swapped = t;
  std::swap(swapped.steps[1], swapped.steps[2]);
  traces::ReplayResult r = traces::replay(swapped);
  CHECK(!r.confirmed);
  CHECK(r.diverged_at == 2);
  CHECK(r.message.find("step 2: cannot take writer0 do_no_page: set_pte_at here") == 0);

  traces::Trace wrong = t;
  for (auto& c : wrong.steps[5].changes) {
    if (c.attribute == "mem") c.after = "v7";  // the store's other change fills the TLB
  }
  r = traces::replay(wrong);
  CHECK(!r.confirmed);
  CHECK(r.diverged_at == 6);
  CHECK(r.message.find("the model sets b0.0 mem to v1, the trace says b0.0 mem becomes v7") !=
        std::string::npos);

  traces::Trace short_trace = t;
  short_trace.steps.pop_back();
  r = traces::replay(short_trace);
  CHECK(!r.confirmed);
  // Its final state is still the full trace's, which its steps do not reach.
  CHECK(r.message.find("the trace's final state is not the state they reach") != std::string::npos);

  // A final state edited by hand is found even when every step replays.
  traces::Trace tampered = t;
  tampered.final_state.front().value = "TAMPERED";
  r = traces::replay(tampered);
  CHECK(!r.confirmed);
  CHECK(r.diverged_at == t.steps.size());
  CHECK(r.message.find("the trace records " + t.final_state.front().object) != std::string::npos);
}

TEST_CASE("foreign, truncated and ill-typed JSON are refused with what is wrong") {
  using model::UsageError;
  CHECK_THROWS_WITH_AS(traces::trace_from_json(nlohmann::json::parse(R"({"a": 1})")),
                       doctest::Contains("not a dirtyrace trace"), UsageError);
  CHECK_THROWS_WITH_AS(traces::trace_from_json(nlohmann::json::parse("[1, 2]")),
                       doctest::Contains("is not a JSON object"), UsageError);
  auto j = nlohmann::json::parse(traces::trace_to_json(lost_write_trace()).dump());
  j["version"] = 99;
  CHECK_THROWS_WITH_AS(traces::trace_from_json(j), doctest::Contains("format version 99"),
                       UsageError);
  j["version"] = 1;
  j["scenario"]["pages"] = 9;
  CHECK_THROWS_WITH_AS(traces::trace_from_json(j), doctest::Contains("pages is 9"), UsageError);
  j["scenario"]["pages"] = "one";
  CHECK_THROWS_WITH_AS(traces::trace_from_json(j),
                       doctest::Contains("\"pages\" must be an integer"), UsageError);
  j["scenario"]["pages"] = 1;
  j["steps"][0].erase("actor");
  CHECK_THROWS_WITH_AS(traces::trace_from_json(j),
                       doctest::Contains("trace step 1 has no \"actor\""), UsageError);
}
