#include "model/kernel/primitives.hpp"

namespace dirtyrace::model::kernel {

void lock_page(Exec& x, int p) {
  page_of(x.s, p).locked_by = static_cast<std::uint8_t>(x.self + 1);
}

void unlock_page(Exec& x, int p) {
  Page& pg = page_of(x.s, p);
  if (pg.locked_by != x.self + 1) {
    bug_on(x.s, kBugUnlockNotHeld);
    return;
  }
  pg.locked_by = 0;
}

bool set_page_dirty(State& s, const Env& env, int p) {
  // Only a reordered routine gets here (the kernel's orders hold a reference or the page lock):
  // the page was freed under the caller.
  if (!page_of(s, p).cached) {
    bug_on(s, kBugPageFreed);
    return false;
  }
  for (int b = 0; b < env.blocks_per_page; ++b) block_of(s, env.block(p, b)).dirty = 1;
  return set_page_dirty_nobuffers(s, p);
}

bool set_page_dirty_nobuffers(State& s, int p) {
  Page& pg = page_of(s, p);
  if (pg.dirty) return false;
  pg.dirty = 1;
  ++s.nr_dirty;
  pg.tag_dirty = 1;
  return true;
}

bool test_clear_page_dirty(State& s, int p) {
  Page& pg = page_of(s, p);
  if (!pg.dirty) return false;
  pg.dirty = 0;
  if (s.nr_dirty == 0) {
    s.ghost_nr_dirty_underflow = 1;
  } else {
    --s.nr_dirty;
  }
  return true;
}

void set_page_writeback(State& s, const Env& env, int p, bool keepwrite) {
  Page& pg = page_of(s, p);
  if (pg.writeback) bug_on(s, kBugWritebackTwice);
  pg.writeback = 1;
  pg.tag_writeback = 1;
  if (!pg.dirty) pg.tag_dirty = 0;
  if (env.variant->towrite && !keepwrite) pg.tag_towrite = 0;
}

void end_page_writeback(State& s, int p) {
  Page& pg = page_of(s, p);
  if (!pg.writeback) bug_on(s, kBugEndWritebackIdle);
  pg.writeback = 0;
  pg.tag_writeback = 0;
}

void mapping_set_error(State& s, const Env& env, int p) {
  if (env.variant->write_errors != WriteErrors::errseq) {
    s.as_eio = 1;
    page_of(s, p).error = 1;
    return;
  }
  // errseq_set: a new value only if the last error was SEEN (or there was none yet); an error
  // nobody has seen absorbs the next. (4.13+ also sets AS_EIO and PG_error, which no fsync
  // path of these versions reports; the model leaves them out.)
  constexpr std::uint8_t kSeen = 1;
  if (s.wb_err == 0 || (s.wb_err & kSeen))
    s.wb_err = static_cast<std::uint8_t>((s.wb_err | kSeen) + 1);
}

bool errseq_check_and_advance(State& s, int file) {
  std::uint8_t& since = s.f_wb_err[static_cast<std::size_t>(file)];
  if (s.wb_err == since) return false;
  s.wb_err |= 1;  // ERRSEQ_SEEN
  since = s.wb_err;
  return true;
}

void report_error(State& s, const Env& env, int self) {
  s.actor[static_cast<std::size_t>(self)].err = 1;
  const int f = env.of(self).file;
  if (f >= 0) s.ghost_reported[static_cast<std::size_t>(f)] = s.ghost_io_failures;
}

bool page_mapped(const State& s, const Env& env, int p) {
  for (int m = 0; m < env.mappings; ++m) {
    if (rmap_of(s, m, p)) return true;
  }
  return false;
}

void flush_tlb_mm(State& s, const Env& env, int m) {
  for (int p = 0; p < env.pages; ++p) flush_tlb_page(s, env, m, p);
}

void flush_tlb_batched_pending(State& s, const Env& env, int m) {
  std::uint8_t& batched = s.tlb_batched[static_cast<std::size_t>(m)];
  if (!env.variant->flush_batched_pending || !batched) return;
  flush_tlb_mm(s, env, m);
  batched = 0;
}

void flush_tlb_page(State& s, const Env& env, int m, int p) {
  for (int a = 0; a < env.actors; ++a) {
    const ActorEnv& ae = env.of(a);
    if (ae.kind == ActorKind::writer && ae.mapping == m) tlb_of(s, a, p) = kTlbNone;
  }
}

bool writable_translation(const State& s, const Env& env, int m, int first, int last) {
  for (int p = first; p <= last; ++p) {
    if ((pte_of(s, m, p) & (kPtePresent | kPteWrite)) == (kPtePresent | kPteWrite)) return true;
    for (int a = 0; a < env.actors; ++a) {
      const ActorEnv& ae = env.of(a);
      if (ae.kind == ActorKind::writer && ae.mapping == m && tlb_of(s, a, p) >= kTlbWrite) {
        return true;
      }
    }
  }
  return false;
}

bool outside_mmap_sem(const State& s, const Env& env, int a) {
  const Actor& act = s.actor[static_cast<std::size_t>(a)];
  const Program& prog = env.of(a).program;
  if (act.pc >= prog.done()) return true;
  return prog[act.pc].step->rest && act.cursor == 0;
}

int extra_refs(const State& s, const Env& env, int p, int self) {
  int refs = 0;
  for (int a = 0; a <= env.actors; ++a) {
    if (a != self && (s.actor[static_cast<std::size_t>(a)].refs & bit(p))) ++refs;
  }
  for (int m = 0; m < env.mappings; ++m) refs += (pte_of(s, m, p) & kPtePresent) ? 1 : 0;
  return refs;
}

void read_page(State& s, const Env& env, int p) {
  page_of(s, p) = Page{.cached = 1,
                       .locked_by = 0,
                       .dirty = 0,
                       .writeback = 0,
                       .tag_dirty = 0,
                       .tag_writeback = 0,
                       .tag_towrite = 0,
                       .error = 0};
  for (int b = 0; b < env.blocks_per_page; ++b) {
    Block& blk = block_of(s, env.block(p, b));
    blk.dirty = blk.locked = blk.async_write = blk.io = blk.io_version = 0;
    blk.mem = blk.disk;
  }
}

void drop_page(State& s, const Env& env, int p) {
  page_of(s, p) = Page{};
  for (int b = 0; b < env.blocks_per_page; ++b) {
    Block& blk = block_of(s, env.block(p, b));
    blk.dirty = blk.locked = blk.async_write = blk.io = blk.io_version = 0;
  }
}

std::uint8_t next_version(const State& s, const Env& env, int g) {
  int done = 0;
  for (int a = 0; a < env.actors; ++a) {
    const ActorEnv& ae = env.of(a);
    if (ae.kind != ActorKind::writer) continue;
    done +=
        ae.stores_before[s.actor[static_cast<std::size_t>(a)].stores][static_cast<std::size_t>(g)];
  }
  return static_cast<std::uint8_t>(done + 1);
}

}  // namespace dirtyrace::model::kernel
