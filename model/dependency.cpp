#include "model/dependency.hpp"

namespace dirtyrace::model {

Access access(const Env& env, int a, std::size_t pc) {
  const ActorEnv& ae = env.of(a);
  if (pc >= ae.program.done()) return {};
  Access out = access(*ae.program[pc].step);
  // Model::advance records, as munmap or mprotect returns, whether a translation of its range
  // was left (the ghosts that munmap_unmaps and mprotect_protects read): whichever step returns
  // reads the PTEs, and for mprotect the writer CPUs' TLB entries.
  if (ae.kind == ActorKind::munmap) out.reads |= vars({Var::pte});
  if (ae.kind == ActorKind::mprotect) out.reads |= vars({Var::pte, Var::tlb});
  return out;
}

Access access(const Model& m, Transition t) {
  if (t.actor == Transition::kDevice) return kDeviceAccess;
  return access(m.env(), t.actor, t.pc);
}

bool independent(const Model& m, Transition a, Transition b) {
  const bool same_process =
      a.actor == b.actor && (a.actor != Transition::kDevice || a.block == b.block);
  return !same_process && !conflict(access(m, a), access(m, b));
}

}  // namespace dirtyrace::model
