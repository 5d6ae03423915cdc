#include "model/model.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"
#include "model/ordering.hpp"
#include "model/routines.hpp"

namespace dirtyrace::model {

using namespace kernel;

namespace {

/// Sets to 0 each local that no step will read before writing it again. The references an
/// actor holds, its stores and what it was called with are not dropped: no_leak and the
/// durability properties read them after the actor's last step.
void clear_dead_locals(Actor& act, VarSet live) {
  const auto clear = [&](Var v, std::uint8_t& field) {
    if (!has(live, v)) field = 0;
  };
  clear(Var::page, act.page);
  clear(Var::cleaned, act.cleaned);
  clear(Var::index, act.index);
  clear(Var::pagevec, act.pagevec);
  clear(Var::picked, act.picked);
  clear(Var::underway, act.underway);
  clear(Var::orig_pte, act.orig_pte);
  clear(Var::wait_index, act.wait_index);
  clear(Var::ubc, act.ubc);
}

#ifdef DIRTYRACE_SELF_CHECK
/// The variables a step changed from `before` to `after` (its own locals and the shared
/// state); -1 if it changed another actor's locals, which no step may touch.
std::int64_t changed_vars(const State& before, const State& after, int self) {
  VarSet out = 0;
  const auto mark = [&](bool changed, Var v) {
    if (changed) out |= vars({v});
  };
  for (std::size_t p = 0; p < before.page.size(); ++p) {
    const Page &b = before.page[p], &a = after.page[p];
    if (same_bytes(b, a)) continue;
    mark(b.cached != a.cached, Var::cached);
    mark(b.locked_by != a.locked_by, Var::page_lock);
    mark(b.dirty != a.dirty, Var::pg_dirty);
    mark(b.writeback != a.writeback, Var::pg_writeback);
    mark(b.tag_dirty != a.tag_dirty || b.tag_writeback != a.tag_writeback ||
             b.tag_towrite != a.tag_towrite,
         Var::tags);
    mark(b.error != a.error, Var::errors);
  }
  for (std::size_t g = 0; g < before.block.size(); ++g) {
    const Block &b = before.block[g], &a = after.block[g];
    if (same_bytes(b, a)) continue;
    mark(b.dirty != a.dirty || b.locked != a.locked || b.async_write != a.async_write ||
             b.alloc != a.alloc,
         Var::buffers);
    mark(b.io != a.io || b.io_version != a.io_version || b.disk != a.disk, Var::io);
    mark(b.mem != a.mem, Var::data);
    mark(b.ghost_lost != a.ghost_lost, Var::errors);
  }
  mark(before.as_eio != after.as_eio || before.wb_err != after.wb_err ||
           before.f_wb_err != after.f_wb_err || before.ghost_reported != after.ghost_reported ||
           before.ghost_io_failures != after.ghost_io_failures,
       Var::errors);
  mark(before.pte != after.pte, Var::pte);
  mark(before.rmap != after.rmap, Var::rmap);
  mark(before.ptl != after.ptl, Var::ptl);
  mark(before.tlb != after.tlb || before.tlb_batched != after.tlb_batched, Var::tlb);
  mark(before.vma_ro != after.vma_ro || before.mmap_sem != after.mmap_sem, Var::vma);
  mark(before.nr_dirty != after.nr_dirty ||
           before.ghost_nr_dirty_underflow != after.ghost_nr_dirty_underflow,
       Var::nr_dirty);
  for (std::size_t i = 0; i < before.actor.size(); ++i) {
    const Actor &b = before.actor[i], &a = after.actor[i];
    if (same_bytes(b, a)) continue;
    if (static_cast<int>(i) != self) return -1;
    mark(b.page != a.page, Var::page);
    mark(b.cleaned != a.cleaned, Var::cleaned);
    mark(b.index != a.index, Var::index);
    mark(b.pagevec != a.pagevec, Var::pagevec);
    mark(b.refs != a.refs, Var::refs);
    mark(b.picked != a.picked, Var::picked);
    mark(b.underway != a.underway, Var::underway);
    mark(b.orig_pte != a.orig_pte, Var::orig_pte);
    mark(b.stores != a.stores, Var::stores);
    mark(b.ghost_called != a.ghost_called, Var::called);
    mark(b.wait_index != a.wait_index, Var::wait_index);
    mark(b.ubc != a.ubc, Var::ubc);
    mark(b.err != a.err, Var::err);
  }
  return out;
}

/// Every variable a step changes must be among those it declares written (Step::writes).
void check_declared_writes(const State& before, const State& after, int self, const Step& st) {
  const std::int64_t changed = changed_vars(before, after, self);
  if (changed < 0) {
    throw std::logic_error("step '" + std::string(st.name) + "' of " + std::string(st.function) +
                           " changed another actor's locals");
  }
  const VarSet undeclared = static_cast<VarSet>(changed) & ~st.writes;
  if (undeclared != 0) {
    throw std::logic_error("step '" + std::string(st.name) + "' of " + std::string(st.function) +
                           " wrote " + var_names(undeclared) +
                           ", which it does not declare (Step::writes)");
  }
}
#endif

}  // namespace

Model::Model(Scenario scenario) : scenario_(std::move(scenario)) {
  scenario_.validate_and_resolve();
  build(routines_for(*scenario_.variant, scenario_.fs));
}

void Model::build(RoutineTable routines) {
  const Scenario& sc = scenario_;
  for (const RoutineOrder& order : sc.routine_orders) {
    routines.set(order.routine, reordered_items(routines, order));
  }
  env_.variant = sc.variant;
  env_.pages = sc.pages;
  env_.blocks_per_page = sc.blocks_per_page;
  env_.mappings = sc.mappings;
  env_.actors = static_cast<int>(sc.actors.size());
  env_.stable_writes = sc.stable_writes;
  env_.io_errors = sc.io_errors;
  env_.holes = !sc.holes.empty();
  // Open files: msync calls on the file its mapping's process mmapped (vma->vm_file), as does
  // fsync@m; any other fsync on a file of its own. Numbered in order of first use.
  std::vector<int> file_key;  // mapping m as m, fsync actor i's own file as kMaxMappings + i
  const auto file_of = [&](int key) {
    const auto at = std::find(file_key.begin(), file_key.end(), key);
    if (at != file_key.end()) return static_cast<int>(at - file_key.begin());
    file_key.push_back(key);
    return static_cast<int>(file_key.size()) - 1;
  };
  const Variant& v = *sc.variant;
  for (std::size_t i = 0; i <= sc.actors.size(); ++i) {
    const bool final_fsync = i == sc.actors.size();
    ActorSpec spec;
    if (final_fsync) {
      spec.kind = ActorKind::fsync;
    } else {
      spec = sc.actors[i];
    }
    ActorEnv ae;
    ae.kind = spec.kind;
    ae.name = final_fsync ? "final-fsync" : sc.actor_name(i);
    ae.mapping = spec.mapping < 0 ? 0 : spec.mapping;
    ae.first_page = spec.first_page;
    ae.last_page = spec.last_page < 0 ? sc.pages - 1 : spec.last_page;
    const bool whole_file = spec.kind != ActorKind::msync || v.msync != MsyncKind::range_fsync;
    ae.wb_first = whole_file ? 0 : ae.first_page;
    ae.wb_last = whole_file ? sc.pages - 1 : ae.last_page;
    if (spec.kind == ActorKind::journal && journal_kind(v, sc.fs) == JournalKind::writepages) {
      ae.wb_first = ae.first_page;
      ae.wb_last = ae.last_page;
    }
    const bool sync = spec.kind == ActorKind::msync || spec.kind == ActorKind::fsync ||
                      spec.kind == ActorKind::journal;
    ae.sync_all = sync;
    ae.trylock_buffers = (spec.kind == ActorKind::flusher && v.flusher_trylocks_buffers) ||
                         spec.kind == ActorKind::reclaim;
    ae.skips_clean_mapping = v.sync_skips_clean_mapping &&
                             (spec.kind == ActorKind::msync || spec.kind == ActorKind::fsync);
    // An msync that returned -EINVAL or had nothing to sync promised nothing.
    ae.records_call = !final_fsync && spec.outcome == RangeOutcome::touches &&
                      (spec.kind == ActorKind::msync || spec.kind == ActorKind::fsync);
    if (!final_fsync && spec.kind == ActorKind::msync) ae.file = file_of(spec.mapping);
    if (!final_fsync && spec.kind == ActorKind::fsync) {
      ae.file = file_of(spec.file >= 0 ? spec.file : kMaxMappings + static_cast<int>(i));
    }
    if (spec.kind == ActorKind::writer) {
      ae.targets = sc.writer_targets(spec);
      ae.stores = sc.writer_stores(spec);
      ae.stores_before.assign(static_cast<std::size_t>(ae.stores) + 1, {});
      for (int k = 0; k < ae.stores; ++k) {
        auto& row = ae.stores_before[static_cast<std::size_t>(k) + 1];
        row = ae.stores_before[static_cast<std::size_t>(k)];
        const int g = ae.targets[static_cast<std::size_t>(k) % ae.targets.size()];
        ++row[static_cast<std::size_t>(g)];
      }
      for (int g = 0; g < sc.blocks(); ++g) {
        env_.max_version[static_cast<std::size_t>(g)] =
            static_cast<std::uint8_t>(env_.max_version[static_cast<std::size_t>(g)] +
                                      ae.stores_before.back()[static_cast<std::size_t>(g)]);
      }
    }
    env_.files = static_cast<int>(file_key.size());
    ae.program = Program::build(routines, entry_routine(spec.kind, spec.outcome));
    env_.actor.push_back(std::move(ae));
    const int self = static_cast<int>(i);
    ActorEnv& added = env_.actor.back();
    added.program.specialise_liveness(
        [&](std::size_t pc) { return added.program[pc].step->skip(State{}, env_, self); });
  }
  build_packer();
}

void Model::build_packer() {
  const int P = env_.pages, B = env_.blocks_per_page, M = env_.mappings, A = env_.actors;
  const bool errors = env_.io_errors > 0;
  const unsigned failures = bits_for(static_cast<unsigned>(env_.io_errors));
  const bool holes = !scenario_.holes.empty();
  static const State s{};
  const auto at = [](const auto& member) {
    return static_cast<std::size_t>(reinterpret_cast<const std::byte*>(&member) -
                                    reinterpret_cast<const std::byte*>(&s));
  };
  for (int p = 0; p < P; ++p) {
    const Page& pg = s.page[static_cast<std::size_t>(p)];
    packer_.add(at(pg.cached), 1);
    packer_.add(at(pg.locked_by), bits_for(static_cast<unsigned>(A)));
    packer_.add(at(pg.dirty), 1);
    packer_.add(at(pg.writeback), 1);
    packer_.add(at(pg.tag_dirty), 1);
    packer_.add(at(pg.tag_writeback), 1);
    packer_.add(at(pg.tag_towrite), env_.variant->towrite ? 1 : 0);
    packer_.add(at(pg.error), errors && env_.variant->write_errors != WriteErrors::errseq ? 1 : 0);
  }
  for (int g = 0; g < P * B; ++g) {
    const Block& b = s.block[static_cast<std::size_t>(g)];
    const unsigned vbits = bits_for(env_.max_version[static_cast<std::size_t>(g)]);
    packer_.add(at(b.dirty), 1);
    packer_.add(at(b.locked), 1);
    packer_.add(at(b.async_write), 1);
    packer_.add(at(b.io), 2);
    packer_.add(at(b.io_version), vbits);
    packer_.add(at(b.mem), vbits);
    packer_.add(at(b.disk), vbits);
    packer_.add(at(b.ghost_lost), failures);
    packer_.add(at(b.alloc), holes ? bits_for(kAllocDelayed) : 0);
  }
  packer_.add(at(s.as_eio), errors && env_.variant->write_errors != WriteErrors::errseq ? 1 : 0);
  // errseq: 2 * counter + SEEN, the counter at most one per failure.
  const unsigned errseq_bits = errors && env_.variant->write_errors == WriteErrors::errseq
                                   ? bits_for(2 * static_cast<unsigned>(env_.io_errors) + 1)
                                   : 0;
  packer_.add(at(s.wb_err), errseq_bits);
  for (int f = 0; f < env_.files; ++f) {
    packer_.add(at(s.f_wb_err[static_cast<std::size_t>(f)]), errseq_bits);
    packer_.add(at(s.ghost_reported[static_cast<std::size_t>(f)]), failures);
  }
  packer_.add(at(s.ghost_io_failures), failures);
  for (int m = 0; m < M; ++m) {
    for (int p = 0; p < P; ++p) {
      packer_.add(at(s.pte[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)]), 3);
    }
  }
  for (int m = 0; m < M; ++m) {
    for (int p = 0; p < P; ++p) {
      packer_.add(at(s.rmap[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)]), 1);
    }
  }
  // Only zap_pte_range and change_pte_range hold a PTE lock across steps; only writers' CPUs
  // cache translations; only mprotect changes a VMA and takes mmap_sem for write.
  bool zaps = false, protects = false;
  for (int a = 0; a < A; ++a) {
    zaps = zaps || env_.of(a).kind == ActorKind::munmap || env_.of(a).kind == ActorKind::mprotect;
    protects = protects || env_.of(a).kind == ActorKind::mprotect;
  }
  for (int m = 0; m < M; ++m) {
    packer_.add(at(s.ptl[static_cast<std::size_t>(m)]),
                zaps ? bits_for(static_cast<unsigned>(A)) : 0);
  }
  bool batches = false;
  for (int a = 0; a < A; ++a) batches = batches || env_.of(a).kind == ActorKind::reclaim;
  batches = batches && env_.variant->reclaim_batches_flush;
  for (int m = 0; m < M; ++m) {
    packer_.add(at(s.tlb_batched[static_cast<std::size_t>(m)]),
                batches && env_.variant->flush_batched_pending ? 1 : 0);
    packer_.add(at(s.vma_ro[static_cast<std::size_t>(m)]), protects ? static_cast<unsigned>(P) : 0);
    packer_.add(at(s.mmap_sem[static_cast<std::size_t>(m)]),
                protects ? bits_for(static_cast<unsigned>(A)) : 0);
  }
  for (int a = 0; a < A; ++a) {
    if (env_.of(a).kind != ActorKind::writer) continue;
    for (int p = 0; p < P; ++p) {
      packer_.add(at(s.tlb[static_cast<std::size_t>(a)][static_cast<std::size_t>(p)]), 2);
    }
  }
  packer_.add(at(s.nr_dirty), bits_for(static_cast<unsigned>(P)));
  packer_.add(at(s.ghost_nr_dirty_underflow), 1);
  packer_.add(at(s.ghost_bug), bits_for(kBugPageFreed));
  packer_.add(at(s.ghost_unstable_store), env_.stable_writes ? 1 : 0);
  const unsigned cursor_bits = bits_for(static_cast<unsigned>(std::max({M, B, P * B}) - 1));
  for (int a = 0; a < A; ++a) {
    const ActorEnv& ae = env_.of(a);
    const Actor& act = s.actor[static_cast<std::size_t>(a)];
    packer_.add(at(act.pc), bits_for(ae.program.spinning()));
    // Only the locals the actor's steps use take bits.
    VarSet used = 0;
    for (std::size_t pc = 0; pc < ae.program.size(); ++pc) {
      used |= ae.program[pc].step->reads | ae.program[pc].step->writes;
    }
    const auto local = [&](Var v, const std::uint8_t& field, unsigned bits) {
      if (has(used, v)) packer_.add(at(field), bits);
    };
    local(Var::page, act.page, bits_for(static_cast<unsigned>(P - 1)));
    local(Var::cleaned, act.cleaned, 1);
    local(Var::index, act.index, bits_for(static_cast<unsigned>(P)));
    local(Var::pagevec, act.pagevec, static_cast<unsigned>(P));
    local(Var::refs, act.refs, static_cast<unsigned>(P));
    local(Var::picked, act.picked, static_cast<unsigned>(B));
    local(Var::underway, act.underway, 1);
    local(Var::orig_pte, act.orig_pte, 3);
    local(Var::stores, act.stores, bits_for(static_cast<unsigned>(ae.stores)));
    local(Var::wait_index, act.wait_index, bits_for(static_cast<unsigned>(P)));
    local(Var::ubc, act.ubc, bits_for(kUbcWritable));
    local(Var::err, act.err, 1);
    if (ae.kind != ActorKind::writer) packer_.add(at(act.cursor), cursor_bits);
    if (ae.kind == ActorKind::munmap || ae.kind == ActorKind::mprotect) {
      packer_.add(at(act.ghost_left_mapped), 1);
    }
    if (ae.records_call) {
      for (int g = 0; g < P * B; ++g) {
        packer_.add(at(act.ghost_called[static_cast<std::size_t>(g)]),
                    bits_for(env_.max_version[static_cast<std::size_t>(g)]));
      }
    }
  }
}

