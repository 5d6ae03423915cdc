// Unit tests of single kernel steps on hand-made states.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"
#include "model/routines.hpp"
#include "model/variant.hpp"
#include "support.hpp"

using namespace dirtyrace;
using namespace dirtyrace::model;
using namespace dirtyrace::model::kernel;

TEST_CASE("TestClearPageDirty clears PG_dirty, counts it down, and leaves the DIRTY tag") {
  const Model m(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  State s = m.initial();
  s.page[0] = Page{.cached = 1,
                   .locked_by = 1,
                   .dirty = 1,
                   .writeback = 0,
                   .tag_dirty = 1,
                   .tag_writeback = 0,
                   .tag_towrite = 0,
                   .error = 0};
  s.nr_dirty = 1;
  Exec x{s, m.env(), 0, 0};
  const Flow f = kernel::kTestClearPageDirty.apply(x);
  CHECK(f.kind == Flow::Kind::next);
  CHECK(s.page[0].dirty == 0);
  CHECK(s.page[0].tag_dirty == 1);
  CHECK(s.nr_dirty == 0);
  CHECK(s.ghost_bug == kBugNone);
}

namespace {

constexpr std::uint8_t kRw = kPtePresent | kPteWrite;
constexpr std::uint8_t kRwDirty = kPtePresent | kPteWrite | kPteDirty;

std::size_t at(int i) {
  return static_cast<std::size_t>(i);
}
/// The value of Page::locked_by when actor `a` holds the page lock.
std::uint8_t holder(int a) {
  return static_cast<std::uint8_t>(a + 1);
}

/// A model of one scenario and a state to set by hand and step.
struct Rig {
  explicit Rig(Scenario sc) : m(std::move(sc)), s(m.initial()) {}

  const Env& env() const { return m.env(); }
  Page& page(int p) { return s.page[at(p)]; }
  Block& block(int g) { return s.block[at(g)]; }
  std::uint8_t& pte(int mapping, int p) { return s.pte[at(mapping)][at(p)]; }
  std::uint8_t& rmap(int mapping, int p) { return s.rmap[at(mapping)][at(p)]; }
  std::uint8_t& tlb(int cpu, int p) { return s.tlb[at(cpu)][at(p)]; }
  /// A present PTE with `bits`, counted in the page's map count (page_add_file_rmap).
  void map(int mapping, int p, std::uint8_t bits) {
    pte(mapping, p) = bits;
    rmap(mapping, p) = 1;
  }
  Actor& actor(int a) { return s.actor[at(a)]; }

  /// Puts page p in the page cache, clean and unlocked.
  Page& cache(int p) {
    page(p).cached = 1;
    return page(p);
  }
  /// Page p dirty as set_page_dirty leaves it: PG_dirty, tag DIRTY, counted.
  void dirty(int p) {
    cache(p).dirty = 1;
    page(p).tag_dirty = 1;
    ++s.nr_dirty;
  }

  Flow apply(const Step& st, int a, int choice = 0) {
    Exec x{s, env(), a, static_cast<std::uint8_t>(choice)};
    return st.apply(x);
  }
  bool enabled(const Step& st, int a) const { return !st.enabled || st.enabled(s, env(), a); }
  bool skipped(const Step& st, int a) const { return st.skip && st.skip(s, env(), a); }
  /// Every scenario actor finished, so that only the device moves.
  void finish_actors() {
    for (int a = 0; a < env().actors; ++a) actor(a).pc = env().of(a).program.done();
  }

  Model m;
  State s;
};

/// The scenario with actor `actor` working on pages [first, last] only.
Scenario ranged(Scenario sc, int actor, int first, int last) {
  sc.actors[at(actor)].first_page = first;
  sc.actors[at(actor)].last_page = last;
  return sc;
}

bool is_next(Flow f) {
  return f.kind == Flow::Kind::next;
}
bool is_again(Flow f) {
  return f.kind == Flow::Kind::again;
}
/// A jump to `t` that the step declares (a program resolves only declared targets).
bool jumped(const Step& st, Flow f, Target t) {
  return f.kind == Flow::Kind::jump && f.target == t && (st.jumps & jumps_to({t})) != 0;
}

struct Move {
  Transition t;
  State next;
};
/// The device's transitions from the rig's state.
std::vector<Move> device_moves(const Rig& r) {
  std::vector<Move> out;
  r.m.for_each_transition(r.s, [&](Transition t, const State& next) {
    if (t.actor == Transition::kDevice) out.push_back({t, next});
  });
  return out;
}

}  // namespace

// --- the writer's stores ------------------------------------------------------------------------

TEST_CASE("store through a present writable PTE sets its dirty bit and writes a new version") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "writer"));  // stores to blocks 0 and 1
  r.cache(0);
  r.pte(0, 0) = kRw;
  CHECK(is_again(r.apply(kStore, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.block(0).mem == 1);
  CHECK(r.block(1).mem == 0);
  CHECK(r.actor(0).stores == 1);
  CHECK(is_next(r.apply(kStore, 0)));
  CHECK(r.block(1).mem == 1);
  CHECK(r.actor(0).stores == 2);
  // The MMU touches neither PG_dirty nor the buffers.
  CHECK(r.page(0).dirty == 0);
  CHECK(r.block(0).dirty == 0);
  CHECK(r.s.nr_dirty == 0);
  CHECK(r.skipped(kStore, 0));
  CHECK(kStore.skip_to == Target::loop_end);
}

TEST_CASE("each store writes a version one past every store to its block so far") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer,writer"));
  r.cache(0);
  r.pte(0, 0) = kRw;
  r.apply(kStore, 1);
  CHECK(r.block(0).mem == 1);
  r.apply(kStore, 0);
  CHECK(r.block(0).mem == 2);
  r.apply(kStore, 0);
  CHECK(r.block(0).mem == 3);
}

TEST_CASE("the writer's k-th store goes to targets[k % n]") {
  Rig r(test::scenario("linux-6.12", 2, 1, 1, "writer", {}, 3));  // blocks 0, 1, 0
  REQUIRE(r.env().of(0).targets == std::vector<int>{0, 1});
  r.cache(0);
  r.cache(1);
  r.pte(0, 0) = kRw;
  r.actor(0).stores = 1;  // the next store goes to block 1, whose page is not mapped
  CHECK(jumped(kStore, r.apply(kStore, 0), Target::fault_none));
  r.actor(0).stores = 2;  // the third store goes to block 0 again
  CHECK(is_next(r.apply(kStore, 0)));
  CHECK(r.block(0).mem == 2);
  CHECK(r.actor(0).stores == 3);
}

TEST_CASE("store to a non-present PTE records it as orig_pte and takes the fault_none path") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.actor(0).orig_pte = kRwDirty;  // stale
  CHECK(jumped(kStore, r.apply(kStore, 0), Target::fault_none));
  CHECK(r.actor(0).orig_pte == 0);
  CHECK(r.actor(0).stores == 0);
  CHECK(r.block(0).mem == 0);
  CHECK(r.pte(0, 0) == 0);
}

TEST_CASE("store to a present read-only PTE records it and takes the fault_wp path") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.cache(0);
  r.block(0).mem = 1;
  r.pte(0, 0) = kPtePresent;
  CHECK(jumped(kStore, r.apply(kStore, 0), Target::fault_wp));
  CHECK(r.actor(0).orig_pte == kPtePresent);
  CHECK(r.pte(0, 0) == kPtePresent);
  CHECK(r.block(0).mem == 1);
  CHECK(r.actor(0).stores == 0);
}

TEST_CASE("with stable writes, a store to a block locked for I/O is flagged (ghost)") {
  Scenario sc = test::scenario("linux-4.19", 1, 1, 1, "writer");
  sc.stable_writes = true;
  Rig stable(sc);
  Rig plain(test::scenario("linux-4.19", 1, 1, 1, "writer"));
  for (Rig* r : {&stable, &plain}) {
    r->cache(0).writeback = 1;
    r->block(0).locked = 1;
    r->block(0).io = kIoSubmitted;
    r->pte(0, 0) = kRw;
    r->apply(kStore, 0);
    CHECK(r->block(0).mem == 1);  // the store goes through either way
  }
  CHECK(stable.s.ghost_unstable_store == 1);
  CHECK(plain.s.ghost_unstable_store == 0);

  stable.block(0).locked = 0;
  stable.s.ghost_unstable_store = 0;
  stable.apply(kStore, 0);
  CHECK(stable.s.ghost_unstable_store == 0);
}

// --- do_shared_fault and ->page_mkwrite (2.6.23+) -----------------------------------------------

TEST_CASE("filemap_fault reads an uncached page (mem = disk, clean), takes a reference, locks it") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "writer"));
  r.block(0).disk = 3;
  r.block(0).mem = 5;  // ghost of what the page held when reclaim dropped it
  r.block(1).disk = 2;
  r.block(1).mem = 2;
  CHECK(r.enabled(kFilemapFault, 0));
  CHECK(is_next(r.apply(kFilemapFault, 0)));
  CHECK(r.page(0).cached == 1);
  CHECK(r.page(0).locked_by == holder(0));
  CHECK(r.page(0).dirty == 0);
  CHECK(r.page(0).tag_dirty == 0);
  CHECK(r.block(0).mem == 3);
  CHECK(r.block(1).mem == 2);
  CHECK(r.block(0).dirty == 0);
  CHECK(r.actor(0).refs == 0b1);
  CHECK(r.s.nr_dirty == 0);
}

TEST_CASE("filemap_fault finds a cached page and leaves its contents and flags alone") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.dirty(0);
  r.block(0).mem = 4;
  r.block(0).disk = 2;
  r.block(0).dirty = 1;
  r.apply(kFilemapFault, 0);
  CHECK(r.block(0).mem == 4);
  CHECK(r.block(0).disk == 2);
  CHECK(r.block(0).dirty == 1);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.page(0).locked_by == holder(0));
  CHECK(r.actor(0).refs == 0b1);
}

TEST_CASE("filemap_fault waits while another actor holds the lock of the target page") {
  // The writer's first store goes to page 0.
  Rig r(test::scenario("linux-6.12", 2, 1, 1, "writer,flusher"));
  CHECK(r.enabled(kFilemapFault, 0));  // not cached: it will be read in
  r.cache(0).locked_by = holder(1);
  CHECK_FALSE(r.enabled(kFilemapFault, 0));
  r.page(0).locked_by = 0;
  CHECK(r.enabled(kFilemapFault, 0));
  r.cache(1).locked_by = holder(1);  // another page: no matter
  CHECK(r.enabled(kFilemapFault, 0));
}

TEST_CASE("do_shared_fault unlocks the page before ->page_mkwrite, keeping its reference") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.cache(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  CHECK(is_next(r.apply(kUnlockBeforeMkwrite, 0)));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).refs == 0b1);
  CHECK(r.s.ghost_bug == kBugNone);
}

TEST_CASE("block_page_mkwrite lock_page waits for another holder, then takes the lock") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer,flusher"));
  r.cache(0).locked_by = holder(1);
  CHECK_FALSE(r.enabled(kMkwriteLockPage, 0));
  r.page(0).locked_by = 0;
  CHECK(r.enabled(kMkwriteLockPage, 0));
  CHECK(is_next(r.apply(kMkwriteLockPage, 0)));
  CHECK(r.page(0).locked_by == holder(0));
}

TEST_CASE("block_page_mkwrite marks every buffer dirty and sets PG_dirty, counted and tagged") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "writer"));
  r.cache(0).locked_by = holder(0);
  CHECK(is_next(r.apply(kMkwriteSetPageDirty, 0)));
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(r.page(0).locked_by == holder(0));
}

TEST_CASE("wait_for_stable_page waits for writeback only when stable writes are required") {
  Rig plain(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  CHECK(plain.skipped(kWaitForStablePage, 0));

  Scenario sc = test::scenario("linux-6.12", 1, 1, 1, "writer");
  sc.stable_writes = true;
  Rig stable(sc);
  CHECK_FALSE(stable.skipped(kWaitForStablePage, 0));
  stable.cache(0).locked_by = holder(0);
  stable.page(0).writeback = 1;
  CHECK_FALSE(stable.enabled(kWaitForStablePage, 0));
  stable.page(0).writeback = 0;
  CHECK(stable.enabled(kWaitForStablePage, 0));
  CHECK(is_next(stable.apply(kWaitForStablePage, 0)));
  CHECK(stable.page(0).locked_by == holder(0));
}

TEST_CASE("finish_fault installs a present, writable, dirty PTE and hands it the reference") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  CHECK(is_next(r.apply(kFinishFault, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.actor(0).refs == 0);
  CHECK(r.actor(0).orig_pte == 0);
  CHECK(r.page(0).locked_by == holder(0));  // held until fault_dirty_shared_page
}

TEST_CASE("finish_fault on a PTE already present unlocks, drops the reference and retries") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  r.pte(0, 0) = kPtePresent;  // installed by a racing fault of another thread
  CHECK(jumped(kFinishFault, r.apply(kFinishFault, 0), Target::retry));
  CHECK(r.pte(0, 0) == kPtePresent);
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).refs == 0);
  CHECK(r.s.ghost_bug == kBugNone);
}

