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

void add_fault_paths(RoutineTable& t, const Variant& v) {
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
    case FaultKind::page_mkwrite:
      t.set("page_mkwrite",
            {step(kMkwriteLockPage), step(kMkwriteSetPageDirty), step(kWaitForStablePage)});
      t.set("do_shared_fault",
            {step(kFilemapFault), step(kUnlockBeforeMkwrite), call("page_mkwrite"),
             step(kFinishFault), step(kFaultDirtySharedPage), step(kFaultUnlockPage)});
      t.set("do_wp_page", {step(kDoWpPage), call("page_mkwrite"), step(kFinishMkwriteFault),
                           step(kFaultDirtySharedPage), step(kFaultUnlockPage)});
      break;
  }
  const std::string_view not_present =
      v.fault == FaultKind::page_mkwrite ? "do_shared_fault" : "do_no_page";
  t.set("writer",
        {label(Target::retry), step(kStore), jump(Target::loop_end), label(Target::fault_none),
         call(not_present), jump(Target::retry), label(Target::fault_wp), call("do_wp_page"),
         jump(Target::retry), label(Target::loop_end)});
}

void add_writeback(RoutineTable& t, const Variant& v) {
  using namespace kernel;
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
         call("__block_write_full_page"), jump(Target::next_page), label(Target::page_clean),
         step(kWbUnlockPage), label(Target::loop_end)});
  t.set("filemap_fdatawait",
        {label(Target::lookup), step(kFindGetWritebackPages), label(Target::next_page),
         step(kWaitOnPageWriteback), label(Target::loop_end)});
  t.set("filemap_write_and_wait", {call("write_cache_pages"), call("filemap_fdatawait")});
  t.set("fsync", {step(kFsyncEntry), call("filemap_write_and_wait")});
  if (v.msync == MsyncKind::pte_walk_fsync) {
    t.set("msync", {step(kMsyncEntry), step(kMsyncPteRange), call("filemap_write_and_wait")});
  } else {
    t.set("msync", {step(kMsyncEntry), call("filemap_write_and_wait")});
  }
  t.set("flusher", {call("write_cache_pages")});
}

void add_unmap_reclaim_journal(RoutineTable& t, const Variant& v) {
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
    shrink.insert(shrink.end(), {call("clear_page_dirty_for_io"), call("__block_write_full_page"),
                                 step(kPageoutSuccess)});
  }
  shrink.insert(shrink.end(),
                {label(Target::page_clean), step(kTryToReleasePage), label(Target::loop_end)});
  if (v.reclaim_batches_flush) shrink.push_back(step(kTryToUnmapFlush));
  t.set("shrink_page_list", std::move(shrink));
  if (v.journal == JournalKind::buffers) {
    t.set("journal", {step(kJournalSubmitBuffer)});
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

RoutineTable routines_for(const Variant& variant) {
  RoutineTable t;
  add_fault_paths(t, variant);
  add_writeback(t, variant);
  add_unmap_reclaim_journal(t, variant);
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
