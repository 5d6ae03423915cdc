#pragma once
// The model and its selected properties as one checker::TransitionSystem: packs and unpacks
// states, labels transitions, and answers which property a state violates.

#include <vector>

#include "checker/search.hpp"
#include "checker/transition_system.hpp"
#include "model/model.hpp"
#include "properties/property.hpp"

namespace dirtyrace::properties {

class CheckedModel : public checker::TransitionSystem {
 public:
  CheckedModel(const model::Model& model, std::vector<const Property*> properties);

  const model::Model& model() const { return model_; }
  const std::vector<const Property*>& properties() const { return properties_; }
  /// The property a counterexample of this system violates.
  const Property& violated(const checker::Counterexample& cx) const;
  /// Whether a state without successors short of the end is reported (no_deadlock selected).
  bool reports_deadlocks() const { return reports_deadlocks_; }
  /// Whether every reachable state must be able to finish (can_finish selected).
  bool checks_progress() const override { return checks_progress_; }

  std::size_t state_bytes() const override { return model_.packed_bytes(); }
  void initial_state(std::byte* out) const override;
  void for_each_successor(const std::byte* state, checker::SuccessorSink sink) const override;
  std::optional<std::uint32_t> violated_invariant(const std::byte* state) const override;
  bool is_terminal(const std::byte* state) const override;
  /// Every actor has finished and no write is in flight (such a state has no successors).
  bool is_goal(const std::byte* state) const override;

 private:
  const model::Model& model_;
  std::vector<const Property*> properties_;
  bool reports_deadlocks_;
  bool checks_progress_;
};

}  // namespace dirtyrace::properties