State Model::initial() const {
  State s{};
  for (int g : scenario_.holes) s.block[static_cast<std::size_t>(g)].alloc = kAllocHole;
  for (int a = 0; a < env_.actors; ++a) {
    s.actor[static_cast<std::size_t>(a)].pc = 0;
    // A routine with every step dropped (orderings --drop) has no step 0: done from the start.
    if (env_.of(a).program.size() == 0) continue;
    advance(s, a, 0, Flow{Flow::Kind::again, Target::retry});
  }
  return s;
}

void Model::advance(State& s, int a, std::uint8_t pc, Flow flow) const {
  const Program& prog = env_.of(a).program;
  std::uint8_t to = pc;
  // Flow::again starts at `pc` itself, which is prog.done() for an actor whose edited routines
  // left no step: it finishes at once.
  if (flow.kind == Flow::Kind::next) {
    to = prog[pc].next;
  } else if (flow.kind == Flow::Kind::jump) {
    const FlatStep& from = prog[pc];
    to = from.target[static_cast<std::size_t>(flow.target)];
    if (to == kNoTarget) {
      throw std::logic_error("step '" + std::string(from.step->name) + "' of " + env_.of(a).name +
                             " jumped to a target it did not declare");
    }
  }
  Actor& act = s.actor[static_cast<std::size_t>(a)];
  for (std::size_t hops = 0; to < prog.done(); ++hops) {
    const Step& st = *prog[to].step;
    if (!st.skip || !st.skip(s, env_, a)) break;
    clear_dead_locals(act, ~st.skip_clears);
    if (hops > prog.size()) {
      // Passing over steps changes no shared state, so the actor will never get out.
      act.pc = prog.spinning();
      return;
    }
    to = prog[to].skip_target;
  }
  act.pc = to;
  // A step taken again (one per mapping, buffer or page) carries its locals to its next round.
  if (flow.kind != Flow::Kind::again || to != pc) clear_dead_locals(act, prog.live(to));
  // munmap_unmaps: the PTEs munmap leaves at the moment it returns (later faults may refill).
  const ActorEnv& ae = env_.of(a);
  if (to == prog.done() && ae.kind == ActorKind::munmap &&
      scenario_.actors[static_cast<std::size_t>(a)].outcome == RangeOutcome::touches) {
    for (int p = ae.first_page; p <= ae.last_page; ++p) {
      if (pte_of(s, ae.mapping, p) & kPtePresent) act.ghost_left_mapped = 1;
    }
  }
  // mprotect_protects: a writable translation of the range left when mprotect returns.
  if (to == prog.done() && ae.kind == ActorKind::mprotect &&
      kernel::writable_translation(s, env_, ae.mapping, ae.first_page, ae.last_page)) {
    act.ghost_left_mapped = 1;
  }
}

