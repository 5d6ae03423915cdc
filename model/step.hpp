#pragma once
// One atomic step of a kernel routine: a row in a table, named after the kernel code it models.
// Nothing interleaves inside a step. A routine (program.hpp) is an ordered list of steps that a
// variant or the user may edit; the steps themselves never know their neighbours.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "model/state.hpp"

namespace dirtyrace::model {

struct Env;

/// Places a step may jump to; a routine defines each with a label item. A jump goes to the
/// label in the innermost routine on the call chain that defines it.
enum class Target : std::uint8_t {
  retry,           // writer: re-execute the store (the CPU restarts the faulting instruction)
  fault_none,      // writer: the PTE is not present
  fault_wp,        // writer: the PTE is present but read-only
  lookup,          // loops over pages: look up the next batch of tagged pages
  next_page,       // loops over pages: go on with the next page
  page_clean,      // clear_page_dirty_for_io returned 0
  page_ready,      // writeback loop: the page is locked and not under writeback
  loop_end,        // a loop over pages is finished
  mkclean_done,    // page_mkclean returned (its early return for a page no longer mapped)
  writepage_done,  // ->writepage returned early (ext4_writepage: it may not allocate)
  count
};
inline constexpr int kTargets = static_cast<int>(Target::count);

/// Where an actor goes after a step.
struct Flow {
  enum class Kind : std::uint8_t { next, again, jump };
  Kind kind;
  Target target;
  static constexpr Flow next() { return {Kind::next, Target::retry}; }
  /// The same step again: loops that take one step per mapping, buffer or page.
  static constexpr Flow again() { return {Kind::again, Target::retry}; }
  static constexpr Flow to(Target t) { return {Kind::jump, t}; }
};

/// What a step works on: the successor state being built and the actor taking the step.
struct Exec {
  State& s;
  const Env& env;
  int self;
  std::uint8_t choice;  // which outcome of a nondeterministic step
  Actor& me() const { return s.actor[static_cast<std::size_t>(self)]; }
};

/// Blocking: false while the actor waits (for a lock, for writeback).
using Guard = bool (*)(const State&, const Env&, int self);
/// Decided on arrival, without a transition; may read only the actor's own locals and the
/// scenario, which no other actor can change in between.
using Skip = bool (*)(const State&, const Env&, int self);
using Apply = Flow (*)(Exec&);

/// The variables a step reads and writes, declared once per step (Step::reads, Step::writes).
/// Locals are the kernel variables an actor carries from one step to the next (fields of
/// Actor); the ordering graph derives its data dependencies from them. The shared variables,
/// by kind of object, give the transitions' dependency relation (model/dependency.hpp).
/// A loop's own `cursor` is not listed: it is 0 whenever the actor is between two steps.
enum class Var : std::uint8_t {
  // locals
  page,        // the page the routine works on
  cleaned,     // page_mkclean's result, for `if (page_mkclean(page)) set_page_dirty(page)`
  index,       // write_cache_pages: next index of the tag lookup
  pagevec,     // the pages of the last lookup still to visit
  refs,        // the page references the actor holds (reclaim counts every actor's: extra_refs)
  picked,      // __block_write_full_page: buffers marked for async write
  underway,    // __block_write_full_page: nr_underway, writes submitted
  orig_pte,    // the fault: the PTE as it first read it (orig_pte / pte_same)
  stores,      // the writer: stores done, hence which block the next one goes to
  called,      // msync/fsync: the versions in memory at the call (ghost)
  wait_index,  // filemap_fdatawait: next index of its lookup
  ubc,         // reclaim: the deferred TLB flush it owes (tlb_ubc)
  err,         // msync/fsync: the error the call will return
  // shared
  cached,     // the page is in the page cache
  page_lock,  // PG_locked
  pg_dirty,   // PG_dirty
  pg_writeback,
  tags,      // the page-cache tags
  buffers,   // BH_Dirty, BH_Lock, BH_Async_Write
  data,      // a block's version in memory
  io,        // a block's write I/O and its version on disk
  pte,       // PTEs
  nr_dirty,  // NR_FILE_DIRTY
  rmap,      // the map count: which mappings count in it (page_mapped)
  ptl,       // a PTE lock held across steps (zap_pte_range)
  tlb,       // the CPUs' TLB entries and each mm's pending batched flush
  vma,       // each mapping's VMA protection (VM_WRITE per page) and its mmap_sem
  errors,    // write errors: PG_error, AS_EIO, mapping->wb_err, each file's f_wb_err
  count
};
inline constexpr int kVars = static_cast<int>(Var::count);
/// The locals: every Var before `cached`.
inline constexpr int kLocals = static_cast<int>(Var::cached);

using VarSet = std::uint32_t;
constexpr VarSet vars(std::initializer_list<Var> list) {
  VarSet set = 0;
  for (Var v : list) set |= VarSet{1} << static_cast<int>(v);
  return set;
}
constexpr bool has(VarSet set, Var v) {
  return (set >> static_cast<int>(v)) & 1u;
}
inline constexpr VarSet kLocalVars = (VarSet{1} << kLocals) - 1;

/// The name a variable has in messages and reports (the Var's own name).
constexpr std::string_view var_name(Var v) {
  constexpr std::array<std::string_view, kVars> kNames = {
      "page",      "cleaned",  "index",        "pagevec",    "refs",    "picked", "underway",
      "orig_pte",  "stores",   "called",       "wait_index", "ubc",     "err",    "cached",
      "page_lock", "pg_dirty", "pg_writeback", "tags",       "buffers", "data",   "io",
      "pte",       "nr_dirty", "rmap",         "ptl",        "tlb",     "vma",    "errors"};
  return kNames[static_cast<std::size_t>(v)];
}
/// The names of a set's variables, comma-separated, in Var order.
inline std::string var_names(VarSet set) {
  std::string out;
  for (int i = 0; i < kVars; ++i) {
    if (set >> i & 1u)
      out += (out.empty() ? "" : ", ") + std::string(var_name(static_cast<Var>(i)));
  }
  return out;
}

/// What a step does to the lock of the page it works on, on its straight-line path. The ordering
/// explorer keeps steps on their side of each lock boundary unless the user moves them across.
enum class PageLock : std::uint8_t { none, acquire, release };

constexpr std::uint16_t jumps_to(std::initializer_list<Target> targets) {
  std::uint16_t mask = 0;
  for (Target t : targets) mask = static_cast<std::uint16_t>(mask | 1u << static_cast<int>(t));
  return mask;
}

struct Step {
  std::string_view name;      // the kernel identifier of the operation, e.g. "TestClearPageDirty"
  std::string_view function;  // the kernel function it belongs to
  std::string_view source;    // file and versions, e.g. "mm/page-writeback.c (2.6.20+)"
  std::string_view what;      // one sentence: what the step does
  /// One round per mapping, mapping 0 first (`cursor` is the mapping: an rmap walk). The order
  /// tells mappings apart, so symmetry reduction never swaps the mappings of a scenario whose
  /// actors take such a step (model/symmetry.hpp).
  bool per_mapping = false;
  Apply apply = nullptr;
  Guard enabled = nullptr;         // null: never blocks
  Skip skip = nullptr;             // null: never skipped
  Target skip_to = Target::count;  // count: a skipped step goes on with the next step
  /// `skip` reads the scenario only (WB_SYNC_ALL, stable writes, ...): decided once per actor.
  bool skip_by_scenario = false;
  std::uint16_t jumps = 0;  // jumps_to(...) of every target `apply` may return
  /// Nondeterministic outcomes: apply runs once per outcome name; one name means one outcome.
  std::array<std::string_view, 2> outcomes = {};
  /// An actor about to take this step holds no page lock and is inside no kernel routine.
  bool rest = false;
  /// Ordering explorer (model/ordering.hpp): the page lock this step takes or drops.
  PageLock page_lock = PageLock::none;
  /// Ordering explorer: the routine's entry point (a system call recording its call); nothing
  /// moves before it.
  bool entry = false;
  /// What the step (with its guard and skip) reads and what it writes. A local written on some
  /// paths only is declared read too, since its old value may pass through. The ordering
  /// explorer keeps a step after any step of its routine that writes a local it reads, and
  /// before any that writes a local it reads; a self-checking build verifies every write.
  VarSet reads = 0;
  VarSet writes = 0;
  /// Locals a skipped step sets to 0: what it computes when its skip condition holds
  /// (submit_bh with nothing picked leaves nr_underway 0).
  VarSet skip_clears = 0;

  int choices() const { return outcomes[1].empty() ? 1 : 2; }
};

}  // namespace dirtyrace::model