TEST_CASE("fault_dirty_shared_page re-dirties every buffer and counts a page only once") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "writer"));
  r.dirty(0);  // PG_dirty, but the journal has cleaned the buffers
  r.page(0).locked_by = holder(0);
  CHECK(is_next(r.apply(kFaultDirtySharedPage, 0)));
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.s.nr_dirty == 1);

  Rig clean(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  clean.cache(0).locked_by = holder(0);
  clean.apply(kFaultDirtySharedPage, 0);
  CHECK(clean.page(0).dirty == 1);
  CHECK(clean.page(0).tag_dirty == 1);
  CHECK(clean.s.nr_dirty == 1);
}

TEST_CASE("fault_dirty_shared_page unlocks the page and drops the fault's reference") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer,flusher"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  CHECK(is_next(r.apply(kFaultUnlockPage, 0)));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).refs == 0);
  CHECK(r.s.ghost_bug == kBugNone);

  r.page(0).locked_by = holder(1);  // unlock_page of a lock the writer does not hold
  r.apply(kFaultUnlockPage, 0);
  CHECK(r.s.ghost_bug == kBugUnlockNotHeld);
  CHECK(r.page(0).locked_by == holder(1));
}

TEST_CASE("a write fault on a missing page, step by step, leaves a dirty page and PTE, no ref") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "writer"));
  CHECK(jumped(kStore, r.apply(kStore, 0), Target::fault_none));
  for (const Step* st :
       {&kFilemapFault, &kUnlockBeforeMkwrite, &kMkwriteLockPage, &kMkwriteSetPageDirty,
        &kFinishFault, &kFaultDirtySharedPage, &kFaultUnlockPage}) {
    CAPTURE(st->name);
    REQUIRE(r.enabled(*st, 0));
    CHECK(is_next(r.apply(*st, 0)));
  }
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).refs == 0);
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(is_again(r.apply(kStore, 0)));  // the CPU retries the store, which now goes through
  CHECK(r.block(0).mem == 1);
}

// --- do_wp_page / wp_page_shared (2.6.23+) ------------------------------------------------------

TEST_CASE("do_wp_page takes a reference when the PTE is the one the fault read") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.cache(0);
  r.pte(0, 0) = kPtePresent;
  r.actor(0).orig_pte = kPtePresent;
  CHECK(is_next(r.apply(kDoWpPage, 0)));
  CHECK(r.actor(0).refs == 0b1);
  CHECK(r.actor(0).orig_pte == kPtePresent);
  CHECK(r.pte(0, 0) == kPtePresent);
}

TEST_CASE("do_wp_page retries without a reference when the PTE changed since the fault") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.cache(0);
  r.pte(0, 0) = 0;  // zapped by munmap meanwhile
  r.actor(0).orig_pte = kPtePresent;
  CHECK(jumped(kDoWpPage, r.apply(kDoWpPage, 0), Target::retry));
  CHECK(r.actor(0).refs == 0);
}

TEST_CASE("finish_mkwrite_fault makes an unchanged PTE writable and dirty, keeping the lock") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  r.pte(0, 0) = kPtePresent;
  r.actor(0).orig_pte = kPtePresent;
  CHECK(is_next(r.apply(kFinishMkwriteFault, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.actor(0).refs == 0b1);  // dropped by fault_dirty_shared_page
  CHECK(r.page(0).locked_by == holder(0));
}

TEST_CASE("finish_mkwrite_fault on a changed PTE unlocks, drops the reference and retries") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  r.pte(0, 0) = 0;
  r.actor(0).orig_pte = kPtePresent;
  CHECK(jumped(kFinishMkwriteFault, r.apply(kFinishMkwriteFault, 0), Target::retry));
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).refs == 0);
}

// --- do_no_page, do_wp_page, set_page_dirty_balance (2.6.18-2.6.22) -----------------------------

TEST_CASE("filemap_nopage reads the page and takes a reference without locking it") {
  Rig r(test::scenario("linux-2.6.19", 1, 1, 1, "writer,flusher"));
  CHECK((kFilemapNopage.enabled == nullptr));  // never blocks
  r.block(0).disk = 2;
  CHECK(is_next(r.apply(kFilemapNopage, 0)));
  CHECK(r.page(0).cached == 1);
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.block(0).mem == 2);
  CHECK(r.actor(0).refs == 0b1);

  r.page(0).locked_by = holder(1);  // a cached page is found even while another holds its lock
  r.actor(0).refs = 0;
  r.apply(kFilemapNopage, 0);
  CHECK(r.actor(0).refs == 0b1);
  CHECK(r.page(0).locked_by == holder(1));
}

