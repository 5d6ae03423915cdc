// ext4 (--fs ext4, --holes): delayed allocation at the write fault, ext4's writeback loop and
// writepage, jbd2's ordered-mode submission per era, and 1c8349a1.

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"
#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"
#include "model/routines.hpp"
#include "model/scenario.hpp"
#include "support.hpp"
#include "traces/json.hpp"

using namespace dirtyrace;
using namespace dirtyrace::model;
using namespace dirtyrace::model::kernel;

namespace {

Scenario ext4(const std::string& variant, int blocks, const std::string& actors,
              std::vector<int> holes, std::vector<std::string> props = {}, int stores = 2) {
  Scenario s = test::scenario(variant, 1, blocks, 1, actors, std::move(props), stores);
  s.fs = Filesystem::ext4;
  s.holes = std::move(holes);
  return s;
}

/// Runs `st` for actor `a` on `s`; returns the flow it took.
Flow run(const Model& m, State& s, int a, const Step& st) {
  Exec x{s, m.env(), a, 0};
  return st.apply(x);
}

/// Page 0 dirty and locked by actor `a`, with the given allocation per block, every buffer
/// dirty, tagged DIRTY and TOWRITE.
State dirty_locked_page(const Model& m, int a, std::vector<BlockAlloc> alloc) {
  State s = m.initial();
  Page& pg = s.page[0];
  pg.cached = pg.dirty = pg.tag_dirty = pg.tag_towrite = 1;
  pg.locked_by = static_cast<std::uint8_t>(a + 1);
  s.nr_dirty = 1;
  for (std::size_t b = 0; b < alloc.size(); ++b) {
    s.block[b].alloc = alloc[b];
    s.block[b].dirty = 1;
    s.block[b].mem = 1;
  }
  return s;
}

std::vector<const Step*> steps_of(const RoutineTable& table, std::string_view routine) {
  std::vector<const Step*> out;
  for (const Item& i : table.get(routine)) out.push_back(i.step);
  return out;
}

}  // namespace

TEST_CASE("ext4 is modelled from 3.14 on, and holes need it") {
  for (const Variant& v : all_variants()) {
    CAPTURE(v.name);
    const bool modern = v.id >= VariantId::linux_3_14;
    CHECK(has_filesystem(v, Filesystem::ext4) == modern);
  }
  Scenario s = ext4("linux-4.19", 2, "writer,fsync", {1, 3});
  CHECK_THROWS_WITH_AS(s.validate_and_resolve(),
                       "hole 3 is outside the file's blocks 0..1 (--holes)", UsageError);
  s.holes = {1};
  s.fs = Filesystem::generic;
  CHECK_THROWS_AS(s.validate_and_resolve(), UsageError);
  s.fs = Filesystem::ext4;
  CHECK_NOTHROW(s.validate_and_resolve());
  const Model m(s);
  CHECK(m.initial().block[0].alloc == kAllocMapped);
  CHECK(m.initial().block[1].alloc == kAllocHole);
}

TEST_CASE("ext4 routines: the write fault reserves, ext4_writepages allocates, jbd2 per era") {
  const auto r314 = routines_for(variant_named("linux-3.14"), Filesystem::ext4);
  CHECK(steps_of(r314, "page_mkwrite") ==
        std::vector<const Step*>{&kMkwriteLockPage, &kExt4DaGetBlockPrep, &kMkwriteSetPageDirty,
                                 &kWaitForStablePage});
  // ext4_writepages: the page stays locked from the lookup through the allocation to the write.
  const std::vector<Item>& loop = r314.get("ext4_writepages");
  std::vector<std::string_view> names;
  for (const Item& i : loop) {
    if (i.kind == Item::Kind::step) names.push_back(i.step->name);
    if (i.kind == Item::Kind::call) names.push_back(i.routine);
  }
  CHECK(names == std::vector<std::string_view>{"mapping_tagged", "tag_pages_for_writeback",
                                               "pagevec_lookup_tag", "lock_page",
                                               "wait_on_page_writeback", "ext4_map_blocks",
                                               "clear_page_dirty_for_io", "ext4_bio_write_page"});
  // Up to 6.1, jbd2 runs generic_writepages, hence ext4_writepage; fsync and the flusher run
  // ext4_writepages.
  for (const char* name : {"linux-3.14", "linux-4.19", "linux-6.1"}) {
    CAPTURE(name);
    const auto t = routines_for(variant_named(name), Filesystem::ext4);
    CHECK(t.get("journal")[0].routine == "write_cache_pages");
    bool writes_through_ext4 = false;
    for (const Item& i : t.get("write_cache_pages"))
      writes_through_ext4 = writes_through_ext4 || i.routine == "ext4_writepage";
    CHECK(writes_through_ext4);
    CHECK(t.get("flusher")[0].routine == "ext4_writepages");
  }
  // 6.12: ext4_do_writepages with can_map = 0, without ext4_map_blocks; no ->writepage.
  const auto r612 = routines_for(variant_named("linux-6.12"), Filesystem::ext4);
  CHECK(r612.get("journal")[0].routine == "ext4_do_writepages_nomap");
  for (const Item& i : r612.get("ext4_do_writepages_nomap")) CHECK(i.step != &kExt4MapBlocks);
  CHECK_FALSE(r612.has("ext4_writepage"));
}

