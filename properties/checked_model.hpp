#pragma once
// The model and its selected properties as one checker::TransitionSystem: packs and unpacks
// states, labels transitions, and answers which property a state violates. With symmetry on it
// stores each state's canonical member (model/symmetry.hpp), and maps counterexamples back to
// runs of the model in its own actor names.

#include <optional>
#include <vector>

#include "checker/search.hpp"
#include "checker/transition_system.hpp"
#include "model/model.hpp"
#include "model/symmetry.hpp"
#include "properties/property.hpp"

namespace dirtyrace::properties {

class CheckedModel : public checker::TransitionSystem {
 public:
  /// `symmetry`: store one state per orbit of the scenario's symmetry group, if it has one.
  CheckedModel(const model::Model& model, std::vector<const Property*> properties,
               bool symmetry = false);

  const model::Model& model() const { return model_; }
  const std::vector<const Property*>& properties() const { return properties_; }
  /// The symmetry states are reduced by; none when off or when the scenario has none.
  const model::Symmetry* symmetry() const { return symmetry_ ? &*symmetry_ : nullptr; }
  /// The property a counterexample of this system violates.
  const Property& violated(const checker::Counterexample& cx) const;
  /// Whether a state without successors short of the end is reported (no_deadlock selected).
  bool reports_deadlocks() const { return reports_deadlocks_; }
  /// Whether every reachable state must be able to finish (can_finish selected).
  bool checks_progress() const override { return checks_progress_; }
  /// A counterexample of this system as a run of the model from its initial state, in the
  /// actors' own names: without symmetry `cx` itself. With symmetry, the search's states are
  /// canonical and its labels name actors as they stand there; the run is replayed from the
  /// model's initial state, taking at each step the first transition whose successor has the
  /// next stored state as its canonical member.
  /// The steps are as many; a loop that closes only up to a permutation is gone round again
  /// until the state itself recurs.
  checker::Counterexample concrete(const checker::Counterexample& cx) const;

  std::size_t state_bytes() const override { return model_.packed_bytes(); }
  void initial_state(std::byte* out) const override;
  void for_each_successor(const std::byte* state, checker::SuccessorSink sink) const override;
  std::optional<std::uint32_t> violated_invariant(const std::byte* state) const override;
  bool is_terminal(const std::byte* state) const override;
  /// Every actor has finished and no write is in flight (such a state has no successors).
  bool is_goal(const std::byte* state) const override;
  bool reduces() const override { return symmetry_.has_value(); }
  /// The size of the state's orbit (1 without symmetry).
  std::uint64_t represented(const std::byte* state) const override;

 private:
  /// Packs `s`, as its canonical member when symmetry is on.
  void pack_stored(const model::State& s, std::byte* out) const;

  const model::Model& model_;
  std::vector<const Property*> properties_;
  bool reports_deadlocks_;
  bool checks_progress_;
  std::optional<model::Symmetry> symmetry_;
};

}  // namespace dirtyrace::properties
