// The historical bugs of MODEL.md section 3, each found in its variant with the expected property
// and a pinned shortest length, each counterexample replaying; the fixed variants verify.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"

using namespace dirtyrace;
using checker::Verdict;

namespace {

/// Checks `s`, expects `property` violated in exactly `length` steps, and replays the trace
/// through its JSON form.
void expect_bug(const model::Scenario& s, const std::string& property, std::size_t length) {
  const model::Model m(s);
  const properties::CheckedModel system(m,
                                        properties::select_properties(m, m.scenario().properties));
  const checker::SearchResult r = checker::search(system, {});
  REQUIRE(r.verdict == Verdict::violation);
  const traces::Trace t = traces::make_trace(system, *r.counterexample);
  CHECK(t.property == property);
  CHECK(t.steps.size() == length);
  const traces::Trace back = traces::trace_from_json(traces::trace_to_json(t));
  const traces::ReplayResult replayed = traces::replay(back);
  CHECK_MESSAGE(replayed.confirmed, replayed.message);
}

}  // namespace

TEST_CASE(
    "2.6.19: the journal cleans the buffers, a store through the still-writable PTE is "
    "lost (7658cc28)") {
  expect_bug(test::scenario("linux-2.6.19", 1, 1, 1, "writer,journal,flusher"), "durable_at_end",
             10);
  // Linus' order (2.6.20) moves the PTE's dirty bit back to the page and its buffers, yet the
  // same actors still lose the store there, by the fault race of 79352894 (23 steps); with the
  // fault path under the page lock (2.6.32) they lose nothing.
  expect_bug(test::scenario("linux-2.6.20", 1, 1, 1, "writer,journal,flusher", {"durable_at_end"}),
             "durable_at_end", 23);
  const test::Checked fixed =
      test::check(test::scenario("linux-2.6.32", 1, 1, 1, "writer,journal,flusher"));
  CHECK(fixed.result.verdict == Verdict::verified);
}

TEST_CASE(
    "2.6.20: a fault between page_mkclean and TestClearPageDirty loses msync's data "
    "(79352894)") {
  expect_bug(test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync", {"msync_durability"}),
             "msync_durability", 22);
  // The root cause is visible earlier: a writable PTE over a clean page, at rest.
  expect_bug(test::scenario("linux-2.6.20", 1, 1, 1, "writer,flusher,msync"),
             "writable_implies_dirty", 17);
}

TEST_CASE(
    "2.6.32 ext3 has no ->page_mkwrite: a second thread stores through the PTE the fault made "
    "writable before set_page_dirty, and its msync finds nothing tagged") {
  const auto ext3 = [](const char* actors, std::vector<std::string> properties = {}) {
    model::Scenario s = test::scenario("linux-2.6.32", 1, 1, 1, actors, std::move(properties));
    s.fs = model::Filesystem::ext3;
    return s;
  };
  expect_bug(ext3("writer*2,flusher,msync"), "msync_durability", 7);
  expect_bug(ext3("writer,reclaim,journal,fsync"), "writable_implies_dirty", 44);
  CHECK(test::check(ext3("writer,flusher,msync")).result.verdict == Verdict::verified);
  CHECK(test::check(ext3("writer,journal,flusher")).result.verdict == Verdict::verified);
}

