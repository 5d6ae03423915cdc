// simulate: scripted sessions (garbage input, undo, save), saved runs that replay, and random
// runs that a seed makes reproducible.

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "support.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"
#include "traces/simulate.hpp"

using namespace dirtyrace;

namespace {

struct Setup {
  model::Model model;
  properties::CheckedModel system;
  explicit Setup(const model::Scenario& s)
      : model(s),
        system(model, properties::select_properties(model, model.scenario().properties)) {}
};

const model::Scenario kLostWrite =
    test::scenario("linux-2.6.19", 1, 1, 1, "writer,journal,flusher");

std::string session(const std::string& input, const model::Scenario& s = kLostWrite) {
  const Setup setup(s);
  std::istringstream in(input);
  std::ostringstream out;
  traces::interactive_session(setup.system, 1, in, out);
  return out.str();
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("dirtyrace-simulate-" + name)).string();
}

}  // namespace

TEST_CASE("the menu offers only enabled steps, numbered, and a number takes one") {
  const std::string out = session("1\n");
  CHECK(out.find("at the start, these can happen next:\n"
                 "  1   writer0   memcpy: store\n"
                 "  2   journal0  journal_submit_data_buffers: lock_buffer\n"
                 "  3   flusher0  write_cache_pages: find_get_pages_tag\n") != std::string::npos);
  CHECK(out.find("(writer0 goes on to do_no_page: filemap_nopage)") != std::string::npos);
  CHECK(out.find(
            "after 1 step, these can happen next:\n  1   writer0   do_no_page: filemap_nopage") !=
        std::string::npos);
  CHECK(out.ends_with("(end of input)\n"));
}

TEST_CASE("garbage input re-prompts with a message and changes nothing") {
  const std::string out = session(
      "\n   \nxyz\n0\n4\n99999999999999999999999999\n-1\n1 2\n\x01\xff\ns\nu\n"
      "s /nonexistent-dir/x.json\n" +
      std::string(100000, 'z') + "\nq\nthis is never read\n");
  CHECK(out.find("type a step's number, or h for help") != std::string::npos);
  CHECK(out.find("unknown command 'xyz'; type h for help") != std::string::npos);
  CHECK(out.find("there is no step 0; type a number from 1 to 3") != std::string::npos);
  CHECK(out.find("there is no step 4; type a number from 1 to 3") != std::string::npos);
  CHECK(out.find("there is no step 99999999999999999999...; type a number from 1 to 3") !=
        std::string::npos);
  CHECK(out.find("unknown command '-1'") != std::string::npos);
  CHECK(out.find("unknown command '1 2'") != std::string::npos);
  CHECK(out.find("unknown command '?"
                 "?'") != std::string::npos);
  CHECK(out.find("save where? type s and a file name") != std::string::npos);
  CHECK(out.find("nothing to undo: this is the initial state") != std::string::npos);
  CHECK(out.find("cannot write '/nonexistent-dir/x.json'") != std::string::npos);
  CHECK(out.find("unknown command 'zzzzzzzzzzzzzzzzzzzz...'") != std::string::npos);
  CHECK(out.find("goes on to") == std::string::npos);      // no step was taken
  CHECK(out.find("(end of input)") == std::string::npos);  // q quit first
}

TEST_CASE("undo goes back one step and p prints the whole state") {
  const std::string out = session("1\n1\nu\np\n");
  CHECK(out.find("undone; back to the state after 1 step") != std::string::npos);
  const std::size_t printed = out.rfind("  p0:         cached=0");
  REQUIRE(printed != std::string::npos);
  CHECK(out.find("writer0:    do_no_page: filemap_nopage", printed) != std::string::npos);
}

TEST_CASE("a session that reaches the lost write reports it, and its saved run replays") {
  // The checker's counterexample, by menu number: writer0 faults in the page and dirties it
  // (the flusher finds nothing meanwhile), stores v1, the journal writes v1, writer0 stores v2.
  const std::string path = temp_path("lost.json");
  const std::string out = session("1\n1\n1\n3\n1\n1\n2\n2\n1\n1\ns " + path + "\n");
  INFO(out);
  CHECK(out.find("VIOLATION of durable_at_end") != std::string::npos);
  CHECK(out.find("saved 10 steps to " + path + " (a violation of durable_at_end)") !=
        std::string::npos);
  const traces::Trace t = traces::read_trace_file(path);
  CHECK(t.property == "durable_at_end");
  const traces::ReplayResult r = traces::replay(t);
  CHECK(r.confirmed);
  CHECK(r.message == "replayed 10 steps: the model reaches the violation of durable_at_end");
  std::remove(path.c_str());
}

TEST_CASE("a saved run that violates nothing replays as such") {
  const std::string path = temp_path("run.json");
  const std::string out = session("2\nr\nr\ns " + path + "\n");
  CHECK(out.find("saved 3 steps to " + path + "\n") != std::string::npos);
  const traces::Trace t = traces::read_trace_file(path);
  CHECK(t.property.empty());
  const traces::ReplayResult r = traces::replay(t);
  CHECK(r.confirmed);
  CHECK(r.message == "replayed 3 steps: the run replays; no property is violated");
  std::remove(path.c_str());
}

TEST_CASE("random runs: the same seed gives the same run, and every end is reported") {
  const Setup setup(kLostWrite);
  std::ostringstream a, b, c;
  const traces::RandomRun ra = traces::random_run(setup.system, 1, 1000, a);
  const traces::RandomRun rb = traces::random_run(setup.system, 1, 1000, b);
  CHECK(a.str() == b.str());
  CHECK(traces::trace_to_json(ra.trace) == traces::trace_to_json(rb.trace));
  // Seed 1 happens to find the lost write; seed 2 lets every actor finish.
  CHECK(ra.end == traces::RunEnd::violation);
  CHECK(a.str().find("after 10 steps: VIOLATION of durable_at_end") != std::string::npos);
  CHECK(traces::replay(ra.trace).confirmed);
  const traces::RandomRun rc = traces::random_run(setup.system, 2, 1000, c);
  CHECK(rc.end == traces::RunEnd::finished);
  CHECK(c.str().find("every actor has finished after") != std::string::npos);
  CHECK(traces::replay(rc.trace).confirmed);

  std::ostringstream d;
  const traces::RandomRun rd = traces::random_run(setup.system, 1, 3, d);
  CHECK(rd.end == traces::RunEnd::step_limit);
  CHECK(rd.trace.steps.size() == 3);
  CHECK(d.str().find("stopped after 3 steps (--steps)") != std::string::npos);
}
