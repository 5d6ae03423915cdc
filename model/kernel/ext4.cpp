// ext4 in data=ordered mode with delayed allocation (--fs ext4; --holes): the write fault's
// block reservation, ext4's own writeback loop, its writepage and its bio submission, and the
// completion of its writes.
//
// Fault: ext4_page_mkwrite -> __block_page_mkwrite(vma, vmf, ext4_da_get_block_prep)
//   (fs/ext4/inode.c; block_page_mkwrite in 6.x): a hole of the page gets a reservation
//   (BH_Delay), no disk block; then block_commit_write dirties the buffers and the page.
// Writeback of fsync, msync and the flusher: ext4_writepages -> mpage_prepare_extent_to_map
//   (lock each tagged page, skip a clean one, wait for writeback), mpage_map_and_submit_extent
//   (ext4_map_blocks allocates the delayed blocks), mpage_submit_page (clear_page_dirty_for_io,
//   ext4_bio_write_page). The model takes one page at a time; the kernel gathers an extent of
//   locked pages first (see README, ext4).
// jbd2's ordered-mode data submission at commit (fs/jbd2/commit.c journal_submit_data_buffers):
//   up to 6.1 generic_writepages -> write_cache_pages -> ->writepage = ext4_writepage, which may
//   not allocate: a page with a dirty delayed buffer is redirtied, and before 1c8349a1 (3.16)
//   ext4_bio_write_page's set_page_writeback then drops TOWRITE; in 6.12
//   ext4_normal_submit_inode_data_buffers -> ext4_do_writepages with can_map = 0, whose
//   ext4_bio_write_folio redirties such a folio, keeps TOWRITE, and starts no writeback when it
//   has nothing to write (Jan Kara's series of 2022-12, after 6.1).
// ext4_bio_write_page (fs/ext4/page-io.c 3.14 ~400, 4.19 ~412, 6.1 ~433; ext4_bio_write_folio
//   6.12 ~428) locks no buffer: the page lock and PG_writeback keep writes of one page apart.
//   Its completion is ext4_end_bio -> ext4_finish_bio (3.14 ~64-298, 6.12 ~100-323).
// Research note with every line read: README, "ext4".

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"
#include "model/kernel/writeback_loop.hpp"