TEST_CASE("2.6.18 do_no_page installs a writable dirty PTE and hands it its only reference") {
  Rig r(test::scenario("linux-2.6.18", 1, 1, 1, "writer"));
  r.cache(0);
  r.actor(0).refs = 0b1;
  CHECK(is_next(r.apply(kDoNoPage, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.actor(0).refs == 0);
  CHECK(r.page(0).dirty == 0);  // no write-notify: nothing dirties the page
  CHECK(r.s.nr_dirty == 0);
}

TEST_CASE("2.6.19 do_no_page keeps a second reference as dirty_page for set_page_dirty_balance") {
  Rig r(test::scenario("linux-2.6.19", 1, 1, 1, "writer"));
  r.cache(0);
  r.actor(0).refs = 0b1;
  CHECK(is_next(r.apply(kDoNoPage, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.actor(0).refs == 0b1);
  CHECK(r.page(0).dirty == 0);
}

TEST_CASE("do_no_page drops its reference and retries when the PTE is already present") {
  for (const char* v : {"linux-2.6.18", "linux-2.6.19", "linux-2.6.20"}) {
    CAPTURE(v);
    Rig r(test::scenario(v, 1, 1, 1, "writer"));
    r.cache(0);
    r.actor(0).refs = 0b1;
    r.pte(0, 0) = kPtePresent;
    CHECK(jumped(kDoNoPage, r.apply(kDoNoPage, 0), Target::retry));
    CHECK(r.pte(0, 0) == kPtePresent);
    CHECK(r.actor(0).refs == 0);
    CHECK(r.actor(0).orig_pte == 0);
  }
}

TEST_CASE("pre-2.6.23 do_wp_page reuses an unchanged PTE — 2.6.19 keeps a dirty_page reference") {
  Rig old(test::scenario("linux-2.6.18", 1, 1, 1, "writer"));
  Rig notify(test::scenario("linux-2.6.19", 1, 1, 1, "writer"));
  for (Rig* r : {&old, &notify}) {
    r->cache(0);
    r->pte(0, 0) = kPtePresent;
    r->actor(0).orig_pte = kPtePresent;
    CHECK(is_next(r->apply(kDoWpPageReuse, 0)));
    CHECK(r->pte(0, 0) == kRwDirty);
    CHECK(r->actor(0).page == 0);  // the page the PTE maps, for set_page_dirty_balance
    CHECK(r->page(0).dirty == 0);
  }
  CHECK(old.actor(0).refs == 0);
  CHECK(notify.actor(0).refs == 0b1);
}

TEST_CASE("pre-2.6.23 do_wp_page retries without a reference when the PTE changed") {
  Rig r(test::scenario("linux-2.6.19", 1, 1, 1, "writer"));
  r.cache(0);
  r.pte(0, 0) = 0;
  r.actor(0).orig_pte = kPtePresent;
  CHECK(jumped(kDoWpPageReuse, r.apply(kDoWpPageReuse, 0), Target::retry));
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.actor(0).refs == 0);
}

TEST_CASE("set_page_dirty_balance dirties the page without the page lock and drops dirty_page") {
  Rig r(test::scenario("linux-2.6.20", 1, 2, 1, "writer,flusher"));
  CHECK((kSetPageDirtyBalance.enabled == nullptr));  // never blocks
  r.cache(0).locked_by = holder(1);  // the flusher is inside clear_page_dirty_for_io
  r.actor(0).refs = 0b1;
  r.pte(0, 0) = kRwDirty;
  CHECK(is_next(r.apply(kSetPageDirtyBalance, 0)));
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(r.page(0).locked_by == holder(1));
  CHECK(r.actor(0).refs == 0);
  CHECK(r.s.ghost_bug == kBugNone);
}

// --- __do_fault, do_wp_page (2.6.23-2.6.29: 79352894, before b827e496) -------------------------

TEST_CASE("2.6.29 block_page_mkwrite unlocks the page it dirtied and keeps the fault's reference") {
  Rig r(test::scenario("linux-2.6.29", 1, 1, 1, "writer,flusher"));
  r.cache(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  CHECK(is_next(r.apply(kMkwriteSetPageDirty, 0)));
  CHECK(is_next(r.apply(kMkwriteUnlockPage, 0)));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.actor(0).refs == 0b1);
  CHECK(r.s.ghost_bug == kBugNone);
  r.page(0).locked_by = holder(1);  // not the writer's lock
  r.apply(kMkwriteUnlockPage, 0);
  CHECK(r.s.ghost_bug == kBugUnlockNotHeld);
}

TEST_CASE("2.6.29 __do_fault relocks after ->page_mkwrite, waiting for another holder") {
  Rig r(test::scenario("linux-2.6.29", 1, 1, 1, "writer,flusher"));
  r.cache(0).locked_by = holder(1);  // the flusher cleans the page meanwhile
  r.actor(0).refs = 0b1;
  CHECK_FALSE(r.enabled(kDoFaultRelockPage, 0));
  r.page(0).locked_by = 0;
  CHECK(r.enabled(kDoFaultRelockPage, 0));
  CHECK(is_next(r.apply(kDoFaultRelockPage, 0)));
  CHECK(r.page(0).locked_by == holder(0));
  CHECK(r.actor(0).refs == 0b1);
}

TEST_CASE("2.6.29 __do_fault set_pte_at installs the PTE under the page lock, keeps dirty_page") {
  Rig r(test::scenario("linux-2.6.29", 1, 1, 1, "writer"));
  r.cache(0).locked_by = holder(0);  // clean: a flusher cleaned it after ->page_mkwrite
  r.actor(0).refs = 0b1;
  CHECK(is_next(r.apply(kDoFaultSetPte, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.rmap(0, 0) == 1);
  CHECK(r.actor(0).refs == 0b1);  // get_page(dirty_page): dropped by set_page_dirty_balance
  CHECK(r.page(0).locked_by == holder(0));
  CHECK(r.page(0).dirty == 0);  // PG_dirty waits for set_page_dirty_balance

  Rig raced(test::scenario("linux-2.6.29", 1, 1, 1, "writer"));
  raced.cache(0).locked_by = holder(0);
  raced.actor(0).refs = 0b1;
  raced.map(0, 0, kPtePresent);  // another thread's fault installed it first
  CHECK(jumped(kDoFaultSetPte, raced.apply(kDoFaultSetPte, 0), Target::retry));
  CHECK(raced.pte(0, 0) == kPtePresent);
  CHECK(raced.page(0).locked_by == 0);
  CHECK(raced.actor(0).refs == 0);
}

TEST_CASE("2.6.29 __do_fault set_pte_at waits for a PTE lock held by zap_pte_range") {
  Rig r(test::scenario("linux-2.6.29", 1, 1, 1, "writer,munmap"));
  r.cache(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  r.s.ptl[0] = holder(1);
  CHECK_FALSE(r.enabled(kDoFaultSetPte, 0));
  CHECK_FALSE(r.enabled(kDoWpPageMkwriteReuse, 0));
  r.s.ptl[0] = 0;
  CHECK(r.enabled(kDoFaultSetPte, 0));
  CHECK(r.enabled(kDoWpPageMkwriteReuse, 0));
}

TEST_CASE("2.6.29 __do_fault unlocks the page before set_page_dirty_balance, keeping dirty_page") {
  Rig r(test::scenario("linux-2.6.29", 1, 1, 1, "writer"));
  r.cache(0).locked_by = holder(0);
  r.actor(0).refs = 0b1;
  r.map(0, 0, kRwDirty);
  CHECK(is_next(r.apply(kDoFaultUnlockPage, 0)));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).refs == 0b1);
  CHECK(r.page(0).dirty == 0);
}

TEST_CASE("a 2.6.29 write fault on a missing page, step by step: PTE writable before PG_dirty") {
  Rig r(test::scenario("linux-2.6.29", 1, 2, 1, "writer"));
  CHECK(jumped(kStore, r.apply(kStore, 0), Target::fault_none));
  for (const Step* st : {&kFilemapFault, &kUnlockBeforeMkwrite, &kMkwriteLockPage,
                         &kMkwriteSetPageDirty, &kMkwriteUnlockPage, &kDoFaultRelockPage}) {
    CAPTURE(st->name);
    REQUIRE(r.enabled(*st, 0));
    CHECK(is_next(r.apply(*st, 0)));
  }
  // A flusher cleans the page between ->page_mkwrite and the relock: the page is clean when
  // the PTE becomes writable, and only set_page_dirty_balance dirties it again.
  CHECK(test_clear_page_dirty(r.s, 0));
  r.block(0).dirty = r.block(1).dirty = 0;
  r.page(0).tag_dirty = 0;
  for (const Step* st : {&kDoFaultSetPte, &kDoFaultUnlockPage}) {
    CAPTURE(st->name);
    REQUIRE(r.enabled(*st, 0));
    CHECK(is_next(r.apply(*st, 0)));
  }
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.page(0).dirty == 0);
  CHECK(r.page(0).locked_by == 0);
  CHECK(is_next(r.apply(kSetPageDirtyBalance, 0)));
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(r.actor(0).refs == 0);
}

TEST_CASE("2.6.29 do_wp_page takes a reference for ->page_mkwrite or retries if the PTE changed") {
  Rig r(test::scenario("linux-2.6.29", 1, 1, 1, "writer"));
  r.cache(0);
  r.map(0, 0, kPtePresent);
  r.actor(0).orig_pte = kPtePresent;
  CHECK(is_next(r.apply(kDoWpPageMkwrite, 0)));
  CHECK(r.actor(0).refs == 0b1);
  CHECK(r.actor(0).page == 0);
  CHECK(r.pte(0, 0) == kPtePresent);

  Rig zapped(test::scenario("linux-2.6.29", 1, 1, 1, "writer"));
  zapped.cache(0);
  zapped.actor(0).orig_pte = kPtePresent;  // the PTE is none now
  CHECK(jumped(kDoWpPageMkwrite, zapped.apply(kDoWpPageMkwrite, 0), Target::retry));
  CHECK(zapped.actor(0).refs == 0);
}

TEST_CASE("2.6.29 do_wp_page makes an unchanged PTE writable without the page lock") {
  Rig r(test::scenario("linux-2.6.29", 1, 1, 1, "writer,flusher"));
  r.cache(0).locked_by = holder(1);  // the flusher holds the lock: do_wp_page does not care
  r.map(0, 0, kPtePresent);
  r.actor(0).orig_pte = kPtePresent;
  r.actor(0).refs = 0b1;
  CHECK(is_next(r.apply(kDoWpPageMkwriteReuse, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.actor(0).refs == 0b1);  // dirty_page, for set_page_dirty_balance
  CHECK(r.page(0).locked_by == holder(1));
  CHECK(r.s.ghost_bug == kBugNone);

  Rig changed(test::scenario("linux-2.6.29", 1, 1, 1, "writer"));
  changed.cache(0);
  changed.actor(0).orig_pte = kPtePresent;
  changed.actor(0).refs = 0b1;  // the PTE was zapped while ->page_mkwrite ran
  CHECK(jumped(kDoWpPageMkwriteReuse, changed.apply(kDoWpPageMkwriteReuse, 0), Target::retry));
  CHECK(changed.pte(0, 0) == 0);
  CHECK(changed.actor(0).refs == 0);
  CHECK(changed.s.ghost_bug == kBugNone);  // no page lock to drop
}

TEST_CASE("wait_on_page_locked waits while anyone holds the page lock, and takes nothing") {
  Rig r(test::scenario("linux-2.6.29", 1, 1, 1, "writer,flusher"));
  r.cache(0).locked_by = holder(1);
  r.actor(0).refs = 0b1;
  CHECK_FALSE(r.enabled(kWaitOnPageLocked, 0));
  r.page(0).locked_by = 0;
  REQUIRE(r.enabled(kWaitOnPageLocked, 0));
  const State before = r.s;
  CHECK(is_next(r.apply(kWaitOnPageLocked, 0)));
  CHECK(r.s == before);
}

// --- ext3 on 2.6.32: no ->page_mkwrite ---------------------------------------------------------

TEST_CASE("2.6.32 ext3 routines: do_wp_page dirties after the PTE is writable, without the lock") {
  const auto table = routines_for(variant_named("linux-2.6.32"), Filesystem::ext3);
  const auto steps_of = [&](std::string_view routine) {
    std::vector<const Step*> out;
    for (const Item& i : table.get(routine)) out.push_back(i.step);
    return out;
  };
  CHECK(steps_of("do_wp_page") ==
        std::vector<const Step*>{&kDoWpPageReuse, &kWaitOnPageLocked, &kSetPageDirtyBalance});
  CHECK(steps_of("do_shared_fault") == std::vector<const Step*>{&kFilemapFault, &kFinishFault,
                                                                &kFaultDirtySharedPage,
                                                                &kFaultUnlockPage});
  CHECK_FALSE(table.has("page_mkwrite"));

  Scenario sc = test::scenario("linux-2.6.32", 1, 1, 1, "writer,flusher");
  sc.fs = Filesystem::ext3;
  Rig r(sc);
  r.cache(0);  // clean after writeback; page_mkclean left the PTE read-only
  r.map(0, 0, kPtePresent);
  r.actor(0).orig_pte = kPtePresent;
  CHECK(is_next(r.apply(kDoWpPageReuse, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);  // writable over a clean page
  CHECK(r.page(0).dirty == 0);
  CHECK(r.actor(0).refs == 0b1);
  r.page(0).locked_by = holder(1);  // the flusher is cleaning the page
  CHECK_FALSE(r.enabled(kWaitOnPageLocked, 0));
  r.page(0).locked_by = 0;
  CHECK(is_next(r.apply(kWaitOnPageLocked, 0)));
  CHECK(is_next(r.apply(kSetPageDirtyBalance, 0)));
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.actor(0).refs == 0);
}

// --- ext3 on 3.14: generic_file_vm_ops' filemap_page_mkwrite (3.6+) ---------------------------

TEST_CASE("3.14 ext3 routines: filemap_page_mkwrite dirties before the PTE, and jbd's journal") {
  const auto steps_of = [](const RoutineTable& table, std::string_view routine) {
    std::vector<const Step*> out;
    for (const Item& i : table.get(routine)) out.push_back(i.step);
    return out;
  };
  const auto ext3 = routines_for(variant_named("linux-3.14"), Filesystem::ext3);
  CHECK(steps_of(ext3, "page_mkwrite") == std::vector<const Step*>{&kFilemapMkwriteLockPage,
                                                                   &kFilemapMkwriteSetPageDirty,
                                                                   &kFilemapWaitForStablePage});
  const auto generic = routines_for(variant_named("linux-3.14"));
  for (std::string_view routine : {"do_shared_fault", "do_wp_page"}) {
    CAPTURE(routine);
    CHECK(steps_of(ext3, routine) == steps_of(generic, routine));
  }
  // ext3 keeps jbd's buffer-level ordered-mode commit; ext4's jbd2 runs the writeback loop.
  CHECK(steps_of(ext3, "journal") == std::vector<const Step*>{&kJournalSubmitBuffer});
  CHECK(steps_of(generic, "journal") == std::vector<const Step*>{nullptr});  // a call
  CHECK(journal_kind(variant_named("linux-3.14"), Filesystem::ext3) == JournalKind::buffers);
  CHECK(journal_kind(variant_named("linux-3.14"), Filesystem::generic) == JournalKind::writepages);
  // 2.6.32's ext3 has no ->page_mkwrite at all.
  CHECK_FALSE(routines_for(variant_named("linux-2.6.32"), Filesystem::ext3).has("page_mkwrite"));
}

TEST_CASE("blockdev routines: the fault path of generic_file_vm_ops, as ext3's, in every era") {
  const auto steps_of = [](const RoutineTable& table, std::string_view routine) {
    std::vector<const Step*> out;
    for (const Item& i : table.get(routine)) out.push_back(i.step);
    return out;
  };
  for (const char* name : {"linux-2.6.32", "linux-3.14"}) {
    CAPTURE(name);
    const Variant& v = variant_named(name);
    const auto blockdev = routines_for(v, Filesystem::blockdev);
    const auto ext3 = routines_for(v, Filesystem::ext3);
    for (std::string_view routine : {"do_shared_fault", "do_wp_page"}) {
      CAPTURE(routine);
      CHECK(steps_of(blockdev, routine) == steps_of(ext3, routine));
    }
  }
  // From 3.6 on, filemap_page_mkwrite on every later variant too.
  for (const char* name : {"linux-4.9", "linux-4.19", "linux-6.1", "linux-6.12"}) {
    CAPTURE(name);
    CHECK(steps_of(routines_for(variant_named(name), Filesystem::blockdev), "page_mkwrite") ==
          std::vector<const Step*>{&kFilemapMkwriteLockPage, &kFilemapMkwriteSetPageDirty,
                                   &kFilemapWaitForStablePage});
  }
  // Before write-notify had ->page_mkwrite, a block device faults as the generic file does.
  for (const char* name : {"linux-2.6.18", "linux-2.6.20"}) {
    CAPTURE(name);
    const Variant& v = variant_named(name);
    CHECK(steps_of(routines_for(v, Filesystem::blockdev), "do_wp_page") ==
          steps_of(routines_for(v), "do_wp_page"));
  }
}

TEST_CASE("a 3.14 ext3 write fault on a missing page, step by step: PG_dirty before the PTE") {
  Scenario sc = test::scenario("linux-3.14", 1, 2, 1, "writer,flusher");
  sc.fs = Filesystem::ext3;
  Rig r(sc);
  CHECK(jumped(kStore, r.apply(kStore, 0), Target::fault_none));
  for (const Step* st : {&kFilemapFault, &kUnlockBeforeMkwrite}) {
    CAPTURE(st->name);
    REQUIRE(r.enabled(*st, 0));
    CHECK(is_next(r.apply(*st, 0)));
  }
  // filemap_page_mkwrite's lock_page waits while the flusher holds the page.
  r.page(0).locked_by = holder(1);
  CHECK_FALSE(r.enabled(kFilemapMkwriteLockPage, 0));
  r.page(0).locked_by = 0;
  REQUIRE(r.enabled(kFilemapMkwriteLockPage, 0));
  CHECK(is_next(r.apply(kFilemapMkwriteLockPage, 0)));
  CHECK(r.page(0).locked_by == holder(0));
  CHECK(r.page(0).dirty == 0);
  CHECK(is_next(r.apply(kFilemapMkwriteSetPageDirty, 0)));
  // Dirty, counted, tagged and every buffer dirty, while the PTE is still none.
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.skipped(kFilemapWaitForStablePage, 0));  // no stable writes in this scenario
  for (const Step* st : {&kFinishFault, &kFaultDirtySharedPage, &kFaultUnlockPage}) {
    CAPTURE(st->name);
    REQUIRE(r.enabled(*st, 0));
    CHECK(is_next(r.apply(*st, 0)));
  }
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).refs == 0);
  CHECK(r.s.nr_dirty == 1);
  CHECK(r.s.ghost_bug == kBugNone);
}

TEST_CASE("filemap_page_mkwrite's wait_for_stable_page waits for writeback with stable writes") {
  Scenario sc = test::scenario("linux-3.14", 1, 1, 1, "writer");
  sc.fs = Filesystem::ext3;
  sc.stable_writes = true;
  Rig r(sc);
  CHECK_FALSE(r.skipped(kFilemapWaitForStablePage, 0));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.page(0).writeback = 1;
  CHECK_FALSE(r.enabled(kFilemapWaitForStablePage, 0));
  r.page(0).writeback = 0;
  REQUIRE(r.enabled(kFilemapWaitForStablePage, 0));
  const State before = r.s;
  CHECK(is_next(r.apply(kFilemapWaitForStablePage, 0)));
  CHECK(r.s == before);  // it waits and returns VM_FAULT_LOCKED, changing nothing
}

// --- the writeback loop: write_cache_pages ------------------------------------------------------

TEST_CASE("6.1+ filemap_fdatawrite_wbc skips the loop when no page of the file is tagged DIRTY") {
  Rig r(ranged(test::scenario("linux-6.12", 2, 1, 1, "msync,fsync,flusher"), 0, 0, 0));
  CHECK_FALSE(r.skipped(kMappingTagged, 0));
  CHECK_FALSE(r.skipped(kMappingTagged, 1));
  CHECK(r.skipped(kMappingTagged, 2));  // the flusher has no such check
  r.cache(0);
  r.cache(1);
  CHECK(jumped(kMappingTagged, r.apply(kMappingTagged, 0), Target::loop_end));
  r.page(1).tag_dirty = 1;  // outside msync's range: mapping_tagged looks at the whole file
  CHECK(is_next(r.apply(kMappingTagged, 0)));

  Rig old(test::scenario("linux-4.19", 1, 1, 1, "msync,fsync"));
  CHECK(old.skipped(kMappingTagged, 0));
  CHECK(old.skipped(kMappingTagged, 1));
}

TEST_CASE("tag_pages_for_writeback tags TOWRITE every DIRTY-tagged page of the sync's range") {
  Rig r(ranged(test::scenario("linux-4.19", 3, 1, 1, "msync,flusher,journal"), 0, 1, 2));
  CHECK_FALSE(r.skipped(kTagPagesForWriteback, 0));
  CHECK(r.skipped(kTagPagesForWriteback, 1));        // WB_SYNC_NONE
  CHECK_FALSE(r.skipped(kTagPagesForWriteback, 2));  // jbd2's WB_SYNC_ALL loop
  r.dirty(0);
  r.dirty(1);
  r.cache(2);
  CHECK(is_next(r.apply(kTagPagesForWriteback, 0)));
  CHECK(r.page(0).tag_towrite == 0);  // outside msync's range
  CHECK(r.page(1).tag_towrite == 1);
  CHECK(r.page(2).tag_towrite == 0);

  Rig old(test::scenario("linux-2.6.32", 1, 1, 1, "msync,fsync"));  // no TOWRITE before 2.6.35
  CHECK(old.skipped(kTagPagesForWriteback, 0));
  CHECK(old.skipped(kTagPagesForWriteback, 1));
}

TEST_CASE("find_get_pages_tag: TOWRITE for a 4.19 msync, DIRTY for the flusher and for 2.6.32") {
  Rig r(test::scenario("linux-4.19", 2, 1, 1, "msync,flusher"));
  r.dirty(0);
  r.dirty(1);
  r.page(1).tag_towrite = 1;
  CHECK(is_next(r.apply(kFindGetPagesTag, 0)));
  CHECK(r.actor(0).pagevec == 0b10);
  CHECK(r.actor(0).refs == 0b10);
  CHECK(is_next(r.apply(kFindGetPagesTag, 1)));
  CHECK(r.actor(1).pagevec == 0b11);
  CHECK(r.actor(1).refs == 0b11);

  Rig old(test::scenario("linux-2.6.32", 2, 1, 1, "msync"));
  old.dirty(0);
  old.cache(1).tag_towrite = 1;  // not a tag 2.6.32 has; whatever it holds is not looked at
  CHECK(is_next(old.apply(kFindGetPagesTag, 0)));
  CHECK(old.actor(0).pagevec == 0b01);
}

TEST_CASE("find_get_pages_tag looks up from the loop's index and ends the loop when none is left") {
  Rig r(test::scenario("linux-6.12", 3, 1, 1, "flusher"));
  r.dirty(0);
  r.dirty(2);
  r.actor(0).index = 1;
  r.actor(0).refs = 0b001;  // the previous batch's reference is dropped
  CHECK(is_next(r.apply(kFindGetPagesTag, 0)));
  CHECK(r.actor(0).pagevec == 0b100);
  CHECK(r.actor(0).refs == 0b100);

  r.actor(0).index = 3;
  CHECK(jumped(kFindGetPagesTag, r.apply(kFindGetPagesTag, 0), Target::loop_end));
  CHECK(r.actor(0).pagevec == 0);
  CHECK(r.actor(0).refs == 0);
}

TEST_CASE("write_cache_pages lock_page skips a clean page on 2.6.32+, not on 2.6.20") {
  for (const char* v : {"linux-2.6.32", "linux-4.19", "linux-6.12"}) {
    CAPTURE(v);
    Rig r(test::scenario(v, 2, 1, 1, "flusher"));
    r.cache(0).tag_dirty = 1;  // written for us: clean, tag not yet cleared
    r.dirty(1);
    r.actor(0).pagevec = 0b11;
    CHECK(jumped(kWbLockPage, r.apply(kWbLockPage, 0), Target::next_page));
    CHECK(r.page(0).locked_by == 0);
    CHECK(r.actor(0).pagevec == 0b10);
    CHECK(r.actor(0).page == 0);
    CHECK(r.actor(0).index == 1);
  }
  Rig old(test::scenario("linux-2.6.20", 2, 1, 1, "flusher"));
  old.cache(0).tag_dirty = 1;
  old.actor(0).pagevec = 0b01;
  CHECK(jumped(kWbLockPage, old.apply(kWbLockPage, 0), Target::page_ready));
  CHECK(old.page(0).locked_by == holder(0));
  CHECK(old.actor(0).pagevec == 0);
}

TEST_CASE("write_cache_pages lock_page: WB_SYNC_NONE skips a page under writeback") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.dirty(0);
  r.page(0).writeback = r.page(0).tag_writeback = 1;
  r.actor(0).pagevec = 0b1;
  CHECK(jumped(kWbLockPage, r.apply(kWbLockPage, 0), Target::next_page));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.s.ghost_bug == kBugNone);
}

TEST_CASE("write_cache_pages lock_page: WB_SYNC_ALL waits for writeback holding the page lock") {
  for (const char* v : {"linux-2.6.20", "linux-2.6.32", "linux-6.12"}) {
    CAPTURE(v);
    Rig r(test::scenario(v, 1, 1, 1, "msync"));
    r.dirty(0);
    r.page(0).writeback = r.page(0).tag_writeback = 1;
    r.actor(0).pagevec = 0b1;
    CHECK(is_next(r.apply(kWbLockPage, 0)));  // on to wait_on_page_writeback
    CHECK(r.page(0).locked_by == holder(0));
    CHECK(r.actor(0).page == 0);
    CHECK_FALSE(r.enabled(kWbWaitOnPageWriteback, 0));
    r.page(0).writeback = r.page(0).tag_writeback = 0;
    CHECK(r.enabled(kWbWaitOnPageWriteback, 0));
    CHECK(is_next(r.apply(kWbWaitOnPageWriteback, 0)));
    CHECK(r.page(0).locked_by == holder(0));
  }
}

TEST_CASE("write_cache_pages lock_page takes a dirty idle page to clear_page_dirty_for_io") {
  Rig r(test::scenario("linux-6.12", 3, 1, 1, "flusher"));
  r.dirty(1);
  r.dirty(2);
  r.actor(0).pagevec = 0b110;
  CHECK(jumped(kWbLockPage, r.apply(kWbLockPage, 0), Target::page_ready));
  CHECK(r.page(1).locked_by == holder(0));
  CHECK(r.page(2).locked_by == 0);
  CHECK(r.actor(0).page == 1);
  CHECK(r.actor(0).index == 2);
  CHECK(r.actor(0).pagevec == 0b100);
}

TEST_CASE("write_cache_pages lock_page blocks on a locked page and is skipped when none is left") {
  Rig r(test::scenario("linux-6.12", 2, 1, 1, "flusher,writer"));
  r.dirty(0);
  r.dirty(1);
  r.actor(0).pagevec = 0b10;
  r.page(0).locked_by = holder(1);  // not in the batch
  CHECK(r.enabled(kWbLockPage, 0));
  r.page(1).locked_by = holder(1);
  CHECK_FALSE(r.enabled(kWbLockPage, 0));
  CHECK_FALSE(r.skipped(kWbLockPage, 0));
  r.actor(0).pagevec = 0;
  CHECK(r.skipped(kWbLockPage, 0));
  CHECK(kWbLockPage.skip_to == Target::lookup);
}

TEST_CASE("write_cache_pages unlocks a page clear_page_dirty_for_io found clean") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.cache(0).locked_by = holder(0);
  CHECK(jumped(kWbUnlockPage, r.apply(kWbUnlockPage, 0), Target::next_page));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.s.ghost_bug == kBugNone);
}

