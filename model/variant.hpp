#pragma once
// The historical kernels the model follows (MODEL.md section 3). A variant is a set of facts
// about the kernel; routines.cpp turns them into the step lists each actor runs.

#include <span>
#include <string_view>

namespace dirtyrace::model {

enum class VariantId {
  linux_2_6_18,
  linux_2_6_19,
  linux_2_6_20,
  linux_2_6_32,
  linux_3_14,
  linux_4_9,
  linux_4_19,
  linux_6_1,
  linux_6_12
};

/// Order of clear_page_dirty_for_io's steps.
enum class CleanOrder {
  test_clear_only,     // 2.6.18: TestClearPageDirty, no page_mkclean
  clear_then_mkclean,  // 2.6.19: TestClearPageDirty, then page_mkclean with its result ignored
  mkclean_then_clear,  // 2.6.20 on (Linus' 7658cc28): page_mkclean, set_page_dirty, TestClear
};

/// How a write fault on a shared file mapping dirties the page.
enum class FaultKind {
  no_write_notify,  // 2.6.18: writable PTE at the first fault, no set_page_dirty
  lockless_dirty,   // 2.6.19-2.6.22: PTE installed under ptl, then set_page_dirty without PL
  page_mkwrite,     // 2.6.23 on (79352894), page_mkwrite fs: PL held until set_page_dirty
};

/// What msync(MS_SYNC) runs.
enum class MsyncKind {
  pte_walk_fsync,  // 2.6.18: move the caller's PTE dirty bits to the page, then fsync the file
  file_fsync,      // 2.6.19-3.15: fsync of the whole file
  range_fsync,     // 3.16 on: vfs_fsync_range over the msync range
};

/// What the `journal` actor is.
enum class JournalKind {
  buffers,     // ext3 ordered mode (jbd): flush the data buffers one by one
  writepages,  // ext4 ordered mode (jbd2): writeback loop with WB_SYNC_ALL, no wait
};

/// Where zap_pte_range's TLB flush sits relative to its PTE lock and to page_remove_rmap
/// (research note 1.6).
enum class ZapFlush {
  after_unlock,       // up to 3.14: PTE, set_page_dirty, rmap; unlock; flush in tlb_finish_mmu
  rmap_before_flush,  // 3.15-6.1 (1cf35d47): PTE, set_page_dirty, rmap; flush; unlock
  rmap_after_flush,   // 6.2+ (5df397dec7c4): PTE, set_page_dirty; flush; rmap (dirty PTEs); unlock
};

struct Variant {
  VariantId id;
  std::string_view name;
  std::string_view summary;  // one line for `dirtyrace list`
  CleanOrder clean_order;
  FaultKind fault;
  MsyncKind msync;
  JournalKind journal;
  bool towrite;                   // tag_pages_for_writeback / PAGECACHE_TAG_TOWRITE (2.6.35)
  bool skip_clean_page;           // write_cache_pages skips !PageDirty up front (2.6.28)
  bool flusher_trylocks_buffers;  // WB_SYNC_NONE flusher uses trylock_buffer
  bool stable_pages;              // page_mkwrite waits for writeback when stable writes are on
  /// The file's address_space has ->writepage, so kswapd's pageout() writes a dirty page; without
  /// it (ext4 from 6.6) pageout() returns PAGE_ACTIVATE. Every variant may also leave a dirty
  /// page to the flusher (shrink_page_list's PageDirty step has both outcomes).
  bool reclaim_writes_file_pages;
  bool mkclean_asserts_locked;    // BUG_ON(!PageLocked) in clear_page_dirty_for_io (2.6.23)
  bool journal_skips_locked;      // 2.6.18 commit skips buffers locked when it scans them
  bool release_clears_tag;        // try_to_free_buffers clears the DIRTY tag too (2.6.18)
  bool sync_skips_clean_mapping;  // filemap_fdatawrite_wbc returns if nothing is tagged DIRTY
  ZapFlush zap;                   // zap_pte_range's flush order
  /// Reclaim defers try_to_unmap_one's TLB flush (TTU_BATCH_FLUSH, d950c947, 4.3): flushed by
  /// try_to_unmap_flush_dirty before pageout and try_to_unmap_flush after the list.
  bool reclaim_batches_flush;
  /// 3ea27719 (4.13): reclaim marks the mm (mm->tlb_flush_batched) and zap_pte_range and
  /// change_pte_range call flush_tlb_batched_pending under the PTE lock.
  bool flush_batched_pending;
};

std::span<const Variant> all_variants();
/// The variant called `name`; throws UsageError naming the valid ones.
const Variant& variant_named(std::string_view name);
const Variant& variant(VariantId id);

}  // namespace dirtyrace::model
