// The dirtyrace program as a user runs it: exit codes, output, and every kind of bad input.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace fs = std::filesystem;
using dirtyrace::test::Run;
using dirtyrace::test::run_dirtyrace;
using dirtyrace::test::Scratch;
using dirtyrace::test::slurp;

namespace {

/// A usage error: exit 2, nothing on stdout, one line on stderr containing `text`.
void expect_usage_error(const std::string& args, const std::string& text) {
  CAPTURE(args);
  const Run r = run_dirtyrace(args);
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("dirtyrace: error: ") == 0);
  CHECK(r.err.find(text) != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);
}

const std::string kSmall = "check --quiet --variant linux-6.12 --actors writer,flusher,msync";
const std::string kLostWrite =
    "check --quiet --variant linux-2.6.19 --actors writer,journal,flusher";

}  // namespace

TEST_CASE("exit codes: 0 verified, 1 violation, 3 inconclusive") {
  Run r = run_dirtyrace(kSmall);
  CHECK(r.code == 0);
  CHECK(r.out.find("verdict: VERIFIED") != std::string::npos);
  CHECK(r.out.find("states          5713") != std::string::npos);
  CHECK(r.out.find("seconds") == std::string::npos);  // timings only with --stats
  r = run_dirtyrace(kSmall + " --stats");
  CHECK(r.out.find("states/s") != std::string::npos);
  CHECK(r.out.find("bytes/state") != std::string::npos);
  CHECK(r.out.find("compression     none: states under 16 bytes are kept whole") !=
        std::string::npos);
  r = run_dirtyrace(kLostWrite);
  CHECK(r.code == 1);
  CHECK(r.out.find("verdict: VIOLATION of durable_at_end") != std::string::npos);
  CHECK(r.out.find("journal_submit_data_buffers: lock_buffer") != std::string::npos);
  r = run_dirtyrace(kSmall + " --max-states 100");
  CHECK(r.code == 3);
  CHECK(r.out.find("INCONCLUSIVE (state limit reached)") != std::string::npos);
  CHECK(r.out.find("states          ") != std::string::npos);
}

TEST_CASE("--no-compression keeps every state whole, with the same answer") {
  // 19-byte states: kept as the numbers of their halves unless told otherwise.
  const std::string wide =
      "check --quiet --stats --variant linux-4.19 --pages 2 --blocks 2 --mappings 2 "
      "--actors writer,flusher,msync@1,journal";
  const Run halves = run_dirtyrace(wide);
  CHECK(halves.code == 0);
  CHECK(halves.out.find("states          114808") != std::string::npos);
  CHECK(halves.out.find("compression     each state as the numbers of its halves: ") !=
        std::string::npos);
  CHECK(halves.out.find(" distinct of 10 bytes, ") != std::string::npos);
  const Run whole = run_dirtyrace(wide + " --no-compression");
  CHECK(whole.code == 0);
  CHECK(whole.out.find("states          114808") != std::string::npos);
  CHECK(whole.out.find("compression     off (--no-compression)") != std::string::npos);
  const auto j = nlohmann::json::parse(run_dirtyrace(wide + " --json").out);
  CHECK(j["distinct_halves"][0].get<std::uint64_t>() > 0);
  CHECK(j["distinct_halves"][1].get<std::uint64_t>() > 0);
  const auto k = nlohmann::json::parse(run_dirtyrace(wide + " --json --no-compression").out);
  CHECK(k["distinct_halves"] == nlohmann::json::array({0, 0}));
  CHECK(k["states"] == j["states"]);
}

TEST_CASE("limits and Ctrl-C stop a long search as inconclusive, with the statistics so far") {
  // Millions of states, verified (the default scenario on linux-6.12 now stops early at reclaim's
  // deferred TLB flush): none of these runs can finish.
  const std::string big = "check --pages 2 --actors writer,flusher,msync,fsync,munmap,journal";
  Run r = run_dirtyrace(big + " --quiet --time-limit 1");
  CHECK(r.code == 3);
  CHECK(r.out.find("INCONCLUSIVE (time limit reached)") != std::string::npos);
  CHECK(r.out.find("transitions") != std::string::npos);
  r = run_dirtyrace(big + " --quiet --max-memory 2M");
  CHECK(r.code == 3);
  CHECK(r.out.find("INCONCLUSIVE (memory limit reached)") != std::string::npos);
  // SIGINT after 3 s, as Ctrl-C would; by then the progress line has been printed at least once.
  r = run_dirtyrace(big, "/dev/null", "timeout --preserve-status -s INT 3 ");
  CHECK(r.code == 3);
  CHECK(r.out.find("INCONCLUSIVE (interrupted)") != std::string::npos);
  CHECK(r.out.find("states          ") != std::string::npos);
  CHECK(r.err.find("dirtyrace: ") == 0);
  CHECK(r.err.find(" states/s, ") != std::string::npos);
}

