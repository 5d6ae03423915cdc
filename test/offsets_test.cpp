// Symbolic byte ranges: the kernel's footprint rules, the constraint language, the Z3 footprint
// classes against brute force over every concrete offset, the checker's verdicts over classes
// against its verdicts over every concrete offset, EINVAL, and the offsets and check commands.

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>

#include "analyses/check_classes.hpp"
#include "cli_support.hpp"
#include "model/error.hpp"
#include "model/footprints.hpp"
#include "model/kernel/primitives.hpp"
#include "support.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"

using namespace dirtyrace;
using model::ByteRange;
using model::ByteTerm;
using model::Footprint;
using model::RangeOutcome;
using model::RangeRule;
using model::UsageError;
using test::Run;
using test::run_dirtyrace;
using test::Scratch;

namespace {

ByteTerm sym(const char* name) {
  return {0, name};
}
ByteTerm num(std::int64_t v) {
  return {v, {}};
}

/// A scenario of `pages` pages of `page_size` bytes with blocks of `block_size`.
model::Scenario bytes_scenario(const std::string& variant, int pages, std::int64_t page_size,
                               std::int64_t block_size, const std::string& actors) {
  model::Scenario s = test::scenario(variant, pages, 1, 1, actors);
  s.page_size = page_size;
  s.block_size = block_size;
  return s;
}

model::ActorSpec& actor(model::Scenario& s, model::ActorKind kind, int ordinal = 0) {
  for (auto& a : s.actors) {
    if (a.kind == kind && ordinal-- == 0) return a;
  }
  throw std::logic_error("no such actor in the test scenario");
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

/// Brute force: every assignment the constraints admit, mapped to its footprints.
std::set<std::vector<Footprint>> brute_force(const model::Scenario& s) {
  model::Scenario resolved = s;
  resolved.resolve_geometry();
  std::set<std::vector<Footprint>> out;
  model::for_each_assignment(s, resolved.geometry().file_size(), [&](const model::Assignment& v) {
    out.insert(model::footprints_at(resolved, v));
  });
  return out;
}

void expect_classes_match_brute_force(const model::Scenario& s) {
  const model::Enumeration e = model::enumerate_footprints(s);
  REQUIRE(e.complete);
  std::set<std::vector<Footprint>> z3;
  for (const auto& c : e.classes) {
    CHECK(z3.insert(c.footprints()).second);  // each footprint once
    CHECK(model::footprints_at(c.scenario, c.witness) == c.footprints());
  }
  const auto brute = brute_force(s);
  CHECK(z3 == brute);
  CHECK(e.infeasible() == e.candidates - brute.size());
}

}  // namespace

TEST_CASE("footprints follow memcpy, sys_msync and do_munmap") {
  const model::Geometry g{64, 16, 3};
  using enum RangeOutcome;
  CHECK(model::footprint(RangeRule::memcpy, 10, 40, g) == Footprint{touches, 0, 3});
  CHECK(model::footprint(RangeRule::memcpy, 60, 8, g) == Footprint{touches, 3, 4});
  CHECK(model::footprint(RangeRule::memcpy, 16, 0, g) == Footprint{nothing, 0, 0});
  // msync: an unaligned start is -EINVAL whatever the length; len 0 does nothing; len rounds up.
  CHECK(model::footprint(RangeRule::msync, 8, 64, g) == Footprint{einval, 0, 0});
  CHECK(model::footprint(RangeRule::msync, 8, 0, g) == Footprint{einval, 0, 0});
  CHECK(model::footprint(RangeRule::msync, 64, 0, g) == Footprint{nothing, 0, 0});
  CHECK(model::footprint(RangeRule::msync, 64, 1, g) == Footprint{touches, 1, 1});
  CHECK(model::footprint(RangeRule::msync, 0, 65, g) == Footprint{touches, 0, 1});
  // munmap: len 0 is -EINVAL too (PAGE_ALIGN(len) == 0).
  CHECK(model::footprint(RangeRule::munmap, 64, 0, g) == Footprint{einval, 0, 0});
  CHECK(model::footprint(RangeRule::munmap, 128, 64, g) == Footprint{touches, 2, 2});
  // Past the end of the file (beyond_file): cut off there.
  CHECK(model::footprint(RangeRule::memcpy, 180, 100, g) == Footprint{touches, 11, 11});
  CHECK(model::footprint(RangeRule::memcpy, 200, 10, g) == Footprint{nothing, 0, 0});
  CHECK(model::footprint(RangeRule::msync, 192, 64, g) == Footprint{nothing, 0, 0});
  CHECK(model::footprint_count(RangeRule::memcpy, g) == 1 + 12 * 13 / 2);
  CHECK(model::footprint_count(RangeRule::msync, g) == 2 + 3 * 4 / 2);
}

TEST_CASE("a concrete range becomes the writer's stores and the msync's pages") {
  model::Scenario s = bytes_scenario("linux-6.12", 3, 64, 16, "writer,msync,munmap");
  actor(s, model::ActorKind::writer).range = ByteRange{num(60), num(8)};
  actor(s, model::ActorKind::msync).range = ByteRange{num(64), num(65)};
  actor(s, model::ActorKind::munmap).range = ByteRange{num(0), num(0)};
  s.validate_and_resolve();
  CHECK(s.blocks_per_page == 4);
  CHECK(s.actors[0].blocks == std::vector<int>{3, 4});
  CHECK(s.writer_stores(s.actors[0]) == 2);
  CHECK(s.actors[1].first_page == 1);
  CHECK(s.actors[1].last_page == 2);
  CHECK(s.actors[2].outcome == RangeOutcome::einval);
}

TEST_CASE("bad geometry and ranges beyond the file are refused with the value and the bound") {
  model::Scenario s = bytes_scenario("linux-6.12", 3, 64, 8, "writer");
  actor(s, model::ActorKind::writer).range = ByteRange{num(0), num(1)};
  CHECK(error_of([&] { s.validate_and_resolve(); }).find("is 8 blocks per page") !=
        std::string::npos);
  s.block_size = 24;
  CHECK(error_of([&] { s.validate_and_resolve(); }).find("block_size is 24") != std::string::npos);
  s.block_size = 16;
  actor(s, model::ActorKind::writer).range = ByteRange{num(180), num(20)};
  const std::string e = error_of([&] { s.validate_and_resolve(); });
  CHECK(e ==
        "writer0 covers bytes 180 to 200 but the file (and its mapping) ends at byte 192; "
        "shorten the range or set beyond_file = true");
  s.beyond_file = true;
  s.validate_and_resolve();
  CHECK(s.actors[0].blocks == std::vector<int>{11});
  model::Scenario f = bytes_scenario("linux-6.12", 1, 64, 16, "flusher");
  f.actors[0].range = ByteRange{num(0), num(1)};
  CHECK(error_of([&] { f.validate_and_resolve(); }).find("flusher0 takes no byte range") == 0);
}

TEST_CASE("constraints: the language, helpers and one-line errors") {
  model::ConstraintContext cc{{64, 16, 3},
                              {{"writer0", RangeRule::memcpy, {sym("w"), sym("n")}},
                               {"msync0", RangeRule::msync, {sym("m"), num(64)}}}};
  CHECK(cc.symbols() == std::vector<std::string>{"m", "n", "w"});
  const auto eval = [&](const char* text, model::Assignment v) {
    return model::evaluate(model::parse_constraint(text, cc), v);
  };
  const model::Assignment v{{"w", 60}, {"n", 8}, {"m", 64}};
  CHECK(eval("writer0.end == 68 && writer0.off + writer0.len == w + n", v) == 1);
  CHECK(eval("crosses_page(writer0) && !crosses_page(msync0)", v) == 1);
  CHECK(eval("crosses_block(writer0)", v) == 1);
  CHECK(eval("overlaps(writer0, msync0) && same_page(writer0, msync0)", v) == 1);
  CHECK(eval("same_block(writer0, msync0)", v) == 1);
  CHECK(eval("page(w) == 0 && block(w + n - 1) == 4 && aligned(m, page_size)", v) == 1);
  CHECK(eval("file_size == 192 && block_size * 4 == page_size", v) == 1);
  CHECK(eval("(w - 100) / 16 == -3 && (w - 100) % 16 == 8 && -w < 0 || 1 > 2", v) == 1);
  CHECK(eval("!(w <= 59) && w != 61", v) == 1);

  const auto error = [&](const char* text) {
    const std::string e = error_of([&] { model::parse_constraint(text, cc); });
    CHECK(e.find('\n') == std::string::npos);
    return e;
  };
  CHECK(error("w + x > 0").find("column 5: unknown name 'x'; the symbols are m, n, w") !=
        std::string::npos);
  CHECK(error("w + n").find("must be a comparison") != std::string::npos);
  CHECK(error("w / n > 0").find("column 5: '/' and '%' need a positive number") !=
        std::string::npos);
  CHECK(error("(w > 1").find("expected ')'") != std::string::npos);
  CHECK(error("w > 1 > 2").find("unexpected '>'") != std::string::npos);
  CHECK(error("writer1.off > 0").find("no actor with a byte range is called 'writer1'") !=
        std::string::npos);
  CHECK(error("writer0.start > 0").find("fields off, len and end") != std::string::npos);
  CHECK(error("bogus(w) > 0").find("unknown function 'bogus'") != std::string::npos);
  CHECK(error("w && n > 0").find("expected a comparison here") != std::string::npos);
  CHECK(error("w < 1 + (n > 2)").find("expected a number here") != std::string::npos);
}

TEST_CASE("Z3 classes are exactly the brute-force footprints (page 64, block 16, 3 pages)") {
  model::Scenario s = bytes_scenario("linux-6.12", 3, 64, 16, "writer,flusher");
  actor(s, model::ActorKind::writer).range = ByteRange{sym("w"), sym("n")};
  s.constraints = {"n <= 100"};
  expect_classes_match_brute_force(s);
  s.constraints = {"n <= 100", "crosses_page(writer0)", "w % 8 == 4"};
  expect_classes_match_brute_force(s);
  s.constraints = {"n > 0 && (page(w) == 2 || block(w + n - 1) == 1)"};
  expect_classes_match_brute_force(s);
}

TEST_CASE("Z3 classes match brute force for relations between two actors (page 16, block 4)") {
  SUBCASE("a write reaching an msync whose start may be unaligned (EINVAL classes)") {
    model::Scenario s = bytes_scenario("linux-6.12", 3, 16, 4, "writer,msync");
    actor(s, model::ActorKind::writer).range = ByteRange{sym("w"), sym("n")};
    actor(s, model::ActorKind::msync).range = ByteRange{sym("m"), num(16)};
    s.constraints = {"writer0.end > msync0.off", "n <= 20"};
    expect_classes_match_brute_force(s);
    const auto e = model::enumerate_footprints(s);
    CHECK(std::any_of(e.classes.begin(), e.classes.end(), [](const auto& c) {
      return c.actors[1].footprint.outcome == RangeOutcome::einval;
    }));
    s.constraints.push_back("aligned(m, page_size)");
    expect_classes_match_brute_force(s);
  }
  SUBCASE("two writers of one length touching a common block") {
    model::Scenario s = bytes_scenario("linux-6.12", 3, 16, 4, "writer,writer");
    actor(s, model::ActorKind::writer, 0).range = ByteRange{sym("w"), sym("n")};
    actor(s, model::ActorKind::writer, 1).range = ByteRange{sym("v"), sym("n")};
    s.constraints = {"same_block(writer0, writer1)", "w < v"};
    expect_classes_match_brute_force(s);
  }
  SUBCASE("munmap of a symbolic range, EINVAL for len 0, against a fixed write") {
    model::Scenario s = bytes_scenario("linux-6.12", 3, 16, 4, "writer,munmap");
    actor(s, model::ActorKind::writer).range = ByteRange{num(5), num(8)};
    actor(s, model::ActorKind::munmap).range = ByteRange{sym("u"), sym("k")};
    s.constraints = {"overlaps(writer0, munmap0) || k == 0"};
    expect_classes_match_brute_force(s);
  }
  SUBCASE("ranges past the end of the file, cut off") {
    model::Scenario s = bytes_scenario("linux-6.12", 2, 16, 4, "writer,msync");
    s.beyond_file = true;
    actor(s, model::ActorKind::writer).range = ByteRange{sym("w"), num(10)};
    actor(s, model::ActorKind::msync).range = ByteRange{sym("m"), num(16)};
    s.constraints = {"w <= 40", "m <= 40"};
    const auto e = model::enumerate_footprints(s);
    std::set<std::vector<Footprint>> z3;
    for (const auto& c : e.classes) z3.insert(c.footprints());
    std::set<std::vector<Footprint>> brute;
    model::for_each_assignment(s, 40, [&](const model::Assignment& v) {
      model::Scenario r = s;
      r.resolve_geometry();
      brute.insert(model::footprints_at(r, v));
    });
    CHECK(z3 == brute);
  }
}

TEST_CASE("swapped identical writers are one class explored once") {
  model::Scenario s = bytes_scenario("linux-6.12", 2, 16, 8, "writer,writer");
  actor(s, model::ActorKind::writer, 0).range = ByteRange{sym("w"), num(1)};
  actor(s, model::ActorKind::writer, 1).range = ByteRange{sym("v"), num(1)};
  const auto e = model::enumerate_footprints(s);
  CHECK(e.feasible() == 16);   // each writer: one of 4 blocks
  CHECK(e.duplicates() == 6);  // the ordered pairs of two different blocks, counted twice
  CHECK(e.distinct() == 10);
  for (const auto& c : e.classes) {
    if (!c.duplicate_of) continue;
    const auto& first = e.classes[*c.duplicate_of];
    CHECK(c.actors[0].footprint == first.actors[1].footprint);
    CHECK(c.actors[1].footprint == first.actors[0].footprint);
  }
}

TEST_CASE("the checker's verdicts over the classes equal its verdicts over every offset") {
  for (const char* variant : {"linux-2.6.20", "linux-6.12"}) {
    CAPTURE(variant);
    model::Scenario s = bytes_scenario(variant, 2, 16, 8, "writer,flusher,msync");
    s.properties = {"msync_durability"};
    actor(s, model::ActorKind::writer).range = ByteRange{sym("w"), sym("n")};
    actor(s, model::ActorKind::msync).range = ByteRange{num(0), num(16)};
    s.constraints = {"n <= 4"};
    const auto e = model::enumerate_footprints(s);
    std::map<std::vector<Footprint>, std::pair<checker::Verdict, std::size_t>> by_class;
    for (const auto& c : e.classes) {
      const test::Checked r = test::check(c.scenario);
      by_class[c.footprints()] = {r.result.verdict, r.length};
    }
    std::set<checker::Verdict> seen;
    const std::uint64_t n = model::for_each_assignment(s, 32, [&](const model::Assignment& v) {
      const model::Scenario concrete = model::concrete_scenario(s, v);
      const test::Checked r = test::check(concrete);
      const auto it = by_class.find(model::footprints_at(concrete, v));
      REQUIRE(it != by_class.end());
      CHECK(it->second.first == r.result.verdict);
      CHECK(it->second.second == r.length);
      seen.insert(r.result.verdict);
    });
    CHECK(n == 33 + 32 + 31 + 30 + 29);
    if (std::string(variant) == "linux-2.6.20") {
      CHECK(seen.size() == 2);  // some offsets lose the msync's data, others cannot
    } else {
      CHECK(seen == std::set{checker::Verdict::verified});
    }
  }
}

TEST_CASE("check_classes stops at the first class with a violation, or explores them all") {
  model::Scenario s = bytes_scenario("linux-2.6.20", 2, 16, 8, "writer,flusher,msync");
  s.properties = {"msync_durability"};
  actor(s, model::ActorKind::writer).range = ByteRange{sym("w"), sym("n")};
  actor(s, model::ActorKind::msync).range = ByteRange{num(0), num(16)};
  s.constraints = {"n <= 4"};
  std::size_t sunk = 0;
  const auto count = [&](const properties::CheckedModel&, const checker::SearchResult& r) {
    ++sunk;
    CHECK(r.counterexample.has_value());
  };
  const analyses::ClassesCheck lost =
      analyses::check_classes(s, {}, model::FootprintOptions::kDefaultRlimit, true, count);
  CHECK(lost.verdict == checker::Verdict::violation);
  REQUIRE(lost.violating() != nullptr);
  // Every class before the violating one verified: the violation is the first in class order.
  CHECK(lost.explored <= *lost.last + 1);
  CHECK(test::check(lost.violating()->scenario).property == "msync_durability");
  for (std::size_t i = 0; i < *lost.last; ++i) {
    if (lost.enumeration.classes[i].duplicate_of) continue;
    CHECK(test::check(lost.enumeration.classes[i].scenario).result.verdict ==
          checker::Verdict::verified);
  }
  CHECK(sunk == 1);

  s.variant = &model::variant_named("linux-6.12");
  const analyses::ClassesCheck kept =
      analyses::check_classes(s, {}, model::FootprintOptions::kDefaultRlimit, true, {});
  CHECK(kept.verdict == checker::Verdict::verified);
  CHECK(!kept.last);
  CHECK(kept.explored == kept.enumeration.distinct());
  CHECK(kept.total.states > 0);
}

TEST_CASE(
    "an msync with an unaligned start returns -EINVAL, changes nothing and promises nothing") {
  model::Scenario s = bytes_scenario("linux-2.6.20", 1, 16, 8, "writer,flusher,msync");
  s.properties = {"msync_durability"};
  actor(s, model::ActorKind::writer).range = ByteRange{num(0), num(16)};
  actor(s, model::ActorKind::msync).range = ByteRange{num(0), num(16)};
  CHECK(test::check(s).property == "msync_durability");  // the 2.6.20 loss, aligned

  actor(s, model::ActorKind::msync).range = ByteRange{num(8), num(8)};
  const model::Model m(s);
  const int msync = 2;
  REQUIRE(m.env().of(msync).program.size() == 1);
  const model::State init = m.initial();
  int taken = 0;
  m.for_each_transition(init, [&](model::Transition t, const model::State& next) {
    if (t.actor != msync) return;
    ++taken;
    CHECK(m.describe(t).name() == "sys_msync: -EINVAL");
    model::State expected = init;
    expected.actor[msync].pc = m.env().of(msync).program.done();
    CHECK(next == expected);
  });
  CHECK(taken == 1);
  const test::Checked r = test::check(s);
  CHECK(r.result.verdict == checker::Verdict::verified);

  // len 0 from an aligned start: sys_msync returns 0 having synced nothing.
  actor(s, model::ActorKind::msync).range = ByteRange{num(0), num(0)};
  const model::Model empty(s);
  CHECK(empty.describe({msync, 0, 0, 0}).name() == "sys_msync: end == start");
  CHECK(test::check(s).result.verdict == checker::Verdict::verified);
}

TEST_CASE("Z3 unknown is inconclusive, never infeasible") {
  // Factoring a product of two primes near 10^9 within a small resource limit: Z3 gives up.
  model::Scenario s = bytes_scenario("linux-6.12", 1, 16, 8, "writer");
  s.beyond_file = true;
  actor(s, model::ActorKind::writer).range = ByteRange{sym("w"), sym("n")};
  s.constraints = {"w > 1 && n > 1 && w * n == 1000000016000000063"};
  const auto e = model::enumerate_footprints(s, {.rlimit = 100000});
  CHECK(!e.complete);
  CHECK(!e.unknown_reason.empty());
  CHECK(e.infeasible() == 0);
}

TEST_CASE("scenario files: symbolic ranges, constraints and their errors") {
  const model::Scenario s = model::parse_scenario_toml(R"toml(
variant = "linux-6.12"
pages = 2
page_size = 64
block_size = 16
constraints = ["w + n <= 100", "crosses_page(writer0)"]
[[actors]]
kind = "writer"
off = "w"
len = "n"
[[actors]]
kind = "msync"
off = 0
len = 64
)toml",
                                                       "t.toml");
  CHECK(s.needs_classes());
  CHECK(s.actors[0].range == ByteRange{sym("w"), sym("n")});
  CHECK(s.actors[1].range == ByteRange{num(0), num(64)});
  const model::Scenario back = model::parse_scenario_toml(model::to_toml(s), "back");
  CHECK(back.constraints == s.constraints);
  CHECK(back.actors[0].range == s.actors[0].range);
  CHECK(back.page_size == 64);
  // First block in page 0 (4 choices), last one in page 1 below byte 100 (blocks 4 to 6).
  CHECK(model::enumerate_footprints(s).feasible() == 4 * 3);