// --- clear_page_dirty_for_io --------------------------------------------------------------------

TEST_CASE("page_mkclean write-protects and cleans one mapping per step and records it") {
  Rig r(test::scenario("linux-6.12", 1, 1, 3, "flusher"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.pte(0, 0) = kRwDirty;
  r.pte(1, 0) = 0;
  r.pte(2, 0) = kRw;
  CHECK(is_again(r.apply(kPageMkclean, 0)));
  CHECK(r.pte(0, 0) == kPtePresent);
  CHECK(r.pte(2, 0) == kRw);  // not reached yet: not atomic across mappings
  CHECK(r.actor(0).cleaned == 1);
  CHECK(r.actor(0).cursor == 1);
  CHECK(is_again(r.apply(kPageMkclean, 0)));
  CHECK(r.pte(1, 0) == 0);
  CHECK(is_next(r.apply(kPageMkclean, 0)));
  CHECK(r.pte(2, 0) == kPtePresent);
  CHECK(r.actor(0).cursor == 0);
  CHECK(r.actor(0).cleaned == 1);
  CHECK(r.s.ghost_bug == kBugNone);
}

TEST_CASE("page_mkclean leaves a clean read-only PTE alone and records nothing") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.map(0, 0, kPtePresent);
  r.actor(0).cleaned = 1;  // an earlier call's: each call starts from 0
  CHECK(is_next(r.apply(kPageMkcleanMapped, 0)));
  CHECK(is_next(r.apply(kPageMkclean, 0)));
  CHECK(r.pte(0, 0) == kPtePresent);
  CHECK(r.actor(0).cleaned == 0);
}

TEST_CASE("page_mkclean cleans a writable PTE that is not dirty yet and records it") {
  Rig r(test::scenario("linux-2.6.20", 1, 1, 1, "flusher"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.pte(0, 0) = kRw;
  CHECK(is_next(r.apply(kPageMkclean, 0)));
  CHECK(r.pte(0, 0) == kPtePresent);
  CHECK(r.actor(0).cleaned == 1);
}

TEST_CASE("2.6.19 page_mkclean cleans the PTEs but its result is ignored") {
  Rig r(test::scenario("linux-2.6.19", 1, 1, 2, "flusher"));
  r.cache(0).locked_by = holder(0);  // TestClearPageDirty came first
  r.pte(0, 0) = kRwDirty;
  r.pte(1, 0) = kRwDirty;
  CHECK(is_again(r.apply(kPageMkcleanIgnored, 0)));
  CHECK(r.pte(0, 0) == kPtePresent);
  CHECK(r.pte(1, 0) == kRwDirty);
  CHECK(is_next(r.apply(kPageMkcleanIgnored, 0)));
  CHECK(r.pte(1, 0) == kPtePresent);
  CHECK(r.actor(0).cleaned == 0);
  CHECK(r.page(0).dirty == 0);  // the dirty bits it held are dropped
  CHECK(r.actor(0).cursor == 0);
}

TEST_CASE("clear_page_dirty_for_io without the page lock fires BUG_ON (2.6.32+)") {
  for (const char* v : {"linux-2.6.32", "linux-4.19", "linux-6.12"}) {
    CAPTURE(v);
    Rig mkclean(test::scenario(v, 1, 1, 1, "flusher"));
    mkclean.dirty(0);
    mkclean.apply(kPageMkcleanMapped, 0);
    CHECK(mkclean.s.ghost_bug == kBugCleanUnlocked);

    Rig clear(test::scenario(v, 1, 1, 1, "flusher"));
    clear.dirty(0);
    clear.apply(kTestClearPageDirty, 0);
    CHECK(clear.s.ghost_bug == kBugCleanUnlocked);
    CHECK(clear.page(0).dirty == 0);  // the step still does its work

    Rig locked(test::scenario(v, 1, 1, 1, "flusher"));
    locked.dirty(0);
    locked.page(0).locked_by = holder(0);
    locked.apply(kPageMkclean, 0);
    locked.apply(kTestClearPageDirty, 0);
    CHECK(locked.s.ghost_bug == kBugNone);
  }
}

TEST_CASE("2.6.18-2.6.20 TestClearPageDirty has no BUG_ON for a missing page lock") {
  for (const char* v : {"linux-2.6.18", "linux-2.6.19", "linux-2.6.20"}) {
    CAPTURE(v);
    Rig r(test::scenario(v, 1, 1, 1, "flusher"));
    r.dirty(0);
    CHECK(is_next(r.apply(kTestClearPageDirty, 0)));
    CHECK(r.s.ghost_bug == kBugNone);
  }
}

TEST_CASE("the first BUG_ON is the one remembered") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.dirty(0);
  r.s.ghost_bug = kBugWritebackTwice;
  r.apply(kTestClearPageDirty, 0);
  CHECK(r.s.ghost_bug == kBugWritebackTwice);
}

TEST_CASE("set_page_dirty after page_mkclean cleaned a PTE re-dirties every buffer") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "flusher"));
  r.dirty(0);  // PG_dirty, buffers cleaned by a buffer flush
  r.page(0).locked_by = holder(0);
  CHECK(r.skipped(kCleanSetPageDirty, 0));
  r.actor(0).cleaned = 1;
  CHECK_FALSE(r.skipped(kCleanSetPageDirty, 0));
  CHECK(is_next(r.apply(kCleanSetPageDirty, 0)));
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.s.nr_dirty == 1);

  Rig clean(test::scenario("linux-2.6.20", 1, 1, 1, "flusher"));
  clean.cache(0).locked_by = holder(0);
  clean.actor(0).cleaned = 1;
  clean.apply(kCleanSetPageDirty, 0);
  CHECK(clean.page(0).dirty == 1);
  CHECK(clean.page(0).tag_dirty == 1);
  CHECK(clean.s.nr_dirty == 1);
}

TEST_CASE(
    "TestClearPageDirty on a clean page returns 0: on to page_clean, nothing counted, "
    "page_mkclean's result left alone") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.cache(0).locked_by = holder(0);
  r.page(0).tag_dirty = 1;
  r.s.nr_dirty = 1;  // another page's
  r.actor(0).cleaned = 1;
  CHECK(jumped(kTestClearPageDirty, r.apply(kTestClearPageDirty, 0), Target::page_clean));
  CHECK(r.s.nr_dirty == 1);
  CHECK(r.actor(0).cleaned == 1);  // for a set_page_dirty that comes after it
  CHECK(r.page(0).tag_dirty == 1);
}

