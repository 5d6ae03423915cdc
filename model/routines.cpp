#include "model/routines.hpp"

#include "model/kernel/steps.hpp"

namespace dirtyrace::model {

namespace {

Item step(const Step& s) {
  return Item::of(s);
}
Item call(std::string_view routine) {
  return Item::call(routine);
}
Item label(Target t) {
  return Item::label(t);
}
Item jump(Target t) {
  return Item::jump(t);
}

void add_fault_paths(RoutineTable& t, const Variant& v, Filesystem fs) {
  using namespace kernel;
  switch (v.fault) {
    case FaultKind::no_write_notify:
      t.set("do_no_page", {step(kFilemapNopage), step(kDoNoPage)});
      t.set("do_wp_page", {step(kDoWpPageReuse)});
      break;
    case FaultKind::lockless_dirty:
      t.set("do_no_page", {step(kFilemapNopage), step(kDoNoPage), step(kSetPageDirtyBalance)});
      t.set("do_wp_page", {step(kDoWpPageReuse), step(kSetPageDirtyBalance)});
      break;
    case FaultKind::mkwrite_unlocked:
      // linux-2.6.29: block_page_mkwrite unlocks before it returns; the fault dirties the page
      // again with set_page_dirty_balance after dropping the page lock (__do_fault) or after
      // waiting for it to be free (do_wp_page).
      t.set("page_mkwrite",
            {step(kMkwriteLockPage), step(kMkwriteSetPageDirty), step(kMkwriteUnlockPage)});
      t.set("__do_fault", {step(kFilemapFault), step(kUnlockBeforeMkwrite), call("page_mkwrite"),
                           step(kDoFaultRelockPage), step(kDoFaultSetPte), step(kDoFaultUnlockPage),
                           step(kSetPageDirtyBalance)});
      t.set("do_wp_page",
            {step(kDoWpPageMkwrite), call("page_mkwrite"), step(kDoWpPageMkwriteReuse),
             step(kWaitOnPageLocked), step(kSetPageDirtyBalance)});
      break;
    case FaultKind::page_mkwrite:
      if (generic_vm_ops(fs) && !v.filemap_page_mkwrite) {
        // ext3 on 2.6.30-3.5 (2.6.32 models it): no ->page_mkwrite. __do_fault holds the
        // page lock from ->fault through the PTE install to set_page_dirty (b827e496 for every
        // shared write fault; 2.6.32 mm/memory.c ~2719-2853); do_wp_page makes the PTE
        // writable under ptl, drops it, waits for the page lock and calls
        // set_page_dirty_balance without it (~2103, ~2210, ~2222-2223), the 2.6.23 scheme.
        t.set("do_shared_fault", {step(kFilemapFault), step(kFinishFault),
                                  step(kFaultDirtySharedPage), step(kFaultUnlockPage)});
        t.set("do_wp_page",
              {step(kDoWpPageReuse), step(kWaitOnPageLocked), step(kSetPageDirtyBalance)});
        break;
      }
      if (fs == Filesystem::ext4) {
        // ext4_page_mkwrite's delayed-allocation path: __block_page_mkwrite with
        // ext4_da_get_block_prep, which reserves the page's holes before block_commit_write.
        t.set("page_mkwrite", {step(kMkwriteLockPage), step(kExt4DaGetBlockPrep),
                               step(kMkwriteSetPageDirty), step(kWaitForStablePage)});
      } else if (generic_vm_ops(fs)) {
        // ext3 and block devices from 3.6: generic_file_vm_ops' filemap_page_mkwrite (3.14
        // mm/filemap.c ~1729-1753) locks the page, dirties it and waits for a stable page, and
        // returns it locked; the fault paths around it are the generic ones (3.14 mm/memory.c
        // __do_fault ~3380-3451, do_wp_page ~2670-2766).
        t.set("page_mkwrite", {step(kFilemapMkwriteLockPage), step(kFilemapMkwriteSetPageDirty),
                               step(kFilemapWaitForStablePage)});
      } else {
        t.set("page_mkwrite",
              {step(kMkwriteLockPage), step(kMkwriteSetPageDirty), step(kWaitForStablePage)});
      }
      t.set("do_shared_fault",
            {step(kFilemapFault), step(kUnlockBeforeMkwrite), call("page_mkwrite"),
             step(kFinishFault), step(kFaultDirtySharedPage), step(kFaultUnlockPage)});
      t.set("do_wp_page", {step(kDoWpPage), call("page_mkwrite"), step(kFinishMkwriteFault),
                           step(kFaultDirtySharedPage), step(kFaultUnlockPage)});
      break;
  }
  const std::string_view not_present = v.fault == FaultKind::page_mkwrite       ? "do_shared_fault"
                                       : v.fault == FaultKind::mkwrite_unlocked ? "__do_fault"
                                                                                : "do_no_page";
  t.set("writer",
        {label(Target::retry), step(kStore), jump(Target::loop_end), label(Target::fault_none),
         call(not_present), jump(Target::retry), label(Target::fault_wp), call("do_wp_page"),
         jump(Target::retry), label(Target::loop_end)});
}

/// ext4's writeback (model/kernel/ext4.cpp): its own loop for fsync, msync and the flusher, and
/// for jbd2's commit either its writepage (through generic_writepages, as reclaim calls it) or,
/// in 6.12, the same loop without allocation.
void add_ext4_writeback(RoutineTable& t, const Variant& v) {
  using namespace kernel;
  const std::string_view submit =
      v.ext4_nomap_journal ? "ext4_bio_write_folio" : "ext4_bio_write_page";
  if (v.ext4_nomap_journal) {
    t.set("ext4_bio_write_folio", {step(kExt4BioWriteFolio), step(kExt4FolioDone)});
  } else {
    t.set("ext4_bio_write_page",
          {step(kExt4BioWritePage), step(kExt4UnlockPage), step(kExt4EndPageWritebackNoIo)});
    t.set("ext4_writepage", {step(kExt4WritepageDelayed), call("ext4_bio_write_page"),
                             label(Target::writepage_done)});
  }
  // mpage_submit_page ignores clear_page_dirty_for_io's result: the page was dirty under its
  // lock, so page_clean falls through to the write.
  std::vector<Item> loop = {step(kMappingTagged),
                            step(kExt4TagPagesForWriteback),
                            label(Target::lookup),
                            step(kExt4FindGetPagesTag),
                            label(Target::next_page),
                            step(kExt4LockPage),
                            step(kExt4WaitOnPageWriteback),
                            label(Target::page_ready),
                            call("clear_page_dirty_for_io"),
                            label(Target::page_clean),
                            call(submit),
                            jump(Target::next_page),
                            label(Target::loop_end)};
  // can_map = 0 (jbd2, 6.12): no ext4_map_blocks.
  if (v.ext4_nomap_journal) t.set("ext4_do_writepages_nomap", loop);
  loop.insert(loop.begin() + 8, step(kExt4MapBlocks));
  t.set("ext4_writepages", std::move(loop));
}

void add_writeback(RoutineTable& t, const Variant& v, Filesystem fs) {
  using namespace kernel;
  const bool ext4 = fs == Filesystem::ext4;
  if (ext4) add_ext4_writeback(t, v);
  // What fsync, msync and the flusher run: do_writepages -> ->writepages.
  const std::string_view writepages = ext4 ? "ext4_writepages" : "write_cache_pages";
  switch (v.clean_order) {
    case CleanOrder::test_clear_only:
      t.set("clear_page_dirty_for_io", {step(kTestClearPageDirty)});
      break;
    case CleanOrder::clear_then_mkclean:
      t.set("page_mkclean", {step(kPageMkcleanMappedIgnored), step(kPageMkcleanIgnored),
                             label(Target::mkclean_done)});
      t.set("clear_page_dirty_for_io", {step(kTestClearPageDirty), call("page_mkclean")});
      break;
    case CleanOrder::mkclean_then_clear:
      // page_mkclean: the lockless map count test, then one step per mapping under its ptl.
      t.set("page_mkclean",
            {step(kPageMkcleanMapped), step(kPageMkclean), label(Target::mkclean_done)});
      t.set("clear_page_dirty_for_io",
            {call("page_mkclean"), step(kCleanSetPageDirty), step(kTestClearPageDirty)});
      break;
  }
  t.set("__block_write_full_page",
        {step(kLockBuffer), step(kTrylockBuffer), step(kSetPageWriteback), step(kSubmitBh),
         step(kWritepageUnlockPage), step(kEndPageWritebackNoIo)});
  t.set("write_cache_pages",
        {step(kMappingTagged), step(kTagPagesForWriteback), label(Target::lookup),
         step(kFindGetPagesTag), label(Target::next_page), step(kWbLockPage),
         step(kWbWaitOnPageWriteback), label(Target::page_ready), call("clear_page_dirty_for_io"),
         call(ext4 && !v.ext4_nomap_journal ? "ext4_writepage" : "__block_write_full_page"),
         jump(Target::next_page), label(Target::page_clean), step(kWbUnlockPage),
         label(Target::loop_end)});
  // Write errors: before 4.13 the wait reports PG_error and AS_EIO, and clears them; from 4.13
  // file_write_and_wait_range asks the file's errseq cursor (5660e13d).
  if (v.write_errors == WriteErrors::errseq) {
    t.set("filemap_fdatawait",
          {label(Target::lookup), step(kFindGetWritebackPages), label(Target::next_page),
           step(kWaitOnPageWriteback), label(Target::loop_end)});
    t.set("filemap_write_and_wait",
          {call(writepages), call("filemap_fdatawait"), step(kFileCheckAndAdvanceWbErr)});
  } else {
    t.set("filemap_fdatawait",
          {label(Target::lookup), step(kFindGetWritebackPages), label(Target::next_page),
           step(kWaitOnPageWriteback), label(Target::loop_end), step(kFilemapCheckErrors)});
    t.set("filemap_write_and_wait", {call(writepages), call("filemap_fdatawait")});
  }
  t.set("fsync", {step(kFsyncEntry), call("filemap_write_and_wait")});
  if (v.msync == MsyncKind::pte_walk_fsync) {
    t.set("msync", {step(kMsyncEntry), step(kMsyncPteRange), call("filemap_write_and_wait")});
  } else {
    t.set("msync", {step(kMsyncEntry), call("filemap_write_and_wait")});
  }
  t.set("flusher", {call(writepages)});
}

void add_unmap_reclaim_journal(RoutineTable& t, const Variant& v, Filesystem fs) {
  using namespace kernel;
  // The mmu_gather and where its flush sits (research note 1.6): up to 3.14 after ptl is
  // dropped, in tlb_finish_mmu; from 3.15 under ptl, with the map count dropped before (until
  // 6.1) or after (6.2+, dirty file PTEs) the flush.
  if (v.zap == ZapFlush::after_unlock) {
    t.set("zap_pte_range", {step(kZapPteRange)});
    t.set("munmap", {call("zap_pte_range"), step(kZapTlbFinishMmu)});
  } else {
    t.set("zap_pte_range", {step(kZapPteRange), step(kZapTlbFlushUnlock)});
    t.set("munmap", {call("zap_pte_range")});
  }
  std::vector<Item> shrink = {step(kIsolateLruPages), label(Target::next_page), step(kTrylockPage),
                              step(kTryToUnmap), step(kReclaimPageDirty)};
  if (v.reclaim_writes_file_pages) {
    shrink.insert(shrink.end(),
                  {call("clear_page_dirty_for_io"),
                   call(fs == Filesystem::ext4 ? "ext4_writepage" : "__block_write_full_page"),
                   step(kPageoutSuccess)});
  }
  shrink.push_back(label(Target::page_clean));
  if (v.free_buffers_unlocks_first) {
    shrink.insert(shrink.end(), {step(kDropBuffers), step(kFreeBuffersClearPageDirty)});
  } else {
    shrink.push_back(step(kTryToReleasePage));
  }
  shrink.push_back(label(Target::loop_end));
  if (v.reclaim_batches_flush) shrink.push_back(step(kTryToUnmapFlush));
  t.set("shrink_page_list", std::move(shrink));
  if (journal_kind(v, fs) == JournalKind::buffers) {
    t.set("journal", {step(kJournalSubmitBuffer)});
  } else if (fs == Filesystem::ext4 && v.ext4_nomap_journal) {
    t.set("journal", {call("ext4_do_writepages_nomap")});
  } else {
    t.set("journal", {call("write_cache_pages")});
  }
  t.set("buffer_flush", {step(kWriteDirtyBuffer)});
  t.set("change_pte_range", {step(kChangePteRange)});
  t.set("mprotect", {step(kMprotectFixup), call("change_pte_range"), step(kFlushTlbRange)});
  t.set("msync_einval", {step(kMsyncEinval)});
  t.set("msync_nothing", {step(kMsyncNothing)});
  t.set("munmap_einval", {step(kMunmapEinval)});
  t.set("munmap_nothing", {step(kMunmapNothing)});
}

}  // namespace

RoutineTable routines_for(const Variant& variant, Filesystem fs) {
  RoutineTable t;
  add_fault_paths(t, variant, fs);
  add_writeback(t, variant, fs);
  add_unmap_reclaim_journal(t, variant, fs);
  return t;
}

std::string_view entry_routine(ActorKind kind) {
  switch (kind) {
    case ActorKind::writer:
      return "writer";
    case ActorKind::flusher:
      return "flusher";
    case ActorKind::msync:
      return "msync";
    case ActorKind::fsync:
      return "fsync";
    case ActorKind::munmap:
      return "munmap";
    case ActorKind::reclaim:
      return "shrink_page_list";
    case ActorKind::journal:
      return "journal";
    case ActorKind::buffer_flush:
      return "buffer_flush";
    case ActorKind::mprotect:
      return "mprotect";
  }
  return "writer";
}

std::string_view entry_routine(ActorKind kind, RangeOutcome outcome) {
  if (outcome == RangeOutcome::touches || !range_rule(kind) || kind == ActorKind::writer)
    return entry_routine(kind);
  const bool einval = outcome == RangeOutcome::einval;
  if (kind == ActorKind::msync) return einval ? "msync_einval" : "msync_nothing";
  return einval ? "munmap_einval" : "munmap_nothing";
}

}  // namespace dirtyrace::model