TEST_CASE("--threads: the same answer on any number, one-line errors for 0 and non-numbers") {
  // A violation mid-level and a state limit, each the same on 1 and 3 threads, trace included.
  const std::string two_pages = "check --quiet --json --pages 2 --actors writer,flusher,msync";
  for (const std::string& args : {two_pages + " --variant linux-2.6.20",
                                  two_pages + " --variant linux-4.19 --max-states 30000"}) {
    CAPTURE(args);
    const Run one = run_dirtyrace(args + " --threads 1");
    const Run three = run_dirtyrace(args + " --threads 3");
    CHECK(one.code == three.code);
    const auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(three.out);
    CHECK(a["threads"] == 1);
    CHECK(b["threads"] == 3);
    for (const char* key :
         {"verdict", "property", "stop_reason", "states", "transitions", "depth", "trace"}) {
      CHECK_MESSAGE(a[key] == b[key], key);
    }
  }
  expect_usage_error(kSmall + " --threads 0", "--threads '0' is not a whole number of threads");
  expect_usage_error(kSmall + " --threads two", "--threads 'two' is not a whole number");
  expect_usage_error(kSmall + " --threads 2x", "--threads '2x' is not a whole number");
  expect_usage_error(kSmall + " --threads -1", "--threads '-1' is not a whole number");
  // Depth-first order runs on one thread whatever --threads says.
  const auto dfs =
      nlohmann::json::parse(run_dirtyrace(kSmall + " --json --order dfs --threads 2").out);
  CHECK(dfs["threads"] == 1);
}

TEST_CASE("zoo finds every catalogued bug and exits 0") {
  const Run r = run_dirtyrace("zoo");
  CHECK(r.code == 0);
  for (const char* commit : {"d08b3851", "7658cc28", "79352894", "b827e496", "4fcf1c6205",
                             "1cf35d47", "3ea27719", "5df397dec7c4", "1c8349a1", "5660e13d2fd6"}) {
    CHECK_MESSAGE(r.out.find(std::string("\n") + commit + " ") != std::string::npos, commit);
  }
  CHECK(r.out.find(" fs ") != std::string::npos);
  CHECK(r.out.find(" linux-2.6.32  ext3 ") != std::string::npos);
  const auto j = nlohmann::json::parse(run_dirtyrace("zoo --json").out);
  CHECK(j.size() == 10);
  for (const auto& row : j) {
    CHECK(row["ok"] == true);
    const std::string fs = row["commit"] == "4fcf1c6205" ? "ext3"
                           : row["commit"] == "1c8349a1" ? "ext4"
                                                         : "generic";
    CHECK(row["fs"] == fs);
  }
}

TEST_CASE("list shows variants, actors, properties and parameters, one line each") {
  const Run r = run_dirtyrace("list");
  CHECK(r.code == 0);
  for (const char* name : {"linux-2.6.18",
                           "linux-2.6.19",
                           "linux-2.6.20",
                           "linux-2.6.29",
                           "linux-2.6.32",
                           "linux-3.14",
                           "linux-4.9",
                           "linux-4.19",
                           "linux-6.1",
                           "linux-6.12",
                           "writer",
                           "flusher",
                           "msync",
                           "fsync",
                           "munmap",
                           "reclaim",
                           "journal",
                           "buffer_flush",
                           "mprotect",
                           "msync_durability",
                           "fsync_durability",
                           "durable_at_end",
                           "reclaim_drops_clean",
                           "writable_implies_dirty",
                           "tags_match_flags",
                           "dirty_accounting",
                           "no_bug_on",
                           "stable_pages",
                           "no_deadlock",
                           "--pages",
                           "--blocks",
                           "--mappings",
                           "--stores",
                           "--actors",
                           "--stable-writes",
                           "--fs"}) {
    CHECK_MESSAGE(r.out.find("\n  " + std::string(name) + " ") != std::string::npos, name);
  }
  // Each filesystem with the variants that model it.
  CHECK(r.out.find("\nfilesystems (--fs):\n  generic ") != std::string::npos);
  const auto ext3 = r.out.find("\n  ext3 ");
  REQUIRE(ext3 != std::string::npos);
  CHECK(r.out.substr(ext3, r.out.find('\n', ext3 + 1) - ext3)
            .ends_with("(linux-2.6.32, linux-3.14)"));
}