TEST_CASE("TestClearPageDirty below zero NR_FILE_DIRTY records the underflow (ghost)") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.cache(0).dirty = 1;
  r.page(0).locked_by = holder(0);
  r.apply(kTestClearPageDirty, 0);
  CHECK(r.s.nr_dirty == 0);
  CHECK(r.s.ghost_nr_dirty_underflow == 1);
}

// --- ->writepage: __block_write_full_page -------------------------------------------------------

TEST_CASE("writepage lock_buffer picks a dirty buffer for async write and releases a clean one") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "msync"));
  CHECK_FALSE(r.skipped(kLockBuffer, 0));
  r.cache(0).locked_by = holder(0);
  r.block(0).dirty = 1;
  CHECK(is_again(r.apply(kLockBuffer, 0)));
  CHECK(r.block(0).dirty == 0);
  CHECK(r.block(0).locked == 1);
  CHECK(r.block(0).async_write == 1);
  CHECK(r.block(0).io == kIoIdle);  // submitted later
  CHECK(r.actor(0).picked == 0b01);
  CHECK(r.actor(0).cursor == 1);
  CHECK(is_next(r.apply(kLockBuffer, 0)));
  CHECK(r.block(1).locked == 0);
  CHECK(r.block(1).async_write == 0);
  CHECK(r.actor(0).picked == 0b01);
  CHECK(r.actor(0).cursor == 0);
}

TEST_CASE("writepage lock_buffer waits while the buffer is under I/O") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "fsync"));
  r.cache(0).locked_by = holder(0);
  r.block(0).locked = 1;
  r.block(0).io = kIoSubmitted;
  CHECK_FALSE(r.enabled(kLockBuffer, 0));
  r.actor(0).cursor = 1;
  CHECK(r.enabled(kLockBuffer, 0));
}

TEST_CASE("WB_SYNC_NONE writepage uses trylock_buffer — 2.6.32's flusher uses lock_buffer") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher,reclaim,msync,journal"));
  CHECK(r.skipped(kLockBuffer, 0));
  CHECK_FALSE(r.skipped(kTrylockBuffer, 0));
  CHECK(r.skipped(kLockBuffer, 1));  // pageout
  CHECK_FALSE(r.skipped(kLockBuffer, 2));
  CHECK(r.skipped(kTrylockBuffer, 2));
  CHECK_FALSE(r.skipped(kLockBuffer, 3));

  Rig old(test::scenario("linux-2.6.32", 1, 1, 1, "flusher"));
  CHECK_FALSE(old.skipped(kLockBuffer, 0));
  CHECK(old.skipped(kTrylockBuffer, 0));
  Rig older(test::scenario("linux-2.6.20", 1, 1, 1, "flusher"));
  CHECK(older.skipped(kLockBuffer, 0));
}

TEST_CASE("trylock_buffer failure: redirty_page_for_writepage sets PG_dirty and tag DIRTY only") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "flusher"));
  r.cache(0).locked_by = holder(0);  // TestClearPageDirty done; tag DIRTY dropped by hand
  r.block(0).locked = 1;             // under a buffer flush
  r.block(0).io = kIoSubmitted;
  r.block(1).dirty = 1;
  CHECK(is_again(r.apply(kTrylockBuffer, 0)));
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(r.block(0).dirty == 0);  // __set_page_dirty_nobuffers
  CHECK(r.block(0).async_write == 0);
  CHECK(r.actor(0).picked == 0);
  CHECK(is_next(r.apply(kTrylockBuffer, 0)));
  CHECK(r.block(1).dirty == 0);
  CHECK(r.block(1).locked == 1);
  CHECK(r.block(1).async_write == 1);
  CHECK(r.actor(0).picked == 0b10);
  CHECK(r.s.nr_dirty == 1);
}

TEST_CASE("set_page_writeback on 4.19+: WRITEBACK set, DIRTY dropped if clean, TOWRITE dropped") {
  for (const char* v : {"linux-4.19", "linux-6.12"}) {
    CAPTURE(v);
    Rig r(test::scenario(v, 2, 1, 1, "msync"));
    for (int p = 0; p < 2; ++p) {
      r.cache(p).locked_by = holder(0);
      r.page(p).tag_dirty = r.page(p).tag_towrite = 1;
    }
    r.page(1).dirty = 1;  // redirtied
    r.s.nr_dirty = 1;
    for (int p = 0; p < 2; ++p) {
      r.actor(0).page = static_cast<std::uint8_t>(p);
      CHECK(is_next(r.apply(kSetPageWriteback, 0)));
      CHECK(r.page(p).writeback == 1);
      CHECK(r.page(p).tag_writeback == 1);
      CHECK(r.page(p).tag_towrite == 0);
    }
    CHECK(r.page(0).tag_dirty == 0);
    CHECK(r.page(1).tag_dirty == 1);
    CHECK(r.s.ghost_bug == kBugNone);
  }
}

TEST_CASE("set_page_writeback before 2.6.35 has no TOWRITE tag to clear") {
  Rig r(test::scenario("linux-2.6.32", 1, 1, 1, "fsync"));
  r.cache(0).locked_by = holder(0);
  r.page(0).tag_dirty = r.page(0).tag_towrite = 1;
  r.apply(kSetPageWriteback, 0);
  CHECK(r.page(0).writeback == 1);
  CHECK(r.page(0).tag_writeback == 1);
  CHECK(r.page(0).tag_dirty == 0);
  CHECK(r.page(0).tag_towrite == 1);
}

TEST_CASE("set_page_writeback on a page already under writeback fires BUG_ON") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.cache(0).locked_by = holder(0);
  r.page(0).writeback = r.page(0).tag_writeback = 1;
  r.apply(kSetPageWriteback, 0);
  CHECK(r.s.ghost_bug == kBugWritebackTwice);
  CHECK(r.page(0).writeback == 1);
}

TEST_CASE(
    "submit_bh submits the picked buffers only and counts them, and is skipped when none was "
    "picked") {
  Rig r(test::scenario("linux-6.12", 1, 3, 1, "flusher"));
  CHECK(r.skipped(kSubmitBh, 0));
  r.cache(0).locked_by = holder(0);
  r.page(0).writeback = 1;
  for (int b : {0, 2}) r.block(b).locked = r.block(b).async_write = 1;
  r.actor(0).picked = 0b101;
  CHECK_FALSE(r.skipped(kSubmitBh, 0));
  CHECK(is_next(r.apply(kSubmitBh, 0)));
  CHECK(r.block(0).io == kIoSubmitted);
  CHECK(r.block(1).io == kIoIdle);
  CHECK(r.block(2).io == kIoSubmitted);
  CHECK(r.actor(0).underway == 1);
}

TEST_CASE(
    "writepage unlock_page only unlocks — with writes underway end_page_writeback is passed over") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.cache(0).locked_by = holder(0);
  r.page(0).writeback = r.page(0).tag_writeback = 1;
  r.actor(0).underway = 1;
  CHECK(is_next(r.apply(kWritepageUnlockPage, 0)));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.page(0).writeback == 1);
  CHECK(r.skipped(kEndPageWritebackNoIo, 0));
}

TEST_CASE("writepage with no dirty buffer unlocks the page, then ends its writeback at once") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.cache(0).locked_by = holder(0);
  r.page(0).writeback = r.page(0).tag_writeback = 1;
  CHECK(is_next(r.apply(kWritepageUnlockPage, 0)));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.page(0).writeback == 1);
  CHECK_FALSE(r.skipped(kEndPageWritebackNoIo, 0));
  CHECK(is_next(r.apply(kEndPageWritebackNoIo, 0)));
  CHECK(r.page(0).writeback == 0);
  CHECK(r.page(0).tag_writeback == 0);
  CHECK(r.s.ghost_bug == kBugNone);
}

TEST_CASE("end_page_writeback on a page not under writeback fires BUG_ON") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "flusher"));
  r.cache(0);
  r.apply(kEndPageWritebackNoIo, 0);
  CHECK(r.s.ghost_bug == kBugEndWritebackIdle);
}

// --- waiting for writeback, fsync and msync -----------------------------------------------------

TEST_CASE("filemap_fdatawait looks up WRITEBACK-tagged pages from its own index") {
  Rig r(test::scenario("linux-6.12", 3, 1, 1, "fsync"));
  for (int p : {0, 2}) r.cache(p).writeback = r.page(p).tag_writeback = 1;
  CHECK(is_next(r.apply(kFindGetWritebackPages, 0)));
  CHECK(r.actor(0).pagevec == 0b101);
  CHECK(r.actor(0).refs == 0b101);
  r.actor(0).wait_index = 1;
  r.actor(0).index = 3;  // write_cache_pages' index is not the wait's
  r.apply(kFindGetWritebackPages, 0);
  CHECK(r.actor(0).pagevec == 0b100);
  r.actor(0).wait_index = 3;
  CHECK(jumped(kFindGetWritebackPages, r.apply(kFindGetWritebackPages, 0), Target::loop_end));
  CHECK(r.actor(0).refs == 0);
}

TEST_CASE("4.19+ msync waits only on its own range — older kernels wait on the whole file") {
  Rig r(ranged(test::scenario("linux-4.19", 2, 1, 1, "msync"), 0, 1, 1));
  Rig old(ranged(test::scenario("linux-2.6.32", 2, 1, 1, "msync"), 0, 1, 1));
  for (Rig* x : {&r, &old}) {
    for (int p : {0, 1}) x->cache(p).writeback = x->page(p).tag_writeback = 1;
    x->apply(kFindGetWritebackPages, 0);
  }
  CHECK(r.actor(0).pagevec == 0b10);
  CHECK(old.actor(0).pagevec == 0b11);
}

TEST_CASE("wait_on_page_writeback waits for the next page of the lookup, then moves past it") {
  Rig r(test::scenario("linux-6.12", 3, 1, 1, "fsync"));
  for (int p : {0, 2}) r.cache(p).writeback = r.page(p).tag_writeback = 1;
  r.actor(0).pagevec = r.actor(0).refs = 0b101;
  CHECK_FALSE(r.enabled(kWaitOnPageWriteback, 0));
  r.page(0).writeback = r.page(0).tag_writeback = 0;
  CHECK(r.enabled(kWaitOnPageWriteback, 0));  // page 2 is not waited for yet
  CHECK(is_again(r.apply(kWaitOnPageWriteback, 0)));
  CHECK(r.actor(0).pagevec == 0b100);
  CHECK(r.actor(0).wait_index == 1);
  CHECK_FALSE(r.enabled(kWaitOnPageWriteback, 0));
  r.actor(0).pagevec = 0;
  CHECK(r.skipped(kWaitOnPageWriteback, 0));
  CHECK(kWaitOnPageWriteback.skip_to == Target::lookup);
}

TEST_CASE("sys_msync remembers the versions of its range: in memory, or on disk if not cached") {
  Rig r(ranged(test::scenario("linux-6.12", 3, 2, 1, "msync"), 0, 1, 2));
  r.cache(0);
  r.block(0).mem = 7;
  r.cache(1);
  r.block(2).mem = 3;
  r.block(2).disk = 1;
  r.block(3).mem = 2;
  r.block(4).mem = 6;  // page 2 was dropped holding version 6 (ghost); the disk has 4
  r.block(4).disk = 4;
  CHECK(is_next(r.apply(kMsyncEntry, 0)));
  const auto& called = r.actor(0).ghost_called;
  CHECK(called[0] == 0);  // outside the range
  CHECK(called[2] == 3);
  CHECK(called[3] == 2);
  CHECK(called[4] == 4);
  CHECK(called[5] == 0);
}

TEST_CASE("do_fsync remembers every block's version — the final fsync remembers nothing") {
  Rig r(test::scenario("linux-6.12", 2, 1, 1, "fsync"));
  r.cache(0);
  r.block(0).mem = 2;
  r.block(1).disk = 5;
  CHECK(is_next(r.apply(kFsyncEntry, 0)));
  CHECK(r.actor(0).ghost_called[0] == 2);
  CHECK(r.actor(0).ghost_called[1] == 5);

  const int final_fsync = r.env().actors;
  REQUIRE_FALSE(r.env().of(final_fsync).records_call);
  r.apply(kFsyncEntry, final_fsync);
  CHECK(r.actor(final_fsync).ghost_called[0] == 0);
  CHECK(r.actor(final_fsync).ghost_called[1] == 0);
}

TEST_CASE("2.6.18 msync_pte_range clears only the dirty bit, keeps write, and set_page_dirty") {
  Rig r(test::scenario("linux-2.6.18", 2, 2, 1, "msync"));
  r.cache(0);
  r.cache(1);
  r.pte(0, 0) = kRwDirty;
  r.pte(0, 1) = kRw;
  CHECK(is_again(r.apply(kMsyncPteRange, 0)));
  CHECK(r.pte(0, 0) == kRw);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(is_next(r.apply(kMsyncPteRange, 0)));
  CHECK(r.pte(0, 1) == kRw);
  CHECK(r.page(1).dirty == 0);
  CHECK(r.actor(0).cursor == 0);
}