TEST_CASE("ext4_da_get_block_prep reserves the page's holes, and ext4_map_blocks allocates them") {
  const Model m(ext4("linux-4.19", 3, "writer,fsync", {1, 2}));
  State s = dirty_locked_page(m, 0, {kAllocMapped, kAllocHole, kAllocHole});
  s.block[2].dirty = 0;
  run(m, s, 0, kExt4DaGetBlockPrep);
  CHECK(s.block[0].alloc == kAllocMapped);
  CHECK(s.block[1].alloc == kAllocDelayed);
  CHECK(s.block[2].alloc == kAllocDelayed);  // every hole of the page, dirty or not
  run(m, s, 0, kExt4MapBlocks);
  for (std::size_t b = 0; b < 3; ++b) CHECK(s.block[b].alloc == kAllocMapped);
}

TEST_CASE(
    "3.14 ext4_writepage: a delayed page is redirtied, then set_page_writeback drops TOWRITE") {
  const Model m(ext4("linux-3.14", 2, "writer,journal", {1}));
  State s = dirty_locked_page(m, 1, {kAllocMapped, kAllocDelayed});
  s.page[0].dirty = 0;  // clear_page_dirty_for_io ran
  s.nr_dirty = 0;
  CHECK(run(m, s, 1, kExt4WritepageDelayed).kind == Flow::Kind::next);
  CHECK(s.page[0].dirty == 1);  // redirty_page_for_writepage
  CHECK(s.nr_dirty == 1);
  run(m, s, 1, kExt4BioWritePage);
  CHECK(s.page[0].writeback == 1);
  CHECK(s.page[0].tag_towrite == 0);  // the bug: a concurrent sync's walk misses the page
  CHECK(s.block[0].io == kIoSubmitted);
  CHECK(s.block[0].async_write == 1);
  CHECK(s.block[0].locked == 0);  // no buffer lock
  CHECK(s.block[0].dirty == 0);
  CHECK(s.block[1].dirty == 1);  // the delayed buffer stays dirty
  CHECK(s.block[1].io == kIoIdle);

  // One block, delayed: nothing to submit, and writeback is set and ended at once.
  const Model one(ext4("linux-3.14", 1, "writer,journal", {0}));
  State t = dirty_locked_page(one, 1, {kAllocDelayed});
  t.page[0].dirty = 0;
  t.nr_dirty = 0;
  CHECK(run(one, t, 1, kExt4WritepageDelayed).kind == Flow::Kind::next);
  run(one, t, 1, kExt4BioWritePage);
  CHECK(t.page[0].tag_towrite == 0);
  CHECK(t.actor[1].underway == 0);
  run(one, t, 1, kExt4UnlockPage);
  run(one, t, 1, kExt4EndPageWritebackNoIo);
  CHECK(t.page[0].writeback == 0);
  CHECK(t.page[0].dirty == 1);
}

TEST_CASE("4.9-6.1 ext4_writepage keeps TOWRITE, and returns at once for a page of one block") {
  for (const char* name : {"linux-4.9", "linux-4.19", "linux-6.1"}) {
    CAPTURE(name);
    const Model m(ext4(name, 2, "writer,journal", {1}));
    State s = dirty_locked_page(m, 1, {kAllocMapped, kAllocDelayed});
    s.page[0].dirty = 0;
    s.nr_dirty = 0;
    CHECK(run(m, s, 1, kExt4WritepageDelayed).kind == Flow::Kind::next);
    run(m, s, 1, kExt4BioWritePage);
    CHECK(s.page[0].writeback == 1);
    CHECK(s.page[0].tag_towrite == 1);  // set_page_writeback_keepwrite
    CHECK(s.block[0].io == kIoSubmitted);

    const Model one(ext4(name, 1, "writer,journal", {0}));
    State t = dirty_locked_page(one, 1, {kAllocDelayed});
    t.page[0].dirty = 0;
    t.nr_dirty = 0;
    const Flow f = run(one, t, 1, kExt4WritepageDelayed);
    CHECK(f.kind == Flow::Kind::jump);
    CHECK(f.target == Target::writepage_done);
    CHECK(t.page[0].locked_by == 0);
    CHECK(t.page[0].dirty == 1);
    CHECK(t.page[0].writeback == 0);
    CHECK(t.page[0].tag_towrite == 1);
  }
  // A page with no delayed block is written as usual, and set_page_writeback drops TOWRITE.
  const Model m(ext4("linux-4.19", 2, "writer,journal", {1}));
  State s = dirty_locked_page(m, 1, {kAllocMapped, kAllocMapped});
  s.page[0].dirty = 0;
  CHECK(run(m, s, 1, kExt4WritepageDelayed).kind == Flow::Kind::next);
  run(m, s, 1, kExt4BioWritePage);
  CHECK(s.page[0].tag_towrite == 0);
  CHECK(s.actor[1].picked == 0b11);
}

