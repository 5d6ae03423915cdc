// Writeback: the loop over tagged pages, clear_page_dirty_for_io, ->writepage, the wait for
// writeback, and the fsync/msync entries that run them (MODEL.md section 2).
//
// Loop: fs/mpage.c mpage_writepages (2.6.18), mm/page-writeback.c generic_writepages (2.6.19-20),
//   write_cache_pages (2.6.32, 4.19), writeback_iter (6.x). TOWRITE tagging since 2.6.35
//   (f446daaea9); the "someone wrote it for us" !PageDirty skip since 2.6.28.
// clear_page_dirty_for_io: mm/page-writeback.c; page_mkclean / page_mkclean_one: mm/rmap.c.
//   2.6.18: TestClearPageDirty only. 2.6.19: TestClearPageDirty, then page_mkclean with the
//   result ignored. 2.6.20+ (7658cc28): page_mkclean, set_page_dirty if it cleaned, then
//   TestClearPageDirty.
// ->writepage: fs/buffer.c __block_write_full_page (__block_write_full_folio in 6.x). The I/O is
//   submitted before unlock_page in every version read; see io.cpp for its completion.
// Wait: mm/filemap.c wait_on_page_writeback_range / __filemap_fdatawait_range.

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"
#include "model/kernel/writeback_loop.hpp"