TEST_CASE(
    "3.14 ext3: filemap_page_mkwrite dirties the page before the PTE is writable, closing "
    "2.6.32's window, but jbd's commit beside a WB_SYNC_NONE writepage still loses sync data") {
  const auto ext3 = [](const char* actors, std::vector<std::string> properties = {}) {
    model::Scenario s = test::scenario("linux-3.14", 1, 1, 1, actors, std::move(properties));
    s.fs = model::Filesystem::ext3;
    return s;
  };
  // The zoo's scenario and 2.6.32's two-thread one verify with every property.
  CHECK(test::check(ext3("writer*2,msync")).result.verdict == Verdict::verified);
  CHECK(test::check(ext3("writer*2,flusher,msync")).result.verdict == Verdict::verified);
  // Without filemap_page_mkwrite's set_page_dirty the page is dirtied only after the PTE
  // install, and the window is back (a longer run: the fault takes the page lock twice).
  model::Scenario dropped = ext3("writer*2,msync", {"msync_durability"});
  dropped.routine_orders.push_back({"page_mkwrite", {"lock_page", "wait_for_stable_page"}});
  expect_bug(dropped, "msync_durability", 10);
  // The journal commit holds a buffer lock for its write; the flusher's (or reclaim's)
  // trylock_buffer fails and redirties the page, but set_page_writeback clears the TOWRITE tag
  // that the sync's tag_pages_for_writeback just set, so the sync skips the page and returns
  // before the commit's write lands (1c8349a1's mechanism; ext3_sync_file's log_wait_commit is
  // not modelled: see README, Modelling choices). The generic 3.14 (jbd2's writeback loop)
  // verifies the same actors.
  expect_bug(ext3("writer,journal,flusher,msync"), "msync_durability", 24);
  expect_bug(ext3("writer,reclaim,journal,fsync"), "fsync_durability", 24);
  for (const char* actors : {"writer,journal,flusher,msync", "writer,reclaim,journal,fsync"}) {
    CAPTURE(actors);
    CHECK(test::check(test::scenario("linux-3.14", 1, 1, 1, actors)).result.verdict ==
          Verdict::verified);
  }
}

TEST_CASE(
    "2.6.19: try_to_free_buffers drops private_lock before clear_page_dirty, and a lockless "
    "set_page_dirty in between is lost (ecdfc9787fe5)") {
  // Reclaim holds the page lock; the fault maps the page after try_to_unmap and dirties it
  // after drop_buffers: PG_dirty is cleared under a writable dirty PTE.
  expect_bug(test::scenario("linux-2.6.19", 1, 1, 1, "writer,reclaim", {"writable_implies_dirty"}),
             "writable_implies_dirty", 10);
  expect_bug(test::scenario("linux-2.6.19", 1, 1, 1, "writer,reclaim", {"durable_at_end"}),
             "durable_at_end", 12);
  // zap_pte_range's set_page_dirty in the same window: the page is freed with the data.
  expect_bug(
      test::scenario("linux-2.6.19", 1, 1, 1, "writer,munmap,reclaim", {"reclaim_drops_clean"}),
      "reclaim_drops_clean", 13);
  // ecdfc9787fe5 (2.6.20): cancel the dirty bit inside private_lock, one step with
  // drop_buffers. 2.6.19 with only that changed keeps its older losses, found later: 7658cc28
  // through reclaim's pageout (23 steps), and a store through the stale TLB entry that munmap
  // flushes after dropping ptl (1cf35d47's window, 26 steps); the window itself is gone.
  model::Variant fixed = model::variant_named("linux-2.6.19");
  fixed.free_buffers_unlocks_first = false;
  const auto check_fixed = [&](const char* actors, const char* property) {
    model::Scenario s = test::scenario("linux-2.6.19", 1, 1, 1, actors, {property});
    s.variant = &fixed;
    return test::check(s);
  };
  CHECK(check_fixed("writer,reclaim", "writable_implies_dirty").result.verdict ==
        Verdict::verified);
  CHECK(check_fixed("writer,reclaim", "reclaim_drops_clean").result.verdict == Verdict::verified);
  CHECK(check_fixed("writer,reclaim", "durable_at_end").length == 23);
  CHECK(check_fixed("writer,munmap,reclaim", "reclaim_drops_clean").length == 26);
}