TEST_CASE("--json prints one object with the verdict, the statistics and the trace") {
  const Run r = run_dirtyrace(kLostWrite + " --json");
  CHECK(r.code == 1);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["verdict"] == "violation");
  CHECK(j["property"] == "durable_at_end");
  CHECK(j["variant"] == "linux-2.6.19");
  CHECK(j["scenario"]["actors"].size() == 3);
  for (const char* key : {"states", "transitions", "depth", "seconds", "peak_memory_bytes"}) {
    CHECK_MESSAGE(j[key].is_number(), key);
  }
  CHECK(j["trace"]["steps"].size() == 10);
  const auto v = nlohmann::json::parse(run_dirtyrace(kSmall + " --json").out);
  CHECK(v["verdict"] == "verified");
  CHECK(v["trace"].is_null());
}

TEST_CASE("--trace-out writes a trace that replay confirms, and replay catches a bad one") {
  const Scratch s;
  const std::string trace = s / "t.json";
  CHECK(run_dirtyrace(kLostWrite + " --trace-out " + trace).code == 1);
  Run r = run_dirtyrace("replay " + trace);
  CHECK(r.code == 0);
  CHECK(r.out.find("confirmed: replayed 10 steps") == 0);

  auto j = nlohmann::json::parse(slurp(trace));
  std::swap(j["steps"][1], j["steps"][2]);
  s.write("swapped.json", j.dump());
  r = run_dirtyrace("replay " + s / "swapped.json");
  CHECK(r.code == 1);
  CHECK(r.out.find("diverged: step 2:") == 0);

  expect_usage_error("replay " + trace + " --variant linux-6.12",
                     "recorded under linux-2.6.19, not linux-6.12");
  const std::string text = slurp(trace);
  s.write("truncated.json", text.substr(0, text.size() / 2));
  expect_usage_error("replay " + s / "truncated.json", "is not valid JSON");
  s.write("foreign.json", R"({"name": "something else"})");
  expect_usage_error("replay " + s / "foreign.json", "not a dirtyrace trace");
  expect_usage_error("replay " + s / "missing.json", "cannot read trace file");
}

TEST_CASE("no trace file is written for a verified scenario or into a missing directory") {
  const Scratch s;
  CHECK(run_dirtyrace(kSmall + " --trace-out " + s / "t.json").code == 0);
  CHECK(!fs::exists(s / "t.json"));
  expect_usage_error(kLostWrite + " --trace-out " + s / "no/such/dir/t.json", "cannot write");
  CHECK(!fs::exists(s / "no"));
}

TEST_CASE("a scenario file, with options overriding it") {
  const Scratch s;
  s.write("lost.toml", R"(
variant = "linux-2.6.19"
[[actors]]
kind = "writer"
[[actors]]
kind = "journal"
[[actors]]
kind = "flusher"
)");
  const std::string file = s / "lost.toml";
  Run r = run_dirtyrace("check --quiet --scenario " + file);
  CHECK(r.code == 1);
  r = run_dirtyrace("check --quiet --scenario " + file + " --variant linux-2.6.32");
  CHECK(r.code == 0);
  CHECK(r.out.find("linux-2.6.32;") != std::string::npos);
  s.write("bad.toml", "pages = 2\n[[actors]]\nkind = \"reclaim\"\npages = [0, 5]\n");
  expect_usage_error("check --scenario " + s / "bad.toml",
                     "reclaim0 has page range 0..5 outside the file's pages 0..1");
  s.write("broken.toml", "pages = [\n");
  expect_usage_error("check --scenario " + s / "broken.toml", "broken.toml:");
}