namespace dirtyrace::model::kernel {
namespace {

const ActorEnv& me_env(const Exec& x) {
  return x.env.of(x.self);
}
int current_page(const State& s, int self) {
  return s.actor[static_cast<std::size_t>(self)].page;
}
std::uint8_t without(std::uint8_t mask, int i) {
  return static_cast<std::uint8_t>(mask & ~bit(i));
}

/// Pages of [from, last] carrying a tag.
template <class TagOf>
std::uint8_t tagged_pages(const State& s, int from, int last, TagOf tag_of) {
  std::uint8_t mask = 0;
  for (int p = from; p <= last; ++p) {
    if (tag_of(page_of(s, p))) mask |= bit(p);
  }
  return mask;
}

// --- the writeback loop ---------------------------------------------------------------------

Flow mapping_tagged(Exec& x) {
  for (int p = 0; p < x.env.pages; ++p) {
    if (page_of(x.s, p).tag_dirty) return Flow::next();
  }
  return Flow::to(Target::loop_end);
}
bool keeps_going_untagged(const State&, const Env& env, int self) {
  return !env.of(self).skips_clean_mapping;
}

}  // namespace

// The loop's steps that ext4's writeback loop shares (writeback_loop.hpp).
namespace wb {

bool towrite_sync(const Env& env, int self) {
  return env.of(self).sync_all && env.variant->towrite;
}

Flow tag_pages_for_writeback(Exec& x) {
  const ActorEnv& ae = me_env(x);
  for (int p = ae.wb_first; p <= ae.wb_last; ++p) {
    Page& pg = page_of(x.s, p);
    if (pg.tag_dirty) pg.tag_towrite = 1;
  }
  return Flow::next();
}
bool no_towrite_tagging(const State&, const Env& env, int self) {
  return !towrite_sync(env, self);
}

/// pagevec_lookup_tag from the loop's index; the references of the previous batch are dropped
/// (pagevec_release) as the next lookup starts.
Flow find_get_pages_tag(Exec& x) {
  const ActorEnv& ae = me_env(x);
  Actor& me = x.me();
  const bool towrite = towrite_sync(x.env, x.self);
  const std::uint8_t found =
      tagged_pages(x.s, std::max<int>(me.index, ae.wb_first), ae.wb_last,
                   [towrite](const Page& pg) { return towrite ? pg.tag_towrite : pg.tag_dirty; });
  me.refs = found;
  me.pagevec = found;
  return found ? Flow::next() : Flow::to(Target::loop_end);
}

bool pagevec_empty(const State& s, const Env&, int self) {
  return s.actor[static_cast<std::size_t>(self)].pagevec == 0;
}

bool next_page_unlocked(const State& s, const Env&, int self) {
  const std::uint8_t pv = s.actor[static_cast<std::size_t>(self)].pagevec;
  return pv == 0 || page_unlocked(s, lowest(pv));
}

Flow wb_lock_page(Exec& x) {
  Actor& me = x.me();
  const int p = lowest(me.pagevec);
  me.pagevec = without(me.pagevec, p);
  me.page = static_cast<std::uint8_t>(p);
  me.index = static_cast<std::uint8_t>(p + 1);
  lock_page(x, p);
  const Page& pg = page_of(x.s, p);
  if ((x.env.variant->skip_clean_page && !pg.dirty) || (pg.writeback && !me_env(x).sync_all)) {
    unlock_page(x, p);
    return Flow::to(Target::next_page);
  }
  return pg.writeback ? Flow::next() : Flow::to(Target::page_ready);
}

bool current_page_idle(const State& s, const Env&, int self) {
  return !page_of(s, current_page(s, self)).writeback;
}

Flow nothing(Exec&) {
  return Flow::next();
}

}  // namespace wb

namespace {

Flow wb_unlock_page(Exec& x) {
  unlock_page(x, x.me().page);
  return Flow::to(Target::next_page);
}

// --- clear_page_dirty_for_io ----------------------------------------------------------------

void assert_locked(Exec& x) {
  if (!holds_page_lock(x.s, x.me().page, x.self)) bug_on(x.s, kBugCleanUnlocked);
}

/// page_mkclean's first test, a lockless read of the map count (page_mapped, folio_mapped):
/// a page no mapping counts in returns 0 at once, taking no PTE lock (research note 2.1).
Flow page_mkclean_mapped_step(Exec& x, bool record) {
  Actor& me = x.me();
  if (x.env.variant->clean_order == CleanOrder::mkclean_then_clear) assert_locked(x);
  if (record) me.cleaned = 0;
  return page_mapped(x.s, x.env, me.page) ? Flow::next() : Flow::to(Target::mkclean_done);
}
Flow page_mkclean_mapped(Exec& x) {
  return page_mkclean_mapped_step(x, true);
}
Flow page_mkclean_mapped_ignored(Exec& x) {
  return page_mkclean_mapped_step(x, false);
}

/// page_mkclean_one takes the mapping's PTE lock whatever the PTE holds (PVMW_SYNC, sync=1).
bool cursor_ptl_free(const State& s, const Env&, int self) {
  return ptl_free(s, s.actor[static_cast<std::size_t>(self)].cursor, self);
}

/// One mapping per step: page_mkclean_one under that mapping's ptl. ptep_clear_flush flushes
/// every CPU of that process before ptl is dropped.
Flow page_mkclean_step(Exec& x, bool record) {
  Actor& me = x.me();
  std::uint8_t& pte = pte_of(x.s, me.cursor, me.page);
  if ((pte & kPtePresent) && (pte & (kPteWrite | kPteDirty))) {
    pte = kPtePresent;
    flush_tlb_page(x.s, x.env, me.cursor, me.page);
    if (record) me.cleaned = 1;
  }
  return next_in_loop(me, x.env.mappings);
}
Flow page_mkclean(Exec& x) {
  return page_mkclean_step(x, true);
}
Flow page_mkclean_ignored(Exec& x) {
  return page_mkclean_step(x, false);
}

Flow clean_set_page_dirty(Exec& x) {
  set_page_dirty(x.s, x.env, x.me().page);
  return Flow::next();
}
bool not_cleaned(const State& s, const Env&, int self) {
  return !s.actor[static_cast<std::size_t>(self)].cleaned;
}

Flow test_clear_page_dirty_step(Exec& x) {
  if (x.env.variant->mkclean_asserts_locked) assert_locked(x);
  return test_clear_page_dirty(x.s, x.me().page) ? Flow::next() : Flow::to(Target::page_clean);
}

// --- __block_write_full_page ----------------------------------------------------------------

Block& cursor_block(Exec& x) {
  return block_of(x.s, x.env.block(x.me().page, x.me().cursor));
}

/// test_clear_buffer_dirty on a buffer just locked: a dirty one is picked for async write, a
/// clean one unlocked at once. Taking the lock and testing in one step is exact: set_buffer_dirty
/// does not look at the lock, so a concurrent dirtying lands before or after either way.
Flow pick_buffer(Exec& x) {
  Actor& me = x.me();
  if (me.cursor == 0) me.picked = 0;
  Block& blk = cursor_block(x);
  if (blk.dirty) {
    blk.dirty = 0;
    blk.locked = 1;
    blk.async_write = 1;
    me.picked |= bit(me.cursor);
  }
  return next_in_loop(me, x.env.blocks_per_page);
}

Flow lock_buffer(Exec& x) {
  return pick_buffer(x);
}

Flow trylock_buffer(Exec& x) {
  if (!cursor_block(x).locked) return pick_buffer(x);
  Actor& me = x.me();
  if (me.cursor == 0) me.picked = 0;
  set_page_dirty_nobuffers(x.s, me.page);  // redirty_page_for_writepage
  return next_in_loop(me, x.env.blocks_per_page);
}

bool cursor_buffer_unlocked(const State& s, const Env& env, int self) {
  const Actor& me = s.actor[static_cast<std::size_t>(self)];
  return !block_of(s, env.block(me.page, me.cursor)).locked;
}
bool uses_trylock(const State&, const Env& env, int self) {
  return env.of(self).trylock_buffers;
}
bool uses_lock(const State&, const Env& env, int self) {
  return !env.of(self).trylock_buffers;
}

Flow set_page_writeback_step(Exec& x) {
  set_page_writeback(x.s, x.env, x.me().page);
  return Flow::next();
}

/// The submit loop: nr_underway counts the writes it submits (a skipped submit_bh, with nothing
/// picked, leaves it 0).
Flow submit_bh(Exec& x) {
  Actor& me = x.me();
  for (int b = 0; b < x.env.blocks_per_page; ++b) {
    if (me.picked & bit(b)) block_of(x.s, x.env.block(me.page, b)).io = kIoSubmitted;
  }
  me.underway = me.picked != 0;
  return Flow::next();
}
bool nothing_picked(const State& s, const Env&, int self) {
  return s.actor[static_cast<std::size_t>(self)].picked == 0;
}

}  // namespace

namespace wb {

Flow writepage_unlock_page(Exec& x) {
  unlock_page(x, x.me().page);
  return Flow::next();
}

/// `if (nr_underway == 0) end_page_writeback(page);`
Flow end_page_writeback_no_io(Exec& x) {
  end_page_writeback(x.s, x.me().page);
  return Flow::next();
}
bool writes_underway(const State& s, const Env&, int self) {
  return s.actor[static_cast<std::size_t>(self)].underway != 0;
}

}  // namespace wb

namespace {

// --- waiting for writeback ------------------------------------------------------------------

Flow find_get_writeback_pages(Exec& x) {
  const ActorEnv& ae = me_env(x);
  Actor& me = x.me();
  const std::uint8_t found =
      tagged_pages(x.s, std::max<int>(me.wait_index, ae.wb_first), ae.wb_last,
                   [](const Page& pg) { return pg.tag_writeback; });
  me.refs = found;
  me.pagevec = found;
  return found ? Flow::next() : Flow::to(Target::loop_end);
}

bool next_page_idle(const State& s, const Env&, int self) {
  const std::uint8_t pv = s.actor[static_cast<std::size_t>(self)].pagevec;
  return pv == 0 || !page_of(s, lowest(pv)).writeback;
}

Flow wait_on_page_writeback(Exec& x) {
  Actor& me = x.me();
  const int p = lowest(me.pagevec);
  me.pagevec = without(me.pagevec, p);
  me.wait_index = static_cast<std::uint8_t>(p + 1);
  // Before 4.13 a failed write of the page it waited on makes the wait return -EIO (PG_error is
  // set only before 4.13 here): 2.6.x tests PageError and leaves it, 3.14 and 4.9
  // TestClearPageError.
  Page& pg = page_of(x.s, p);
  if (pg.error) {
    if (x.env.variant->write_errors == WriteErrors::as_eio_clear_page_error) pg.error = 0;
    report_error(x.s, x.env, x.self);
  }
  return Flow::again();
}

/// Write errors are not modelled for this run, or the actor has no open file (the final fsync).
bool no_error_report(const State&, const Env& env, int self) {
  return env.io_errors == 0 || env.of(self).file < 0;
}

Flow filemap_check_errors(Exec& x) {
  if (x.s.as_eio) {
    x.s.as_eio = 0;  // test_and_clear_bit(AS_EIO, &mapping->flags)
    report_error(x.s, x.env, x.self);
  }
  return Flow::next();
}

Flow file_check_and_advance_wb_err(Exec& x) {
  if (errseq_check_and_advance(x.s, me_env(x).file)) report_error(x.s, x.env, x.self);
  return Flow::next();
}

// --- fsync and msync ------------------------------------------------------------------------

void record_call(Exec& x, int first, int last) {
  for (int p = first; p <= last; ++p) {
    const bool cached = page_of(x.s, p).cached;
    for (int b = 0; b < x.env.blocks_per_page; ++b) {
      const int g = x.env.block(p, b);
      const Block& blk = block_of(x.s, g);
      x.me().ghost_called[static_cast<std::size_t>(g)] = cached ? blk.mem : blk.disk;
    }
  }
}

Flow fsync_entry(Exec& x) {
  if (me_env(x).records_call) record_call(x, 0, x.env.pages - 1);
  return Flow::next();
}

Flow msync_entry(Exec& x) {
  record_call(x, me_env(x).first_page, me_env(x).last_page);
  return Flow::next();
}

bool own_mapping_ptl_free(const State& s, const Env& env, int self) {
  return ptl_free(s, env.of(self).mapping, self);
}

Flow msync_pte_range(Exec& x) {
  const ActorEnv& ae = me_env(x);
  Actor& me = x.me();
  const int p = ae.first_page + me.cursor;
  std::uint8_t& pte = pte_of(x.s, ae.mapping, p);
  if ((pte & kPtePresent) && (pte & kPteDirty)) {
    pte = static_cast<std::uint8_t>(pte & ~kPteDirty);  // ptep_clear_flush_dirty: stays writable
    flush_tlb_page(x.s, x.env, ae.mapping, p);
    set_page_dirty(x.s, x.env, p);
  }
  return next_in_loop(me, ae.last_page - ae.first_page + 1);
}

}  // namespace

using namespace wb;

const Step kMappingTagged{
    .name = "mapping_tagged",
    .function = "filemap_fdatawrite_wbc",
    .source = "mm/filemap.c (6.x)",
    .what = "skip the writeback loop when no page of the file is tagged DIRTY",
    .apply = mapping_tagged,
    .skip = keeps_going_untagged,
    .skip_by_scenario = true,
    .jumps = jumps_to({Target::loop_end}),
    .rest = true,
    .reads = vars({Var::tags})};

const Step kTagPagesForWriteback{.name = "tag_pages_for_writeback",
                                 .function = "write_cache_pages",
                                 .source = "mm/page-writeback.c (2.6.35+, WB_SYNC_ALL)",
                                 .what = "tag TOWRITE every page of the range that is tagged DIRTY",
                                 .apply = tag_pages_for_writeback,
                                 .skip = no_towrite_tagging,
                                 .skip_by_scenario = true,
                                 .rest = true,
                                 .reads = vars({Var::tags}),
                                 .writes = vars({Var::tags})};

const Step kFindGetPagesTag{
    .name = "find_get_pages_tag",
    .function = "write_cache_pages",
    .source = "mm/page-writeback.c, mm/filemap.c (pagevec_lookup_tag)",
    .what =
        "look up, from the loop's index on, the pages tagged TOWRITE (WB_SYNC_ALL, 2.6.35+) "
        "or DIRTY and take a reference on each; none left ends the loop",
    .apply = find_get_pages_tag,
    .jumps = jumps_to({Target::loop_end}),
    .rest = true,
    .reads = vars({Var::index, Var::tags}),
    .writes = vars({Var::refs, Var::pagevec})};

const Step kWbLockPage{
    .name = "lock_page",
    .function = "write_cache_pages",
    .source = "mm/page-writeback.c",
    .what =
        "lock the next page of the lookup; skip it if it is clean (2.6.28+) or, for "
        "WB_SYNC_NONE, under writeback",
    .apply = wb_lock_page,
    .enabled = next_page_unlocked,
    .skip = pagevec_empty,
    .skip_to = Target::lookup,
    .jumps = jumps_to({Target::next_page, Target::page_ready}),
    .rest = true,
    .page_lock = PageLock::acquire,
    .reads = vars({Var::pagevec, Var::page_lock, Var::pg_dirty, Var::pg_writeback}),
    .writes = vars({Var::pagevec, Var::page, Var::index, Var::page_lock})};

const Step kWbWaitOnPageWriteback{
    .name = "wait_on_page_writeback",
    .function = "write_cache_pages",
    .source = "mm/page-writeback.c (WB_SYNC_ALL)",
    .what = "wait, holding the page lock, until the page's writeback ends",
    .apply = nothing,
    .enabled = current_page_idle,
    .reads = vars({Var::page, Var::pg_writeback})};

const Step kWbUnlockPage{.name = "unlock_page",
                         .function = "write_cache_pages",
                         .source = "mm/page-writeback.c (continue_unlock)",
                         .what = "clear_page_dirty_for_io returned 0: unlock the page and go on",
                         .apply = wb_unlock_page,
                         .jumps = jumps_to({Target::next_page}),
                         .page_lock = PageLock::release,
                         .reads = vars({Var::page, Var::page_lock}),
                         .writes = vars({Var::page_lock})};

const Step kPageMkcleanMapped{
    .name = "page_mapped",
    .function = "page_mkclean",
    .source =
        "mm/rmap.c page_mkclean (folio_mkclean in 6.x): if (!page_mapped(page)) return 0 "
        "(3.14 ~868, 4.19 ~977, 6.1 ~1043)",
    .what =
        "BUG unless the page is locked; a page whose map count is 0 returns 0 at once, "
        "without taking any PTE lock",
    .apply = page_mkclean_mapped,
    .jumps = jumps_to({Target::mkclean_done}),
    .reads = vars({Var::page, Var::page_lock, Var::rmap}),
    .writes = vars({Var::cleaned})};

const Step kPageMkcleanMappedIgnored{
    .name = "page_mapped",
    .function = "page_mkclean",
    .source = "mm/rmap.c page_mkclean (2.6.19): if (page_mapped(page)) walk the mappings",
    .what = "a page whose map count is 0 returns at once, without taking any PTE lock",
    .apply = page_mkclean_mapped_ignored,
    .jumps = jumps_to({Target::mkclean_done}),
    .reads = vars({Var::page, Var::rmap})};

const Step kPageMkclean{
    .name = "page_mkclean",
    .function = "clear_page_dirty_for_io",
    .source =
        "mm/rmap.c: page_mkclean_one under each mapping's ptl, ptep_clear_flush (2.6.19+; "
        "PVMW_SYNC in 4.19+)",
    .what =
        "for one mapping, once its PTE lock is free: if its PTE is dirty or writable, "
        "write-protect and clean it, flush that page from every CPU of the process, and "
        "remember that one was",
    .per_mapping = true,
    .apply = page_mkclean,
    .enabled = cursor_ptl_free,
    .reads = vars({Var::page, Var::cleaned, Var::pte, Var::ptl}),
    .writes = vars({Var::cleaned, Var::pte, Var::tlb})};

const Step kPageMkcleanIgnored{
    .name = "page_mkclean",
    .function = "clear_page_dirty_for_io",
    .source = "mm/rmap.c, mm/page-writeback.c (2.6.19: result ignored)",
    .what =
        "for one mapping, once its PTE lock is free: if its PTE is dirty or writable, "
        "write-protect and clean it and flush it from every CPU of the process; the dirty bit "
        "it held is dropped",
    .per_mapping = true,
    .apply = page_mkclean_ignored,
    .enabled = cursor_ptl_free,
    .reads = vars({Var::page, Var::pte, Var::ptl}),
    .writes = vars({Var::pte, Var::tlb})};

const Step kCleanSetPageDirty{
    .name = "set_page_dirty",
    .function = "clear_page_dirty_for_io",
    .source = "mm/page-writeback.c (2.6.20+): if (page_mkclean(page)) set_page_dirty(page)",
    .what = "page_mkclean cleaned a PTE: move its dirty bit to the page, re-dirtying every buffer",
    .apply = clean_set_page_dirty,
    .skip = not_cleaned,
    .reads = vars({Var::page, Var::cleaned, Var::cached, Var::pg_dirty}),
    .writes = vars({Var::buffers, Var::pg_dirty, Var::tags, Var::nr_dirty})};

const Step kTestClearPageDirty{
    .name = "TestClearPageDirty",
    .function = "clear_page_dirty_for_io",
    .source = "mm/page-writeback.c",
    .what = "clear PG_dirty (NR_FILE_DIRTY--); if it was already clear, return 0: nothing to write",
    .apply = test_clear_page_dirty_step,
    .jumps = jumps_to({Target::page_clean}),
    .reads = vars({Var::page, Var::page_lock, Var::pg_dirty, Var::nr_dirty}),
    .writes = vars({Var::pg_dirty, Var::nr_dirty})};

const Step kLockBuffer{
    .name = "lock_buffer",
    .function = "__block_write_full_page",
    .source = "fs/buffer.c",
    .what =
        "for one buffer: lock it (waiting while it is under I/O); if test_clear_buffer_dirty "
        "finds it dirty, mark it for async write, else unlock it",
    .apply = lock_buffer,
    .enabled = cursor_buffer_unlocked,
    .skip = uses_trylock,
    .skip_by_scenario = true,
    .reads = vars({Var::page, Var::buffers}),
    .writes = vars({Var::buffers, Var::picked})};

const Step kTrylockBuffer{
    .name = "trylock_buffer",
    .function = "__block_write_full_page",
    .source = "fs/buffer.c (WB_SYNC_NONE, non-blocking)",
    .what =
        "for one buffer: if it is locked, redirty_page_for_writepage and go on; else lock it "
        "and mark it for async write if test_clear_buffer_dirty finds it dirty",
    .apply = trylock_buffer,
    .skip = uses_lock,
    .skip_by_scenario = true,
    .reads = vars({Var::page, Var::buffers, Var::pg_dirty}),
    .writes = vars({Var::buffers, Var::picked, Var::pg_dirty, Var::tags, Var::nr_dirty})};

const Step kSetPageWriteback{
    .name = "set_page_writeback",
    .function = "__block_write_full_page",
    .source = "fs/buffer.c; mm/page-writeback.c test_set_page_writeback",
    .what =
        "BUG_ON(PageWriteback); set PG_writeback and tag WRITEBACK, drop tag DIRTY if the "
        "page is clean and (2.6.35+) tag TOWRITE",
    .apply = set_page_writeback_step,
    .reads = vars({Var::page, Var::pg_writeback, Var::pg_dirty}),
    .writes = vars({Var::pg_writeback, Var::tags})};

const Step kSubmitBh{.name = "submit_bh",
                     .function = "__block_write_full_page",
                     .source = "fs/buffer.c",
                     .what = "submit a write for every buffer marked for async write",
                     .apply = submit_bh,
                     .skip = nothing_picked,
                     .reads = vars({Var::page, Var::picked}),
                     .writes = vars({Var::io, Var::underway}),
                     .skip_clears = vars({Var::underway})};

const Step kWritepageUnlockPage{.name = "unlock_page",
                                .function = "__block_write_full_page",
                                .source = "fs/buffer.c",
                                .what = "unlock the page; the writes complete later",
                                .apply = writepage_unlock_page,
                                .page_lock = PageLock::release,
                                .reads = vars({Var::page, Var::page_lock}),
                                .writes = vars({Var::page_lock})};

const Step kEndPageWritebackNoIo{.name = "end_page_writeback",
                                 .function = "__block_write_full_page",
                                 .source = "fs/buffer.c, mm/filemap.c",
                                 .what = "no buffer was dirty: end the page's writeback at once",
                                 .apply = end_page_writeback_no_io,
                                 .skip = writes_underway,
                                 .reads = vars({Var::page, Var::underway, Var::pg_writeback}),
                                 .writes = vars({Var::pg_writeback, Var::tags})};

const Step kFindGetWritebackPages{
    .name = "find_get_pages_tag",
    .function = "filemap_fdatawait",
    .source = "mm/filemap.c: wait_on_page_writeback_range / __filemap_fdatawait_range",
    .what =
        "look up, from the wait's index on, the pages tagged WRITEBACK and take a reference "
        "on each; none left ends the wait",
    .apply = find_get_writeback_pages,
    .jumps = jumps_to({Target::loop_end}),
    .rest = true,
    .reads = vars({Var::wait_index, Var::tags}),
    .writes = vars({Var::refs, Var::pagevec})};

const Step kWaitOnPageWriteback{
    .name = "wait_on_page_writeback",
    .function = "filemap_fdatawait",
    .source = "mm/filemap.c",
    .what = "wait until the next page of the lookup is no longer under writeback",
    .apply = wait_on_page_writeback,
    .enabled = next_page_idle,
    .skip = pagevec_empty,
    .skip_to = Target::lookup,
    .rest = true,
    .reads = vars({Var::pagevec, Var::pg_writeback, Var::errors}),
    .writes = vars({Var::pagevec, Var::wait_index, Var::errors, Var::err})};

const Step kFilemapCheckErrors{
    .name = "filemap_check_errors",
    .function = "filemap_fdatawait",
    .source = "mm/filemap.c: wait_on_page_writeback_range (2.6.x), filemap_check_errors (4.x)",
    .what =
        "test_and_clear_bit(AS_EIO, &mapping->flags): a write of the file failed since some "
        "fdatawait last looked, so return -EIO (and no other caller will hear of it)",
    .apply = filemap_check_errors,
    .skip = no_error_report,
    .skip_by_scenario = true,
    .rest = true,
    .reads = vars({Var::errors}),
    .writes = vars({Var::errors, Var::err})};

const Step kFileCheckAndAdvanceWbErr{
    .name = "file_check_and_advance_wb_err",
    .function = "file_write_and_wait_range",
    .source = "mm/filemap.c, lib/errseq.c (4.13+)",
    .what =
        "errseq_check_and_advance: if mapping->wb_err changed since this file last looked, mark "
        "it SEEN, advance the file's f_wb_err and return -EIO; every open file hears of an "
        "error once",
    .apply = file_check_and_advance_wb_err,
    .skip = no_error_report,
    .skip_by_scenario = true,
    .rest = true,
    .reads = vars({Var::errors}),
    .writes = vars({Var::errors, Var::err})};

const Step kFsyncEntry{.name = "do_fsync",
                       .function = "do_fsync",
                       .source = "fs/sync.c (fs/buffer.c in 2.6.18): vfs_fsync_range",
                       .what =
                           "fsync(2) is called: remember the version in memory of every block (for "
                           "fsync_durability)",
                       .apply = fsync_entry,
                       .rest = true,
                       .entry = true,
                       .reads = vars({Var::cached, Var::data, Var::io}),
                       .writes = vars({Var::called})};

const Step kMsyncEntry{
    .name = "sys_msync",
    .function = "sys_msync",
    .source = "mm/msync.c",
    .what =
        "msync(MS_SYNC) is called on the range: remember the version in memory of each of "
        "its blocks (for msync_durability)",
    .apply = msync_entry,
    .rest = true,
    .entry = true,
    .reads = vars({Var::cached, Var::data, Var::io}),
    .writes = vars({Var::called})};

const Step kMsyncPteRange{
    .name = "msync_pte_range",
    .function = "msync_page_range",
    .source = "mm/msync.c (2.6.18)",
    .what =
        "for one page of the caller's range, under ptl: if the PTE is dirty, clear its dirty "
        "bit (it stays writable), flush it from the process's CPUs, and set_page_dirty",
    .apply = msync_pte_range,
    .enabled = own_mapping_ptl_free,
    .rest = true,
    .reads = vars({Var::pte, Var::cached, Var::pg_dirty, Var::ptl}),
    .writes = vars({Var::pte, Var::buffers, Var::pg_dirty, Var::tags, Var::nr_dirty, Var::tlb})};

}  // namespace dirtyrace::model::kernel