void Model::for_each_transition(const State& s, TransitionSink sink) const {
  State next;
  for (int a = 0; a < env_.actors; ++a) {
    const Actor& act = s.actor[static_cast<std::size_t>(a)];
    const Program& prog = env_.of(a).program;
    if (act.pc == prog.spinning()) {
      sink(Transition{static_cast<std::uint8_t>(a), act.pc, 0, 0}, s);
      continue;
    }
    if (act.pc >= prog.done()) continue;
    const Step& st = *prog[act.pc].step;
    if (st.enabled && !st.enabled(s, env_, a)) continue;
    for (int c = 0; c < st.choices(); ++c) {
      next = s;
      Exec x{next, env_, a, static_cast<std::uint8_t>(c)};
      const Flow flow = st.apply(x);
#ifdef DIRTYRACE_SELF_CHECK
      check_declared_writes(s, next, a, st);
#endif
      advance(next, a, act.pc, flow);
#ifdef DIRTYRACE_SELF_CHECK
      if (!packer_.round_trips(next)) {
        throw std::logic_error("step '" + std::string(st.name) + "' of " + env_.of(a).name +
                               " left a value the packer cannot hold");
      }
#endif
      sink(Transition{static_cast<std::uint8_t>(a), act.pc, static_cast<std::uint8_t>(c), 0}, next);
    }
  }
  device_transitions(s, sink);
}