TEST_CASE("2.6.18 msync_pte_range walks the caller's mapping only") {
  Rig r(test::scenario("linux-2.6.18", 1, 1, 2, "msync@1"));
  r.cache(0);
  r.pte(0, 0) = kRwDirty;  // another process's dirty PTE
  r.pte(1, 0) = kRw;
  CHECK(is_next(r.apply(kMsyncPteRange, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.page(0).dirty == 0);
}

// --- munmap and reclaim -------------------------------------------------------------------------

TEST_CASE("zap_pte_range clears the PTE and moves its dirty bit to the page without PL") {
  Rig r(test::scenario("linux-6.12", 2, 2, 1, "munmap,flusher"));
  r.cache(0).locked_by = holder(1);  // the flusher holds it
  r.cache(1);
  r.pte(0, 0) = kRwDirty;
  r.pte(0, 1) = kPtePresent;
  CHECK(is_again(r.apply(kZapPteRange, 0)));
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.page(0).tag_dirty == 1);
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(r.page(0).locked_by == holder(1));
  CHECK(r.s.ghost_bug == kBugNone);
  CHECK(is_next(r.apply(kZapPteRange, 0)));
  CHECK(r.pte(0, 1) == 0);
  CHECK(r.page(1).dirty == 0);
  CHECK(r.actor(0).cursor == 0);
}

TEST_CASE("zap_pte_range of a range leaves the pages outside it mapped") {
  Rig r(ranged(test::scenario("linux-6.12", 2, 1, 1, "munmap"), 0, 1, 1));
  r.cache(0);
  r.cache(1);
  r.pte(0, 0) = kRwDirty;
  r.pte(0, 1) = kRwDirty;
  CHECK(is_next(r.apply(kZapPteRange, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.pte(0, 1) == 0);
  CHECK(r.page(1).dirty == 1);
}

TEST_CASE("isolate_lru_pages takes the cached pages of the range — none ends the reclaim") {
  Rig r(test::scenario("linux-6.12", 3, 1, 1, "reclaim"));
  CHECK(jumped(kIsolateLruPages, r.apply(kIsolateLruPages, 0), Target::loop_end));
  r.cache(0);
  r.cache(2);
  CHECK(is_next(r.apply(kIsolateLruPages, 0)));
  CHECK(r.actor(0).pagevec == 0b101);
  CHECK(r.actor(0).refs == 0);
}

TEST_CASE("reclaim trylock_page locks an idle page, or keeps it for page_check_references") {
  Rig r(test::scenario("linux-6.12", 2, 1, 1, "reclaim"));
  CHECK(kTrylockPage.choices() == 2);
  r.cache(0);
  r.cache(1);
  r.actor(0).pagevec = 0b11;
  CHECK(jumped(kTrylockPage, r.apply(kTrylockPage, 0, 1), Target::next_page));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).pagevec == 0b10);
  CHECK(is_next(r.apply(kTrylockPage, 0, 0)));
  CHECK(r.page(1).locked_by == holder(0));
  CHECK(r.actor(0).page == 1);
  CHECK(r.actor(0).pagevec == 0);
  CHECK(r.skipped(kTrylockPage, 0));
  CHECK(kTrylockPage.skip_to == Target::loop_end);
}

TEST_CASE("reclaim trylock_page keeps a page that is locked, gone, or under writeback") {
  Rig r(test::scenario("linux-6.12", 3, 1, 1, "reclaim,flusher"));
  r.cache(0).locked_by = holder(1);
  r.cache(2).writeback = r.page(2).tag_writeback = 1;  // page 1 is not cached
  r.actor(0).pagevec = 0b111;
  for (int p = 0; p < 3; ++p) {
    CAPTURE(p);
    CHECK(jumped(kTrylockPage, r.apply(kTrylockPage, 0), Target::next_page));
    CHECK(r.actor(0).page == p);
  }
  CHECK(r.page(0).locked_by == holder(1));
  CHECK(r.page(2).locked_by == 0);
  CHECK(r.actor(0).pagevec == 0);
  CHECK(r.s.ghost_bug == kBugNone);
}

TEST_CASE("try_to_unmap clears one mapping per step and moves a dirty bit to the page") {
  Rig r(test::scenario("linux-6.12", 1, 2, 2, "reclaim"));
  r.cache(0).locked_by = holder(0);
  r.pte(0, 0) = kRwDirty;
  r.pte(1, 0) = kPtePresent;
  CHECK(is_again(r.apply(kTryToUnmap, 0)));
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.page(0).dirty == 1);
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(1).dirty == 1);
  CHECK(r.s.nr_dirty == 1);
  CHECK(is_next(r.apply(kTryToUnmap, 0)));
  CHECK(r.pte(1, 0) == 0);
  CHECK(r.page(0).locked_by == holder(0));
  CHECK(r.actor(0).cursor == 0);
}

TEST_CASE("try_to_unmap keeps a page mapped again behind its back (SWAP_AGAIN)") {
  Rig r(test::scenario("linux-2.6.19", 1, 1, 2, "reclaim"));
  r.cache(0).locked_by = holder(0);
  r.actor(0).cursor = 1;
  r.map(0, 0, kRwDirty);  // re-faulted by do_no_page, which does not lock the page
  r.map(1, 0, kPtePresent);
  CHECK(jumped(kTryToUnmap, r.apply(kTryToUnmap, 0), Target::next_page));
  CHECK(r.pte(1, 0) == 0);
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.actor(0).cursor == 0);
}

TEST_CASE("reclaim PageDirty: a clean page goes on to be freed, whoever reclaims") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "reclaim"));
  r.cache(0).locked_by = holder(0);
  for (int choice : {0, 1}) {
    CHECK(jumped(kReclaimPageDirty, r.apply(kReclaimPageDirty, 0, choice), Target::page_clean));
    CHECK(r.page(0).locked_by == holder(0));
  }
}

TEST_CASE(
    "reclaim PageDirty: kswapd pages a dirty page out where the mapping has ->writepage (4.19, "
    "6.1), and on 6.12 flushes and keeps it (PAGE_ACTIVATE)") {
  Rig v612(test::scenario("linux-6.12", 1, 1, 1, "writer,reclaim"));
  Rig v419(test::scenario("linux-4.19", 1, 1, 1, "writer,reclaim"));
  Rig v61(test::scenario("linux-6.1", 1, 1, 1, "writer,reclaim"));
  for (Rig* r : {&v612, &v419, &v61}) {
    r->dirty(0);
    r->page(0).locked_by = holder(1);
    r->actor(1).ubc = 1 | kUbcWritable;  // a deferred unmap found the PTE dirty
    r->tlb(0, 0) = kTlbWriteDirty;
  }
  // try_to_unmap_flush_dirty, then pageout(): ->writepage == NULL returns PAGE_ACTIVATE.
  CHECK(jumped(kReclaimPageDirty, v612.apply(kReclaimPageDirty, 1, 0), Target::next_page));
  CHECK(v612.tlb(0, 0) == kTlbNone);
  CHECK(v612.actor(1).ubc == 0);
  CHECK(v612.page(0).locked_by == 0);
  CHECK(v612.page(0).dirty == 1);
  for (Rig* r : {&v419, &v61}) {
    CHECK(is_next(r->apply(kReclaimPageDirty, 1, 0)));  // pageout: clear_page_dirty_for_io
    CHECK(r->tlb(0, 0) == kTlbNone);
    CHECK(r->page(0).locked_by == holder(1));
  }
}

TEST_CASE(
    "reclaim PageDirty: direct reclaim (or kswapd without PG_reclaim and PGDAT_DIRTY) leaves a "
    "dirty page to the flusher, unlocked, with no flush, on every variant") {
  for (const Variant& v : all_variants()) {
    CAPTURE(v.name);
    Rig r(test::scenario(std::string(v.name), 1, 1, 1, "writer,reclaim"));
    r.dirty(0);
    r.page(0).locked_by = holder(1);
    r.actor(1).ubc = v.reclaim_batches_flush ? 1 | kUbcWritable : 0;
    r.tlb(0, 0) = kTlbWriteDirty;
    CHECK(jumped(kReclaimPageDirty, r.apply(kReclaimPageDirty, 1, 1), Target::next_page));
    CHECK(r.page(0).locked_by == 0);
    CHECK(r.page(0).dirty == 1);
    CHECK(r.tlb(0, 0) == kTlbWriteDirty);
    CHECK(r.actor(1).ubc == (v.reclaim_batches_flush ? 1 | kUbcWritable : 0));
  }
}

TEST_CASE("after pageout, reclaim relocks a clean idle page and keeps any other") {
  Rig r(test::scenario("linux-4.19", 1, 1, 1, "reclaim,flusher"));
  r.cache(0).writeback = r.page(0).tag_writeback = 1;
  CHECK(jumped(kPageoutSuccess, r.apply(kPageoutSuccess, 0), Target::next_page));
  CHECK(r.page(0).locked_by == 0);
  r.page(0).writeback = r.page(0).tag_writeback = 0;
  r.dirty(0);
  CHECK(jumped(kPageoutSuccess, r.apply(kPageoutSuccess, 0), Target::next_page));
  r.page(0).dirty = 0;
  r.s.nr_dirty = 0;
  r.page(0).locked_by = holder(1);
  CHECK(jumped(kPageoutSuccess, r.apply(kPageoutSuccess, 0), Target::next_page));
  CHECK(r.page(0).locked_by == holder(1));
  r.page(0).locked_by = 0;
  CHECK(is_next(r.apply(kPageoutSuccess, 0)));
  CHECK(r.page(0).locked_by == holder(0));
}

TEST_CASE("try_to_release_page refuses a page with a dirty or a locked buffer") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "reclaim"));
  for (bool locked : {false, true}) {
    CAPTURE(locked);
    r.cache(0).locked_by = holder(0);
    r.block(1).dirty = locked ? 0 : 1;
    r.block(1).locked = locked ? 1 : 0;
    CHECK(jumped(kTryToReleasePage, r.apply(kTryToReleasePage, 0), Target::next_page));
    CHECK(r.page(0).cached == 1);
    CHECK(r.page(0).locked_by == 0);
  }
}

TEST_CASE("try_to_release_page refuses a page someone else holds a reference on") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "reclaim,writer"));
  r.dirty(0);  // PG_dirty against clean buffers: cancel_dirty_page
  r.page(0).locked_by = holder(0);
  r.block(0).mem = 2;
  r.actor(1).refs = 0b1;
  CHECK(jumped(kTryToReleasePage, r.apply(kTryToReleasePage, 0), Target::next_page));
  CHECK(r.page(0).cached == 1);
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.page(0).dirty == 0);
  CHECK(r.s.nr_dirty == 0);
  CHECK(r.page(0).tag_dirty == 1);  // cancel_dirty_page leaves the tag (2.6.20+)
  CHECK(r.block(0).mem == 2);

  r.actor(1).refs = 0;
  r.page(0).locked_by = holder(0);
  r.pte(0, 0) = kPtePresent;  // a mapping's reference
  CHECK(jumped(kTryToReleasePage, r.apply(kTryToReleasePage, 0), Target::next_page));
  CHECK(r.page(0).cached == 1);
}

