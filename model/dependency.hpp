#pragma once
// The dependency relation of the model's transitions, from what each one declares it may read and
// write of the shared state (Step::reads and Step::writes, by kind of variable), as LTSmin's
// dependency matrix gives it: two transitions of different processes whose accesses do not
// conflict are independent. A process is an actor, or the device writing one block. No search
// reduces by it (README, Checker: "No partial-order reduction"); dirtyrace_bench --independence
// measures what it could prune, and test/dependency_test.cpp checks that the transitions it calls
// independent commute.

#include "model/model.hpp"
#include "model/step.hpp"

namespace dirtyrace::model {

/// What a transition may read and write of the shared variables. An actor's locals are its own,
/// but for its page references: reclaim counts the other holders of a page (extra_refs, for
/// page_count), so `refs` is shared.
struct Access {
  VarSet reads = 0, writes = 0;
  Access& operator|=(Access o) {
    reads |= o.reads;
    writes |= o.writes;
    return *this;
  }
  bool operator==(const Access&) const = default;
};

/// One writes what the other reads or writes.
constexpr bool conflict(Access a, Access b) {
  return (a.writes & (b.reads | b.writes)) != 0 || (b.writes & a.reads) != 0;
}

/// The locals no other actor reads.
inline constexpr VarSet kPrivateVars = kLocalVars & ~vars({Var::refs});

/// The shared variables of a step, with its guard and skip.
constexpr Access access(const Step& st) {
  return {st.reads & ~kPrivateVars, st.writes & ~kPrivateVars};
}

/// The device writing one block (Model::device_transitions and complete_write): capture reads
/// the block's data into the I/O; completion ends the I/O, unlocks the buffer, ends the page's
/// writeback when it was the page's last async write, and, when the write fails (while the
/// scenario's failures last), records the error in the mapping and the page.
inline constexpr Access kDeviceAccess{
    vars({Var::data, Var::io, Var::buffers, Var::pg_writeback, Var::errors}),
    vars({Var::io, Var::buffers, Var::pg_writeback, Var::tags, Var::errors})};

/// What actor `a` may read and write at step `pc` of its program: the step's, and what its return
/// reads when the step ends the program; nothing past the program's end (done, or spinning: going
/// round without a step).
Access access(const Env& env, int a, std::size_t pc);

/// What a transition of `m` may read and write: its actor's step's, or the device's.
Access access(const Model& m, Transition t);

/// The transitions belong to different processes and neither writes what the other reads or
/// writes: in any state where both are enabled, neither disables the other and both orders
/// reach the same state.
bool independent(const Model& m, Transition a, Transition b);

}  // namespace dirtyrace::model
