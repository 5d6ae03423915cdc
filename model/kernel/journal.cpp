// Buffer-level flush of data buffers (MODEL.md section 2, "Filesystem buffer flush").
//
// ext3 ordered mode, fs/jbd/commit.c: journal_commit_transaction flushes the data buffers filed
// on the committing transaction (inline with ll_rw_block(SWRITE) in 2.6.18, which skips buffers
// locked when it scans them; journal_submit_data_buffers in 2.6.20, 2.6.32 and, for ext3 (--fs
// ext3), 3.14 (~182-283: trylock_buffer, else lock_buffer, then test_clear_buffer_dirty), which
// waits for a locked dirty buffer; 2.6.19 is assumed to be alike). The model lets it flush any
// dirty buffer of its range, an over-approximation of "filed on the transaction". It touches
// neither PG_dirty nor the PTEs. On 4.19 and later the same flush is the `buffer_flush` what-if
// (write_dirty_buffer / sync_dirty_buffer without the wait).

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"

namespace dirtyrace::model::kernel {
namespace {

int cursor_block(const State& s, const Env& env, int self) {
  return env.of(self).first_page * env.blocks_per_page +
         s.actor[static_cast<std::size_t>(self)].cursor;
}

bool may_lock(const State& s, const Env& env, int self) {
  if (env.of(self).kind == ActorKind::journal && env.variant->journal_skips_locked) return true;
  const Block& blk = block_of(s, cursor_block(s, env, self));
  return !(blk.dirty && blk.locked);
}

Flow submit_dirty_buffer(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  const int g = cursor_block(x.s, x.env, x.self);
  Block& blk = block_of(x.s, g);
  if (page_of(x.s, g / x.env.blocks_per_page).cached && blk.dirty && !blk.locked) {
    blk.locked = 1;
    blk.dirty = 0;
    blk.io = kIoSubmitted;
  }
  return next_in_loop(x.me(), (ae.last_page - ae.first_page + 1) * x.env.blocks_per_page);
}

}  // namespace

const Step kJournalSubmitBuffer{
    .name = "lock_buffer",
    .function = "journal_submit_data_buffers",
    .source = "fs/jbd/commit.c (2.6.18-2.6.32; ext3 on 3.14 ~182-283)",
    .what =
        "for one block of the range: if its buffer is dirty, lock it (2.6.18: skip it if "
        "locked), test_clear_buffer_dirty and submit the write",
    .apply = submit_dirty_buffer,
    .enabled = may_lock,
    .rest = true,
    .reads = vars({Var::cached, Var::buffers}),
    .writes = vars({Var::buffers, Var::io})};

const Step kWriteDirtyBuffer{
    .name = "lock_buffer",
    .function = "write_dirty_buffer",
    .source = "fs/buffer.c (a what-if for data buffers on 4.19+)",
    .what =
        "for one block of the range: if its buffer is dirty, lock it (waiting while it is "
        "under I/O), test_clear_buffer_dirty and submit the write",
    .apply = submit_dirty_buffer,
    .enabled = may_lock,
    .rest = true,
    .reads = vars({Var::cached, Var::buffers}),
    .writes = vars({Var::buffers, Var::io})};

}  // namespace dirtyrace::model::kernel
