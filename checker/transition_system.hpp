#pragma once
// The narrow interface between a model and the search, after LTSmin's PINS: fixed-width packed
// states, successors delivered through a callback, invariants and proper ends asked per state.
// The search sees bytes and opaque labels only; what they mean is the system's business.

#include <cstddef>
#include <cstdint>
#include <optional>

#include <absl/functional/function_ref.h>

namespace dirtyrace::checker {

/// Opaque name of a transition; only the system that emitted it can say what it means.
using Label = std::uint32_t;

/// Receives one successor: the transition's label and the packed successor state.
using SuccessorSink = absl::FunctionRef<void(Label, const std::byte*)>;

/// A finite transition system over packed states of a fixed width.
class TransitionSystem {
 public:
  virtual ~TransitionSystem() = default;

  /// Width in bytes of every packed state; two states are equal iff their bytes are.
  virtual std::size_t state_bytes() const = 0;
  virtual void initial_state(std::byte* out) const = 0;
  /// Emits every enabled transition of `state`, in a deterministic order.
  virtual void for_each_successor(const std::byte* state, SuccessorSink sink) const = 0;
  /// Index of the first invariant that `state` violates, if any.
  virtual std::optional<std::uint32_t> violated_invariant(const std::byte* state) const = 0;
  /// Whether a state without successors is a proper end rather than a deadlock.
  virtual bool is_terminal(const std::byte* state) const = 0;
  /// Whether the search must also check progress: that from every reachable state some run
  /// reaches a goal, a state without successors for which is_goal holds.
  virtual bool checks_progress() const { return false; }
  /// Whether a run that stops in `state`, which has no successors, is complete (asked only if
  /// checks_progress()).
  virtual bool is_goal(const std::byte* state) const { return is_terminal(state); }
  /// Whether the system stores one representative per class of equivalent states (symmetry
  /// reduction); then represented() tells how many states each stands for.
  virtual bool reduces() const { return false; }
  /// How many states of the unreduced system the stored `state` stands for.
  virtual std::uint64_t represented(const std::byte* /*state*/) const { return 1; }
};

}  // namespace dirtyrace::checker
