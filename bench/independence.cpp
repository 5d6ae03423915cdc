#include "bench/independence.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/model.hpp"

namespace dirtyrace::bench {

namespace {

using model::Var;
using model::VarSet;

/// What a step, or a process's whole future, may read and write of the shared variables (an
/// actor's locals are its own: no other actor's step depends on them).
struct Footprint {
  VarSet reads = 0, writes = 0;
  Footprint& operator|=(Footprint o) {
    reads |= o.reads;
    writes |= o.writes;
    return *this;
  }
};

bool dependent(Footprint a, Footprint b) {
  return (a.writes & (b.reads | b.writes)) != 0 || (b.writes & a.reads) != 0;
}

Footprint of_step(const model::Step& st) {
  return {st.reads & ~model::kLocalVars, st.writes & ~model::kLocalVars};
}

/// The device writing one block (Model::device_transitions and complete_write): capture reads
/// the block's data; completion ends the I/O, unlocks the buffer, may end the page's writeback
/// and, when the write fails, sets the mapping's error.
constexpr Footprint kDevice{
    model::vars({Var::data, Var::io, Var::buffers, Var::pg_writeback}),
    model::vars({Var::io, Var::buffers, Var::pg_writeback, Var::tags, Var::errors})};

/// For each step of an actor's program, every step it may still take from there, itself
/// included: along next, the jumps it declares, its skip target, and Flow::again.
std::vector<Footprint> futures(const model::Program& program) {
  std::vector<Footprint> out(program.size());
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    std::vector<bool> seen(program.size(), false);
    std::vector<std::size_t> todo{pc};
    while (!todo.empty()) {
      const std::size_t at = todo.back();
      todo.pop_back();
      if (at >= program.size() || seen[at]) continue;
      seen[at] = true;
      const model::FlatStep& fs = program[at];
      out[pc] |= of_step(*fs.step);
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
  std::uint64_t states = 0, enabled = 0, persistent = 0, smaller = 0;
};

/// The smallest persistent set of `s` by the conflicting-process closure (Godefroid 1996,
/// section 4.4): a process whose next step is enabled pulls in every process whose future may
/// conflict with that step; one whose next step waits pulls in every process whose future
/// may write what the step reads. Returns its number of transitions.
std::size_t smallest_persistent(const model::Model& m, const model::State& s,
                                const std::vector<std::vector<Footprint>>& future,
                                const std::vector<std::size_t>& enabled) {
  const model::Env& env = m.env();
  const std::size_t processes = enabled.size();  // actors, then one device per block
  std::vector<bool> alive(processes, false);
  std::vector<Footprint> next(processes), ahead(processes);
  for (int a = 0; a < env.actors; ++a) {
    const model::Program& prog = env.of(a).program;
    const std::uint8_t pc = s.actor[static_cast<std::size_t>(a)].pc;
    if (pc == prog.spinning()) {
      alive[static_cast<std::size_t>(a)] = true;  // goes round without touching anything
    } else if (pc < prog.done()) {
      alive[static_cast<std::size_t>(a)] = true;
      next[static_cast<std::size_t>(a)] = of_step(*prog[pc].step);
      ahead[static_cast<std::size_t>(a)] = future[static_cast<std::size_t>(a)][pc];
    }
  }
  for (int g = 0; g < env.blocks(); ++g) {
    const auto d = static_cast<std::size_t>(env.actors + g);
    alive[d] = true;
    ahead[d] = kDevice;
    // An idle block waits for a submission, which writes `io`.
    next[d] = s.block[static_cast<std::size_t>(g)].io == model::kIoIdle
                  ? Footprint{model::vars({Var::io}), 0}
                  : kDevice;
  }
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
            enabled[p] ? dependent(next[p], ahead[q]) : (ahead[q].writes & next[p].reads) != 0;
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

Tally measure(const model::Model& m) {
  const model::Env& env = m.env();
  std::vector<std::vector<Footprint>> future;
  for (int a = 0; a < env.actors; ++a) future.push_back(futures(env.of(a).program));
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
    const std::size_t persistent = all ? smallest_persistent(m, s, future, enabled) : 0;
    ++t.states;
    t.enabled += all;
    t.persistent += persistent;
    if (persistent < all) ++t.smaller;
  }
  return t;
}

}  // namespace

void bench_independence(const std::vector<std::pair<const char*, model::Scenario>>& cases) {
  std::printf("\n%-16s %12s %12s %12s %12s\n", "independence", "states", "enabled", "persistent",
              "smaller at");
  for (const auto& [name, scenario] : cases) {
    const model::Model m(scenario);
    const Tally t = measure(m);
    std::printf(
        "%-16s %12llu %12llu %12llu %11.2f%%\n", name, static_cast<unsigned long long>(t.states),
        static_cast<unsigned long long>(t.enabled), static_cast<unsigned long long>(t.persistent),
        100.0 * double(t.smaller) / double(t.states));
    std::fflush(stdout);
  }
}

}  // namespace dirtyrace::bench
