#pragma once
// The historical kernels the model follows (MODEL.md section 3). A variant is a set of facts
// about the kernel; routines.cpp turns them into the step lists each actor runs.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

namespace dirtyrace::model {

enum class VariantId {
  linux_2_6_18,
  linux_2_6_19,
  linux_2_6_20,
  linux_2_6_29,
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
  /// 2.6.23-2.6.29, page_mkwrite fs: ->page_mkwrite dirties the page and unlocks it; do_wp_page
  /// makes the PTE writable, drops ptl, waits for the page lock to be free
  /// (wait_on_page_locked, 79352894) and calls set_page_dirty_balance without it; __do_fault
  /// holds the page lock across the PTE install and drops it before set_page_dirty_balance.
  mkwrite_unlocked,
  page_mkwrite,  // 2.6.30 on (b827e496), page_mkwrite fs: PL held from page_mkwrite until
                 // set_page_dirty
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

/// How end_buffer_async_write's error reaches msync and fsync.
enum class WriteErrors : std::uint8_t {
  /// AS_EIO, tested and cleared by the first fdatawait (wait_on_page_writeback_range); PG_error
  /// of a page the wait finds under writeback makes it return -EIO but stays set (2.6.x).
  as_eio,
  /// As as_eio, but the wait clears PG_error (TestClearPageError; 3.14, 4.9).
  as_eio_clear_page_error,
  /// errseq_t: mapping->wb_err, and each open file's f_wb_err cursor advanced by its fsync
  /// (5660e13d "fs: new infrastructure for writeback error handling and reporting", 4.13).
  errseq,
};

/// The filesystem of the scenario's file (--fs, `fs = "..."`), where the kernel allows a choice.
enum class Filesystem : std::uint8_t {
  /// What each variant models by default: from 2.6.23 a ->page_mkwrite = block_page_mkwrite
  /// filesystem, the generic writepage, and the variant's journal actor (README, Variants).
  generic,
  /// ext3 (ordered mode): .mmap = generic_file_mmap, so its ->page_mkwrite is whatever
  /// generic_file_vm_ops has: none up to 3.5 (fs/ext3/file.c 2.6.32 ~64, mm/filemap.c 2.6.32
  /// ~1614, 3.5.0 ~1715), filemap_page_mkwrite from 3.6 (3.6.5 ~1711-1740, 3.14 ~1729-1760;
  /// Variant::filemap_page_mkwrite). Its journal is jbd's buffer-level ordered-mode commit
  /// (fs/jbd/commit.c journal_submit_data_buffers) on every variant. Modelled on 2.6.32 and 3.14.
  ext3,
  /// A block device's page cache (def_blk_fops, def_blk_aops): .mmap = generic_file_mmap, so
  /// the same fault path as ext3 (no ->page_mkwrite up to 3.5, filemap_page_mkwrite from 3.6);
  /// the generic buffer writepage (blkdev_writepage / block_write_full_folio); no journal
  /// (fs/block_dev.c 2.6.18 ~1247-1266, 2.6.32 ~1453-1473, 3.14 ~1564-1584, 4.19 ~1960-2048;
  /// block/fops.c 6.12 ~473-480, ~843-861). Not on 2.6.29, whose fault path without
  /// ->page_mkwrite is not modelled.
  blockdev,
  /// ext4 in data=ordered mode with delayed allocation: ext4_page_mkwrite reserves a hole's
  /// block (BH_Delay, ext4_da_get_block_prep); ext4_writepages allocates delayed blocks and
  /// writes pages with ext4_bio_write_page, which locks no buffer; jbd2's ordered-mode commit
  /// writes the inode's pages through ext4's writepage, which cannot allocate and leaves a page
  /// with a delayed block dirty (model/kernel/ext4.cpp). Modelled on 3.14 and later.
  ext4,
};

/// The file's mapping uses generic_file_vm_ops: its ->page_mkwrite is the kernel's, not the
/// filesystem's.
constexpr bool generic_vm_ops(Filesystem fs) {
  return fs == Filesystem::ext3 || fs == Filesystem::blockdev;
}

struct FilesystemInfo {
  Filesystem fs;
  std::string_view name;
  std::string_view summary;  // one line for `dirtyrace list`
};
std::span<const FilesystemInfo> all_filesystems();
/// The filesystem called `name`; throws UsageError naming the valid ones.
Filesystem filesystem_named(std::string_view name);
std::string_view filesystem_name(Filesystem fs);
/// A set of filesystems, one bit each (Variant::filesystems).
constexpr std::uint8_t fs_set(std::initializer_list<Filesystem> list) {
  std::uint8_t set = 0;
  for (Filesystem f : list) set = static_cast<std::uint8_t>(set | 1u << static_cast<int>(f));
  return set;
}

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
  bool mkclean_asserts_locked;  // BUG_ON(!PageLocked) in clear_page_dirty_for_io (79352894)
  bool journal_skips_locked;    // 2.6.18 commit skips buffers locked when it scans them
  bool release_clears_tag;      // try_to_free_buffers clears the DIRTY tag too (2.6.18)
  /// try_to_free_buffers drops private_lock after drop_buffers and before clear_page_dirty
  /// (2.6.19; ecdfc9787fe5 in 2.6.20 cancels the dirty bit inside it).
  bool free_buffers_unlocks_first;
  bool sync_skips_clean_mapping;  // filemap_fdatawrite_wbc returns if nothing is tagged DIRTY
  ZapFlush zap;                   // zap_pte_range's flush order
  /// Reclaim defers try_to_unmap_one's TLB flush (TTU_BATCH_FLUSH, d950c947, 4.3): flushed by
  /// try_to_unmap_flush_dirty before pageout and try_to_unmap_flush after the list.
  bool reclaim_batches_flush;
  /// 3ea27719 (4.13): reclaim marks the mm (mm->tlb_flush_batched) and zap_pte_range and
  /// change_pte_range call flush_tlb_batched_pending under the PTE lock.
  /// How a failed write reaches fsync (research note io-errors).
  WriteErrors write_errors;
  bool flush_batched_pending;
  /// generic_file_vm_ops has ->page_mkwrite = filemap_page_mkwrite (3.6 on; absent in 3.5's
  /// mm/filemap.c ~1715, present in 3.6.5's ~1737): what a filesystem using generic_file_mmap,
  /// as ext3 does, runs on a write fault.
  bool filemap_page_mkwrite;
  /// ext4: set_page_writeback_keepwrite for a page that keeps a dirty delayed buffer, and
  /// ext4_writepage returns at once for such a page of one block (1c8349a1, 3.16).
  bool ext4_keeps_towrite;
  /// ext4: jbd2's ordered-mode submission runs ext4_do_writepages with can_map = 0, which leaves
  /// a page with a delayed block alone, and ext4_bio_write_folio redirties a folio whose dirty
  /// buffer it keeps (6.3+); before, it runs generic_writepages, hence ext4_writepage.
  bool ext4_nomap_journal;
  /// The filesystems modelled on this variant (fs_set); `generic` on every one.
  std::uint8_t filesystems;
};

/// Whether `v` models filesystem `fs`.
constexpr bool has_filesystem(const Variant& v, Filesystem fs) {
  return (v.filesystems >> static_cast<int>(fs)) & 1u;
}

/// What the `journal` actor is for filesystem `fs` on `v`: ext3 keeps jbd's buffer-level commit
/// on every variant (fs/jbd/commit.c, 3.14 ~182-283); the generic filesystem follows the variant.
constexpr JournalKind journal_kind(const Variant& v, Filesystem fs) {
  if (fs == Filesystem::ext4) return JournalKind::writepages;
  return fs == Filesystem::ext3 ? JournalKind::buffers : v.journal;
}

std::span<const Variant> all_variants();
/// The variant called `name`; throws UsageError naming the valid ones.
const Variant& variant_named(std::string_view name);
const Variant& variant(VariantId id);

}  // namespace dirtyrace::model