TEST_CASE("2.6.18 try_to_free_buffers cleans a dirty page with clean buffers, tag DIRTY too") {
  Rig r(test::scenario("linux-2.6.18", 1, 1, 1, "reclaim,writer"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.actor(1).refs = 0b1;
  r.apply(kTryToReleasePage, 0);
  CHECK(r.page(0).cached == 1);
  CHECK(r.page(0).dirty == 0);
  CHECK(r.page(0).tag_dirty == 0);
  CHECK(r.s.nr_dirty == 0);
}

// 2.6.19's try_to_free_buffers calls clear_page_dirty() -> test_clear_page_dirty(), which clears
// tag DIRTY under tree_lock like 2.6.18's; cancel_dirty_page, which leaves the tag, came
// with 2.6.20.
TEST_CASE("2.6.19 try_to_free_buffers cleans a dirty page with clean buffers, tag DIRTY too") {
  Rig r(test::scenario("linux-2.6.19", 1, 1, 1, "reclaim,writer"));
  r.dirty(0);
  r.page(0).locked_by = holder(0);
  r.actor(1).refs = 0b1;
  CHECK(is_next(r.apply(kDropBuffers, 0)));
  CHECK(r.page(0).dirty == 1);  // drop_buffers alone leaves PG_dirty
  CHECK(jumped(kFreeBuffersClearPageDirty, r.apply(kFreeBuffersClearPageDirty, 0),
               Target::next_page));
  CHECK(r.page(0).dirty == 0);
  CHECK(r.page(0).tag_dirty == 0);
  CHECK(r.s.nr_dirty == 0);
  CHECK(r.page(0).cached == 1);  // the writer's reference keeps it
  CHECK(r.page(0).locked_by == 0);
}

TEST_CASE("2.6.19 drop_buffers keeps a page under writeback or with a dirty or locked buffer") {
  for (int busy = 0; busy < 3; ++busy) {
    CAPTURE(busy);
    Rig r(test::scenario("linux-2.6.19", 1, 2, 1, "reclaim"));
    r.dirty(0);
    r.page(0).locked_by = holder(0);
    if (busy == 0) r.page(0).writeback = 1;
    if (busy == 1) r.block(1).dirty = 1;
    if (busy == 2) r.block(1).locked = 1;
    CHECK(jumped(kDropBuffers, r.apply(kDropBuffers, 0), Target::next_page));
    CHECK(r.page(0).locked_by == 0);
    CHECK(r.page(0).dirty == 1);
    CHECK(r.s.nr_dirty == 1);
  }
  Rig idle(test::scenario("linux-2.6.19", 1, 2, 1, "reclaim"));
  idle.cache(0).locked_by = holder(0);
  const State before = idle.s;
  CHECK(is_next(idle.apply(kDropBuffers, 0)));
  CHECK(idle.s == before);  // buffers detached: nothing the model keeps changes yet
}

TEST_CASE("2.6.19 clear_page_dirty after private_lock drops a set_page_dirty made in between") {
  // drop_buffers detached the clean buffers; the writer's set_page_dirty_balance then found
  // none to mark (the model marks them) and set PG_dirty; clear_page_dirty clears it all.
  Rig r(test::scenario("linux-2.6.19", 1, 2, 1, "reclaim,writer"));
  r.cache(0).locked_by = holder(0);
  r.map(0, 0, kRwDirty);
  r.actor(1).refs = 0b1;
  r.actor(1).page = 0;
  REQUIRE(is_next(r.apply(kDropBuffers, 0)));
  REQUIRE(is_next(r.apply(kSetPageDirtyBalance, 1)));
  CHECK(r.page(0).dirty == 1);
  CHECK(jumped(kFreeBuffersClearPageDirty, r.apply(kFreeBuffersClearPageDirty, 0),
               Target::next_page));
  CHECK(r.page(0).dirty == 0);
  CHECK(r.page(0).tag_dirty == 0);
  CHECK(r.s.nr_dirty == 0);
  CHECK(r.block(0).dirty == 0);
  CHECK(r.block(1).dirty == 0);
  CHECK(r.page(0).cached == 1);  // the PTE maps it: __remove_mapping keeps it
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.page(0).locked_by == 0);

  Rig unref(test::scenario("linux-2.6.19", 1, 1, 1, "reclaim"));
  unref.dirty(0);
  unref.page(0).locked_by = holder(0);
  unref.block(0).mem = 3;
  unref.block(0).disk = 1;
  CHECK(jumped(kFreeBuffersClearPageDirty, unref.apply(kFreeBuffersClearPageDirty, 0),
               Target::next_page));
  CHECK(unref.page(0).cached == 0);  // dropped, v3 with it
  CHECK(unref.block(0).mem == 3);
  CHECK(unref.s.nr_dirty == 0);
}

TEST_CASE("try_to_release_page drops a clean unreferenced page — mem keeps what it held") {
  Rig r(test::scenario("linux-6.12", 2, 2, 1, "reclaim"));
  r.cache(0).locked_by = holder(0);
  r.cache(1);
  r.block(0).mem = 3;
  r.block(0).disk = 3;
  r.block(1).mem = 4;  // newer than the disk: reclaim_drops_clean will see it
  r.block(1).disk = 2;
  CHECK(jumped(kTryToReleasePage, r.apply(kTryToReleasePage, 0), Target::next_page));
  CHECK(r.page(0) == Page{});
  CHECK(r.block(0).mem == 3);
  CHECK(r.block(1).mem == 4);
  CHECK(r.block(1).disk == 2);
  CHECK(r.block(1).dirty == 0);
  CHECK(r.page(1).cached == 1);
  CHECK(r.s.ghost_bug == kBugNone);
}

// --- TLBs, the map count and the PTE lock (research note 5.1, 1.6, 2.1) -------------------------

TEST_CASE("TLB: a store through a writable, dirty entry writes without touching the PTE") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.cache(0);
  r.tlb(0, 0) = kTlbWriteDirty;  // stale: the PTE is gone, nothing flushed yet
  CHECK(is_again(r.apply(kStore, 0)));
  CHECK(r.block(0).mem == 1);
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);
  CHECK(r.actor(0).orig_pte == 0);
}

TEST_CASE("TLB: a miss walks the PTE, sets its dirty bit and caches a writable, dirty entry") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.cache(0);
  r.map(0, 0, kRw);
  CHECK(is_again(r.apply(kStore, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);
}

TEST_CASE("TLB: a writable clean entry walks to set PTE.D, and faults if the PTE is gone") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  r.cache(0);
  r.tlb(0, 0) = kTlbWrite;
  CHECK(jumped(kStore, r.apply(kStore, 0), Target::fault_none));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.block(0).mem == 0);
  r.map(0, 0, kRw);
  r.tlb(0, 0) = kTlbWrite;
  CHECK(is_again(r.apply(kStore, 0)));
  CHECK(r.pte(0, 0) == kRwDirty);
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);
}

TEST_CASE("TLB: page_mkclean returns at once for a page its map count says is unmapped") {
  Rig r(test::scenario("linux-4.19", 1, 1, 1, "writer,flusher"));
  r.dirty(0);
  r.page(0).locked_by = holder(1);
  r.actor(1).cleaned = 1;
  r.tlb(0, 0) = kTlbWriteDirty;  // the zap cleared the PTE and the map count, not flushed yet
  r.s.ptl[0] = holder(2);        // (a zapper's slot; the early return takes no lock)
  CHECK(jumped(kPageMkcleanMapped, r.apply(kPageMkcleanMapped, 1), Target::mkclean_done));
  CHECK(r.actor(1).cleaned == 0);
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);
  r.rmap(0, 0) = 1;  // 6.2+: still counted until the flush
  CHECK(is_next(r.apply(kPageMkcleanMapped, 1)));
}

TEST_CASE("TLB: page_mkclean waits for the mapping's PTE lock and flushes the process's CPUs") {
  Rig r(test::scenario("linux-6.12", 1, 1, 2, "writer@0,writer@0,writer@1,flusher,munmap@0"));
  r.dirty(0);
  r.page(0).locked_by = holder(3);
  r.map(0, 0, kRwDirty);
  r.map(1, 0, kRwDirty);
  r.tlb(0, 0) = r.tlb(1, 0) = r.tlb(2, 0) = kTlbWriteDirty;
  r.s.ptl[0] = holder(4);
  CHECK(!r.enabled(kPageMkclean, 3));
  r.s.ptl[0] = 0;
  CHECK(r.enabled(kPageMkclean, 3));
  CHECK(is_again(r.apply(kPageMkclean, 3)));
  CHECK(r.pte(0, 0) == kPtePresent);
  CHECK(r.tlb(0, 0) == kTlbNone);  // both threads of process 0
  CHECK(r.tlb(1, 0) == kTlbNone);
  CHECK(r.tlb(2, 0) == kTlbWriteDirty);  // another process: another mapping's step
  CHECK(is_next(r.apply(kPageMkclean, 3)));
  CHECK(r.tlb(2, 0) == kTlbNone);
  CHECK(r.actor(3).cleaned == 1);
}

TEST_CASE("TLB: faults wait for a PTE lock that zap_pte_range holds") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer,munmap"));
  r.s.ptl[0] = holder(1);
  CHECK(!r.enabled(kFinishFault, 0));
  CHECK(!r.enabled(kDoWpPage, 0));
  CHECK(!r.enabled(kFinishMkwriteFault, 0));
  r.s.ptl[0] = 0;
  CHECK(r.enabled(kFinishFault, 0));
}

TEST_CASE("TLB: 3.14 zap_pte_range drops the map count and ptl, and flushes only at the end") {
  Rig r(test::scenario("linux-3.14", 1, 1, 1, "writer,munmap"));
  r.dirty(0);
  r.map(0, 0, kRwDirty);
  r.tlb(0, 0) = kTlbWriteDirty;
  CHECK(r.enabled(kZapPteRange, 1));
  CHECK(is_next(r.apply(kZapPteRange, 1)));
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.rmap(0, 0) == 0);
  CHECK(r.s.ptl[0] == 0);                // pte_unmap_unlock before any flush
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);  // stale
  CHECK(r.actor(1).refs == 1);           // the mmu_gather holds the page
  CHECK(is_next(r.apply(kZapTlbFinishMmu, 1)));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.actor(1).refs == 0);
}

TEST_CASE("TLB: 4.19 zap_pte_range drops the map count under ptl, then flushes and unlocks") {
  Rig r(test::scenario("linux-4.19", 2, 1, 1, "writer,munmap"));
  r.dirty(0);
  r.cache(1);
  r.map(0, 0, kRwDirty);
  r.map(0, 1, kPtePresent);
  r.tlb(0, 0) = kTlbWriteDirty;
  CHECK(is_again(r.apply(kZapPteRange, 1)));
  CHECK(r.s.ptl[0] == holder(1));
  CHECK(r.rmap(0, 0) == 0);
  CHECK(r.rmap(0, 1) == 1);
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);
  CHECK(is_next(r.apply(kZapPteRange, 1)));
  CHECK(r.s.ptl[0] == holder(1));  // still held: the flush comes first
  CHECK(r.rmap(0, 1) == 0);
  CHECK(r.actor(1).refs == 0b11);
  CHECK(is_next(r.apply(kZapTlbFlushUnlock, 1)));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.s.ptl[0] == 0);
  CHECK(r.actor(1).refs == 0);
}

TEST_CASE("TLB: 6.12 zap_pte_range keeps a dirty PTE's page in the map count until the flush") {
  Rig r(test::scenario("linux-6.12", 2, 1, 1, "writer,munmap"));
  r.dirty(0);
  r.cache(1);
  r.map(0, 0, kRwDirty);
  r.map(0, 1, kPtePresent);  // clean: page_remove_rmap at once
  r.tlb(0, 0) = kTlbWriteDirty;
  CHECK(is_again(r.apply(kZapPteRange, 1)));
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.rmap(0, 0) == 1);
  CHECK(r.actor(1).pagevec == 0b01);
  CHECK(is_next(r.apply(kZapPteRange, 1)));
  CHECK(r.rmap(0, 1) == 0);
  CHECK(r.rmap(0, 0) == 1);
  CHECK(is_next(r.apply(kZapTlbFlushUnlock, 1)));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.rmap(0, 0) == 0);  // tlb_flush_rmaps, after the flush
  CHECK(r.actor(1).pagevec == 0);
  CHECK(r.s.ptl[0] == 0);
}

TEST_CASE("TLB: try_to_unmap flushes at once under ptl and drops the map count (3.14)") {
  Rig r(test::scenario("linux-3.14", 1, 1, 1, "writer,reclaim,munmap"));
  r.cache(0).locked_by = holder(1);
  r.actor(1).page = 0;
  r.map(0, 0, kRwDirty);
  r.tlb(0, 0) = kTlbWriteDirty;
  r.s.ptl[0] = holder(2);
  CHECK(!r.enabled(kTryToUnmap, 1));
  r.s.ptl[0] = 0;
  CHECK(is_next(r.apply(kTryToUnmap, 1)));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.rmap(0, 0) == 0);
  CHECK(r.page(0).dirty == 1);
}

TEST_CASE("TLB: 4.3+ try_to_unmap defers its flush to the batch (TTU_BATCH_FLUSH)") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "writer,reclaim,munmap"));
  r.dirty(0);
  r.page(0).locked_by = holder(1);
  r.actor(1).page = 0;
  r.map(0, 0, kRwDirty);
  r.tlb(0, 0) = kTlbWriteDirty;
  CHECK(is_next(r.apply(kTryToUnmap, 1)));
  CHECK(r.pte(0, 0) == 0);
  CHECK(r.rmap(0, 0) == 0);
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);  // stale until the batch is flushed
  CHECK(r.actor(1).ubc == (1 | kUbcWritable));
  CHECK(r.s.tlb_batched[0] == 1);
  // Direct reclaim leaves the dirty page to the flusher: unlocked, the flush still pending.
  CHECK(jumped(kReclaimPageDirty, r.apply(kReclaimPageDirty, 1, 1), Target::next_page));
  CHECK(r.page(0).locked_by == 0);
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);
  CHECK(!r.skipped(kTryToUnmapFlush, 1));
  CHECK(is_next(r.apply(kTryToUnmapFlush, 1)));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.actor(1).ubc == 0);
  CHECK(r.skipped(kTryToUnmapFlush, 1));
}

TEST_CASE("TLB: try_to_unmap_flush_dirty flushes before pageout (4.19, kswapd)") {
  Rig r(test::scenario("linux-4.19", 1, 1, 1, "writer,reclaim"));
  r.dirty(0);
  r.page(0).locked_by = holder(1);
  r.actor(1).page = 0;
  r.actor(1).ubc = 1 | kUbcWritable;
  r.tlb(0, 0) = kTlbWriteDirty;
  CHECK(is_next(r.apply(kReclaimPageDirty, 1)));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.actor(1).ubc == 0);
}

TEST_CASE("TLB: zap_pte_range first flushes a batch reclaim left on its mm (3ea27719)") {
  Rig r(test::scenario("linux-4.19", 1, 1, 1, "writer,munmap,reclaim"));
  r.tlb(0, 0) = kTlbWriteDirty;
  r.s.tlb_batched[0] = 1;
  CHECK(is_next(r.apply(kZapPteRange, 1)));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.s.tlb_batched[0] == 0);
}