TEST_CASE("bad options: one line naming what is wrong and the valid choices, exit 2") {
  expect_usage_error("check --variant linux-3.0", "valid variants: linux-2.6.18");
  expect_usage_error("check --actors writer,pdflush", "valid actors: writer, flusher");
  expect_usage_error("check --property msync_durability,lost", "valid properties: no_bug_on");
  expect_usage_error("check --pages 0", "pages is 0 but must be 1 to 4 (--pages)");
  expect_usage_error("check --mappings 5", "mappings is 5 but must be 1 to 3");
  expect_usage_error("check --actors writer,msync@2", "msync0 uses mapping 2");
  expect_usage_error("check --order sideways", "use bfs or dfs");
  expect_usage_error("check --max-memory lots", "--max-memory 'lots' is not a positive whole size");
  expect_usage_error("check --pages two", "--pages");
  expect_usage_error("check --frobnicate", "frobnicate");
  expect_usage_error("check --stable-writes --variant linux-2.6.20",
                     "needs a kernel with stable pages");
  expect_usage_error(
      "check --fs ext3",
      "--fs ext3 is not modelled on linux-6.12 (it models: generic, blockdev, ext4)");
  expect_usage_error("check --fs xfs --variant linux-2.6.32",
                     "unknown filesystem 'xfs'; valid filesystems: generic, ext3, blockdev, ext4");
  expect_usage_error("check --fs ''", "--fs");
  expect_usage_error(
      "check --fs ext4 --variant linux-2.6.32",
      "--fs ext4 is not modelled on linux-2.6.32 (it models: generic, ext3, blockdev)");
  expect_usage_error("check --holes 0", "--holes needs --fs ext4");
  expect_usage_error("check --fs ext4 --holes 1", "hole 1 is outside the file's blocks 0..0");
  expect_usage_error("check --fs ext4 --blocks 2 --holes 1,1", "hole 1 is given twice");
  expect_usage_error("check --fs ext4 --holes x", "--holes: 'x' is not a block number");
  expect_usage_error("check --fs ext4 --actors writer,buffer_flush",
                     "--fs ext4 writes pages without buffer locks");
  expect_usage_error("", "A subcommand is required");
  expect_usage_error("check --scenario /nonexistent.toml", "cannot read scenario file");
}

TEST_CASE("--help describes every option and exits 0") {
  const Run r = run_dirtyrace("check --help");
  CHECK(r.code == 0);
  for (const char* opt :
       {"--variant", "--pages", "--blocks", "--mappings", "--stores", "--actors", "--property",
        "--stable-writes", "--fs", "--scenario", "--order", "--max-states", "--max-memory",
        "--time-limit", "--trace-out", "--json"}) {
    CHECK_MESSAGE(r.out.find(opt) != std::string::npos, opt);
  }
}

TEST_CASE("orderings: a Markdown table, JSON with trace files that replay, exit codes") {
  const std::string cpdfio = "orderings --routine clear_page_dirty_for_io";
  Run r = run_dirtyrace(cpdfio + " --actors writer,flusher,msync,munmap --format md");
  CHECK(r.code == 0);
  CHECK(r.out.find("| 1 | `page_mkclean` → `set_page_dirty` → `TestClearPageDirty` (kernel) | "
                   "verified | - | - | 31437 |") != std::string::npos);

  // 2.6.19's own order loses the write: exit 1, and every counterexample is saved.
  const Scratch s;
  r = run_dirtyrace(
      cpdfio +
      " --variant linux-2.6.19 --actors writer,journal,flusher --property durable_at_end"
      " --format json --trace-out " +
      s / "traces");
  CHECK(r.code == 1);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["orders"].size() == 2);
  CHECK(j["orders"][0]["kernel"] == true);
  CHECK(j["orders"][0]["property"] == "durable_at_end");
  CHECK(j["orders"][0]["length"] == 10);
  for (const auto& row : j["orders"]) {
    const Run replayed = run_dirtyrace("replay " + row["trace"].get<std::string>());
    CHECK(replayed.code == 0);
    CHECK(replayed.out.find("confirmed:") == 0);
  }

  r = run_dirtyrace(cpdfio + " --drop set_page_dirty --cross-lock TestClearPageDirty");
  CHECK(r.code == 2);
  CHECK(r.err.find("no page-lock boundary to cross") != std::string::npos);
  r = run_dirtyrace("orderings --list-routines --actors writer,munmap");
  CHECK(r.code == 0);
  CHECK(r.out == "writer\ndo_shared_fault\ndo_wp_page\npage_mkwrite\nmunmap\nzap_pte_range\n");
  expect_usage_error("orderings --routine set_page_writeback",
                     "'set_page_writeback' is a step of routine '__block_write_full_page'");
  r = run_dirtyrace(cpdfio + " --max-states 100");
  CHECK(r.code == 3);
  CHECK(r.out.find("inconclusive (state limit reached)") != std::string::npos);

  expect_usage_error("orderings", "--routine is required");
  expect_usage_error("orderings --routine nope", "no actor of the scenario runs routine 'nope'");
  expect_usage_error(cpdfio + " --add-edge page_mkclean", "must name two steps");
  expect_usage_error(cpdfio + " --format xml", "unknown --format 'xml'");
  expect_usage_error(cpdfio + " --remove-edge TestClearPageDirty,page_mkclean",
                     "does not depend on");
}