  const auto error = [](const std::string& text) {
    return error_of([&] { model::parse_scenario_toml(text, "t.toml"); });
  };
  CHECK(error("[[actors]]\nkind = \"flusher\"\noff = 0\nlen = 1\n")
            .find("'flusher' takes no byte range") != std::string::npos);
  CHECK(error("[[actors]]\nkind = \"writer\"\noff = 0\n").find("give both 'off' and 'len'") !=
        std::string::npos);
  CHECK(error("[[actors]]\nkind = \"writer\"\noff = \"1x\"\nlen = 1\n")
            .find("a symbol must be a name") != std::string::npos);
  CHECK(error("[[actors]]\nkind = \"writer\"\noff = 0\nlen = 1\ntargets = [0]\n")
            .find("replace 'targets'") != std::string::npos);
  CHECK(error("constraints = [1]\n").find("'constraints' must be a list of strings") !=
        std::string::npos);
  CHECK(error("blocks = 2\nblock_size = 512\n").find("disagrees") != std::string::npos);
}

TEST_CASE("a trace holds the witness's concrete ranges and replays") {
  model::Scenario s = bytes_scenario("linux-2.6.20", 2, 16, 8, "writer,flusher,msync");
  s.properties = {"msync_durability"};
  actor(s, model::ActorKind::writer).range = ByteRange{sym("w"), sym("n")};
  actor(s, model::ActorKind::msync).range = ByteRange{num(0), num(16)};
  s.constraints = {"n <= 6", "overlaps(writer0, msync0)"};
  const auto e = model::enumerate_footprints(s);
  REQUIRE(!e.classes.empty());
  const model::Model m(e.classes[0].scenario);
  const properties::CheckedModel system(m,
                                        properties::select_properties(m, m.scenario().properties));
  const auto r = checker::search(system, {});
  REQUIRE(r.counterexample);
  const auto j = traces::trace_to_json(traces::make_trace(system, *r.counterexample));
  CHECK(j["scenario"]["page_size"] == 16);
  CHECK(j["scenario"]["actors"][0]["off"] == e.classes[0].witness.at("w"));
  const traces::Trace back = traces::trace_from_json(nlohmann::json::parse(j.dump()));
  CHECK(back.scenario.actors[0].range == e.classes[0].scenario.actors[0].range);
  CHECK(traces::replay(back).confirmed);
}

