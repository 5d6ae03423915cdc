#include "bench/independence.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdio>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/dependency.hpp"
#include "model/model.hpp"

namespace dirtyrace::bench {

namespace {

using model::Var;
using model::VarSet;

using model::Access;

/// The same as Access, by object (below).
using Objects = std::bitset<160>;
struct ObjectAccess {
  Objects reads, writes;
};

bool conflict(const ObjectAccess& a, const ObjectAccess& b) {
  return (a.writes & (b.reads | b.writes)).any() || (b.writes & a.reads).any();
}
bool writes_what_reads(const Access& a, const Access& b) {
  return (a.writes & b.reads) != 0;
}
bool writes_what_reads(const ObjectAccess& a, const ObjectAccess& b) {
  return (a.writes & b.reads).any();
}

/// For each step of actor `a`'s program, what every step it may still take from there, itself
/// included, may access: along next, the jumps it declares, its skip target, and Flow::again.
std::vector<Access> futures(const model::Env& env, int a) {
  const model::Program& program = env.of(a).program;
  std::vector<Access> out(program.size());
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    std::vector<bool> seen(program.size(), false);
    std::vector<std::size_t> todo{pc};
    while (!todo.empty()) {
      const std::size_t at = todo.back();
      todo.pop_back();
      if (at >= program.size() || seen[at]) continue;
      seen[at] = true;
      const model::FlatStep& fs = program[at];
      out[pc] |= model::access(env, a, at);
      todo.push_back(fs.next);
      for (std::size_t t = 0; t < fs.target.size(); ++t) {
        if ((fs.step->jumps >> t & 1u) && fs.target[t] != model::kNoTarget) {
          todo.push_back(fs.target[t]);
        }
      }
      if (fs.step->skip) todo.push_back(fs.skip_target);
    }
  }
  return out;
}

struct Tally {
  std::uint64_t states = 0, enabled = 0, persistent = 0, smaller = 0, objects = 0;
};

/// The smallest persistent set by the conflicting-process closure (Godefroid 1996, section 4.4):
/// a process whose next step is enabled pulls in every process whose future may conflict with
/// that step; one whose next step waits pulls in every process whose future may write what the
/// step reads. Returns its number of transitions.
template <class A>
std::size_t smallest_closure(const std::vector<bool>& alive, const std::vector<A>& next,
                             const std::vector<A>& ahead, const std::vector<std::size_t>& enabled) {
  const std::size_t processes = enabled.size();
  std::size_t best = 0;
  for (std::size_t seed = 0; seed < processes; ++seed) {
    if (enabled[seed] == 0) continue;
    std::vector<bool> in(processes, false);
    in[seed] = true;
    std::vector<std::size_t> todo{seed};
    std::size_t size = 0;
    while (!todo.empty()) {
      const std::size_t p = todo.back();
      todo.pop_back();
      size += enabled[p];
      for (std::size_t q = 0; q < processes; ++q) {
        if (in[q] || !alive[q]) continue;
        const bool pulled =
            enabled[p] ? conflict(next[p], ahead[q]) : writes_what_reads(ahead[q], next[p]);
        if (pulled) {
          in[q] = true;
          todo.push_back(q);
        }
      }
    }
    if (best == 0 || size < best) best = size;
  }
  return best;
}

/// Variables by object, for the optimistic bound: each kind of shared variable once per page
/// (flags, tags, the references held), per block (buffers, data, I/O), per mapping and page (PTE,
/// rmap), per CPU and page (TLB), per mapping (PTE lock, VMA, batched flush), or once
/// (NR_FILE_DIRTY, the errors).
constexpr int kBlockBase = 6 * model::kMaxPages;
constexpr int kPteBase = kBlockBase + 3 * model::kMaxBlocks;
constexpr int kRmapBase = kPteBase + model::kMaxMappings * model::kMaxPages;
constexpr int kTlbBase = kRmapBase + model::kMaxMappings * model::kMaxPages;
constexpr int kMappingBase = kTlbBase + model::kMaxActors * model::kMaxPages;
constexpr int kNrDirty = kMappingBase + 3 * model::kMaxMappings;
constexpr int kErrors = kNrDirty + 1;
static_assert(kErrors < 160);

/// The kinds kept once per page and once per block, in the order of their objects.
constexpr std::array kPageKinds = {Var::cached,       Var::page_lock, Var::pg_dirty,
                                   Var::pg_writeback, Var::tags,      Var::refs};
constexpr std::array kBlockKinds = {Var::buffers, Var::data, Var::io};
static_assert(kBlockBase == int{kPageKinds.size()} * model::kMaxPages);

/// Where `v` sits in `kinds`, or -1.
template <std::size_t N>
int position(const std::array<Var, N>& kinds, Var v) {
  const auto* at = std::find(kinds.begin(), kinds.end(), v);
  return at == kinds.end() ? -1 : static_cast<int>(at - kinds.begin());
}

/// Which pages, blocks, mappings and CPUs a step or a future touches (bit sets).
struct Reach {
  unsigned pages = 0, blocks = 0, mappings = 0, cpus = 0;
};

/// The objects of `kinds` within `r`.
Objects objects(VarSet kinds, const Reach& r) {
  Objects o;
  const auto set = [&](int bit) { o.set(static_cast<std::size_t>(bit)); };
  const auto in = [](unsigned mask, int i) { return (mask >> i & 1u) != 0; };
  for (int k = model::kLocals; k < model::kVars; ++k) {
    const auto v = static_cast<Var>(k);
    if (!model::has(kinds, v)) continue;
    const int page_at = position(kPageKinds, v), block_at = position(kBlockKinds, v);
    for (int p = 0; p < model::kMaxPages; ++p) {
      if (!in(r.pages, p)) continue;
      if (page_at >= 0) set(page_at * model::kMaxPages + p);
      for (int m = 0; m < model::kMaxMappings; ++m) {
        if (in(r.mappings, m) && v == Var::pte) set(kPteBase + m * model::kMaxPages + p);
        if (in(r.mappings, m) && v == Var::rmap) set(kRmapBase + m * model::kMaxPages + p);
      }
      for (int c = 0; c < model::kMaxActors; ++c) {
        if (in(r.cpus, c) && v == Var::tlb) set(kTlbBase + c * model::kMaxPages + p);
      }
    }
    for (int g = 0; g < model::kMaxBlocks; ++g) {
      if (in(r.blocks, g) && block_at >= 0) set(kBlockBase + block_at * model::kMaxBlocks + g);
    }
    for (int m = 0; m < model::kMaxMappings; ++m) {
      if (!in(r.mappings, m)) continue;
      if (v == Var::ptl) set(kMappingBase + m);
      if (v == Var::vma) set(kMappingBase + model::kMaxMappings + m);
      if (v == Var::tlb) set(kMappingBase + 2 * model::kMaxMappings + m);
    }
    if (v == Var::nr_dirty) set(kNrDirty);
    if (v == Var::errors) set(kErrors);
  }
  return o;
}

ObjectAccess objects(Access f, const Reach& r) {
  return {objects(f.reads, r), objects(f.writes, r)};
}

/// Every block of the pages in `pages`.
unsigned blocks_of(const model::Env& env, unsigned pages) {
  unsigned blocks = 0;
  for (int p = 0; p < env.pages; ++p) {
    if (pages >> p & 1u) {
      for (int b = 0; b < env.blocks_per_page; ++b) blocks |= 1u << env.block(p, b);
    }
  }
  return blocks;
}

/// What an actor may touch in all its run, optimistically: a writer its own CPU and mapping and
/// the blocks it stores to; an actor with a mapping that mapping; every other actor its page
/// range and writeback range, and every CPU (its TLB shootdowns).
Reach reach_of(const model::Env& env, int a) {
  const model::ActorEnv& ae = env.of(a);
  Reach r;
  if (ae.kind == model::ActorKind::writer) {
    for (int g : ae.targets) {
      r.pages |= 1u << (g / env.blocks_per_page);
      r.blocks |= 1u << g;
    }
    r.cpus = 1u << a;
  } else {
    r.pages = env.page_mask(ae.first_page, ae.last_page) | env.page_mask(ae.wb_first, ae.wb_last);
    r.blocks = blocks_of(env, r.pages);
    r.cpus = (1u << env.actors) - 1;
  }
  r.mappings =
      model::actor_kind_info(ae.kind).uses_mapping ? 1u << ae.mapping : (1u << env.mappings) - 1;
  return r;
}

/// Both bounds at one state: by kind, and by object.
std::pair<std::size_t, std::size_t> smallest_persistent(
    const model::Model& m, const model::State& s, const std::vector<std::vector<Access>>& future,
    const std::vector<std::size_t>& enabled) {
  const model::Env& env = m.env();
  const std::size_t processes = enabled.size();  // actors, then one device per block
  std::vector<bool> alive(processes, false);
  std::vector<Access> next(processes), ahead(processes);
  std::vector<ObjectAccess> next_o(processes), ahead_o(processes);
  for (int a = 0; a < env.actors; ++a) {
    const auto i = static_cast<std::size_t>(a);
    const model::Program& prog = env.of(a).program;
    const model::Actor& act = s.actor[i];
    if (act.pc == prog.spinning()) {
      alive[i] = true;  // goes round without touching anything
    } else if (act.pc < prog.done()) {
      alive[i] = true;
      const model::Step& st = *prog[act.pc].step;
      next[i] = model::access(env, a, act.pc);
      ahead[i] = future[i][act.pc];
      // The next step: on the page it works on (a writer: the block of its next store), and an
      // rmap walk on its mapping.
      const Reach r = reach_of(env, a);
      const model::ActorEnv& ae = env.of(a);
      Reach now = r;
      if (ae.kind == model::ActorKind::writer && act.stores < ae.stores) {
        const int g = ae.targets[static_cast<std::size_t>(act.stores) % ae.targets.size()];
        now.pages = 1u << (g / env.blocks_per_page);
        now.blocks = 1u << g;
      } else {
        now.pages = 1u << act.page;
        now.blocks = blocks_of(env, now.pages);
      }
      if (st.per_mapping) now.mappings = 1u << act.cursor;
      next_o[i] = objects(next[i], now);
      ahead_o[i] = objects(ahead[i], r);
    }
  }
  for (int g = 0; g < env.blocks(); ++g) {
    const auto d = static_cast<std::size_t>(env.actors + g);
    alive[d] = true;
    ahead[d] = model::kDeviceAccess;
    // An idle block waits for a submission, which writes `io`.
    next[d] = s.block[static_cast<std::size_t>(g)].io == model::kIoIdle
                  ? Access{model::vars({Var::io}), 0}
                  : model::kDeviceAccess;
    const Reach block{1u << (g / env.blocks_per_page), 1u << g, 0, 0};
    next_o[d] = objects(next[d], block);
    ahead_o[d] = objects(ahead[d], block);
  }
  return {smallest_closure(alive, next, ahead, enabled),
          smallest_closure(alive, next_o, ahead_o, enabled)};
}

Tally measure(const model::Model& m) {
  const model::Env& env = m.env();
  std::vector<std::vector<Access>> future;
  for (int a = 0; a < env.actors; ++a) future.push_back(futures(env, a));
  const std::size_t width = m.packed_bytes();
  std::unordered_set<std::string> seen;
  std::deque<std::string> queue;
  std::string packed(width, '\0');
  m.pack(m.initial(), reinterpret_cast<std::byte*>(packed.data()));
  seen.insert(packed);
  queue.push_back(packed);
  Tally t;
  model::State s;
  std::vector<std::size_t> enabled(static_cast<std::size_t>(env.actors + env.blocks()));
  while (!queue.empty()) {
    m.unpack(reinterpret_cast<const std::byte*>(queue.front().data()), s);
    queue.pop_front();
    std::fill(enabled.begin(), enabled.end(), 0);
    std::size_t all = 0;
    m.for_each_transition(s, [&](model::Transition tr, const model::State& after) {
      ++all;
      ++enabled[tr.actor == model::Transition::kDevice ? std::size_t(env.actors) + tr.block
                                                       : std::size_t{tr.actor}];
      m.pack(after, reinterpret_cast<std::byte*>(packed.data()));
      if (seen.insert(packed).second) queue.push_back(packed);
    });
    if (all) {
      const auto [kind, object] = smallest_persistent(m, s, future, enabled);
      t.persistent += kind;
      t.objects += object;
      if (kind < all) ++t.smaller;
    }
    ++t.states;
    t.enabled += all;
  }
  return t;
}

}  // namespace

void bench_independence(const std::vector<std::pair<const char*, model::Scenario>>& cases) {
  std::printf("\n%-16s %12s %12s %12s %12s %12s\n", "independence", "states", "enabled",
              "persistent", "smaller at", "by object");
  for (const auto& [name, scenario] : cases) {
    const model::Model m(scenario);
    const Tally t = measure(m);
    std::printf(
        "%-16s %12llu %12llu %12llu %11.2f%% %12llu\n", name,
        static_cast<unsigned long long>(t.states), static_cast<unsigned long long>(t.enabled),
        static_cast<unsigned long long>(t.persistent), 100.0 * double(t.smaller) / double(t.states),
        static_cast<unsigned long long>(t.objects));
    std::fflush(stdout);
  }
}

}  // namespace dirtyrace::bench
