#pragma once
// Each variant's routines as data: which steps, in which order, calling which routines.

#include <string_view>

#include "model/program.hpp"
#include "model/scenario.hpp"
#include "model/variant.hpp"

namespace dirtyrace::model {

/// The routines of `variant` with filesystem `fs`, ready for Program::build (and for editing
/// before it).
RoutineTable routines_for(const Variant& variant, Filesystem fs = Filesystem::generic);
/// The routine an actor of `kind` runs.
std::string_view entry_routine(ActorKind kind);
/// The routine an msync or munmap runs when its range check gives `outcome` (any other kind:
/// as above).
std::string_view entry_routine(ActorKind kind, RangeOutcome outcome);

}  // namespace dirtyrace::model
