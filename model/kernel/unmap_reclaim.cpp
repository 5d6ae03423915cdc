// munmap and page reclaim (MODEL.md section 2, "munmap" and "Reclaim").
//
// munmap: mm/memory.c zap_pte_range, one page per step under ptl; a dirty PTE is moved to the
//   page with set_page_dirty and no page lock. The model keeps the VMA (as MADV_DONTNEED does),
//   so a later store through the mapping faults the page back in.
// Reclaim: mm/vmscan.c shrink_page_list (shrink_folio_list in 6.x), mm/rmap.c try_to_unmap_one,
//   pageout(); mm/filemap.c try_to_release_page → fs/buffer.c try_to_free_buffers; mm/vmscan.c
//   __remove_mapping (reference count first, then PG_dirty). Reclaim may keep any page for
//   reasons the model does not track (page_check_references), so every trylock_page also has a
//   "keep" outcome; this also covers trylock_page failing inside lock windows that the model
//   takes in one step.

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"

namespace dirtyrace::model::kernel {
namespace {

std::uint8_t without(std::uint8_t mask, int i) {
  return static_cast<std::uint8_t>(mask & ~bit(i));
}

/// zap_pte_range over one page table, one PTE per step, ptl held from the first to the last
/// (up to 3.14) or to the flush step (3.15+). ptep_get_and_clear_full returns the dirty bit
/// set up to that instant; the page goes to the mmu_gather batch, which holds a reference on
/// it until it is freed after the flush (refs). page_remove_rmap runs at once, except from 6.2
/// on for a dirty PTE (tlb_delay_rmap), whose page waits in `pagevec` for tlb_flush_rmaps.
Flow zap_pte_range(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  Actor& me = x.me();
  const int m = ae.mapping;
  const int p = ae.first_page + me.cursor;
  const ZapFlush order = x.env.variant->zap;
  x.s.ptl[static_cast<std::size_t>(m)] = static_cast<std::uint8_t>(x.self + 1);
  if (me.cursor == 0) flush_tlb_batched_pending(x.s, x.env, m);
  std::uint8_t& pte = pte_of(x.s, m, p);
  if (pte & kPtePresent) {
    const bool dirty = pte & kPteDirty;
    pte = 0;
    if (dirty) set_page_dirty(x.s, x.env, p);
    me.refs |= bit(p);
    if (order == ZapFlush::rmap_after_flush && dirty) {
      me.pagevec |= bit(p);
    } else {
      rmap_of(x.s, m, p) = 0;
    }
  }
  const int count = ae.last_page - ae.first_page + 1;
  if (me.cursor + 1 == count && order == ZapFlush::after_unlock) {
    x.s.ptl[static_cast<std::size_t>(m)] = 0;  // pte_unmap_unlock; the flush comes later
  }
  return next_in_loop(me, count);
}

/// The PTE lock; before the first PTE also mmap_sem (for read: MADV_DONTNEED; munmap takes it for
/// write), which mprotect may hold for write.
bool zap_ptl_free(const State& s, const Env& env, int self) {
  const int m = env.of(self).mapping;
  const bool started = s.actor[static_cast<std::size_t>(self)].cursor != 0;
  return ptl_free(s, m, self) && (started || s.mmap_sem[static_cast<std::size_t>(m)] == 0);
}

/// The mmu_gather's flush of the range on every CPU of the process, then the batched pages
/// are freed (their references dropped).
void zap_flush_and_free(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  for (int p = ae.first_page; p <= ae.last_page; ++p) flush_tlb_page(x.s, x.env, ae.mapping, p);
  x.me().refs = 0;
}

/// 3.15+: the flush under ptl (tlb_flush_mmu_tlbonly), then from 6.2 the delayed
/// page_remove_rmap (tlb_flush_rmaps), pte_unmap_unlock, and freeing the batch.
Flow zap_tlb_flush_unlock(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  Actor& me = x.me();
  zap_flush_and_free(x);
  for (int p = ae.first_page; p <= ae.last_page; ++p) {
    if (me.pagevec & bit(p)) rmap_of(x.s, ae.mapping, p) = 0;
  }
  me.pagevec = 0;
  x.s.ptl[static_cast<std::size_t>(ae.mapping)] = 0;
  return Flow::next();
}

/// Up to 3.14: tlb_finish_mmu at the end of the unmap, ptl long dropped.
Flow zap_tlb_finish_mmu(Exec& x) {
  zap_flush_and_free(x);
  return Flow::next();
}

Flow isolate_lru_pages(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  std::uint8_t cached = 0;
  for (int p = ae.first_page; p <= ae.last_page; ++p) {
    if (page_of(x.s, p).cached) cached |= bit(p);
  }
  x.me().pagevec = cached;
  return cached ? Flow::next() : Flow::to(Target::loop_end);
}

bool pagevec_empty(const State& s, const Env&, int self) {
  return s.actor[static_cast<std::size_t>(self)].pagevec == 0;
}

/// Gives up on the current page (keep / activate_locked), unlocking it if held.
Flow keep(Exec& x, bool locked) {
  if (locked) unlock_page(x, x.me().page);
  return Flow::to(Target::next_page);
}

Flow trylock_page(Exec& x) {
  Actor& me = x.me();
  const int p = lowest(me.pagevec);
  me.pagevec = without(me.pagevec, p);
  me.page = static_cast<std::uint8_t>(p);
  const Page& pg = page_of(x.s, p);
  if (x.choice == 1 || !pg.cached || !page_unlocked(x.s, p)) return keep(x, false);
  lock_page(x, p);
  if (pg.writeback) return keep(x, true);
  return Flow::next();
}

bool unmap_ptl_free(const State& s, const Env&, int self) {
  return ptl_free(s, s.actor[static_cast<std::size_t>(self)].cursor, self);
}

/// try_to_unmap_one as 3.14 had it (before d950c947 batched reclaim's flushes): under ptl,
/// ptep_clear_flush, set_page_dirty if the PTE was dirty, page_remove_rmap.
Flow try_to_unmap(Exec& x) {
  Actor& me = x.me();
  std::uint8_t& pte = pte_of(x.s, me.cursor, me.page);
  if (pte & kPtePresent) {
    const bool dirty = pte & kPteDirty;
    pte = 0;
    if (x.env.variant->reclaim_batches_flush) {
      // should_defer_flush: ptep_get_and_clear, set_tlb_ubc_flush_pending; no flush yet.
      me.ubc = static_cast<std::uint8_t>(me.ubc | bit(me.cursor) | (dirty ? kUbcWritable : 0));
      // mm->tlb_flush_batched = true (3ea27719, 4.13; 4.19 mm/rmap.c ~612).
      if (x.env.variant->flush_batched_pending) x.s.tlb_batched[me.cursor] = 1;
    } else {
      flush_tlb_page(x.s, x.env, me.cursor, me.page);
    }
    if (dirty) set_page_dirty(x.s, x.env, me.page);
    rmap_of(x.s, me.cursor, me.page) = 0;
  }
  if (++me.cursor < x.env.mappings) return Flow::again();
  me.cursor = 0;
  if (page_mapped(x.s, x.env, me.page)) return keep(x, true);  // SWAP_AGAIN
  return Flow::next();
}

/// try_to_unmap_flush: the batched flush of every CPU of every process in tlb_ubc.
void try_to_unmap_flush(Exec& x) {
  Actor& me = x.me();
  for (int m = 0; m < x.env.mappings; ++m) {
    if (me.ubc & bit(m)) flush_tlb_mm(x.s, x.env, m);
  }
  me.ubc = 0;
}

Flow try_to_unmap_flush_step(Exec& x) {
  try_to_unmap_flush(x);
  return Flow::next();
}

bool ubc_empty(const State& s, const Env&, int self) {
  return s.actor[static_cast<std::size_t>(self)].ubc == 0;
}

/// shrink_page_list's `if (PageDirty(page))` after try_to_unmap (4.19 mm/vmscan.c ~1330-1373;
/// shrink_folio_list 6.1 ~1890-1936, 6.12 ~1325-1370; 3.14 ~972-1000). Who may write the page
/// depends on state the model does not track, so a dirty page has both outcomes:
/// - choice 0, `PageDirty`: kswapd with PageReclaim and PGDAT_DIRTY (3.14: zone_is_reclaim_dirty;
///   before 3.2 any reclaimer), the reference, __GFP_FS and may_writepage checks passed:
///   try_to_unmap_flush_dirty (4.3+, d950c947), then pageout(): is_page_cache_freeable, else
///   PAGE_KEEP; with ->writepage clear_page_dirty_for_io and ->writepage (the next items); without
///   it (ext4 from 6.6 on, block devices by 6.12; 6.12 ~666) PAGE_ACTIVATE.
/// - choice 1, `keep_locked`: direct reclaim or kswapd without those flags (SetPageReclaim, goto
///   activate_locked), or PAGEREF_RECLAIM_CLEAN, !may_enter_fs, !may_writepage (goto keep_locked):
///   unlock_page with no flush; a batched flush stays pending until try_to_unmap_flush.
/// A clean page goes on to be freed whatever the outcome.
Flow reclaim_page_dirty(Exec& x) {
  const int p = x.me().page;
  if (!page_of(x.s, p).dirty) return Flow::to(Target::page_clean);
  if (x.choice == 1) return keep(x, true);  // left to the flusher
  // try_to_unmap_flush_dirty (d950c947), before pageout() looks at anything: the batched flush
  // when a deferred unmap found a dirty PTE.
  if (x.me().ubc & kUbcWritable) try_to_unmap_flush(x);
  // pageout(): is_page_cache_freeable, else PAGE_KEEP; no ->writepage: PAGE_ACTIVATE.
  if (!x.env.variant->reclaim_writes_file_pages) return keep(x, true);
  if (extra_refs(x.s, x.env, p, x.self) > 0) return keep(x, true);
  return Flow::next();
}

Flow pageout_success(Exec& x) {
  const int p = x.me().page;
  const Page& pg = page_of(x.s, p);
  if (pg.writeback || pg.dirty || !page_unlocked(x.s, p)) return keep(x, false);
  lock_page(x, p);
  return Flow::next();
}

/// try_to_free_buffers' drop_buffers fails: the page is under writeback, or a buffer is
/// dirty or locked.
bool buffers_busy(const State& s, const Env& env, int p) {
  bool busy = page_of(s, p).writeback;
  for (int b = 0; b < env.blocks_per_page; ++b) {
    const Block& blk = block_of(s, env.block(p, b));
    busy = busy || blk.dirty || blk.locked;
  }
  return busy;
}

/// try_to_free_buffers' clear_page_dirty / cancel_dirty_page (clean buffers against a dirty
/// page mean someone wrote them by hand), then __remove_mapping.
Flow clear_dirty_and_remove(Exec& x) {
  const int p = x.me().page;
  Page& pg = page_of(x.s, p);
  if (test_clear_page_dirty(x.s, p) && x.env.variant->release_clears_tag) pg.tag_dirty = 0;
  if (extra_refs(x.s, x.env, p, x.self) > 0) return keep(x, true);
  drop_page(x.s, x.env, p);
  return Flow::to(Target::next_page);
}

Flow try_to_release_page(Exec& x) {
  if (buffers_busy(x.s, x.env, x.me().page)) return keep(x, true);
  return clear_dirty_and_remove(x);
}

/// 2.6.19: drop_buffers under private_lock, then the lock is dropped before clear_page_dirty.
Flow drop_buffers(Exec& x) {
  if (buffers_busy(x.s, x.env, x.me().page)) return keep(x, true);
  return Flow::next();
}

/// 2.6.19: clear_page_dirty after private_lock was dropped. The buffers are gone: a
/// set_page_dirty since drop_buffers found none to mark (in the model, whose pages always have
/// their buffers, it marked them; they are cleared here, as freed), and PG_dirty it set is lost.
Flow free_buffers_clear_page_dirty(Exec& x) {
  const int p = x.me().page;
  for (int b = 0; b < x.env.blocks_per_page; ++b) block_of(x.s, x.env.block(p, b)).dirty = 0;
  return clear_dirty_and_remove(x);
}

}  // namespace

const Step kZapPteRange{
    .name = "zap_pte_range",
    .function = "zap_pte_range",
    .source =
        "mm/memory.c zap_pte_range: ptep_get_and_clear_full, set_page_dirty, page_remove_rmap, "
        "__tlb_remove_page (3.14 ~1113-1139, 4.19 ~1322-1341, 6.12 zap_present_folio_ptes ~1486)",
    .what =
        "for one page of the range, holding the mapping's PTE lock: clear the PTE; if it was "
        "dirty, set_page_dirty without the page lock; drop the page from the map count (from "
        "6.2, a dirty PTE's page only after the flush); batch the page for the flush; up to "
        "3.14 the last one drops ptl before any flush",
    .apply = zap_pte_range,
    .enabled = zap_ptl_free,
    .rest = true,
    .reads = vars({Var::pte, Var::cached, Var::pg_dirty, Var::ptl, Var::refs, Var::pagevec,
                   Var::tlb, Var::vma}),
    .writes = vars({Var::pte, Var::buffers, Var::pg_dirty, Var::tags, Var::nr_dirty, Var::ptl,
                    Var::rmap, Var::refs, Var::pagevec, Var::tlb})};

const Step kZapTlbFlushUnlock{
    .name = "tlb_flush_mmu_tlbonly",
    .function = "zap_pte_range",
    .source =
        "mm/memory.c (3.15+, 1cf35d47): tlb_flush_mmu_tlbonly, tlb_flush_rmaps (6.2+, "
        "5df397dec7c4), pte_unmap_unlock, tlb_flush_mmu (4.19 ~1394-1405, 6.12 ~1688-1700)",
    .what =
        "still under ptl: flush the range from every CPU of the process; from 6.2 drop the "
        "delayed pages from the map count; unlock ptl; free the batched pages",
    .apply = zap_tlb_flush_unlock,
    .reads = vars({Var::refs, Var::pagevec}),
    .writes = vars({Var::tlb, Var::rmap, Var::ptl, Var::refs, Var::pagevec})};

const Step kZapTlbFinishMmu{
    .name = "tlb_finish_mmu",
    .function = "unmap_region",
    .source = "mm/memory.c tlb_finish_mmu → tlb_flush_mmu (up to 3.14: 3.14 ~257, ~234)",
    .what =
        "after the unmap, with no PTE lock held: flush the range from every CPU of the process "
        "and free the batched pages",
    .apply = zap_tlb_finish_mmu,
    .reads = vars({Var::refs}),
    .writes = vars({Var::tlb, Var::refs})};

const Step kIsolateLruPages{
    .name = "isolate_lru_pages",
    .function = "shrink_inactive_list",
    .source = "mm/vmscan.c",
    .what = "take the cached pages of the range off the LRU to try to reclaim them",
    .apply = isolate_lru_pages,
    .jumps = jumps_to({Target::loop_end}),
    .rest = true,
    .reads = vars({Var::cached}),
    .writes = vars({Var::pagevec})};

const Step kTrylockPage{
    .name = "trylock_page",
    .function = "shrink_page_list",
    .source = "mm/vmscan.c",
    .what =
        "try to lock the next page; keep it if it is locked, gone or under writeback, or if it "
        "was referenced recently (page_check_references)",
    .apply = trylock_page,
    .skip = pagevec_empty,
    .skip_to = Target::loop_end,
    .jumps = jumps_to({Target::next_page}),
    .outcomes = {"trylock_page", "page_check_references"},
    .rest = true,
    .page_lock = PageLock::acquire,
    .reads = vars({Var::pagevec, Var::cached, Var::page_lock, Var::pg_writeback}),
    .writes = vars({Var::pagevec, Var::page, Var::page_lock})};

const Step kTryToUnmap{
    .name = "try_to_unmap",
    .function = "try_to_unmap_one",
    .source = "mm/rmap.c",
    .what =
        "for one mapping, under its ptl: clear the PTE and flush it from the process's CPUs "
        "(ptep_clear_flush; from 4.3 the flush is deferred to the batch, TTU_BATCH_FLUSH), "
        "move its dirty bit to the page, drop the page from the map count; after the last "
        "one, keep the page if it is mapped",
    .per_mapping = true,
    .apply = try_to_unmap,
    .enabled = unmap_ptl_free,
    .jumps = jumps_to({Target::next_page}),
    .reads = vars({Var::ubc, Var::page, Var::pte, Var::cached, Var::pg_dirty, Var::page_lock,
                   Var::ptl, Var::rmap}),
    .writes = vars({Var::pte, Var::page_lock, Var::buffers, Var::pg_dirty, Var::tags, Var::nr_dirty,
                    Var::tlb, Var::rmap, Var::ubc})};

const Step kTryToUnmapFlush{
    .name = "try_to_unmap_flush",
    .function = "shrink_page_list",
    .source = "mm/rmap.c try_to_unmap_flush, after the list (vmscan.c 4.19 ~1490, 6.12 ~1550)",
    .what = "the batched TLB flush of every CPU whose entries a deferred unmap left behind",
    .apply = try_to_unmap_flush_step,
    .skip = ubc_empty,
    .reads = vars({Var::ubc}),
    .writes = vars({Var::ubc, Var::tlb})};

const Step kReclaimPageDirty{
    .name = "PageDirty",
    .function = "shrink_page_list",
    .source =
        "mm/vmscan.c shrink_page_list (4.19 ~1330-1373; shrink_folio_list 6.1 ~1890-1936, 6.12 "
        "~1325-1370), pageout (6.12 ~631-666)",
    .what =
        "a dirty page either goes to pageout() (kswapd with PG_reclaim and PGDAT_DIRTY; from 4.3 "
        "after try_to_unmap_flush_dirty; kept if someone else holds a reference, and on 6.12, "
        "whose ext4 has no ->writepage, kept at once) or is left to the flusher (keep_locked: "
        "unlocked with any batched flush still pending); a clean page goes on to be freed",
    .apply = reclaim_page_dirty,
    .jumps = jumps_to({Target::next_page, Target::page_clean}),
    .outcomes = {"PageDirty", "keep_locked"},
    .reads = vars({Var::ubc, Var::page, Var::pg_dirty, Var::refs, Var::pte, Var::page_lock}),
    .writes = vars({Var::page_lock, Var::ubc, Var::tlb})};

const Step kPageoutSuccess{
    .name = "trylock_page",
    .function = "shrink_page_list",
    .source = "mm/vmscan.c (PAGE_SUCCESS)",
    .what =
        "after pageout(): keep a page still dirty or under writeback; lock a clean, idle one "
        "again to free it",
    .apply = pageout_success,
    .jumps = jumps_to({Target::next_page}),
    .page_lock = PageLock::acquire,
    .reads = vars({Var::page, Var::pg_writeback, Var::pg_dirty, Var::page_lock}),
    .writes = vars({Var::page_lock})};

const Step kTryToReleasePage{
    .name = "try_to_release_page",
    .function = "shrink_page_list",
    .source = "mm/filemap.c → fs/buffer.c try_to_free_buffers; mm/vmscan.c __remove_mapping",
    .what =
        "free the buffers unless the page is under writeback or a buffer is dirty or locked "
        "(cancel_dirty_page), then __remove_mapping: keep the page if anyone else holds a "
        "reference or it is dirty, else drop it from the cache",
    .apply = try_to_release_page,
    .jumps = jumps_to({Target::next_page}),
    .page_lock = PageLock::release,
    .reads = vars({Var::page, Var::pg_writeback, Var::buffers, Var::pg_dirty, Var::nr_dirty,
                   Var::refs, Var::pte, Var::page_lock}),
    .writes = vars({Var::pg_dirty, Var::nr_dirty, Var::tags, Var::page_lock, Var::cached,
                    Var::pg_writeback, Var::buffers, Var::io})};

const Step kDropBuffers{
    .name = "drop_buffers",
    .function = "try_to_free_buffers",
    .source =
        "fs/buffer.c try_to_free_buffers (2.6.19): drop_buffers under private_lock, then "
        "spin_unlock before clear_page_dirty (fixed by ecdfc9787fe5, 2.6.20)",
    .what =
        "under private_lock: keep the page if it is under writeback or a buffer is dirty or "
        "locked; otherwise detach its buffers; drop private_lock",
    .apply = drop_buffers,
    .jumps = jumps_to({Target::next_page}),
    .reads = vars({Var::page, Var::pg_writeback, Var::buffers, Var::page_lock}),
    .writes = vars({Var::page_lock})};

const Step kFreeBuffersClearPageDirty{
    .name = "clear_page_dirty",
    .function = "try_to_free_buffers",
    .source =
        "fs/buffer.c try_to_free_buffers (2.6.19), mm/page-writeback.c "
        "test_clear_page_dirty; mm/vmscan.c __remove_mapping",
    .what =
        "without private_lock: clear PG_dirty, its DIRTY tag and count, and free the detached "
        "buffers; then __remove_mapping: keep the page if anyone else holds a reference, else "
        "drop it from the cache",
    .apply = free_buffers_clear_page_dirty,
    .jumps = jumps_to({Target::next_page}),
    .page_lock = PageLock::release,
    .reads = vars({Var::page, Var::pg_dirty, Var::nr_dirty, Var::refs, Var::pte, Var::page_lock}),
    .writes = vars({Var::pg_dirty, Var::nr_dirty, Var::tags, Var::page_lock, Var::cached,
                    Var::pg_writeback, Var::buffers, Var::io})};

}  // namespace dirtyrace::model::kernel
