#pragma once
// The progress check: after a complete exploration, whether every stored state can still reach
// a goal, a state without successors that TransitionSystem::is_goal accepts (a proper end). It
// stores no edge during the search: it re-expands every stored state once, on every thread,
// looks each successor up in the visited set and keeps the edges as compact successor lists
// (CSR: a 4-byte end offset per state and the targets as varint distances, about 2 bytes each,
// one list per range of states), then marks the states that reach a goal by sweeping the lists
// backwards until nothing changes.
//
// Worked example: states 0 → 1 → 2 (goal) and 1 → 3 → 1. One sweep from the highest index
// marks 2, then 1 (its successor 2 is marked), then 0; 3 stays unmarked until the second sweep
// sees 3 → 1 and marks it. A state left unmarked can never reach a goal: every run from it
// either loops forever among unmarked states or stops in a dead end.

#include <cstdint>
#include <optional>
#include <vector>

#include <absl/functional/function_ref.h>

#include "checker/search.hpp"
#include "checker/state_store.hpp"
#include "checker/transition_system.hpp"

namespace dirtyrace::checker {

struct ProgressOutcome {
  /// Why the check stopped before it finished; StopReason::none if it finished.
  StopReason stop = StopReason::none;
  /// If some state cannot reach a goal: stored indices of a run from the initial state to the
  /// first such state (the lowest index), then on to a dead end, or around a cycle that returns
  /// to path[*loop_start] (then path.back() == path[*loop_start]).
  std::vector<StateIndex> path;
  std::optional<std::size_t> loop_start;
  std::size_t stuck = 0;     // path[stuck] is the first state that cannot reach a goal
  std::uint64_t bytes = 0;   // the check's arrays (when it stopped early, so far)
  std::uint32_t sweeps = 0;  // backward sweeps until nothing changed
};

/// The bytes the check needs for `states` stored states before any successor list.
std::uint64_t least_progress_bytes(std::uint64_t states);

/// Runs the check over every state of `store`, re-expanding the states on `threads` threads (the
/// sweeps run on one, so that their count is the same for any number). It stops with
/// StopReason::progress_memory once its arrays take more than `max_bytes` (0: no limit). `poll`
/// is called now and then, from any of them, and returns a reason to stop, or StopReason::none;
/// `parent` gives the state a stored state was first reached from (kNoParent for the initial
/// state).
ProgressOutcome check_progress(const TransitionSystem& system, const StateStore& store,
                               unsigned threads, std::uint64_t max_bytes,
                               absl::FunctionRef<StopReason()> poll,
                               absl::FunctionRef<StateIndex(StateIndex)> parent);

}  // namespace dirtyrace::checker
