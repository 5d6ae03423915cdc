// explain: each bug of the zoo told with the steps that lose the data and the data lost; and the
// three new commands as a user runs them.

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "analyses/zoo.hpp"
#include "cli_support.hpp"
#include "support.hpp"
#include "traces/explain.hpp"

using namespace dirtyrace;
using test::Run;
using test::run_dirtyrace;
using test::Scratch;
using test::slurp;

namespace {

/// The shortest counterexample of a scenario that has one.
traces::Trace trace_of(const model::Scenario& s) {
  const model::Model m(s);
  const properties::CheckedModel system(m,
                                        properties::select_properties(m, m.scenario().properties));
  const checker::SearchResult r = checker::search(system, {});
  REQUIRE(r.counterexample);
  return traces::make_trace(system, *r.counterexample);
}

traces::Trace zoo_trace(const analyses::ZooEntry& e) {
  return trace_of(analyses::zoo_scenario(e, e.variant));
}

/// The sentence of step `index`, or empty if the step was omitted.
std::string sentence(const std::string& story, int index) {
  const std::string tag = (index < 10 ? "  " : " ") + std::to_string(index) + ". ";
  const std::size_t at = story.find("\n" + tag);
  if (at == std::string::npos) return "";
  return story.substr(at + 1, story.find('\n', at + 1) - at - 1);
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("explain tells each bug of the zoo by the steps that lose the data, or break it") {
  std::map<std::string, std::string> stories;
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    stories[std::string(e.commit)] = traces::explain(zoo_trace(e));
  }
  for (const auto& [commit, story] : stories) {
    CAPTURE(commit);
    CAPTURE(story);
    CHECK(story.starts_with("How linux-"));
    // mprotect_protects loses no data by itself.
    CHECK(has(story, commit == "3ea27719" ? "\nWhy it fails: " : "\nWhy the data is lost: "));
  }

  // 3ea27719: reclaim unmaps with its flush deferred; mprotect finds no PTE and skips its flush.
  const std::string& mel = stories.at("3ea27719");
  CHECK(has(sentence(mel, 12), "page 0 is unmapped from mapping 0"));
  CHECK(has(sentence(mel, 13), "mapping 0's VMA loses VM_WRITE for page 0"));
  CHECK(has(sentence(mel, 14), "change_pte_range, which changes nothing here"));
  CHECK(has(sentence(mel, 15), "the mmap_sem of mapping 0's process is released"));
  CHECK(has(mel, "mprotect0 returned while a writable translation of mapping 0"));

  // 2.6.18: the store dirties only the PTE; msync walks its own mapping and finds nothing.
  const std::string& d08 = stories.at("d08b3851");
  CHECK(has(sentence(d08, 4), "writer0 stores v1 to block b0.0 through mapping 0"));
  CHECK(has(sentence(d08, 4), "buffer b0.0 is clean and PG_dirty is clear"));
  CHECK(has(sentence(d08, 5), "msync0 calls msync(MS_SYNC)"));
  CHECK(has(sentence(d08, 6), "walks the PTEs of its own mapping"));
  CHECK(has(sentence(d08, 7), "finds none to write: page 0 has tag DIRTY clear"));
  CHECK(has(d08, "(1 step omitted)"));
  CHECK(has(d08, "holds v0 on disk while v1 was in memory when it was called."));
  CHECK(has(d08, "Only the dirty bit of mapping 0's PTE still records the store."));

  // 7658cc28: the journal cleans the buffer and writes v1; v2 goes through the writable PTE.
  const std::string& linus = stories.at("7658cc28");
  CHECK(has(sentence(linus, 6), "journal0 runs lock_buffer in journal_submit_data_buffers"));
  CHECK(has(sentence(linus, 6), "buffer b0.0 is cleaned"));
  CHECK(has(sentence(linus, 7), "the device takes v1 from memory"));
  CHECK(has(sentence(linus, 8), "writer0 stores v2 to block b0.0"));
  CHECK(has(sentence(linus, 8), "writable, dirty TLB entry, so no fault tells the kernel"));
  CHECK(has(sentence(linus, 8), "buffer b0.0 is clean"));
  CHECK(has(linus,
            "the last store to it is step 8, the last write took its data at step 7, "
            "before that store"));
  CHECK(has(linus, "nothing will ever write v2."));
  CHECK(has(linus, "Writing the page back writes only dirty buffers, so it would not write v2."));

  // 79352894: the fault between page_mkclean and TestClearPageDirty.
  const std::string& nick = stories.at("79352894");
  CHECK(has(sentence(nick, 8), "page_mkclean"));
  CHECK(has(sentence(nick, 8), "write-protected and cleaned"));
  CHECK(has(sentence(nick, 10), "do_wp_page"));
  CHECK(has(sentence(nick, 10), "becomes writable and dirty again"));
  CHECK(has(sentence(nick, 13), "TestClearPageDirty"));
  CHECK(has(sentence(nick, 13), "PG_dirty is cleared"));
  CHECK(has(sentence(nick, 18), "writer0 stores v1"));
  CHECK(has(sentence(nick, 20), "msync0 looks for pages tagged for writeback"));
  CHECK(has(sentence(nick, 20), "finds none to write"));
  CHECK(sentence(nick, 6).empty());  // lock_page only takes a lock: omitted
  CHECK(has(nick, "holds v0 on disk while v1 was in memory"));

  // 1c8349a1: jbd2's ext4_writepage redirties a delayed page, set_page_writeback drops TOWRITE.
  const std::string& ext4 = stories.at("1c8349a1");
  CHECK(has(sentence(ext4, 5), "block b0.0 gets a delayed allocation"));
  CHECK(has(sentence(ext4, 11),
            "runs tag_pages_for_writeback in write_cache_pages: page 0's tag TOWRITE is set"));
  CHECK(has(sentence(ext4, 18), "redirty_page_for_writepage in ext4_writepage"));
  CHECK(has(sentence(ext4, 21), "ext4_bio_write_page"));
  CHECK(has(sentence(ext4, 21), "tag TOWRITE is cleared"));
  CHECK(has(sentence(ext4, 24),
            "finds none to write: page 0 has tag DIRTY set and tag TOWRITE clear"));
  CHECK(has(ext4, "fsync0 returned, yet block b0.0 holds v0 on disk while v1 was in memory"));

  // 5df397dec7c4: the zap drops the map count, page_mkclean returns early, the store goes
  // through the stale TLB entry.
  const std::string& rmap = stories.at("5df397dec7c4");
  CHECK(has(sentence(rmap, 10), "page 0's map count drops mapping 0"));
  CHECK(has(sentence(rmap, 13), "page_mkclean returns 0 at once, without taking any PTE lock"));
  CHECK(has(sentence(rmap, 21), "the writable, dirty entry its CPU's TLB still holds"));
  CHECK(has(sentence(rmap, 22), "writer0's TLB entry for page 0 is flushed"));
  CHECK(has(stories.at("1cf35d47"), "the writable, dirty entry its CPU's TLB still holds"));
}

// The commands as a user runs them.
namespace {

const std::string kLostWrite = "--variant linux-2.6.19 --actors writer,journal,flusher";

}  // namespace

TEST_CASE("CLI: explain a trace from check and replay a run saved by simulate") {
  const Scratch s;
  Run r = run_dirtyrace("check --quiet " + kLostWrite + " --trace-out " + s / "t.json");
  REQUIRE(r.code == 1);
  r = run_dirtyrace("explain " + s / "t.json");
  CHECK(r.code == 0);
  CHECK(r.out.starts_with("How linux-2.6.19 breaks durable_at_end"));
  CHECK(has(r.out, "nothing will ever write v2."));
  r = run_dirtyrace("explain " + s / "missing.json");
  CHECK(r.code == 2);
  CHECK(r.err == "dirtyrace: error: cannot read trace file '" + s / "missing.json" + "'\n");

  r = run_dirtyrace("simulate " + kLostWrite + " --seed 2 --trace-out " + s / "run.json");
  CHECK(r.code == 0);
  CHECK(has(r.out, "seed 2"));
  r = run_dirtyrace("replay " + s / "run.json");
  CHECK(r.code == 0);
  CHECK(has(r.out, "confirmed: replayed"));
  CHECK(has(r.out, "the run replays; no property is violated"));
  r = run_dirtyrace("simulate " + kLostWrite + " --seed 1");
  CHECK(r.code == 1);

  s.write("in", "2\n\nq\n");
  r = run_dirtyrace("simulate -i " + kLostWrite, s / "in");
  CHECK(r.code == 0);
  CHECK(has(r.out, "journal0 goes on to done"));
  r = run_dirtyrace("simulate -i " + kLostWrite + " --trace-out x.json");
  CHECK(r.code == 2);
  CHECK(has(r.err, "in an interactive run type s FILE to save it"));
}

TEST_CASE("CLI: graph writes DOT and refuses a large scenario with exit 3") {
  const Scratch s;
  Run r = run_dirtyrace("graph --variant linux-2.6.19 --actors writer,journal -o " + s / "g.dot");
  CHECK(r.code == 0);
  CHECK(has(r.out, "wrote 29 states and 36 transitions to "));
  CHECK(has(r.out, "the shortest path to a violation (9 steps) is drawn in red"));
  CHECK(slurp(s / "g.dot").starts_with("digraph G {"));
  r = run_dirtyrace("graph --variant linux-6.12 --actors writer,flusher,msync");
  CHECK(r.code == 3);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "dirtyrace: error: the state graph has more than 2000 states (exploration stopped at "
        "2001 states, 4398 transitions); choose a smaller scenario or raise --max-states\n");
  // With Graphviz (./build.sh test installs it) svg is drawn; without it on PATH, svg is
  // refused with the package to install.
  r = run_dirtyrace("graph --variant linux-2.6.19 --actors writer,journal --format svg -o " +
                    s / "g.svg");
  CHECK(r.code == 0);
  CHECK(has(slurp(s / "g.svg"), "<svg"));
  CHECK(has(slurp(s / "g.svg"), "stroke=\"red\""));  // the path to the violation
  r = run_dirtyrace("graph --variant linux-2.6.19 --actors writer,journal --format svg",
                    "/dev/null", "PATH=/nonexistent ");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(has(r.err, "--format svg needs Graphviz's 'dot' program"));
  CHECK(has(r.err, "apt-get install graphviz"));
  r = run_dirtyrace("graph --format png");
  CHECK(r.code == 2);
  CHECK(r.err == "dirtyrace: error: unknown --format 'png'; use dot or svg\n");
}

TEST_CASE("explain says why it fails, not why data is lost, for properties that lose none") {
  const auto story_of = [](const model::Scenario& s) { return traces::explain(trace_of(s)); };
  // A writable PTE over a clean page: a later step may still dirty it.
  const std::string writable = story_of(
      test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync", {"writable_implies_dirty"}));
  CHECK(has(writable, "\nWhy it fails: "));
  CHECK_FALSE(has(writable, "Why the data is lost"));
  // A store during writeback: the device may see torn data, but the page stays dirty.
  model::Scenario stable =
      test::scenario("linux-6.12", 1, 1, 1, "writer,buffer_flush", {"stable_pages"});
  stable.stable_writes = true;
  const std::string torn = story_of(stable);
  CHECK(has(torn, "\nWhy it fails: "));
  CHECK_FALSE(has(torn, "Why the data is lost"));
}