// --- the commands ----------------------------------------------------------------------------

namespace {

const std::string kExample =
    (std::filesystem::path(__FILE__).parent_path().parent_path() / "scenarios/memcpy_msync.toml")
        .string();

}  // namespace

TEST_CASE("dirtyrace offsets lists the classes with their witnesses and the totals") {
  Run r = run_dirtyrace("offsets --scenario " + kExample);
  CHECK(r.code == 0);
  CHECK(r.out.find("\nclass 7\n") != std::string::npos);
  CHECK(r.out.find("\nclass 8\n") == std::string::npos);
  CHECK(r.out.find("  writer0  off 0      len 1      block b0.0 (page 0)\n") != std::string::npos);
  CHECK(r.out.find("  msync0   off 0      len 4096   page 0\n") != std::string::npos);
  CHECK(r.out.find("  witness  n = 1, w = 0\n") != std::string::npos);
  CHECK(r.out.find("feasible footprints      7\n") != std::string::npos);
  CHECK(r.out.find("ruled out as infeasible  4 (of 11 candidate footprints)\n") !=
        std::string::npos);
  CHECK(r.out.find("duplicates               0\n") != std::string::npos);
  CHECK(r.out.find("z3 seconds") == std::string::npos);
  CHECK(run_dirtyrace("offsets --stats --scenario " + kExample).out.find("z3 seconds") !=
        std::string::npos);
  const auto j = nlohmann::json::parse(run_dirtyrace("offsets --json --scenario " + kExample).out);
  CHECK(j["feasible"] == 7);
  CHECK(j["classes"][0]["actors"][0]["blocks"] == nlohmann::json::array({0}));
  CHECK(j["complete"] == true);
}