void Model::device_transitions(const State& s, TransitionSink sink) const {
  State next;
  for (int g = 0; g < env_.blocks(); ++g) {
    const Block& blk = s.block[static_cast<std::size_t>(g)];
    if (blk.io == kIoIdle) continue;
    next = s;
    Block& b = next.block[static_cast<std::size_t>(g)];
    if (blk.io == kIoSubmitted) {
      b.io = kIoCaptured;
      b.io_version = b.mem;
      sink(Transition{Transition::kDevice, 0, 0, static_cast<std::uint8_t>(g)}, next);
      continue;
    }
    const bool async = b.async_write;
    complete_write(next, g, true);
    sink(Transition{Transition::kDevice, static_cast<std::uint8_t>(async ? 1 : 2), 0,
                    static_cast<std::uint8_t>(g)},
         next);
    // Only page writeback's writes fail (README, "Write errors").
    if (async && s.ghost_io_failures < env_.io_errors) {
      next = s;
      complete_write(next, g, false);
      sink(Transition{Transition::kDevice, Transition::kDeviceFailed, 0,
                      static_cast<std::uint8_t>(g)},
           next);
    }
  }
}

void Model::complete_write(State& s, int g, bool ok) const {
  Block& b = s.block[static_cast<std::size_t>(g)];
  const int p = g / env_.blocks_per_page;
  if (ok) {
    b.disk = b.io_version;
    if (b.disk >= b.mem) b.ghost_lost = 0;
  } else {
    // end_buffer_async_write(bh, 0): the disk keeps its old version; the error goes to the
    // mapping (and, before 4.13, to the page), never back to PG_dirty.
    b.ghost_lost = ++s.ghost_io_failures;
    mapping_set_error(s, env_, p);
  }
  b.io = kIoIdle;
  b.io_version = 0;
  b.locked = 0;
  if (b.async_write) {
    b.async_write = 0;
    bool others = false;
    for (int k = 0; k < env_.blocks_per_page; ++k) {
      others = others || s.block[static_cast<std::size_t>(env_.block(p, k))].async_write;
    }
    if (!others) end_page_writeback(s, p);
  }
}