TEST_CASE(
    "routines are data: drop Linus' set_page_dirty from 2.6.20's clear_page_dirty_for_io "
    "and the 2.6.19 loss is back") {
  model::Scenario s = test::scenario("linux-2.6.20", 1, 1, 1, "writer,journal", {"durable_at_end"});
  const auto check = [&] {
    const model::Model m(s);
    const properties::CheckedModel system(m, properties::select_properties(m, {"durable_at_end"}));
    const checker::SearchResult r = checker::search(system, {});
    return r.counterexample ? traces::make_trace(system, *r.counterexample).property : "";
  };
  CHECK(check().empty());
  s.routine_orders = {{"clear_page_dirty_for_io", {"page_mkclean", "TestClearPageDirty"}}};
  CHECK(check() == "durable_at_end");
}

TEST_CASE(
    "2.6.29: ->page_mkwrite unlocks, writeback cleans the page, the fault makes the PTE "
    "writable and dirties the page only after dropping the lock (b827e496)") {
  // 79352894's wait_on_page_locked holds for one thread: the store comes after the fault.
  const test::Checked one =
      test::check(test::scenario("linux-2.6.29", 1, 1, 1, "writer,flusher,msync"));
  CHECK(one.result.verdict == Verdict::verified);
  // A second thread of the process stores through the PTE while the fault is between
  // set_pte_at and set_page_dirty_balance, then msyncs: nothing is tagged DIRTY.
  expect_bug(test::scenario("linux-2.6.29", 1, 1, 1, "writer*2,flusher,msync"), "msync_durability",
             22);
  // Reclaim relocks the page after pageout while the fault is in the same window; the fault
  // dirties it under reclaim's lock, the journal writes the buffers, and try_to_free_buffers'
  // cancel_dirty_page leaves a writable PTE over a clean page.
  expect_bug(test::scenario("linux-2.6.29", 1, 1, 1, "writer,reclaim,journal,fsync"),
             "writable_implies_dirty", 48);
  expect_bug(test::scenario("linux-2.6.29", 1, 1, 1, "writer,reclaim,journal,fsync",
                            {"fsync_durability", "durable_at_end", "reclaim_drops_clean"}),
             "durable_at_end", 52);
  // b827e496 (2.6.30) holds the page lock from ->page_mkwrite to set_page_dirty.
  for (const char* actors : {"writer*2,flusher,msync", "writer,reclaim,journal,fsync"}) {
    CAPTURE(actors);
    CHECK(test::check(test::scenario("linux-2.6.32", 1, 1, 1, actors)).result.verdict ==
          Verdict::verified);
  }
}

TEST_CASE("2.6.18: msync of one process misses data dirtied through another's PTEs") {
  expect_bug(test::scenario("linux-2.6.18", 1, 1, 2, "writer@0,msync@1"), "msync_durability", 8);
  // fsync does not look at PTEs at all.
  expect_bug(test::scenario("linux-2.6.18", 1, 1, 1, "writer,fsync", {"fsync_durability"}),
             "fsync_durability", 7);
  // msync through the writer's own mapping moves the dirty bits first: nothing is lost.
  const test::Checked own =
      test::check(test::scenario("linux-2.6.18", 1, 1, 1, "writer,msync", {"msync_durability"}));
  CHECK(own.result.verdict == Verdict::verified);
}

TEST_CASE(
    "what-if on 6.12: a buffer-level flush makes writepage's trylock fail, "
    "set_page_writeback drops TOWRITE, and msync skips the page (1c8349a1's mechanism)") {
  expect_bug(test::scenario("linux-6.12", 1, 1, 1, "writer,buffer_flush,flusher,msync",
                            {"msync_durability"}),
             "msync_durability", 25);
}

TEST_CASE(
    "what-if on 6.12 with stable writes: a buffer-level flush lets a store hit a block "
    "under I/O") {
  model::Scenario s =
      test::scenario("linux-6.12", 1, 1, 1, "writer,buffer_flush", {"stable_pages"});
  s.stable_writes = true;
  expect_bug(s, "stable_pages", 11);
}

