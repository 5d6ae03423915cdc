// The writer: a memcpy through a MAP_SHARED, PROT_WRITE mapping, one store per block, and the
// page faults a store raises (MODEL.md section 2, "Writer").
//
// 2.6.18-2.6.22: mm/memory.c do_no_page() with ->nopage = filemap_nopage(), and do_wp_page().
//   2.6.18 has no write-notify (vma_wants_writenotify arrived with d08b3851 in 2.6.19), so the
//   first write fault installs a writable, dirty PTE and nothing calls set_page_dirty. 2.6.19 and
//   2.6.20 install the PTE under ptl, drop it, and call set_page_dirty_balance() with no lock.
// 2.6.23-2.6.29: __do_fault() and do_wp_page() (read in linux-2.6.29 mm/memory.c ~2575, ~1888).
//   79352894 (2.6.23) made do_wp_page wait_on_page_locked() before set_page_dirty_balance(),
//   which it still calls without the page lock (~2088-2089); __do_fault holds the lock from
//   ->fault across the PTE install and drops it before set_page_dirty_balance (~2716-2724).
//   ->page_mkwrite = block_page_mkwrite (fs/buffer.c ~2468) dirties the page and unlocks it.
// 2.6.30+: __do_fault()/do_shared_fault() and do_wp_page()/wp_page_shared(); the page lock is
//   held from ->page_mkwrite (block_page_mkwrite, fs/buffer.c) through the PTE install to
//   fault_dirty_shared_page() (b827e496 "mm: close page_mkwrite races", 2.6.30). 2.6.32 is
//   modelled with a page_mkwrite filesystem (ext4, xfs); ext3 of 2.6.32 has none (see README,
//   "Kernel map"). ext3 from 3.6 gets generic_file_vm_ops' ->page_mkwrite =
//   filemap_page_mkwrite (mm/filemap.c; read in linux-3.14.4 ~1729-1753 and 3.6.5 ~1711-1735):
//   sb_start_pagefault and file_update_time (freezing and times are not modelled), lock_page,
//   the page->mapping check (always passes: the fault's reference keeps the page in the cache
//   and truncate is not modelled), set_page_dirty, wait_for_stable_page (3.9+), VM_FAULT_LOCKED.

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"

