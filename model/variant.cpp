#include "model/variant.hpp"

#include <array>
#include <string>

#include "model/error.hpp"

namespace dirtyrace::model {
namespace {

// Sources for every flag: research notes checked against the trees (see README, "Kernel map").
constexpr std::array kVariants = {
    Variant{.id = VariantId::linux_2_6_18,
            .name = "linux-2.6.18",
            .summary = "no write-notify: dirtiness lives in PTEs until msync, munmap or reclaim",
            .clean_order = CleanOrder::test_clear_only,
            .fault = FaultKind::no_write_notify,
            .msync = MsyncKind::pte_walk_fsync,
            .journal = JournalKind::buffers,
            .towrite = false,
            .skip_clean_page = false,
            .flusher_trylocks_buffers = true,
            .stable_pages = false,
            .reclaim_writes_file_pages = true,
            .mkclean_asserts_locked = false,
            .journal_skips_locked = true,
            .release_clears_tag = true,
            .free_buffers_unlocks_first = false,
            .sync_skips_clean_mapping = false,
            .zap = ZapFlush::after_unlock,
            .reclaim_batches_flush = false,
            .write_errors = WriteErrors::as_eio,
            .flush_batched_pending = false,
            .filemap_page_mkwrite = false,
            .ext4_keeps_towrite = false,
            .ext4_nomap_journal = false,
            .filesystems = fs_set({Filesystem::generic, Filesystem::blockdev})},
    Variant{.id = VariantId::linux_2_6_19,
            .name = "linux-2.6.19",
            .summary = "write-notify; clear_page_dirty_for_io clears PG_dirty before page_mkclean "
                       "(lost write, fixed by 7658cc28)",
            .clean_order = CleanOrder::clear_then_mkclean,
            .fault = FaultKind::lockless_dirty,
            .msync = MsyncKind::file_fsync,
            .journal = JournalKind::buffers,
            .towrite = false,
            .skip_clean_page = false,
            .flusher_trylocks_buffers = true,
            .stable_pages = false,
            .reclaim_writes_file_pages = true,
            .mkclean_asserts_locked = false,
            .journal_skips_locked = false,
            .release_clears_tag = true,
            .free_buffers_unlocks_first = true,
            .sync_skips_clean_mapping = false,
            .zap = ZapFlush::after_unlock,
            .reclaim_batches_flush = false,
            .write_errors = WriteErrors::as_eio,
            .flush_batched_pending = false,
            .filemap_page_mkwrite = false,
            .ext4_keeps_towrite = false,
            .ext4_nomap_journal = false,
            .filesystems = fs_set({Filesystem::generic, Filesystem::blockdev})},
    Variant{.id = VariantId::linux_2_6_20,
            .name = "linux-2.6.20",
            .summary = "Linus' clear_page_dirty_for_io; faults dirty the page without the page "
                       "lock (msync loss, fixed by 79352894)",
            .clean_order = CleanOrder::mkclean_then_clear,
            .fault = FaultKind::lockless_dirty,
            .msync = MsyncKind::file_fsync,
            .journal = JournalKind::buffers,
            .towrite = false,
            .skip_clean_page = false,
            .flusher_trylocks_buffers = true,
            .stable_pages = false,
            .reclaim_writes_file_pages = true,
            .mkclean_asserts_locked = false,
            .journal_skips_locked = false,
            .release_clears_tag = false,
            .free_buffers_unlocks_first = false,
            .sync_skips_clean_mapping = false,
            .zap = ZapFlush::after_unlock,
            .reclaim_batches_flush = false,
            .write_errors = WriteErrors::as_eio,
            .flush_batched_pending = false,
            .filemap_page_mkwrite = false,
            .ext4_keeps_towrite = false,
            .ext4_nomap_journal = false,
            .filesystems = fs_set({Filesystem::generic, Filesystem::blockdev})},
    // 2.6.29 (the last release before b827e496), read in linux-2.6.29: mm/memory.c do_wp_page
    // ~1888-2091 and __do_fault ~2575-2728, fs/buffer.c block_page_mkwrite ~2468 (unlocks the
    // page before it returns), mm/page-writeback.c clear_page_dirty_for_io ~1321 (BUG_ON
    // ~1325) and write_cache_pages ~932 (skips a clean page under its lock, ~1018); pdflush's
    // background_writeout and wb_kupdate set .nonblocking (~692, ~766), so the flusher trylocks
    // buffers in __block_write_full_page (~1787), unlike 2.6.32's per-bdi flusher threads.
    Variant{.id = VariantId::linux_2_6_29,
            .name = "linux-2.6.29",
            .summary = "faults wait_on_page_locked (79352894), then set_page_dirty without the "
                       "page lock (until b827e496, 2.6.30); BUG_ON(!PageLocked)",
            .clean_order = CleanOrder::mkclean_then_clear,
            .fault = FaultKind::mkwrite_unlocked,
            .msync = MsyncKind::file_fsync,
            .journal = JournalKind::buffers,
            .towrite = false,
            .skip_clean_page = true,
            .flusher_trylocks_buffers = true,
            .stable_pages = false,
            .reclaim_writes_file_pages = true,
            .mkclean_asserts_locked = true,
            .journal_skips_locked = false,
            .release_clears_tag = false,
            .free_buffers_unlocks_first = false,
            .sync_skips_clean_mapping = false,
            .zap = ZapFlush::after_unlock,
            .reclaim_batches_flush = false,
            .write_errors = WriteErrors::as_eio,
            .flush_batched_pending = false,
            .filemap_page_mkwrite = false,
            .ext4_keeps_towrite = false,
            .ext4_nomap_journal = false,
            .filesystems = fs_set({Filesystem::generic})},
    Variant{.id = VariantId::linux_2_6_32,
            .name = "linux-2.6.32",
            .summary = "page lock held from page_mkwrite to set_page_dirty (b827e496, 2.6.30); "
                       "no TOWRITE tag",
            .clean_order = CleanOrder::mkclean_then_clear,
            .fault = FaultKind::page_mkwrite,
            .msync = MsyncKind::file_fsync,
            .journal = JournalKind::buffers,
            .towrite = false,
            .skip_clean_page = true,
            .flusher_trylocks_buffers = false,
            .stable_pages = false,
            .reclaim_writes_file_pages = true,
            .mkclean_asserts_locked = true,
            .journal_skips_locked = false,
            .release_clears_tag = false,
            .free_buffers_unlocks_first = false,
            .sync_skips_clean_mapping = false,
            .zap = ZapFlush::after_unlock,
            .reclaim_batches_flush = false,
            .write_errors = WriteErrors::as_eio,
            .flush_batched_pending = false,
            .filemap_page_mkwrite = false,
            .ext4_keeps_towrite = false,
            .ext4_nomap_journal = false,
            .filesystems = fs_set({Filesystem::generic, Filesystem::ext3, Filesystem::blockdev})},
    Variant{.id = VariantId::linux_3_14,
            .name = "linux-3.14",
            .summary = "TOWRITE, stable pages, msync fsyncs the file; zap_pte_range flushes the "
                       "TLB after dropping "
                       "the PTE lock (until 1cf35d47, 3.15)",
            .clean_order = CleanOrder::mkclean_then_clear,
            .fault = FaultKind::page_mkwrite,
            .msync = MsyncKind::file_fsync,
            .journal = JournalKind::writepages,
            .towrite = true,
            .skip_clean_page = true,
            .flusher_trylocks_buffers = true,
            .stable_pages = true,
            .reclaim_writes_file_pages = true,
            .mkclean_asserts_locked = true,
            .journal_skips_locked = false,
            .release_clears_tag = false,
            .free_buffers_unlocks_first = false,
            .sync_skips_clean_mapping = false,
            .zap = ZapFlush::after_unlock,
            .reclaim_batches_flush = false,
            .write_errors = WriteErrors::as_eio_clear_page_error,
            .flush_batched_pending = false,
            .filemap_page_mkwrite = true,
            .ext4_keeps_towrite = false,
            .ext4_nomap_journal = false,
            .filesystems = fs_set(
                {Filesystem::generic, Filesystem::ext3, Filesystem::blockdev, Filesystem::ext4})},
    Variant{.id = VariantId::linux_4_9,
            .name = "linux-4.9",
            .summary = "as 4.19 but before 3ea27719 (4.13): change_pte_range and zap_pte_range "
                       "do not flush a TLB batch that reclaim left pending on the mm",
            .clean_order = CleanOrder::mkclean_then_clear,
            .fault = FaultKind::page_mkwrite,
            .msync = MsyncKind::range_fsync,
            .journal = JournalKind::writepages,
            .towrite = true,
            .skip_clean_page = true,
            .flusher_trylocks_buffers = true,
            .stable_pages = true,
            .reclaim_writes_file_pages = true,
            .mkclean_asserts_locked = true,
            .journal_skips_locked = false,
            .release_clears_tag = false,
            .free_buffers_unlocks_first = false,
            .sync_skips_clean_mapping = false,
            .zap = ZapFlush::rmap_before_flush,
            .reclaim_batches_flush = true,
            .write_errors = WriteErrors::as_eio_clear_page_error,
            .flush_batched_pending = false,
            .filemap_page_mkwrite = true,
            .ext4_keeps_towrite = true,
            .ext4_nomap_journal = false,
            .filesystems = fs_set({Filesystem::generic, Filesystem::blockdev, Filesystem::ext4})},
    Variant{
        .id = VariantId::linux_4_19,
        .name = "linux-4.19",
        .summary =
            "as 3.14, msync of the range; zap flushes under ptl (1cf35d47) but drops the map count "
            "first (until 5df397dec7c4); reclaim batches flushes (d950c947)",
        .clean_order = CleanOrder::mkclean_then_clear,
        .fault = FaultKind::page_mkwrite,
        .msync = MsyncKind::range_fsync,
        .journal = JournalKind::writepages,
        .towrite = true,
        .skip_clean_page = true,
        .flusher_trylocks_buffers = true,
        .stable_pages = true,
        .reclaim_writes_file_pages = true,
        .mkclean_asserts_locked = true,
        .journal_skips_locked = false,
        .release_clears_tag = false,
        .free_buffers_unlocks_first = false,
        .sync_skips_clean_mapping = false,
        .zap = ZapFlush::rmap_before_flush,
        .reclaim_batches_flush = true,
        .write_errors = WriteErrors::errseq,
        .flush_batched_pending = true,
        .filemap_page_mkwrite = true,
        .ext4_keeps_towrite = true,
        .ext4_nomap_journal = false,
        .filesystems = fs_set({Filesystem::generic, Filesystem::blockdev, Filesystem::ext4})},
    Variant{.id = VariantId::linux_6_1,
            .name = "linux-6.1",
            .summary =
                "as 4.19 (same zap order); filemap_fdatawrite_wbc skips a file with nothing tagged "
                "DIRTY; kswapd may pageout",
            .clean_order = CleanOrder::mkclean_then_clear,
            .fault = FaultKind::page_mkwrite,
            .msync = MsyncKind::range_fsync,
            .journal = JournalKind::writepages,
            .towrite = true,
            .skip_clean_page = true,
            .flusher_trylocks_buffers = true,
            .stable_pages = true,
            .reclaim_writes_file_pages = true,
            .mkclean_asserts_locked = true,
            .journal_skips_locked = false,
            .release_clears_tag = false,
            .free_buffers_unlocks_first = false,
            .sync_skips_clean_mapping = true,
            .zap = ZapFlush::rmap_before_flush,
            .reclaim_batches_flush = true,
            .write_errors = WriteErrors::errseq,
            .flush_batched_pending = true,
            .filemap_page_mkwrite = true,
            .ext4_keeps_towrite = true,
            .ext4_nomap_journal = false,
            .filesystems = fs_set({Filesystem::generic, Filesystem::blockdev, Filesystem::ext4})},
    Variant{.id = VariantId::linux_6_12,
            .name = "linux-6.12",
            .summary = "as 6.1, the map count dropped after the flush (5df397dec7c4, 6.2); reclaim "
                       "leaves dirty "
                       "file pages to the flusher (no ->writepage)",
            .clean_order = CleanOrder::mkclean_then_clear,
            .fault = FaultKind::page_mkwrite,
            .msync = MsyncKind::range_fsync,
            .journal = JournalKind::writepages,
            .towrite = true,
            .skip_clean_page = true,
            .flusher_trylocks_buffers = true,
            .stable_pages = true,
            .reclaim_writes_file_pages = false,
            .mkclean_asserts_locked = true,
            .journal_skips_locked = false,
            .release_clears_tag = false,
            .free_buffers_unlocks_first = false,
            .sync_skips_clean_mapping = true,
            .zap = ZapFlush::rmap_after_flush,
            .reclaim_batches_flush = true,
            .write_errors = WriteErrors::errseq,
            .flush_batched_pending = true,
            .filemap_page_mkwrite = true,
            .ext4_keeps_towrite = true,
            .ext4_nomap_journal = true,
            .filesystems = fs_set({Filesystem::generic, Filesystem::blockdev, Filesystem::ext4})},
};

constexpr std::array kFilesystems = {
    FilesystemInfo{Filesystem::generic, "generic",
                   "the variant's default: block_page_mkwrite (2.6.23+), generic writepage, the "
                   "variant's journal"},
    FilesystemInfo{Filesystem::ext3, "ext3",
                   "jbd's buffer-level journal; linux-2.6.32: no ->page_mkwrite, do_wp_page "
                   "dirties the page after the PTE is writable, without the page lock; "
                   "linux-3.14: filemap_page_mkwrite (3.6+)"},
    FilesystemInfo{Filesystem::blockdev, "blockdev",
                   "a block device: no journal; the fault path of generic_file_vm_ops (no "
                   "->page_mkwrite up to 3.5, filemap_page_mkwrite from 3.6), the generic buffer "
                   "writepage"},
    FilesystemInfo{Filesystem::ext4, "ext4",
                   "data=ordered, delayed allocation (--holes): ext4_page_mkwrite reserves, "
                   "ext4_writepages allocates and writes without buffer locks; jbd2's commit "
                   "writes through ext4_writepage (6.12: ext4_do_writepages, can_map = 0)"},
};

}  // namespace

std::span<const FilesystemInfo> all_filesystems() {
  return kFilesystems;
}

Filesystem filesystem_named(std::string_view name) {
  for (const FilesystemInfo& f : kFilesystems) {
    if (f.name == name) return f.fs;
  }
  std::string valid;
  for (const FilesystemInfo& f : kFilesystems) {
    if (!valid.empty()) valid += ", ";
    valid += f.name;
  }
  throw UsageError("unknown filesystem '" + echo(name) + "'; valid filesystems: " + valid);
}

std::string_view filesystem_name(Filesystem fs) {
  for (const FilesystemInfo& f : kFilesystems) {
    if (f.fs == fs) return f.name;
  }
  throw std::logic_error("filesystem without a table row");
}

std::span<const Variant> all_variants() {
  return kVariants;
}

const Variant& variant_named(std::string_view name) {
  for (const Variant& v : kVariants) {
    if (v.name == name) return v;
  }
  std::string valid;
  for (const Variant& v : kVariants) {
    if (!valid.empty()) valid += ", ";
    valid += v.name;
  }
  throw UsageError("unknown variant '" + echo(name) + "'; valid variants: " + valid);
}

const Variant& variant(VariantId id) {
  for (const Variant& v : kVariants) {
    if (v.id == id) return v;
  }
  throw std::logic_error("variant id without a table row");
}

}  // namespace dirtyrace::model