TEST_CASE("2.6.29 to 6.12: every actor kind with every property, each variant's verdict pinned") {
  // Before 6.2 (5df397dec7c4) munmap leaves a stale writable TLB entry that page_mkclean does
  // not wait for (the TLB cases below). With a writer of its own, mapping 0 either keeps the
  // page mapped while mapping 1 is zapped (3.15+ then waits for the zap's flush) or maps and
  // dirties it again later. From 4.3 (d950c947) reclaim may leave a dirty page to the flusher
  // with its batched TLB flush still pending (research note 7.6).
  struct Case {
    const char* actors;
    std::vector<std::string> losing;
  };
  for (const Case& k :
       {Case{"writer,journal,fsync,reclaim",
             {"linux-2.6.29", "linux-4.9", "linux-4.19", "linux-6.1", "linux-6.12"}},
        Case{"writer@0,writer@1,munmap@1,flusher", {"linux-2.6.29", "linux-2.6.32", "linux-3.14"}},
        Case{"writer,msync,munmap,reclaim",
             {"linux-2.6.29", "linux-2.6.32", "linux-3.14", "linux-4.9", "linux-4.19", "linux-6.1",
              "linux-6.12"}}}) {
    CAPTURE(k.actors);
    for (const char* variant : {"linux-2.6.29", "linux-2.6.32", "linux-3.14", "linux-4.9",
                                "linux-4.19", "linux-6.1", "linux-6.12"}) {
      CAPTURE(variant);
      const bool loses = std::find(k.losing.begin(), k.losing.end(), variant) != k.losing.end();
      const test::Checked c = test::check(test::scenario(variant, 1, 1, 2, k.actors));
      CHECK(c.result.verdict == (loses ? Verdict::violation : Verdict::verified));
    }
  }
}

TEST_CASE(
    "TLB: 4.3+ reclaim leaves a dirty page to the flusher with its batched flush pending "
    "(research note 7.6 - a hypothesis)") {
  // try_to_unmap defers the flush (TTU_BATCH_FLUSH), direct reclaim leaves the dirty page to the
  // flusher (activate_locked) with no try_to_unmap_flush_dirty, page_mkclean sees it unmapped,
  // and the writer's stale entry takes a store after the write: no fix is known. The path is
  // the same on every kernel with the batched flush.
  for (const char* v : {"linux-4.9", "linux-4.19", "linux-6.1", "linux-6.12"}) {
    CAPTURE(v);
    expect_bug(test::scenario(v, 1, 1, 1, "writer,reclaim,flusher"), "durable_at_end", 26);
  }
  // Before d950c947 try_to_unmap_one flushed at once under the PTE lock (3.14).
  CHECK(
      test::check(test::scenario("linux-3.14", 1, 1, 1, "writer,reclaim,flusher")).result.verdict ==
      Verdict::verified);
}

TEST_CASE(
    "TLB: before 3ea27719 mprotect returns with another thread's writable entry left, but no data "
    "is lost") {
  // Reclaim clears the PTE and defers the flush; change_pte_range finds the PTE none, pages == 0,
  // so flush_tlb_range is skipped and mprotect returns.
  expect_bug(test::scenario("linux-4.9", 1, 1, 1, "writer,reclaim,mprotect"), "mprotect_protects",
             15);
  for (const char* fixed : {"linux-4.19", "linux-6.1", "linux-6.12"}) {
    CAPTURE(fixed);
    CHECK(test::check(test::scenario(fixed, 1, 1, 1, "writer,reclaim,mprotect")).result.verdict ==
          Verdict::verified);
  }
  // The stale store lands in a page try_to_unmap dirtied: the data properties hold on 4.9 too.
  const test::Checked data =
      test::check(test::scenario("linux-4.9", 1, 1, 1, "writer,writer,reclaim,mprotect",
                                 {"durable_at_end", "reclaim_drops_clean"}));
  CHECK(data.result.verdict == Verdict::verified);
}