bool Model::finished(const State& s) const {
  for (int a = 0; a < env_.actors; ++a) {
    if (s.actor[static_cast<std::size_t>(a)].pc != env_.of(a).program.done()) return false;
  }
  for (int g = 0; g < env_.blocks(); ++g) {
    if (s.block[static_cast<std::size_t>(g)].io != kIoIdle) return false;
  }
  return true;
}

bool Model::at_rest(const State& s) const {
  for (int a = 0; a < env_.actors; ++a) {
    const std::uint8_t pc = s.actor[static_cast<std::size_t>(a)].pc;
    const Program& prog = env_.of(a).program;
    // A loop's later rounds are inside the routine (zap_pte_range holds ptl between them).
    if (pc == prog.spinning() ||
        (pc < prog.done() &&
         (!prog[pc].step->rest || s.actor[static_cast<std::size_t>(a)].cursor != 0)))
      return false;
  }
  return true;
}

std::optional<State> Model::after_final_fsync(const State& from) const {
  const int f = env_.actors;  // the final fsync's slot
  const Program& prog = env_.of(f).program;
  State s = from;
  s.actor[static_cast<std::size_t>(f)] = Actor{};
  advance(s, f, 0, Flow{Flow::Kind::again, Target::retry});
  // The fsync runs alone; when it waits, the device moves. Both are deterministic here.
  for (int steps = 0; steps < 100000; ++steps) {
    const Actor& act = s.actor[static_cast<std::size_t>(f)];
    if (act.pc < prog.done()) {
      const Step& st = *prog[act.pc].step;
      if (!st.enabled || st.enabled(s, env_, f)) {
        const std::uint8_t pc = act.pc;
        Exec x{s, env_, f, 0};
        advance(s, f, pc, st.apply(x));
        continue;
      }
    }
    bool moved = false;
    device_transitions(s, [&](Transition, const State& next) {
      if (!moved) {
        s = next;
        moved = true;
      }
    });
    if (moved) continue;
    if (act.pc == prog.done()) return s;
    return std::nullopt;  // blocked for good, or spinning
  }
  return std::nullopt;  // a loop that never ends
}

}  // namespace dirtyrace::model
