#pragma once
// Kernel primitives that many steps share. Each does, inside one atomic step, what the named
// kernel function does to the modelled state; none of them is a step by itself.

#include <bit>
#include <cstdint>

#include "model/env.hpp"
#include "model/state.hpp"
#include "model/step.hpp"

namespace dirtyrace::model::kernel {

inline Page& page_of(State& s, int p) {
  return s.page[static_cast<std::size_t>(p)];
}
inline const Page& page_of(const State& s, int p) {
  return s.page[static_cast<std::size_t>(p)];
}
inline Block& block_of(State& s, int g) {
  return s.block[static_cast<std::size_t>(g)];
}
inline const Block& block_of(const State& s, int g) {
  return s.block[static_cast<std::size_t>(g)];
}
inline std::uint8_t& pte_of(State& s, int m, int p) {
  return s.pte[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)];
}
inline std::uint8_t pte_of(const State& s, int m, int p) {
  return s.pte[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)];
}
inline std::uint8_t& tlb_of(State& s, int cpu, int p) {
  return s.tlb[static_cast<std::size_t>(cpu)][static_cast<std::size_t>(p)];
}
inline std::uint8_t tlb_of(const State& s, int cpu, int p) {
  return s.tlb[static_cast<std::size_t>(cpu)][static_cast<std::size_t>(p)];
}
inline std::uint8_t& rmap_of(State& s, int m, int p) {
  return s.rmap[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)];
}
inline std::uint8_t rmap_of(const State& s, int m, int p) {
  return s.rmap[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)];
}
/// The PTE lock of mapping m can be taken by `self`: no actor holds it across steps, or `self`
/// does.
inline bool ptl_free(const State& s, int m, int self) {
  const std::uint8_t holder = s.ptl[static_cast<std::size_t>(m)];
  return holder == 0 || holder == self + 1;
}
inline std::uint8_t bit(int i) {
  return static_cast<std::uint8_t>(1u << i);
}
inline int lowest(std::uint8_t mask) {
  return std::countr_zero(static_cast<unsigned>(mask));
}

inline bool page_unlocked(const State& s, int p) {
  return page_of(s, p).locked_by == 0;
}
inline bool holds_page_lock(const State& s, int p, int self) {
  return page_of(s, p).locked_by == self + 1;
}

/// Loops that take one step per mapping, buffer or page: on to the next of `count` items, or
/// out of the loop (cursor back to 0) after the last.
inline Flow next_in_loop(Actor& me, int count) {
  if (++me.cursor < count) return Flow::again();
  me.cursor = 0;
  return Flow::next();
}

/// Records the first BUG_ON that fires.
inline void bug_on(State& s, BugOn bug) {
  if (s.ghost_bug == kBugNone) s.ghost_bug = bug;
}

/// lock_page / trylock_page once the lock is free.
void lock_page(Exec& x, int p);
/// unlock_page: BUG when the actor does not hold the lock.
void unlock_page(Exec& x, int p);

/// set_page_dirty for a buffer-head file (__set_page_dirty_buffers / block_dirty_folio): every
/// buffer dirty, then TestSetPageDirty; a newly dirty page is counted and tagged DIRTY.
bool set_page_dirty(State& s, const Env& env, int p);
/// __set_page_dirty_nobuffers (redirty_page_for_writepage): as above, buffers untouched.
bool set_page_dirty_nobuffers(State& s, int p);
/// TestClearPageDirty with NR_FILE_DIRTY accounting; the DIRTY tag stays.
bool test_clear_page_dirty(State& s, int p);
/// set_page_writeback (test_set_page_writeback / __folio_start_writeback), BUG if already set;
/// `keepwrite`: set_page_writeback_keepwrite, which leaves the TOWRITE tag (1c8349a1, 3.16).
void set_page_writeback(State& s, const Env& env, int p, bool keepwrite = false);
/// end_page_writeback (test_clear_page_writeback), BUG if not under writeback.
void end_page_writeback(State& s, int p);

/// page_mapped / folio_mapped: the map count says some mapping maps page p (a lockless read).
bool page_mapped(const State& s, const Env& env, int p);

/// A write of page p failed: mapping_set_error(mapping, -EIO) and, before 4.13, SetPageError
/// (fs/buffer.c end_buffer_async_write). From 4.13 errseq_set on mapping->wb_err.
void mapping_set_error(State& s, const Env& env, int p);
/// errseq_check_and_advance(&mapping->wb_err, &file->f_wb_err) (lib/errseq.c, 4.13+): whether
/// the mapping saw an error the file has not; marks it SEEN and advances the file.
bool errseq_check_and_advance(State& s, int file);
/// The file's msync or fsync will return -EIO: record, as a ghost, the failures it reports.
void report_error(State& s, const Env& env, int self);
/// A TLB shootdown for page p of mapping m (flush_tlb_page, flush_tlb_mm_range): every CPU of
/// that process (every writer actor with mapping m) drops its entry.
void flush_tlb_page(State& s, const Env& env, int m, int p);
/// A full flush of every CPU of mapping m's process (flush_tlb_mm, arch_tlbbatch_flush).
void flush_tlb_mm(State& s, const Env& env, int m);
/// flush_tlb_batched_pending (3ea27719, 4.13; 4.19 mm/rmap.c ~659): zap_pte_range and
/// change_pte_range, under the PTE lock, first flush what reclaim deferred on mapping m's mm
/// (mm->tlb_flush_batched). Before 4.13 (Variant::flush_batched_pending off) nothing is done.
void flush_tlb_batched_pending(State& s, const Env& env, int m);
/// A writable translation of pages first..last of mapping m: a present writable PTE, or a
/// writable entry in the TLB of any CPU of that process.
bool writable_translation(const State& s, const Env& env, int m, int first, int last);
/// Actor a is not inside a routine that holds mapping m's mmap_sem (a fault, a zap): it is about
/// to take a step at rest, at the start of its loop, or it has finished.
bool outside_mmap_sem(const State& s, const Env& env, int a);
/// References on page p beyond the page cache's own and `self`'s: other actors' and the PTEs'.
int extra_refs(const State& s, const Env& env, int p, int self);
/// Reads page p into the cache (filemap_fault / filemap_nopage on a miss): clean, mem = disk.
void read_page(State& s, const Env& env, int p);
/// Removes page p from the cache (__remove_mapping); `mem` keeps the version it held (ghost).
void drop_page(State& s, const Env& env, int p);
/// The version a store to block g writes: one past every store to g so far.
std::uint8_t next_version(const State& s, const Env& env, int g);

}  // namespace dirtyrace::model::kernel
