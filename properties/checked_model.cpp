#include "properties/checked_model.hpp"

#include <algorithm>

namespace dirtyrace::properties {

CheckedModel::CheckedModel(const model::Model& model, std::vector<const Property*> properties)
    : model_(model),
      properties_(std::move(properties)),
      reports_deadlocks_(std::any_of(properties_.begin(), properties_.end(),
                                     [](const Property* p) { return p->name == kNoDeadlock; })),
      checks_progress_(std::any_of(properties_.begin(), properties_.end(),
                                   [](const Property* p) { return p->name == kCanFinish; })) {}

const Property& CheckedModel::violated(const checker::Counterexample& cx) const {
  if (cx.kind == checker::Counterexample::Kind::deadlock) return property_named(kNoDeadlock);
  if (cx.kind == checker::Counterexample::Kind::no_progress) return property_named(kCanFinish);
  return *properties_.at(cx.invariant);
}

void CheckedModel::initial_state(std::byte* out) const {
  model_.pack(model_.initial(), out);
}

void CheckedModel::for_each_successor(const std::byte* state, checker::SuccessorSink sink) const {
  model::State s;
  model_.unpack(state, s);
  // Large enough for any scenario: the packer never needs more than State itself.
  std::byte packed[sizeof(model::State)];
  model_.for_each_transition(s, [&](model::Transition t, const model::State& next) {
    model_.pack(next, packed);
    sink(t.encode(), packed);
  });
}

std::optional<std::uint32_t> CheckedModel::violated_invariant(const std::byte* state) const {
  // The search asks once a successor turns out new, long after it was offered; unpacking it
  // again costs less than keeping every successor unpacked until then.
  model::State s;
  model_.unpack(state, s);
  for (std::size_t i = 0; i < properties_.size(); ++i) {
    if (!properties_[i]->holds(model_, s)) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

bool CheckedModel::is_terminal(const std::byte* state) const {
  if (!reports_deadlocks_) return true;
  model::State s;
  model_.unpack(state, s);
  return model_.finished(s);
}

bool CheckedModel::is_goal(const std::byte* state) const {
  model::State s;
  model_.unpack(state, s);
  return model_.finished(s);
}

}  // namespace dirtyrace::properties