TEST_CASE("reclaim's ext4_writepage (PF_MEMALLOC) writes nothing of a delayed page, in every era") {
  for (const char* name : {"linux-3.14", "linux-4.19", "linux-6.1"}) {
    CAPTURE(name);
    const Model m(ext4(name, 2, "writer,reclaim", {1}));
    State s = dirty_locked_page(m, 1, {kAllocMapped, kAllocDelayed});
    s.page[0].dirty = 0;
    s.nr_dirty = 0;
    const Flow f = run(m, s, 1, kExt4WritepageDelayed);
    CHECK(f.kind == Flow::Kind::jump);
    CHECK(s.page[0].dirty == 1);
    CHECK(s.page[0].locked_by == 0);
    CHECK(s.block[0].io == kIoIdle);
  }
}

TEST_CASE(
    "6.12 ext4_bio_write_folio: redirties for a kept buffer, starts writeback only with I/O") {
  const Model m(ext4("linux-6.12", 2, "writer,journal", {1}));
  State s = dirty_locked_page(m, 1, {kAllocMapped, kAllocDelayed});
  s.page[0].dirty = 0;
  s.nr_dirty = 0;
  run(m, s, 1, kExt4BioWriteFolio);
  CHECK(s.page[0].dirty == 1);
  CHECK(s.page[0].writeback == 1);
  CHECK(s.page[0].tag_towrite == 1);
  CHECK(s.block[0].io == kIoSubmitted);

  const Model one(ext4("linux-6.12", 1, "writer,journal", {0}));
  State t = dirty_locked_page(one, 1, {kAllocDelayed});
  t.page[0].dirty = 0;
  t.nr_dirty = 0;
  run(one, t, 1, kExt4BioWriteFolio);
  CHECK(t.page[0].dirty == 1);
  CHECK(t.page[0].writeback == 0);  // no writeback started: nothing to submit
  CHECK(t.page[0].tag_towrite == 1);
  run(one, t, 1, kExt4FolioDone);
  CHECK(t.page[0].locked_by == 0);
}

TEST_CASE("ext4's writes complete in ext4_end_bio, named so in traces") {
  const Model m(ext4("linux-4.19", 1, "writer,fsync", {}));
  const TransitionInfo done = m.describe(Transition{Transition::kDevice, 1, 0, 0});
  CHECK(done.step == &kExt4EndBio);
  const TransitionInfo failed =
      m.describe(Transition{Transition::kDevice, Transition::kDeviceFailed, 0, 0});
  CHECK(failed.step == &kExt4EndBioError);
  const Model generic(test::scenario("linux-4.19", 1, 1, 1, "writer,fsync"));
  CHECK(generic.describe(Transition{Transition::kDevice, 1, 0, 0}).step == &kEndBufferAsyncWrite);
}

TEST_CASE("1c8349a1: on 3.14 jbd2's writepage drops TOWRITE of a delayed page and fsync skips it") {
  const auto lost = test::check(ext4("linux-3.14", 1, "writer,journal,fsync", {0}, {}, 1));
  REQUIRE(lost.result.verdict == checker::Verdict::violation);
  CHECK(lost.property == "fsync_durability");
  CHECK(lost.length == 25);
  // The fix keeps TOWRITE (4.9-6.1), and 6.12 starts no writeback for the page.
  for (const char* fixed : {"linux-4.9", "linux-4.19", "linux-6.1", "linux-6.12"}) {
    CAPTURE(fixed);
    CHECK(test::check(ext4(fixed, 1, "writer,journal,fsync", {0}, {}, 1)).result.verdict ==
          checker::Verdict::verified);
  }
}

TEST_CASE("ext4 scenarios verify on the fixed kernels with every writeback actor") {
  for (const char* name : {"linux-4.19", "linux-6.12"}) {
    CAPTURE(name);
    const auto c = test::check(ext4(name, 2, "writer,flusher,journal,fsync", {1}));
    CHECK(c.result.verdict == checker::Verdict::verified);
    CAPTURE(c.property);
  }
}

TEST_CASE("holes and the filesystem survive scenario files and traces") {
  Scenario s = ext4("linux-3.14", 1, "writer,journal,fsync", {0}, {}, 1);
  const Scenario back = parse_scenario_toml(to_toml(s), "round trip");
  CHECK(back.fs == Filesystem::ext4);
  CHECK(back.holes == std::vector<int>{0});
  const Model m(s);
  const properties::CheckedModel system(m, properties::select_properties(m, {}));
  const auto result = checker::search(system, {});
  REQUIRE(result.counterexample);
  const traces::Trace t = traces::make_trace(system, *result.counterexample);
  const traces::Trace read =
      traces::trace_from_json(nlohmann::json::parse(traces::trace_to_json(t).dump()));
  CHECK(read.scenario.fs == Filesystem::ext4);
  CHECK(read.scenario.holes == std::vector<int>{0});
  CHECK(read.steps.size() == t.steps.size());
  bool alloc_shown = false;
  for (const Variable& v : t.initial) alloc_shown = alloc_shown || v.attribute == "alloc";
  CHECK(alloc_shown);
}