TEST_CASE("can_finish: a lasso from check to replay, show and explain") {
  const Scratch s;
  // do_shared_fault without finish_fault: the writer faults forever.
  s.write("loop.toml", R"(
variant = "linux-6.12"
[[actors]]
kind = "writer"
[[routines]]
name = "do_shared_fault"
order = ["filemap_fault", "unlock_page#1", "page_mkwrite", "set_page_dirty", "unlock_page#2"]
)");
  const std::string trace = s / "loop.json";
  Run r = run_dirtyrace("check --quiet --scenario " + s / "loop.toml" +
                        " --property can_finish --trace-out " + trace);
  CHECK(r.code == 1);
  CHECK(r.out.find("properties: can_finish\n") != std::string::npos);
  CHECK(r.out.find("verdict: VIOLATION of can_finish") != std::string::npos);
  CHECK(r.out.find("Steps 6-12 repeat forever: after step 12 the state is again the state after "
                   "step 5.") != std::string::npos);
  const auto j = nlohmann::json::parse(slurp(trace));
  CHECK(j["version"] == 1);
  CHECK(j["loop_start"] == 5);
  CHECK(j["stuck_at"] == 0);
  r = run_dirtyrace("replay " + trace);
  CHECK(r.code == 0);
  CHECK(r.out.find("the loop closes") != std::string::npos);
  r = run_dirtyrace("explain " + trace);
  CHECK(r.code == 0);
  CHECK(r.out.find("From here on the run repeats forever:") != std::string::npos);
  CHECK(r.out.find("Why it fails: ") != std::string::npos);
  r = run_dirtyrace("show " + trace + " --format dot");
  CHECK(r.code == 0);
  CHECK(r.out.find("repeat forever") != std::string::npos);

  // A loop_start that does not close the loop is caught.
  auto bad = j;
  bad["loop_start"] = 4;
  s.write("bad.json", bad.dump());
  CHECK(run_dirtyrace("replay " + s / "bad.json").code == 1);
  bad["loop_start"] = 12;  // past the last step that can start a loop
  s.write("bad.json", bad.dump());
  expect_usage_error("replay " + s / "bad.json", "\"loop_start\" must be an integer");

  // Checked by default, and listed.
  r = run_dirtyrace("check --quiet --scenario " + s / "loop.toml" + " --json");
  CHECK(r.code == 1);
  CHECK(nlohmann::json::parse(r.out)["property"] == "can_finish");
  r = run_dirtyrace("list");
  for (const char* p : {"can_finish", "comes_clean", "munmap_unmaps", "mprotect_protects"}) {
    CHECK_MESSAGE(r.out.find(p) != std::string::npos, p);
  }
}