TEST_CASE(
    "TLB: 3.14 flushes after dropping ptl, so page_mkclean walking finds nothing (1cf35d47)") {
  // Mapping 1 keeps the page mapped, so page_mkclean walks instead of returning early; it takes
  // mapping 0's PTE lock after the zap dropped it and before the zap's tlb_finish_mmu.
  const char* actors = "writer@0,munmap@0,writer@1,flusher";
  expect_bug(test::scenario("linux-3.14", 1, 1, 2, actors, {"durable_at_end"}), "durable_at_end",
             36);
  // 3.15+: the flush is under ptl, which page_mkclean waits for.
  for (const char* fixed : {"linux-4.9", "linux-4.19", "linux-6.1", "linux-6.12"}) {
    CAPTURE(fixed);
    CHECK(test::check(test::scenario(fixed, 1, 1, 2, actors)).result.verdict == Verdict::verified);
  }
}

TEST_CASE(
    "TLB: 3.15-6.1 drop the map count before the flush and page_mkclean returns early "
    "(5df397dec7c4)") {
  for (const char* buggy : {"linux-3.14", "linux-4.9", "linux-4.19", "linux-6.1"}) {
    CAPTURE(buggy);
    expect_bug(test::scenario(buggy, 1, 1, 1, "writer,munmap,flusher"), "durable_at_end", 23);
  }
  // msync's form (Nadav Amit's report): the flusher writes and cleans the page, the stale
  // store follows, and a later msync finds nothing tagged and returns.
  const char* with_msync = "writer,munmap,flusher,msync";
  expect_bug(test::scenario("linux-4.19", 1, 1, 1, with_msync, {"msync_durability"}),
             "msync_durability", 24);
  for (const char* actors : {"writer,munmap,flusher", with_msync}) {
    CAPTURE(actors);
    CHECK(test::check(test::scenario("linux-6.12", 1, 1, 1, actors)).result.verdict ==
          Verdict::verified);
  }
}

TEST_CASE("2.6.29 to 6.12 verify with every property, pages, blocks and mappings 1 to 2") {
  for (const char* variant : {"linux-2.6.29", "linux-2.6.32", "linux-3.14", "linux-4.9",
                              "linux-4.19", "linux-6.1", "linux-6.12"}) {
    for (int pages = 1; pages <= 2; ++pages) {
      for (int blocks = 1; blocks <= 2; ++blocks) {
        for (int mappings = 1; mappings <= 2; ++mappings) {
          // The writer stores to the first and the last block, crossing pages when there are two;
          // with two mappings, msync acts through the other process.
          const char* actors = mappings == 1 ? "writer,flusher,msync" : "writer@0,flusher,msync@1";
          model::Scenario s = test::scenario(variant, pages, blocks, mappings, actors);
          s.actors[0].blocks = {0, pages * blocks - 1};
          CAPTURE(variant);
          CAPTURE(pages);
          CAPTURE(blocks);
          CAPTURE(mappings);
          const test::Checked c = test::check(s);
          CHECK_MESSAGE(c.result.verdict == Verdict::verified, c.property);
          CHECK(c.result.stats.states > 100);
        }
      }
    }
  }
}

TEST_CASE("a block device mapped by two threads loses msync data before 3.6, as ext3 did") {
  auto blockdev = [](const char* variant) {
    model::Scenario s = test::scenario(variant, 1, 1, 1, "writer*2,msync", {"msync_durability"});
    s.fs = model::Filesystem::blockdev;
    return test::check(s);
  };
  const auto lost = blockdev("linux-2.6.32");
  CHECK(lost.result.verdict == checker::Verdict::violation);
  CHECK(lost.length == 7);
  for (const char* fixed : {"linux-3.14", "linux-4.19", "linux-6.12"}) {
    CAPTURE(fixed);
    CHECK(blockdev(fixed).result.verdict == checker::Verdict::verified);
  }
}
