#pragma once
// The steps of the generic writeback loop (write_cache_pages, writeback.cpp) that ext4's own
// loop (ext4_writepages / mpage_prepare_extent_to_map, ext4.cpp) does alike: ext4 names its
// steps after its own functions and shares what they do.

#include "model/env.hpp"
#include "model/step.hpp"

namespace dirtyrace::model::kernel::wb {

/// WB_SYNC_ALL on a kernel with the TOWRITE tag: the loop tags, then walks TOWRITE.
bool towrite_sync(const Env& env, int self);
Flow tag_pages_for_writeback(Exec& x);
bool no_towrite_tagging(const State&, const Env& env, int self);
/// The tag lookup from the loop's index: pagevec and references; none left ends the loop.
Flow find_get_pages_tag(Exec& x);
bool pagevec_empty(const State& s, const Env&, int self);
bool next_page_unlocked(const State& s, const Env&, int self);
/// lock_page of the lookup's next page; a clean page (2.6.28+), or one under writeback for
/// WB_SYNC_NONE, is unlocked and skipped (Target::next_page); an idle one goes to page_ready.
Flow wb_lock_page(Exec& x);
bool current_page_idle(const State& s, const Env&, int self);
Flow nothing(Exec&);
Flow writepage_unlock_page(Exec& x);
/// `if (nothing submitted) end_page_writeback(page)`, skipped while writes are underway.
Flow end_page_writeback_no_io(Exec& x);
bool writes_underway(const State& s, const Env&, int self);

}  // namespace dirtyrace::model::kernel::wb