TEST_CASE("mutants: Markdown, JSON, the routines listed, bad routines and formats") {
  Run r = run_dirtyrace("mutants --quiet --routine clear_page_dirty_for_io --format md");
  CHECK(r.code == 0);
  CHECK(r.out.find("| 1 | drop | drop page_mkclean | killed | `comes_clean` | default | 14 |") !=
        std::string::npos);
  CHECK(r.out.find("5 mutants: 5 killed (100%), 0 survive.") != std::string::npos);
  r = run_dirtyrace("mutants --quiet --routine clear_page_dirty_for_io --format json");
  CHECK(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["mutants"] == 5);
  CHECK(j["killed"] == 5);
  CHECK(j["routines"][0]["mutants"][2]["change"] == "drop TestClearPageDirty");
  CHECK(j["routines"][0]["mutants"][2]["property"] == "comes_clean");
  r = run_dirtyrace("mutants --list-routines");
  CHECK(r.code == 0);
  CHECK(r.out.find("clear_page_dirty_for_io\n") != std::string::npos);
  CHECK(r.out.find("writer\n") == std::string::npos);
  // Progress goes to stderr, one line per mutant.
  r = run_dirtyrace("mutants --routine clear_page_dirty_for_io");
  CHECK(r.err.find("mutant 1 (clear_page_dirty_for_io): drop page_mkclean\n") == 0);
  expect_usage_error("mutants --routine writer", "no routine 'writer' is run on linux-6.12");
  expect_usage_error("mutants --routine clear_page_dirty_for_io --format xml",
                     "unknown --format 'xml'");
  expect_usage_error("mutants --variant linux-9", "valid variants");
  // Another filesystem's routines, and its name in the report.
  r = run_dirtyrace("mutants --variant linux-4.19 --fs ext4 --list-routines");
  CHECK(r.code == 0);
  CHECK(r.out.find("ext4_writepages\n") != std::string::npos);
  r = run_dirtyrace("mutants --quiet --variant linux-4.19 --fs ext4 --routine ext4_writepage");
  CHECK(r.out.find("dirtyrace mutants: linux-4.19 --fs ext4\n") == 0);
  CHECK(r.out.find("3 mutants: 3 killed (100%), 0 survive") != std::string::npos);
  expect_usage_error("mutants --routine ext4_writepages",
                     "no routine 'ext4_writepages' is run on linux-6.12");
  expect_usage_error("mutants --variant linux-2.6.32 --fs ext4",
                     "--fs ext4 is not modelled on linux-2.6.32");
  expect_usage_error("mutants --fs xfs", "xfs");
}

TEST_CASE("command-line values that would silently mean 'no limit' or 'not given' are refused") {
  for (const char* v : {"nan", "inf", "0.3", "1e30", "0", "-5"}) {
    expect_usage_error(std::string("check --max-states ") + v, "--max-states '");
  }
  expect_usage_error("check --max-memory 0.5", "--max-memory '0.5' is not a positive whole size");
  expect_usage_error("check --time-limit nan", "--time-limit: 'nan' is not a number of seconds");
  expect_usage_error("check --time-limit inf", "--time-limit: 'inf' is not a number of seconds");
  expect_usage_error("orderings --time-limit nan", "--time-limit: 'nan'");
  expect_usage_error("simulate --steps -1", "--steps: Value -1 not in range");
  for (const char* option : {"--actors", "--trace-out", "--variant", "--property", "--scenario"}) {
    expect_usage_error(std::string("check ") + option + " ''",
                       std::string(option) + ": the value is empty");
  }
  expect_usage_error("replay --scenario '' x.json", "--scenario: the value is empty");
  // A huge name is echoed cut short, on one line.
  const Run r = run_dirtyrace("check --actors " + std::string(70000, 'a'));
  CHECK(r.code == 2);
  CHECK(r.err.size() < 300);
  CHECK(r.err.find("unknown actor 'aaaa") != std::string::npos);
  CHECK(r.err.find("…'") != std::string::npos);
}

TEST_CASE("scenario files: keys that do not apply to an actor's kind are refused") {
  const dirtyrace::test::Scratch s;
  s.write("stores.toml", "[[actors]]\nkind = \"flusher\"\nstores = 3\n");
  expect_usage_error("check --scenario " + s / "stores.toml",
                     "actors[0]: 'stores' does not apply to flusher; it applies to writer");
  s.write("pages.toml", "[[actors]]\nkind = \"writer\"\npages = [0, 0]\n");
  expect_usage_error("check --scenario " + s / "pages.toml", "'pages' does not apply to writer");
  s.write("count.toml", "[[actors]]\nkind = \"writer\"\ncount = 0\n");
  expect_usage_error("check --scenario " + s / "count.toml", "'count' is 0 but must be 1 to");
  s.write(
      "twice.toml",
      "[[routines]]\nname = \"fsync\"\norder = []\n[[routines]]\nname = \"fsync\"\norder = []\n");
  expect_usage_error("check --scenario " + s / "twice.toml", "'fsync' is given twice");
}