TEST_CASE("dirtyrace check names the violating class and its witness — the trace replays") {
  const Scratch s;
  const std::string trace = s / "trace.json";
  Run r = run_dirtyrace("check --quiet --scenario " + kExample + " --trace-out " + trace);
  CHECK(r.code == 1);
  CHECK(r.out.find("footprint classes: 7 feasible (4 of 11 candidates ruled out as infeasible), 0 "
                   "duplicates, 7 to explore\n") != std::string::npos);
  CHECK(r.out.find("verdict: VIOLATION of msync_durability in footprint class 1: writer0 off 0 len "
                   "1 (block b0.0 (page 0)), msync0 off 0 len 4096 (page 0)\n") !=
        std::string::npos);
  CHECK(r.out.find("witness: n = 1, w = 0\n") != std::string::npos);
  CHECK(r.out.find("  classes explored 1 of 7\n") != std::string::npos);
  CHECK(run_dirtyrace("replay " + trace).code == 0);

  r = run_dirtyrace("check --quiet --stats --scenario " + kExample + " --variant linux-6.12");
  CHECK(r.code == 0);
  CHECK(r.out.find("  classes explored 7 of 7\n") != std::string::npos);
  CHECK(r.out.find("  z3 seconds") != std::string::npos);
  const auto j = nlohmann::json::parse(
      run_dirtyrace("check --quiet --json --scenario " + kExample + " --max-states 1000").out);
  CHECK(j["verdict"] == "inconclusive");
  CHECK(j["stop_reason"] == "state limit reached");
  CHECK(j["classes"]["explored"] == 1);
}

