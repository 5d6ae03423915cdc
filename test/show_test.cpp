// dirtyrace show: the HTML page, the DOT graph and its SVG, and the command's errors. The page's
// behaviour in a browser is tested by test/browser/viewer_test.py.

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "model/error.hpp"
#include "support.hpp"
#include "traces/dot.hpp"
#include "traces/html.hpp"
#include "traces/json.hpp"
#include "traces/lanes.hpp"

using namespace dirtyrace;
using test::Run;
using test::run_dirtyrace;
using test::Scratch;
using test::slurp;

namespace {

/// The 2.6.19 lost write (README worked example): 10 steps, writer0, journal0, flusher0, disk.
traces::Trace lost_write() {
  const model::Model m(test::scenario("linux-2.6.19", 1, 1, 1, "writer,journal,flusher"));
  const properties::CheckedModel system(m, properties::select_properties(m, {}));
  const checker::SearchResult r = checker::search(system, {});
  REQUIRE(r.counterexample);
  return traces::make_trace(system, *r.counterexample);
}

std::string step_label(std::size_t index, const traces::TraceStep& s) {
  return std::to_string(index) + ". " + s.function + ": " + s.step +
         (s.block >= 0 ? " (block " + std::to_string(s.block) + ")" : "");
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

/// The text of the page's <script type="application/json" id="trace-data"> element.
std::string embedded_json(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"trace-data\">";
  const std::size_t begin = html.find(open);
  REQUIRE(begin != std::string::npos);
  const std::size_t end = html.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  return html.substr(begin + open.size(), end - begin - open.size());
}

}  // namespace

TEST_CASE("html: one self-contained page that embeds the trace") {
  const traces::Trace trace = lost_write();
  const std::string html = traces::render_html(trace);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  for (const char* outside : {"http://", "https://", "src=", "<link", "@import", "url("}) {
    CAPTURE(outside);
    CHECK(html.find(outside) == std::string::npos);
  }
  CHECK(html.find("{{") == std::string::npos);  // every slot of the template is filled
  CHECK(html.find("<style>") != std::string::npos);
  CHECK(html.find("#steps") != std::string::npos);            // the stylesheet is inline
  CHECK(html.find("@media print") != std::string::npos);      // and prints
  CHECK(html.find("function select(") != std::string::npos);  // the script is inline
  CHECK(nlohmann::json::parse(embedded_json(html)) == nlohmann::json(traces::trace_to_json(trace)));
  CHECK(html.find("<h2>Violated: durable_at_end</h2>") != std::string::npos);
  CHECK(html.find(trace.detail) != std::string::npos);
}

TEST_CASE("a run saved by simulate, which violates nothing, says so on the page and in DOT") {
  traces::Trace run = lost_write();
  run.property.clear();  // what dirtyrace simulate saves when no property is violated
  run.detail = "a run recorded by dirtyrace simulate";
  const std::string html = traces::render_html(run);
  CHECK(html.find("<h1>dirtyrace run: <span id=\"property-name\">no property</span>") !=
        std::string::npos);
  CHECK(html.find("<h2>No property violated</h2>") != std::string::npos);
  CHECK(html.find("<h2>Violated") == std::string::npos);
  const std::string dot = traces::render_dot(run);
  CHECK(dot.find("no property violated") != std::string::npos);
  CHECK(dot.find("violated: \\n") == std::string::npos);
}

TEST_CASE("html: text from the trace cannot end the script element or add markup") {
  CHECK(traces::json_for_script(R"({"a":"</script><!--"})") ==
        R"({"a":"\u003c/script>\u003c!--"})");
  traces::Trace trace = lost_write();
  trace.detail = "</script><script>alert(1)</script><!-- & \"quoted\"";
  trace.steps[0].what = "</SCRIPT>";
  const std::string html = traces::render_html(trace);
  // The page's own two script elements end; nothing from the trace does.
  CHECK(count(html, "</script>") == 2);
  CHECK(count(html, "</SCRIPT>") == 0);
  const nlohmann::json embedded = nlohmann::json::parse(embedded_json(html));
  CHECK(embedded["property"]["detail"] == trace.detail);
  CHECK(embedded["steps"][0]["what"] == "</SCRIPT>");
  CHECK(html.find("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; "
                  "&quot;quoted&quot;") != std::string::npos);
}

TEST_CASE("dot: a lane per actor, a node per step, hand-offs between actors") {
  const traces::Trace trace = lost_write();
  const std::string dot = traces::render_dot(trace);

  // Parse it back with Boost.Graph's own reader.
  struct Vertex {
    std::string id, label;
  };
  struct Edge {
    std::string label;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Vertex, Edge>;
  Graph g;
  boost::dynamic_properties dp(boost::ignore_other_properties);
  dp.property("node_id", boost::get(&Vertex::id, g));
  dp.property("label", boost::get(&Vertex::label, g));
  dp.property("label", boost::get(&Edge::label, g));
  REQUIRE(boost::read_graphviz(dot, g, dp));

  const std::vector<std::string> lanes = traces::lanes(trace);
  CHECK(lanes == std::vector<std::string>{"writer0", "journal0", "flusher0", "disk"});
  REQUIRE(boost::num_vertices(g) == lanes.size() + trace.steps.size() + 1);
  std::map<std::string, std::string> label_of;
  for (const auto v : boost::make_iterator_range(boost::vertices(g)))
    label_of[g[v].id] = g[v].label;
  for (std::size_t i = 0; i < lanes.size(); ++i)
    CHECK(label_of["lane" + std::to_string(i)] == lanes[i]);
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    CHECK(label_of["s" + std::to_string(i + 1)] == step_label(i + 1, trace.steps[i]));
  }
  CHECK(label_of["violation"].find("violated: durable_at_end") == 0);

  // Program order within each lane, and the dashed hand-offs: writer0's store of v1 (step 6)
  // goes to the journal's lock_buffer (7); the device's capture (8) is followed by the next
  // store (9), which the completion (10) does not carry to disk.
  std::set<std::pair<std::string, std::string>> edges, handoffs;
  for (const auto e : boost::make_iterator_range(boost::edges(g))) {
    const std::pair<std::string, std::string> ends{g[boost::source(e, g)].id,
                                                   g[boost::target(e, g)].id};
    edges.insert(ends);
    if (g[e].label == "b0.0") handoffs.insert(ends);
  }
  CHECK(edges.count({"lane0", "s1"}));
  CHECK(edges.count({"s6", "s9"}));
  CHECK(edges.count({"s8", "s10"}));
  CHECK(handoffs == std::set<std::pair<std::string, std::string>>{
                        {"s6", "s7"}, {"s7", "s8"}, {"s8", "s9"}, {"s9", "s10"}});
}

TEST_CASE("dot: labels are quoted for DOT") {
  traces::Trace trace = lost_write();
  trace.steps[0].step = R"(a "quoted" \ step)";
  const std::string dot = traces::render_dot(trace);
  CHECK(dot.find(R"(s1 [label="1. memcpy: a \"quoted\" \\ step")") != std::string::npos);
}

TEST_CASE("svg: Graphviz lays out the trace, or a one-line error says to install it") {
  const traces::Trace trace = lost_write();
  const std::string svg = traces::render_svg(trace);
  CHECK(svg.find("<svg") != std::string::npos);
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    CHECK(svg.find(step_label(i + 1, trace.steps[i])) != std::string::npos);
  }

  const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", "/nonexistent", 1);
  CHECK_THROWS_WITH_AS(traces::render_svg(trace),
                       doctest::Contains("install graphviz (apt-get install graphviz)"),
                       model::UsageError);
  setenv("PATH", path.c_str(), 1);
}

TEST_CASE("dirtyrace show: formats, -o, and one-line errors for bad input") {
  const Scratch s;
  traces::write_file_atomically(s / "t.json", traces::trace_to_json(lost_write()).dump());

  Run r = run_dirtyrace("show " + (s / "t.json"));
  CHECK(r.code == 0);
  CHECK(r.out.find("Counterexample, 10 steps:") != std::string::npos);
  CHECK(r.out.find("Violated: durable_at_end") != std::string::npos);
  r = run_dirtyrace("show " + (s / "t.json") + " --format dot");
  CHECK(r.code == 0);
  CHECK(r.out.rfind("digraph G {", 0) == 0);
  r = run_dirtyrace("show " + (s / "t.json") + " --format html -o " + (s / "t.html"));
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  CHECK(slurp(s / "t.html") == traces::render_html(traces::read_trace_file(s / "t.json")));
  r = run_dirtyrace("show " + (s / "t.json") + " --format svg -o " + (s / "t.svg"));
  CHECK(r.code == 0);
  CHECK(slurp(s / "t.svg").find("<svg") != std::string::npos);

  s.write("bad.json", "{\"format\": \"dirtyrace-trace\", \"version\": 1");
  const struct {
    std::string args, message;
  } bad[] = {
      {"show " + (s / "missing.json"), "cannot read trace file"},
      {"show " + (s / "bad.json"), "is not valid JSON"},
      {"show " + (s / "t.json") + " --format pdf",
       "unknown --format 'pdf'; use text, html, dot or svg"},
      {"show " + (s / "t.json") + " --format html -o " + (s / "no/such/dir/t.html"),
       "check that its directory exists"},
      {"show", "trace is required"},
  };
  for (const auto& b : bad) {
    CAPTURE(b.args);
    r = run_dirtyrace(b.args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("dirtyrace: error: ", 0) == 0);
    CHECK(r.err.find(b.message) != std::string::npos);
    CHECK(r.err.find('\n') == r.err.size() - 1);
  }
}
