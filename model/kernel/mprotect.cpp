// mprotect(PROT_READ) of a page range of one mapping (research note 4; read in 4.9.0 and 4.19.0
// mm/mprotect.c; 6.12 has the same shape).
//
// do_mprotect_pkey takes mmap_sem for write (down_write_killable, 4.9 ~387, 4.19 ~483), so no
// fault of the process is under way, and mprotect_fixup clears VM_WRITE (vma->vm_flags =
// newflags, 4.9 ~331, 4.19 ~427). change_protection_range (4.9 ~218, 4.19 ~265) walks the page
// tables: change_pte_range takes the PTE lock of each page table, from 3ea27719 (4.13) first
// flushes a batch reclaim left pending on the mm (flush_tlb_batched_pending, 4.19 ~69), and
// rewrites every present PTE with the new protection (ptep_modify_prot_start / pte_modify /
// ptep_modify_prot_commit: the write bit goes, the dirty bit stays; dirty_accountable is 0 since
// vma_wants_writenotify needs VM_WRITE), counting it in `pages`. After the last page table,
// with no PTE lock held, `if (pages) flush_tlb_range(...)` (4.9 ~242, 4.19 ~289); then up_write.
// A PTE that is none (reclaim cleared it and deferred its flush) is not counted, so without
// 3ea27719 mprotect can return while another CPU still holds a writable TLB entry.

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"

namespace dirtyrace::model::kernel {
namespace {

/// down_write(&mm->mmap_sem): free, and no thread of the process is inside a fault or a zap
/// (each holds it for read).
bool mmap_sem_free_for_write(const State& s, const Env& env, int self) {
  const int m = env.of(self).mapping;
  if (s.mmap_sem[static_cast<std::size_t>(m)] != 0) return false;
  for (int a = 0; a < env.actors; ++a) {
    const ActorEnv& ae = env.of(a);
    const bool takes_it =
        (ae.kind == ActorKind::writer || ae.kind == ActorKind::munmap) && ae.mapping == m;
    if (a != self && takes_it && !outside_mmap_sem(s, env, a)) return false;
  }
  return true;
}

Flow mprotect_fixup(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  const auto m = static_cast<std::size_t>(ae.mapping);
  x.s.mmap_sem[m] = static_cast<std::uint8_t>(x.self + 1);
  x.s.vma_ro[m] =
      static_cast<std::uint8_t>(x.s.vma_ro[m] | x.env.page_mask(ae.first_page, ae.last_page));
  return Flow::next();
}

bool change_ptl_free(const State& s, const Env& env, int self) {
  return ptl_free(s, env.of(self).mapping, self);
}

/// One PTE per step, the PTE lock held from the first to the last (one page table).
Flow change_pte_range(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  Actor& me = x.me();
  const int m = ae.mapping;
  const int p = ae.first_page + me.cursor;
  x.s.ptl[static_cast<std::size_t>(m)] = static_cast<std::uint8_t>(x.self + 1);
  if (me.cursor == 0) flush_tlb_batched_pending(x.s, x.env, m);
  std::uint8_t& pte = pte_of(x.s, m, p);
  if (pte & kPtePresent) {
    pte = static_cast<std::uint8_t>(pte & ~kPteWrite);
    me.pagevec |= bit(p);  // pages++
  }
  const int count = ae.last_page - ae.first_page + 1;
  if (me.cursor + 1 == count) x.s.ptl[static_cast<std::size_t>(m)] = 0;  // pte_unmap_unlock
  return next_in_loop(me, count);
}

Flow flush_tlb_range(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  Actor& me = x.me();
  if (me.pagevec) {
    for (int p = ae.first_page; p <= ae.last_page; ++p) flush_tlb_page(x.s, x.env, ae.mapping, p);
  }
  me.pagevec = 0;
  x.s.mmap_sem[static_cast<std::size_t>(ae.mapping)] = 0;  // up_write
  return Flow::next();
}

}  // namespace

const Step kMprotectFixup{
    .name = "mprotect_fixup",
    .function = "mprotect_fixup",
    .source =
        "mm/mprotect.c do_mprotect_pkey: down_write_killable(&mm->mmap_sem) (4.9 ~387, 4.19 "
        "~483); mprotect_fixup: vma->vm_flags = newflags (4.9 ~331, 4.19 ~427)",
    .what =
        "take the process's mmap_sem for write, once no thread of it is inside a fault or a "
        "zap, and clear VM_WRITE on the range: from now on a store that faults there gets "
        "SIGSEGV",
    .apply = mprotect_fixup,
    .enabled = mmap_sem_free_for_write,
    .rest = true,
    .entry = true,
    .reads = vars({Var::vma}),
    .writes = vars({Var::vma})};

const Step kChangePteRange{
    .name = "change_pte_range",
    .function = "change_pte_range",
    .source =
        "mm/mprotect.c change_pte_range: pte_offset_map_lock, flush_tlb_batched_pending (4.13+, "
        "3ea27719; 4.19 ~69), ptep_modify_prot_start / pte_modify / ptep_modify_prot_commit, "
        "pte_unmap_unlock (4.9 ~64-133, 4.19 ~38-160)",
    .what =
        "for one page of the range, holding the mapping's PTE lock: from 4.13 first flush every "
        "CPU of the process if reclaim left a batched flush pending on it; write-protect a "
        "present PTE (its dirty bit stays) and count it; a PTE that is none is left alone; the "
        "last one drops ptl",
    .apply = change_pte_range,
    .enabled = change_ptl_free,
    .reads = vars({Var::pte, Var::ptl, Var::pagevec, Var::tlb}),
    .writes = vars({Var::pte, Var::ptl, Var::pagevec, Var::tlb})};

const Step kFlushTlbRange{
    .name = "flush_tlb_range",
    .function = "change_protection_range",
    .source =
        "mm/mprotect.c change_protection_range: if (pages) flush_tlb_range (4.9 ~242, 4.19 "
        "~289); do_mprotect_pkey: up_write (4.9 ~477, 4.19 ~573)",
    .what =
        "with no PTE lock held: if any PTE was changed, flush the range from every CPU of the "
        "process; release mmap_sem and return",
    .apply = flush_tlb_range,
    .reads = vars({Var::pagevec}),
    .writes = vars({Var::tlb, Var::vma, Var::pagevec})};

}  // namespace dirtyrace::model::kernel