TEST_CASE("the commands: Z3 unknown exits 3, bad constraints exit 2 with one line") {
  const Scratch s;
  s.write("hard.toml", R"(
beyond_file = true
page_size = 16
constraints = ["w > 1 && n > 1 && w * n == 1000000016000000063"]
[[actors]]
kind = "writer"
off = "w"
len = "n"
)");
  Run r = run_dirtyrace("offsets --z3-rlimit 100000 --scenario " + s / "hard.toml");
  CHECK(r.code == 3);
  CHECK(r.out.find("INCOMPLETE: Z3 could not decide") != std::string::npos);
  r = run_dirtyrace("check --quiet --z3-rlimit 100000 --scenario " + s / "hard.toml");
  CHECK(r.code == 3);
  CHECK(r.out.find("verdict: INCONCLUSIVE (Z3: ") != std::string::npos);

  s.write("bad.toml", R"(
constraints = ["w + > 1"]
[[actors]]
kind = "writer"
off = "w"
len = 4
)");
  r = run_dirtyrace("offsets --scenario " + s / "bad.toml");
  CHECK(r.code == 2);
  CHECK(r.err ==
        "dirtyrace: error: constraint \"w + > 1\", column 5: expected a number, a name "
        "or '('\n");
  s.write("none.toml", R"(
constraints = ["w > 8"]
page_size = 16
[[actors]]
kind = "writer"
off = "w"
len = 8
)");
  r = run_dirtyrace("check --quiet --scenario " + s / "none.toml");
  CHECK(r.code == 2);
  CHECK(r.err.find("the constraints admit no byte ranges") != std::string::npos);
}