TEST_CASE("output paths: checked before the search, written through a unique temporary") {
  const dirtyrace::test::Scratch s;
  // The default scenario has millions of states: the error must come before the search.
  Run r = run_dirtyrace("check --quiet --trace-out " + s / "missing/t.json", "/dev/null",
                        "timeout 20 ");
  CHECK(r.code == 2);
  CHECK(r.err.find("cannot write '") != std::string::npos);
  CHECK(r.err.find("check that its directory exists and is writable") != std::string::npos);
  expect_usage_error("check --quiet --trace-out " + s.dir.string(), "it is a directory");
  // A user's own FILE.tmp is left alone.
  s.write("t.json.tmp", "mine");
  r = run_dirtyrace(kLostWrite + " --trace-out " + s / "t.json");
  CHECK(r.code == 1);
  CHECK(slurp(s / "t.json.tmp") == "mine");
  CHECK(run_dirtyrace("replay " + s / "t.json").code == 0);
  expect_usage_error("check --scenario " + s.dir.string(),
                     "cannot read scenario file '" + s.dir.string() + "': it is a directory");
}

TEST_CASE("graph stops at --max-memory and on Ctrl-C as inconclusive, with what it stored") {
  Run r = run_dirtyrace("graph --max-states 100000000 --max-memory 20M");
  CHECK(r.code == 3);
  CHECK(r.out.empty());
  CHECK(r.err.find("the state graph needs more than --max-memory 20M (exploration stopped at ") ==
        std::string("dirtyrace: error: ").size());
  r = run_dirtyrace("graph --max-states 100000000 --max-memory 100G", "/dev/null",
                    "timeout --preserve-status -s INT 2 ");
  CHECK(r.code == 3);
  CHECK(r.out.empty());
  CHECK(r.err.find("dirtyrace: interrupted after ") == 0);
  CHECK(r.err.find("no graph written") != std::string::npos);
  expect_usage_error("simulate --seed -1", "'-1' is not a whole number from 0 to");
  expect_usage_error("simulate --seed 18446744073709551616", "is not a whole number from 0 to");
  expect_usage_error("graph --max-memory 0.5", "--max-memory '0.5' is not a positive whole size");
}

TEST_CASE("--max-memory holds for the enumeration of footprint classes too") {
  const dirtyrace::test::Scratch s;
  s.write("ranges.toml",
          "pages = 4\nblocks = 4\nmappings = 2\n"
          "[[actors]]\nkind = \"writer\"\noff = \"w\"\nlen = \"n\"\n"
          "[[actors]]\nkind = \"msync\"\noff = \"m\"\nlen = \"k\"\n");
  const Run r = run_dirtyrace("check --quiet --max-memory 5M --scenario " + s / "ranges.toml");
  CHECK(r.code == 3);
  CHECK(r.out.find("verdict: INCONCLUSIVE (Z3: memory limit reached)") != std::string::npos);
  CHECK(r.out.find("statistics:") != std::string::npos);
  // offsets, which runs the same enumeration without a search, takes the same limit.
  const Run listed = run_dirtyrace("offsets --max-memory 5M --scenario " + s / "ranges.toml");
  CHECK(listed.code == 3);
  CHECK(listed.out.find("memory limit reached") != std::string::npos);
  // A writer without '@' is described with the mapping it gets, not the internal -1.
  CHECK(listed.out.find("writer0 (mapping 0, off w len n)") != std::string::npos);
  CHECK(run_dirtyrace("offsets --scenario " + s / "ranges.toml").code == 0);
  expect_usage_error("offsets --max-memory 0.5", "--max-memory '0.5' is not a positive whole size");
}

TEST_CASE("replay --scenario takes the symbolic scenario file a trace was found in") {
  const dirtyrace::test::Scratch s;
  const std::string example = (fs::path(DIRTYRACE_SOURCE_DIR) / "scenarios/memcpy_msync.toml");
  CHECK(
      run_dirtyrace("check --quiet --scenario " + example + " --trace-out " + s / "t.json").code ==
      1);
  const Run r = run_dirtyrace("replay --scenario " + example + " " + s / "t.json");
  CHECK(r.code == 0);
  CHECK(r.out.find("confirmed: ") == 0);
  // The same file with a constraint the witness breaks is another scenario.
  std::string other = slurp(example);
  other.replace(other.find("n >= 1"), 6, "n >= 9");
  s.write("other.toml", other);
  expect_usage_error("replay --scenario " + s / "other.toml" + " " + s / "t.json",
                     "the trace was recorded under another scenario than");
}