TEST_CASE(
    "TLB: 4.9 has no flush_tlb_batched_pending and leaves the mm unmarked (before 3ea27719)") {
  Rig r(test::scenario("linux-4.9", 1, 1, 1, "writer,munmap,reclaim"));
  r.dirty(0);
  r.page(0).locked_by = holder(2);
  r.actor(2).page = 0;
  r.map(0, 0, kRwDirty);
  r.tlb(0, 0) = kTlbWriteDirty;
  CHECK(is_next(r.apply(kTryToUnmap, 2)));
  CHECK(r.actor(2).ubc == (1 | kUbcWritable));
  CHECK(r.s.tlb_batched[0] == 0);            // no mm->tlb_flush_batched in 4.9
  CHECK(is_next(r.apply(kZapPteRange, 1)));  // the PTE is none: nothing to clear, no flush
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);
}

// --- mprotect -----------------------------------------------------------------------------------

TEST_CASE(
    "mprotect_fixup takes mmap_sem for write only once no fault or zap of the mm is under way") {
  Rig r(test::scenario("linux-4.19", 1, 1, 1, "writer,mprotect,munmap"));
  CHECK(r.enabled(kMprotectFixup, 1));
  r.actor(0).pc = 1;  // the writer is inside its fault
  CHECK(!r.enabled(kMprotectFixup, 1));
  r.actor(0).pc = 0;
  r.actor(2).cursor = 1;  // munmap is half-way through its zap
  CHECK(!r.enabled(kMprotectFixup, 1));
  r.actor(2).cursor = 0;
  CHECK(is_next(r.apply(kMprotectFixup, 1)));
  CHECK(r.s.mmap_sem[0] == holder(1));
  CHECK(r.s.vma_ro[0] == 1);
  // Now the zap (mmap_sem for read) and a second mprotect wait.
  CHECK(!r.enabled(kZapPteRange, 2));
  CHECK(!r.enabled(kMprotectFixup, 1));
}

TEST_CASE("change_pte_range write-protects a present PTE, keeps its dirty bit, and counts it") {
  Rig r(test::scenario("linux-4.19", 2, 1, 1, "writer,mprotect"));
  r.cache(0);
  r.map(0, 0, kRwDirty);
  r.tlb(0, 0) = kTlbWriteDirty;
  r.s.ptl[0] = holder(0);
  CHECK(!r.enabled(kChangePteRange, 1));
  r.s.ptl[0] = 0;
  CHECK(r.apply(kChangePteRange, 1).kind == Flow::Kind::again);
  CHECK(r.pte(0, 0) == (kPtePresent | kPteDirty));
  CHECK(r.actor(1).pagevec == 1);
  CHECK(r.s.ptl[0] == holder(1));               // held on to the next PTE of the page table
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);         // the flush comes after the walk
  CHECK(is_next(r.apply(kChangePteRange, 1)));  // page 1: none, not counted
  CHECK(r.pte(0, 1) == 0);
  CHECK(r.actor(1).pagevec == 1);
  CHECK(r.s.ptl[0] == 0);
}

TEST_CASE("change_pte_range flushes a batch reclaim left on the mm from 4.13 only (3ea27719)") {
  for (const char* v : {"linux-4.9", "linux-4.19"}) {
    CAPTURE(v);
    Rig r(test::scenario(v, 1, 1, 1, "writer,mprotect"));
    r.tlb(0, 0) = kTlbWriteDirty;
    r.s.tlb_batched[0] = 1;
    CHECK(is_next(r.apply(kChangePteRange, 1)));
    CHECK(r.actor(1).pagevec == 0);  // the PTE is none: pages == 0
    const bool fixed = std::string(v) == "linux-4.19";
    CHECK(r.tlb(0, 0) == (fixed ? kTlbNone : kTlbWriteDirty));
    CHECK(r.s.tlb_batched[0] == (fixed ? 0 : 1));
  }
}

TEST_CASE("flush_tlb_range flushes only if a PTE changed, then releases mmap_sem") {
  Rig r(test::scenario("linux-4.9", 1, 1, 1, "writer,mprotect"));
  r.tlb(0, 0) = kTlbWriteDirty;
  r.s.mmap_sem[0] = holder(1);
  CHECK(is_next(r.apply(kFlushTlbRange, 1)));
  CHECK(r.tlb(0, 0) == kTlbWriteDirty);  // if (pages) flush_tlb_range: pages == 0
  CHECK(r.s.mmap_sem[0] == 0);
  r.s.mmap_sem[0] = holder(1);
  r.actor(1).pagevec = 1;
  CHECK(is_next(r.apply(kFlushTlbRange, 1)));
  CHECK(r.tlb(0, 0) == kTlbNone);
  CHECK(r.actor(1).pagevec == 0);
}

TEST_CASE("a store that faults waits for mprotect's mmap_sem and then gets SIGSEGV") {
  Rig r(test::scenario("linux-4.19", 1, 1, 1, "writer,mprotect"));
  r.cache(0);
  r.map(0, 0, kPtePresent | kPteDirty);  // write-protected by change_pte_range
  r.s.mmap_sem[0] = holder(1);
  r.s.vma_ro[0] = 1;
  CHECK(!r.enabled(kStore, 0));
  r.tlb(0, 0) = kTlbWriteDirty;  // a stale writable entry needs no fault
  CHECK(r.enabled(kStore, 0));
  CHECK(r.apply(kStore, 0).kind == Flow::Kind::again);
  CHECK(r.block(0).mem == 1);
  r.tlb(0, 0) = kTlbNone;
  r.s.mmap_sem[0] = 0;
  CHECK(r.enabled(kStore, 0));
  CHECK(jumped(kStore, r.apply(kStore, 0), Target::loop_end));  // access_error: SIGSEGV
  CHECK(r.block(0).mem == 1);
  CHECK(r.pte(0, 0) == (kPtePresent | kPteDirty));
}

// --- buffer-level flush (journal) ---------------------------------------------------------------

TEST_CASE("2.6.18 journal skips a buffer locked when it scans it and writes the dirty ones") {
  Rig r(test::scenario("linux-2.6.18", 1, 2, 1, "journal"));
  r.cache(0);
  r.block(0).dirty = r.block(0).locked = 1;  // under writepage I/O, dirtied again
  r.block(0).async_write = 1;
  r.block(0).io = kIoSubmitted;
  r.block(1).dirty = 1;
  CHECK(r.enabled(kJournalSubmitBuffer, 0));
  CHECK(is_again(r.apply(kJournalSubmitBuffer, 0)));
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(0).io == kIoSubmitted);
  CHECK(r.actor(0).cursor == 1);
  CHECK(is_next(r.apply(kJournalSubmitBuffer, 0)));
  CHECK(r.block(1).dirty == 0);
  CHECK(r.block(1).locked == 1);
  CHECK(r.block(1).io == kIoSubmitted);
  CHECK(r.block(1).async_write == 0);
  CHECK(r.actor(0).cursor == 0);
  CHECK(r.page(0).dirty == 0);  // neither PG_dirty nor the PTEs are touched
}

TEST_CASE("2.6.20 journal waits for a dirty buffer under I/O, not for a clean one") {
  Rig r(test::scenario("linux-2.6.20", 1, 1, 1, "journal"));
  r.cache(0);
  r.block(0).locked = 1;
  r.block(0).io = kIoCaptured;
  CHECK(r.enabled(kJournalSubmitBuffer, 0));
  r.block(0).dirty = 1;
  CHECK_FALSE(r.enabled(kJournalSubmitBuffer, 0));
  r.block(0).dirty = 0;
  CHECK(is_next(r.apply(kJournalSubmitBuffer, 0)));
  CHECK(r.block(0).io == kIoCaptured);  // nothing to write
}

TEST_CASE("the journal flushes the blocks of its page range only") {
  Rig r(ranged(test::scenario("linux-2.6.20", 2, 1, 1, "journal"), 0, 1, 1));
  r.cache(0);
  r.cache(1);
  r.block(0).dirty = r.block(1).dirty = 1;
  CHECK(is_next(r.apply(kJournalSubmitBuffer, 0)));  // cursor 0 is block 1
  CHECK(r.block(0).dirty == 1);
  CHECK(r.block(0).locked == 0);
  CHECK(r.block(1).dirty == 0);
  CHECK(r.block(1).io == kIoSubmitted);
}

TEST_CASE("4.19+ buffer_flush write_dirty_buffer waits for a dirty locked buffer, then submits") {
  Rig r(test::scenario("linux-6.12", 1, 1, 1, "buffer_flush"));
  r.dirty(0);
  r.block(0).dirty = r.block(0).locked = 1;
  CHECK_FALSE(r.enabled(kWriteDirtyBuffer, 0));
  r.block(0).locked = 0;
  CHECK(r.enabled(kWriteDirtyBuffer, 0));
  CHECK(is_next(r.apply(kWriteDirtyBuffer, 0)));
  CHECK(r.block(0).locked == 1);
  CHECK(r.block(0).dirty == 0);
  CHECK(r.block(0).io == kIoSubmitted);
  CHECK(r.page(0).dirty == 1);
}

// --- the device ---------------------------------------------------------------------------------

TEST_CASE("the device captures a submitted write: io_version = mem at that moment") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "flusher"));
  r.finish_actors();
  r.cache(0).writeback = r.page(0).tag_writeback = 1;
  r.block(0).locked = r.block(0).async_write = 1;
  r.block(0).io = kIoSubmitted;
  r.block(0).mem = 3;
  r.block(1).mem = 2;  // idle: no transition
  const auto moves = device_moves(r);
  REQUIRE(moves.size() == 1);
  CHECK(moves[0].t.pc == 0);
  CHECK(moves[0].t.block == 0);
  const Block& b = moves[0].next.block[0];
  CHECK(b.io == kIoCaptured);
  CHECK(b.io_version == 3);
  CHECK(b.disk == 0);
  CHECK(b.locked == 1);
}

TEST_CASE("async completion writes the disk and unlocks — the last buffer ends PG_writeback") {
  Rig r(test::scenario("linux-6.12", 1, 2, 1, "flusher"));
  r.finish_actors();
  r.cache(0).writeback = r.page(0).tag_writeback = 1;
  for (int b = 0; b < 2; ++b) {
    r.block(b).locked = r.block(b).async_write = 1;
    r.block(b).io = kIoCaptured;
    r.block(b).io_version = static_cast<std::uint8_t>(b + 3);
    r.block(b).mem = 5;  // stored again since the capture
  }
  auto moves = device_moves(r);
  REQUIRE(moves.size() == 2);
  CHECK(moves[0].t.pc == 1);
  const Block& b0 = moves[0].next.block[0];
  CHECK(b0.disk == 3);
  CHECK(b0.mem == 5);
  CHECK(b0.locked == 0);
  CHECK(b0.async_write == 0);
  CHECK(b0.io == kIoIdle);
  CHECK(b0.io_version == 0);
  CHECK(moves[0].next.page[0].writeback == 1);  // block 1 is still in flight

  r.s = moves[0].next;
  moves = device_moves(r);
  REQUIRE(moves.size() == 1);
  CHECK(moves[0].t.block == 1);
  CHECK(moves[0].next.block[1].disk == 4);
  CHECK(moves[0].next.page[0].writeback == 0);
  CHECK(moves[0].next.page[0].tag_writeback == 0);
  CHECK(moves[0].next.ghost_bug == kBugNone);
}

TEST_CASE("a buffer flush's completion writes the disk and unlocks, leaving PG_writeback") {
  Rig r(test::scenario("linux-2.6.20", 1, 1, 1, "journal"));
  r.finish_actors();
  r.cache(0);
  r.block(0).locked = 1;
  r.block(0).io = kIoCaptured;
  r.block(0).io_version = 2;
  const auto moves = device_moves(r);
  REQUIRE(moves.size() == 1);
  CHECK(moves[0].t.actor == Transition::kDevice);
  CHECK(moves[0].t.pc == 2);  // end_buffer_write_sync
  CHECK(moves[0].next.block[0].disk == 2);
  CHECK(moves[0].next.block[0].locked == 0);
  CHECK(moves[0].next.block[0].io == kIoIdle);
  CHECK(moves[0].next.page[0].writeback == 0);
  CHECK(moves[0].next.ghost_bug == kBugNone);  // end_page_writeback is not called
}

TEST_CASE("writable_implies_dirty: a writable entry in any CPU's TLB needs PG_dirty, at rest") {
  const Model m(test::scenario("linux-6.12", 1, 1, 1, "writer"));
  const auto& p = properties::property_named("writable_implies_dirty");
  State s = m.initial();
  s.page[0].cached = 1;
  CHECK(p.holds(m, s));
  s.tlb[0][0] = kTlbWriteDirty;  // no PTE, a clean page: a store would go unrecorded
  CHECK(!p.holds(m, s));
  CHECK(p.explain(m, s).find("writer0's CPU has a writable TLB entry for page 0") !=
        std::string::npos);
  s.page[0].dirty = 1;
  CHECK(p.holds(m, s));
}