namespace dirtyrace::model::kernel {
namespace {

int current_page(const Exec& x) {
  return x.me().page;
}

/// Whether some block of page p has state `alloc` (and, with `dirty_only`, a dirty buffer).
bool page_has(const State& s, const Env& env, int p, BlockAlloc alloc, bool dirty_only) {
  for (int b = 0; b < env.blocks_per_page; ++b) {
    const Block& blk = block_of(s, env.block(p, b));
    if (blk.alloc == alloc && (blk.dirty || !dirty_only)) return true;
  }
  return false;
}

bool no_holes(const State&, const Env& env, int) {
  return !env.holes;
}

/// __block_write_begin over the whole page with ext4_da_get_block_prep: every unmapped buffer
/// gets a reservation (ext4_da_map_blocks: BH_Delay, mapped to no block, BH_New).
Flow da_get_block_prep(Exec& x) {
  const int p = current_page(x);
  for (int b = 0; b < x.env.blocks_per_page; ++b) {
    Block& blk = block_of(x.s, x.env.block(p, b));
    if (blk.alloc == kAllocHole) blk.alloc = kAllocDelayed;
  }
  return Flow::next();
}

/// mpage_map_and_submit_extent -> ext4_map_blocks(EXT4_GET_BLOCKS_CREATE): the page's delayed
/// blocks get disk blocks (BH_Delay cleared, BH_Mapped, BH_New).
Flow map_delayed_blocks(Exec& x) {
  const int p = current_page(x);
  for (int b = 0; b < x.env.blocks_per_page; ++b) {
    Block& blk = block_of(x.s, x.env.block(p, b));
    if (blk.alloc == kAllocDelayed) blk.alloc = kAllocMapped;
  }
  return Flow::next();
}

/// ext4_writepage's first test (fs/ext4/inode.c 3.14 ~1825, 4.19 ~2100, 6.1 ~2009): a page with
/// a dirty delayed buffer (ext4_bh_delay_or_unwritten) cannot be written whole without
/// allocating, which ->writepage may not do.
Flow writepage_delayed(Exec& x) {
  const int p = current_page(x);
  if (!page_has(x.s, x.env, p, kAllocDelayed, true)) return Flow::next();
  set_page_dirty_nobuffers(x.s, p);  // redirty_page_for_writepage
  // Reclaim (PF_MEMALLOC) writes nothing; 4.9-6.1 neither write a page of one block, which has
  // nothing else to write (3.14 goes on to ext4_bio_write_page).
  const bool reclaim = x.env.of(x.self).kind == ActorKind::reclaim;
  if (reclaim || (x.env.variant->ext4_keeps_towrite && x.env.blocks_per_page == 1)) {
    unlock_page(x, p);
    return Flow::to(Target::writepage_done);
  }
  return Flow::next();
}

/// Marks for async write, cleans and submits every dirty buffer of page p that has a disk block;
/// a delayed one keeps its dirty bit, a dirty hole is cleaned ("a hole? we can safely clear
/// the dirty bit"). Returns whether any was submitted.
bool submit_mapped_buffers(Exec& x, int p) {
  Actor& me = x.me();
  me.picked = 0;
  for (int b = 0; b < x.env.blocks_per_page; ++b) {
    Block& blk = block_of(x.s, x.env.block(p, b));
    if (!blk.dirty) continue;
    if (blk.alloc == kAllocHole) blk.dirty = 0;
    if (blk.alloc != kAllocMapped) continue;
    blk.dirty = 0;
    blk.async_write = 1;
    blk.io = kIoSubmitted;
    me.picked |= bit(b);
  }
  me.underway = me.picked != 0;
  return me.underway;
}

/// ext4_bio_write_page (3.14-6.1): set_page_writeback first (4.9+: set_page_writeback_keepwrite
/// when ext4_writepage passes keep_towrite, for a page that keeps a dirty delayed buffer), then
/// the buffers. Nothing interleaves usefully inside: the page lock and PG_writeback keep other
/// writers of the page out, and no buffer lock is taken.
Flow bio_write_page(Exec& x) {
  const int p = current_page(x);
  const bool keepwrite =
      x.env.variant->ext4_keeps_towrite && page_has(x.s, x.env, p, kAllocDelayed, true);
  set_page_writeback(x.s, x.env, p, keepwrite);
  submit_mapped_buffers(x, p);
  return Flow::next();
}

/// ext4_bio_write_folio (6.12): a dirty buffer it must keep redirties the folio and keeps TOWRITE;
/// writeback starts (__folio_start_writeback) only if some buffer is submitted.
Flow bio_write_folio(Exec& x) {
  const int p = current_page(x);
  const bool keeps_dirty = page_has(x.s, x.env, p, kAllocDelayed, true);
  if (keeps_dirty) set_page_dirty_nobuffers(x.s, p);  // folio_redirty_for_writepage
  if (!submit_mapped_buffers(x, p)) return Flow::next();
  // Writeback starts before the buffers go to the bio; the page lock makes the order invisible.
  set_page_writeback(x.s, x.env, p, keeps_dirty);
  return Flow::next();
}

}  // namespace

using namespace wb;

const Step kExt4DaGetBlockPrep{
    .name = "ext4_da_get_block_prep",
    .function = "ext4_page_mkwrite",
    .source =
        "fs/ext4/inode.c ext4_page_mkwrite -> __block_page_mkwrite -> __block_write_begin "
        "(fs/buffer.c); ext4_da_map_blocks",
    .what =
        "delayed allocation: every hole of the page gets a reservation (BH_Delay), no disk "
        "block yet",
    .apply = da_get_block_prep,
    .skip = no_holes,
    .skip_by_scenario = true,
    .reads = vars({Var::page, Var::buffers}),
    .writes = vars({Var::buffers})};

const Step kExt4TagPagesForWriteback{
    .name = "tag_pages_for_writeback",
    .function = "ext4_writepages",
    .source = "fs/ext4/inode.c (WB_SYNC_ALL or tagged_writepages)",
    .what = "tag TOWRITE every page of the range that is tagged DIRTY",
    .apply = tag_pages_for_writeback,
    .skip = no_towrite_tagging,
    .skip_by_scenario = true,
    .rest = true,
    .reads = vars({Var::tags}),
    .writes = vars({Var::tags})};

const Step kExt4FindGetPagesTag{
    .name = "pagevec_lookup_tag",
    .function = "mpage_prepare_extent_to_map",
    .source = "fs/ext4/inode.c",
    .what =
        "look up, from the loop's index on, the pages tagged TOWRITE (WB_SYNC_ALL) or DIRTY "
        "and take a reference on each; none left ends the loop",
    .apply = find_get_pages_tag,
    .jumps = jumps_to({Target::loop_end}),
    .rest = true,
    .reads = vars({Var::index, Var::tags}),
    .writes = vars({Var::refs, Var::pagevec})};

const Step kExt4LockPage{
    .name = "lock_page",
    .function = "mpage_prepare_extent_to_map",
    .source = "fs/ext4/inode.c",
    .what =
        "lock the next page of the lookup; skip it if it is clean or, for WB_SYNC_NONE, under "
        "writeback",
    .apply = wb_lock_page,
    .enabled = next_page_unlocked,
    .skip = pagevec_empty,
    .skip_to = Target::lookup,
    .jumps = jumps_to({Target::next_page, Target::page_ready}),
    .rest = true,
    .page_lock = PageLock::acquire,
    .reads = vars({Var::pagevec, Var::page_lock, Var::pg_dirty, Var::pg_writeback}),
    .writes = vars({Var::pagevec, Var::page, Var::index, Var::page_lock})};

const Step kExt4WaitOnPageWriteback{
    .name = "wait_on_page_writeback",
    .function = "mpage_prepare_extent_to_map",
    .source = "fs/ext4/inode.c",
    .what = "wait, holding the page lock, until the page's writeback ends",
    .apply = nothing,
    .enabled = current_page_idle,
    .reads = vars({Var::page, Var::pg_writeback})};

const Step kExt4MapBlocks{.name = "ext4_map_blocks",
                          .function = "mpage_map_and_submit_extent",
                          .source = "fs/ext4/inode.c (EXT4_GET_BLOCKS_CREATE)",
                          .what = "allocate disk blocks for the page's delayed blocks",
                          .apply = map_delayed_blocks,
                          .skip = no_holes,
                          .skip_by_scenario = true,
                          .reads = vars({Var::page, Var::buffers}),
                          .writes = vars({Var::buffers})};

const Step kExt4WritepageDelayed{
    .name = "redirty_page_for_writepage",
    .function = "ext4_writepage",
    .source = "fs/ext4/inode.c (ext4_bh_delay_or_unwritten)",
    .what =
        "a page with a dirty delayed block: redirty it; reclaim (PF_MEMALLOC) and, on 4.9-6.1, "
        "a page of one block unlock it and return without writing",
    .apply = writepage_delayed,
    .skip = no_holes,
    .skip_by_scenario = true,
    .jumps = jumps_to({Target::writepage_done}),
    .reads = vars({Var::page, Var::buffers, Var::pg_dirty, Var::page_lock}),
    .writes = vars({Var::pg_dirty, Var::tags, Var::nr_dirty, Var::page_lock})};

const Step kExt4BioWritePage{
    .name = "ext4_bio_write_page",
    .function = "ext4_bio_write_page",
    .source = "fs/ext4/page-io.c (3.14 ~400, 4.19 ~412, 6.1 ~433)",
    .what =
        "set_page_writeback (4.9+: keeping TOWRITE for a page that keeps a dirty delayed "
        "buffer, 1c8349a1), then clear and submit every dirty buffer that has a disk block; a "
        "delayed one stays dirty; no buffer lock is taken",
    .apply = bio_write_page,
    .reads = vars({Var::page, Var::buffers, Var::pg_writeback, Var::pg_dirty}),
    .writes =
        vars({Var::buffers, Var::io, Var::pg_writeback, Var::tags, Var::picked, Var::underway})};

const Step kExt4BioWriteFolio{
    .name = "ext4_bio_write_folio",
    .function = "ext4_bio_write_folio",
    .source = "fs/ext4/page-io.c (6.12 ~428)",
    .what =
        "a dirty delayed buffer is kept: redirty the folio and keep TOWRITE; clear and submit "
        "every dirty buffer that has a disk block, and only if there is one start writeback",
    .apply = bio_write_folio,
    .reads = vars({Var::page, Var::buffers, Var::pg_writeback, Var::pg_dirty}),
    .writes = vars({Var::buffers, Var::io, Var::pg_writeback, Var::pg_dirty, Var::tags,
                    Var::nr_dirty, Var::picked, Var::underway})};

const Step kExt4FolioDone{.name = "folio_unlock",
                          .function = "mpage_folio_done",
                          .source = "fs/ext4/inode.c (6.12 ~1889)",
                          .what = "unlock the folio; its writes complete later",
                          .apply = writepage_unlock_page,
                          .page_lock = PageLock::release,
                          .reads = vars({Var::page, Var::page_lock}),
                          .writes = vars({Var::page_lock})};

const Step kExt4UnlockPage{.name = "unlock_page",
                           .function = "ext4_bio_write_page",
                           .source = "fs/ext4/page-io.c",
                           .what = "unlock the page; the writes complete later",
                           .apply = writepage_unlock_page,
                           .page_lock = PageLock::release,
                           .reads = vars({Var::page, Var::page_lock}),
                           .writes = vars({Var::page_lock})};

const Step kExt4EndPageWritebackNoIo{
    .name = "end_page_writeback",
    .function = "ext4_bio_write_page",
    .source = "fs/ext4/page-io.c",
    .what = "no buffer was submitted: end the page's writeback at once",
    .apply = end_page_writeback_no_io,
    .skip = writes_underway,
    .reads = vars({Var::page, Var::underway, Var::pg_writeback}),
    .writes = vars({Var::pg_writeback, Var::tags})};

const Step kExt4EndBio{
    .name = "ext4_end_bio",
    .function = "ext4_finish_bio",
    .source = "fs/ext4/page-io.c",
    .what =
        "the write reached the disk: clear the buffer's async-write bit; the page's last one "
        "ends its writeback (clear PG_writeback and tag WRITEBACK)"};

const Step kExt4EndBioError{
    .name = "ext4_end_bio(error)",
    .function = "ext4_finish_bio",
    .source = "fs/ext4/page-io.c; include/linux/pagemap.h mapping_set_error",
    .what =
        "the write failed (--io-errors): the disk keeps its old version; the error is recorded "
        "on the mapping (AS_EIO and PG_error before 4.13, mapping->wb_err after); the page "
        "stays clean and its writeback ends as on success"};

}  // namespace dirtyrace::model::kernel