namespace dirtyrace::model::kernel {
namespace {

int target_block(const State& s, const Env& env, int self) {
  const ActorEnv& ae = env.of(self);
  const auto n = ae.targets.size();
  return ae.targets[s.actor[static_cast<std::size_t>(self)].stores % n];
}
int target_page(const State& s, const Env& env, int self) {
  return target_block(s, env, self) / env.blocks_per_page;
}
int target_page(const Exec& x) {
  return target_page(x.s, x.env, x.self);
}

constexpr std::uint8_t kWritable = kPtePresent | kPteWrite;

/// The store writes the block's next version (the translation it went through allowed it).
Flow write_block(Exec& x, int g) {
  Actor& me = x.me();
  me.orig_pte = 0;
  Block& blk = block_of(x.s, g);
  if (x.env.stable_writes && blk.locked) x.s.ghost_unstable_store = 1;
  blk.mem = next_version(x.s, x.env, g);
  ++me.stores;
  return me.stores < x.env.of(x.self).stores ? Flow::again() : Flow::next();
}

// A fault first takes mmap_sem for read and checks the VMA: a write to a VMA without VM_WRITE
// (after mprotect(PROT_READ)) is SIGSEGV (x86 __do_page_fault: down_read_trylock, access_error,
// bad_area_access_error; arch/x86/mm/fault.c 4.9 ~1386, 4.19 ~1324-1374): the process dies,
// and the writer stores no more.
/// The store at page p needs a fault: no writable+dirty TLB entry and no writable PTE.
bool store_faults(const State& s, const Env& env, int self, int p) {
  if (tlb_of(s, self, p) == kTlbWriteDirty) return false;
  return (pte_of(s, env.of(self).mapping, p) & kWritable) != kWritable;
}

/// A store that will fault waits while mprotect holds mmap_sem for write.
bool store_enabled(const State& s, const Env& env, int self) {
  const int m = env.of(self).mapping;
  if (s.mmap_sem[static_cast<std::size_t>(m)] == 0) return true;
  return !store_faults(s, env, self, target_block(s, env, self) / env.blocks_per_page);
}

// x86 (research note 5.1): a store through a writable+dirty TLB entry touches no PTE; through a
// writable clean entry the CPU must set PTE.D with a locked update of the current PTE, and
// faults if that PTE is no longer present and writable; with no entry (or a read-only one) it
// walks the PTE, caching a present writable PTE as writable+dirty, or faults.
Flow store(Exec& x) {
  const ActorEnv& ae = x.env.of(x.self);
  const int g = target_block(x.s, x.env, x.self);
  const int p = g / x.env.blocks_per_page;
  std::uint8_t& tlb = tlb_of(x.s, x.self, p);
  if (tlb == kTlbWriteDirty) return write_block(x, g);
  std::uint8_t& pte = pte_of(x.s, ae.mapping, p);
  if ((pte & kWritable) != kWritable) {
    tlb = kTlbNone;  // a faulting access drops the entry it went through
    if (x.s.vma_ro[static_cast<std::size_t>(ae.mapping)] & bit(p)) {
      return Flow::to(Target::loop_end);  // SIGSEGV
    }
    x.me().orig_pte = pte;
    return Flow::to(pte & kPtePresent ? Target::fault_wp : Target::fault_none);
  }
  pte |= kPteDirty;
  tlb = kTlbWriteDirty;
  return write_block(x, g);
}

bool stores_done(const State& s, const Env& env, int self) {
  return s.actor[static_cast<std::size_t>(self)].stores >= env.of(self).stores;
}

bool page_free_or_absent(const State& s, const Env& env, int self) {
  const int p = target_page(s, env, self);
  return !page_of(s, p).cached || page_unlocked(s, p);
}

/// The page the fault found (vmf->page), once __do_fault or do_wp_page has looked it up.
int fault_page(const State& s, int self) {
  return s.actor[static_cast<std::size_t>(self)].page;
}

bool page_free(const State& s, const Env&, int self) {
  return page_unlocked(s, fault_page(s, self));
}

/// The fault's PTE lock (pte_offset_map_lock) is free: no zap_pte_range holds it.
bool own_ptl_free(const State& s, const Env& env, int self) {
  return ptl_free(s, env.of(self).mapping, self);
}

Flow filemap_fault(Exec& x) {
  const int p = target_page(x);
  if (!page_of(x.s, p).cached) read_page(x.s, x.env, p);
  x.me().refs |= bit(p);
  x.me().page = static_cast<std::uint8_t>(p);
  lock_page(x, p);
  return Flow::next();
}

Flow unlock_fault_page(Exec& x) {
  unlock_page(x, x.me().page);
  return Flow::next();
}

Flow lock_fault_page(Exec& x) {
  lock_page(x, x.me().page);
  return Flow::next();
}

Flow dirty_fault_page(Exec& x) {
  set_page_dirty(x.s, x.env, x.me().page);
  return Flow::next();
}

bool no_stable_writes(const State&, const Env& env, int) {
  return !env.stable_writes;
}

bool not_under_writeback(const State& s, const Env&, int self) {
  return !page_of(s, fault_page(s, self)).writeback;
}

Flow nothing(Exec&) {
  return Flow::next();
}

/// The fault gives up: unlock, drop the reference, and let the CPU retry the store.
Flow give_up_fault(Exec& x, int p) {
  unlock_page(x, p);
  x.me().refs &= static_cast<std::uint8_t>(~bit(p));
  return Flow::to(Target::retry);
}

Flow finish_fault(Exec& x) {
  const int p = x.me().page;
  std::uint8_t& pte = pte_of(x.s, x.env.of(x.self).mapping, p);
  if (pte & kPtePresent) return give_up_fault(x, p);
  pte = kPtePresent | kPteWrite | kPteDirty;
  rmap_of(x.s, x.env.of(x.self).mapping, p) = 1;      // page_add_file_rmap
  x.me().refs &= static_cast<std::uint8_t>(~bit(p));  // the reference now belongs to the PTE
  return Flow::next();
}

Flow fault_unlock_page(Exec& x) {
  const int p = x.me().page;
  unlock_page(x, p);
  x.me().refs &= static_cast<std::uint8_t>(~bit(p));
  return Flow::next();
}

Flow do_wp_page(Exec& x) {
  const int p = target_page(x);
  x.me().page = static_cast<std::uint8_t>(p);
  if (pte_of(x.s, x.env.of(x.self).mapping, p) != x.me().orig_pte) return Flow::to(Target::retry);
  x.me().refs |= bit(p);
  return Flow::next();
}

Flow finish_mkwrite_fault(Exec& x) {
  const int p = x.me().page;
  std::uint8_t& pte = pte_of(x.s, x.env.of(x.self).mapping, p);
  if (pte != x.me().orig_pte) return give_up_fault(x, p);
  pte |= kPteWrite | kPteDirty;
  return Flow::next();
}

Flow filemap_nopage(Exec& x) {
  const int p = target_page(x);
  if (!page_of(x.s, p).cached) read_page(x.s, x.env, p);
  x.me().refs |= bit(p);
  x.me().page = static_cast<std::uint8_t>(p);
  return Flow::next();
}

Flow do_no_page(Exec& x) {
  const int p = x.me().page;
  std::uint8_t& pte = pte_of(x.s, x.env.of(x.self).mapping, p);
  if (pte & kPtePresent) {
    x.me().refs &= static_cast<std::uint8_t>(~bit(p));
    return Flow::to(Target::retry);
  }
  pte = kPtePresent | kPteWrite | kPteDirty;
  rmap_of(x.s, x.env.of(x.self).mapping, p) = 1;  // page_add_file_rmap
  // 2.6.19+ keeps a second reference as dirty_page until set_page_dirty_balance; 2.6.18 hands
  // its only reference to the PTE.
  if (x.env.variant->fault == FaultKind::no_write_notify) {
    x.me().refs &= static_cast<std::uint8_t>(~bit(p));
  }
  return Flow::next();
}

Flow do_wp_page_reuse(Exec& x) {
  const int p = target_page(x);
  x.me().page = static_cast<std::uint8_t>(p);
  std::uint8_t& pte = pte_of(x.s, x.env.of(x.self).mapping, p);
  if (pte != x.me().orig_pte) return Flow::to(Target::retry);
  pte |= kPteWrite | kPteDirty;
  if (x.env.variant->fault != FaultKind::no_write_notify) x.me().refs |= bit(p);
  return Flow::next();
}

/// 2.6.23-2.6.29 __do_fault: under the page lock and ptl, install the PTE if it is still
/// none; the fault keeps a dirty_page reference (get_page) for set_page_dirty_balance after
/// the unlock. Otherwise unlock, drop the reference and retry.
Flow do_fault_set_pte(Exec& x) {
  const int p = x.me().page;
  std::uint8_t& pte = pte_of(x.s, x.env.of(x.self).mapping, p);
  if (pte & kPtePresent) return give_up_fault(x, p);
  pte = kPtePresent | kPteWrite | kPteDirty;
  rmap_of(x.s, x.env.of(x.self).mapping, p) = 1;  // page_add_file_rmap
  return Flow::next();
}

/// 2.6.23-2.6.29 do_wp_page after ->page_mkwrite: re-take ptl; if the PTE changed, drop the
/// reference and retry (no page lock is held); else make it writable and dirty.
Flow do_wp_page_mkwrite_reuse(Exec& x) {
  const int p = x.me().page;
  std::uint8_t& pte = pte_of(x.s, x.env.of(x.self).mapping, p);
  if (pte != x.me().orig_pte) {
    x.me().refs &= static_cast<std::uint8_t>(~bit(p));
    return Flow::to(Target::retry);
  }
  pte |= kPteWrite | kPteDirty;
  return Flow::next();
}

Flow set_page_dirty_balance(Exec& x) {
  const int p = x.me().page;
  set_page_dirty(x.s, x.env, p);
  x.me().refs &= static_cast<std::uint8_t>(~bit(p));
  return Flow::next();
}

}  // namespace

const Step kStore{
    .name = "store",
    .function = "memcpy",
    .source = "user space; the MMU (x86: research note 5.1)",
    .what =
        "store to the next block: through a writable+dirty TLB entry it just writes; else the "
        "MMU walks the PTE: present and writable, it sets the dirty bit and caches the entry; "
        "otherwise the CPU raises a page fault, which waits for mmap_sem and on a VMA without "
        "VM_WRITE (mprotect) is SIGSEGV: the writer stops",
    .apply = store,
    .enabled = store_enabled,
    .skip = stores_done,
    .skip_to = Target::loop_end,
    .jumps = jumps_to({Target::fault_none, Target::fault_wp, Target::loop_end}),
    .rest = true,
    .reads = vars({Var::stores, Var::pte, Var::buffers, Var::tlb, Var::vma}),
    .writes = vars({Var::stores, Var::orig_pte, Var::pte, Var::data, Var::tlb})};

const Step kFilemapFault{
    .name = "filemap_fault",
    .function = "__do_fault",
    .source = "mm/memory.c, mm/filemap.c (2.6.23+)",
    .what = "find the page in the page cache or read it from disk, take a reference, lock it",
    .apply = filemap_fault,
    .enabled = page_free_or_absent,
    .page_lock = PageLock::acquire,
    .reads = vars({Var::stores, Var::cached, Var::page_lock, Var::refs, Var::io}),
    .writes = vars({Var::page, Var::refs, Var::cached, Var::page_lock, Var::pg_dirty,
                    Var::pg_writeback, Var::tags, Var::buffers, Var::io, Var::data})};

const Step kUnlockBeforeMkwrite{.name = "unlock_page",
                                .function = "do_shared_fault",
                                .source = "mm/memory.c (__do_fault in 2.6.23-3.x)",
                                .what = "unlock the page before calling ->page_mkwrite",
                                .apply = unlock_fault_page,
                                .page_lock = PageLock::release,
                                .reads = vars({Var::page, Var::page_lock}),
                                .writes = vars({Var::page_lock})};

const Step kMkwriteLockPage{
    .name = "lock_page",
    .function = "block_page_mkwrite",
    .source = "fs/buffer.c (->page_mkwrite, 2.6.23+)",
    .what = "lock the page (it cannot leave the cache while the fault holds a reference)",
    .apply = lock_fault_page,
    .enabled = page_free,
    .page_lock = PageLock::acquire,
    .reads = vars({Var::page, Var::page_lock}),
    .writes = vars({Var::page_lock})};

const Step kMkwriteSetPageDirty{
    .name = "set_page_dirty",
    .function = "block_page_mkwrite",
    .source = "fs/buffer.c: block_commit_write + set_page_dirty",
    .what = "mark every buffer dirty and set PG_dirty (a clean page is counted and tagged DIRTY)",
    .apply = dirty_fault_page,
    .reads = vars({Var::page, Var::cached, Var::pg_dirty}),
    .writes = vars({Var::buffers, Var::pg_dirty, Var::tags, Var::nr_dirty})};

const Step kWaitForStablePage{
    .name = "wait_for_stable_page",
    .function = "block_page_mkwrite",
    .source = "mm/page-writeback.c (3.9+; only when the device needs stable writes)",
    .what = "wait, holding the page lock, until the page's writeback ends",
    .apply = nothing,
    .enabled = not_under_writeback,
    .skip = no_stable_writes,
    .skip_by_scenario = true,
    .reads = vars({Var::page, Var::pg_writeback})};

const Step kFilemapMkwriteLockPage{
    .name = "lock_page",
    .function = "filemap_page_mkwrite",
    .source = "mm/filemap.c (->page_mkwrite of generic_file_vm_ops, 3.6+; 3.14 ~1737)",
    .what =
        "lock the page; its page->mapping check always passes (the fault's reference keeps "
        "the page in the cache)",
    .apply = lock_fault_page,
    .enabled = page_free,
    .page_lock = PageLock::acquire,
    .reads = vars({Var::page, Var::page_lock}),
    .writes = vars({Var::page_lock})};

const Step kFilemapMkwriteSetPageDirty{
    .name = "set_page_dirty",
    .function = "filemap_page_mkwrite",
    .source =
        "mm/filemap.c (3.14 ~1748); ext3_ordered_aops (fs/ext3/inode.c 3.14 ~1976) has no "
        "->set_page_dirty, so set_page_dirty calls __set_page_dirty_buffers "
        "(mm/page-writeback.c 3.14 ~2243-2262)",
    .what =
        "with the page locked: mark every buffer dirty and set PG_dirty (a clean page is counted "
        "and tagged DIRTY)",
    .apply = dirty_fault_page,
    .reads = vars({Var::page, Var::cached, Var::pg_dirty}),
    .writes = vars({Var::buffers, Var::pg_dirty, Var::tags, Var::nr_dirty})};

const Step kFilemapWaitForStablePage{
    .name = "wait_for_stable_page",
    .function = "filemap_page_mkwrite",
    .source = "mm/filemap.c (3.9+; 3.14 ~1749; only when the device needs stable writes)",
    .what =
        "wait, holding the page lock, until the page's writeback ends; then return "
        "VM_FAULT_LOCKED",
    .apply = nothing,
    .enabled = not_under_writeback,
    .skip = no_stable_writes,
    .skip_by_scenario = true,
    .reads = vars({Var::page, Var::pg_writeback})};

const Step kFinishFault{
    .name = "finish_fault",
    .function = "do_shared_fault",
    .source = "mm/memory.c: finish_fault/alloc_set_pte under ptl",
    .what =
        "if the PTE is still none, install it present, writable and dirty (the reference "
        "goes to the PTE); otherwise unlock, drop the reference and retry",
    .apply = finish_fault,
    .enabled = own_ptl_free,
    .jumps = jumps_to({Target::retry}),
    .reads = vars({Var::page, Var::pte, Var::page_lock, Var::refs, Var::ptl}),
    .writes = vars({Var::pte, Var::page_lock, Var::refs, Var::rmap})};

const Step kFaultDirtySharedPage{
    .name = "set_page_dirty",
    .function = "fault_dirty_shared_page",
    .source = "mm/memory.c (4.x+; inline in __do_fault/do_wp_page in 2.6.30-3.x, b827e496)",
    .what = "set_page_dirty with the page lock held: every buffer dirty, PG_dirty set",
    .apply = dirty_fault_page,
    .reads = vars({Var::page, Var::cached, Var::pg_dirty}),
    .writes = vars({Var::buffers, Var::pg_dirty, Var::tags, Var::nr_dirty})};

const Step kFaultUnlockPage{
    .name = "unlock_page",
    .function = "fault_dirty_shared_page",
    .source = "mm/memory.c",
    .what = "unlock the page and drop the fault's reference; the store is retried",
    .apply = fault_unlock_page,
    .page_lock = PageLock::release,
    .reads = vars({Var::page, Var::page_lock, Var::refs}),
    .writes = vars({Var::page_lock, Var::refs})};

const Step kDoWpPage{
    .name = "do_wp_page",
    .function = "wp_page_shared",
    .source = "mm/memory.c (2.6.30+, b827e496; inline in do_wp_page before 4.x)",
    .what =
        "under ptl: if the PTE changed since the fault, retry; else take a reference and drop "
        "ptl to call ->page_mkwrite",
    .apply = do_wp_page,
    .enabled = own_ptl_free,
    .jumps = jumps_to({Target::retry}),
    .reads = vars({Var::stores, Var::pte, Var::orig_pte, Var::refs, Var::ptl}),
    .writes = vars({Var::page, Var::refs})};

const Step kFinishMkwriteFault{
    .name = "finish_mkwrite_fault",
    .function = "wp_page_shared",
    .source = "mm/memory.c: finish_mkwrite_fault → wp_page_reuse under ptl",
    .what =
        "under ptl: if the PTE is unchanged, make it writable and dirty; otherwise unlock, "
        "drop the reference and retry",
    .apply = finish_mkwrite_fault,
    .enabled = own_ptl_free,
    .jumps = jumps_to({Target::retry}),
    .reads = vars({Var::page, Var::pte, Var::orig_pte, Var::page_lock, Var::refs, Var::ptl}),
    .writes = vars({Var::pte, Var::page_lock, Var::refs})};

const Step kFilemapNopage{
    .name = "filemap_nopage",
    .function = "do_no_page",
    .source = "mm/memory.c, mm/filemap.c (2.6.18-2.6.22)",
    .what =
        "find the page in the page cache or read it from disk and take a reference; the "
        "page comes back unlocked",
    .apply = filemap_nopage,
    .reads = vars({Var::stores, Var::cached, Var::refs, Var::io}),
    .writes = vars({Var::page, Var::refs, Var::cached, Var::page_lock, Var::pg_dirty,
                    Var::pg_writeback, Var::tags, Var::buffers, Var::io, Var::data})};

const Step kDoNoPage{
    .name = "set_pte_at",
    .function = "do_no_page",
    .source = "mm/memory.c (2.6.18-2.6.22), under ptl",
    .what =
        "if the PTE is still none, install it present, writable and dirty; otherwise drop "
        "the reference and retry",
    .apply = do_no_page,
    .enabled = own_ptl_free,
    .jumps = jumps_to({Target::retry}),
    .reads = vars({Var::page, Var::pte, Var::refs, Var::ptl}),
    .writes = vars({Var::pte, Var::refs, Var::rmap})};

const Step kDoWpPageReuse{
    .name = "do_wp_page",
    .function = "do_wp_page",
    .source =
        "mm/memory.c (2.6.18-2.6.22; without ->page_mkwrite up to 3.5, ext3 on 2.6.32 "
        "~2103), under ptl",
    .what =
        "if the PTE is unchanged, reuse the page: make the PTE writable and dirty and keep "
        "a dirty_page reference; otherwise retry",
    .apply = do_wp_page_reuse,
    .enabled = own_ptl_free,
    .jumps = jumps_to({Target::retry}),
    .reads = vars({Var::stores, Var::pte, Var::orig_pte, Var::refs, Var::ptl}),
    .writes = vars({Var::page, Var::pte, Var::refs})};

const Step kSetPageDirtyBalance{
    .name = "set_page_dirty",
    .function = "set_page_dirty_balance",
    .source =
        "mm/page-writeback.c (2.6.19-2.6.29, 2.6.29 ~599; without ->page_mkwrite to 3.x, "
        "2.6.32 ~2223), called after ptl and the page lock are dropped",
    .what =
        "set_page_dirty with no lock held: every buffer dirty, PG_dirty set; drop the "
        "reference",
    .apply = set_page_dirty_balance,
    .reads = vars({Var::page, Var::cached, Var::pg_dirty, Var::refs}),
    .writes = vars({Var::refs, Var::buffers, Var::pg_dirty, Var::tags, Var::nr_dirty})};

// 2.6.23-2.6.29 (79352894, before b827e496): linux-2.6.29 mm/memory.c, fs/buffer.c.

const Step kMkwriteUnlockPage{
    .name = "unlock_page",
    .function = "block_page_mkwrite",
    .source =
        "fs/buffer.c (2.6.23-2.6.29; 2.6.29 ~2497); from b827e496 it returns the page "
        "locked (VM_FAULT_LOCKED)",
    .what = "unlock the page it dirtied and return to the fault, which keeps its reference",
    .apply = unlock_fault_page,
    .page_lock = PageLock::release,
    .reads = vars({Var::page, Var::page_lock}),
    .writes = vars({Var::page_lock})};

const Step kDoFaultRelockPage{
    .name = "lock_page",
    .function = "__do_fault",
    .source = "mm/memory.c (2.6.23-2.6.29; 2.6.29 ~2652)",
    .what =
        "lock the page again after ->page_mkwrite; its page->mapping recheck always passes here "
        "(the fault's reference keeps the page in the cache, and truncate is not modelled)",
    .apply = lock_fault_page,
    .enabled = page_free,
    .page_lock = PageLock::acquire,
    .reads = vars({Var::page, Var::page_lock}),
    .writes = vars({Var::page_lock})};

const Step kDoFaultSetPte{
    .name = "set_pte_at",
    .function = "__do_fault",
    .source = "mm/memory.c (2.6.23-2.6.29; 2.6.29 ~2671-2700), under the page lock and ptl",
    .what =
        "if the PTE is still none, install it present, writable and dirty and keep a "
        "dirty_page reference for set_page_dirty_balance; otherwise unlock, drop the reference "
        "and retry",
    .apply = do_fault_set_pte,
    .enabled = own_ptl_free,
    .jumps = jumps_to({Target::retry}),
    .reads = vars({Var::page, Var::pte, Var::page_lock, Var::refs, Var::ptl}),
    .writes = vars({Var::pte, Var::page_lock, Var::refs, Var::rmap})};

const Step kDoFaultUnlockPage{
    .name = "unlock_page",
    .function = "__do_fault",
    .source = "mm/memory.c (2.6.23-2.6.29; 2.6.29 ~2716), before set_page_dirty_balance",
    .what = "unlock the page after the PTE install, keeping the dirty_page reference",
    .apply = unlock_fault_page,
    .page_lock = PageLock::release,
    .reads = vars({Var::page, Var::page_lock}),
    .writes = vars({Var::page_lock})};

const Step kDoWpPageMkwrite{
    .name = "do_wp_page",
    .function = "do_wp_page",
    .source = "mm/memory.c (2.6.23-2.6.29; 2.6.29 ~1940-1952)",
    .what =
        "under ptl: if the PTE changed since the fault, retry; else take a reference and drop "
        "ptl to call ->page_mkwrite",
    .apply = do_wp_page,
    .enabled = own_ptl_free,
    .jumps = jumps_to({Target::retry}),
    .reads = vars({Var::stores, Var::pte, Var::orig_pte, Var::refs, Var::ptl}),
    .writes = vars({Var::page, Var::refs})};

const Step kDoWpPageMkwriteReuse{
    .name = "ptep_set_access_flags",
    .function = "do_wp_page",
    .source = "mm/memory.c (2.6.23-2.6.29; 2.6.29 ~1959-1981), under ptl, no page lock",
    .what =
        "re-take ptl: if the PTE changed, drop the reference and retry; else make it writable "
        "and dirty and keep the reference as dirty_page",
    .apply = do_wp_page_mkwrite_reuse,
    .enabled = own_ptl_free,
    .jumps = jumps_to({Target::retry}),
    .reads = vars({Var::page, Var::pte, Var::orig_pte, Var::refs, Var::ptl}),
    .writes = vars({Var::pte, Var::refs})};

const Step kWaitOnPageLocked{
    .name = "wait_on_page_locked",
    .function = "do_wp_page",
    .source =
        "mm/memory.c (2.6.23-2.6.29, 2.6.29 ~2088; without ->page_mkwrite to 3.x, 2.6.32 "
        "~2222), 79352894's \"Yes, Virginia\" wait",
    .what = "after ptl is dropped, wait until no one holds the page lock, without taking it",
    .apply = nothing,
    .enabled = page_free,
    .reads = vars({Var::page, Var::page_lock})};

}  // namespace dirtyrace::model::kernel
