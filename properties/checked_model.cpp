#include "properties/checked_model.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace dirtyrace::properties {

CheckedModel::CheckedModel(const model::Model& model, std::vector<const Property*> properties,
                           bool symmetry)
    : model_(model),
      properties_(std::move(properties)),
      reports_deadlocks_(std::any_of(properties_.begin(), properties_.end(),
                                     [](const Property* p) { return p->name == kNoDeadlock; })),
      checks_progress_(std::any_of(properties_.begin(), properties_.end(),
                                   [](const Property* p) { return p->name == kCanFinish; })) {
  if (!symmetry) return;
  model::Symmetry group(model_);
  if (!group.trivial()) symmetry_.emplace(std::move(group));
}

const Property& CheckedModel::violated(const checker::Counterexample& cx) const {
  if (cx.kind == checker::Counterexample::Kind::deadlock) return property_named(kNoDeadlock);
  if (cx.kind == checker::Counterexample::Kind::no_progress) return property_named(kCanFinish);
  return *properties_.at(cx.invariant);
}

void CheckedModel::pack_stored(const model::State& s, std::byte* out) const {
  if (!symmetry_) {
    model_.pack(s, out);
    return;
  }
  model::State canonical = s;
  symmetry_->canonicalize(canonical);
  model_.pack(canonical, out);
}

void CheckedModel::initial_state(std::byte* out) const {
  pack_stored(model_.initial(), out);
}

void CheckedModel::for_each_successor(const std::byte* state, checker::SuccessorSink sink) const {
  model::State s;
  model_.unpack(state, s);
  // Large enough for any scenario: the packer never needs more than State itself.
  std::byte packed[sizeof(model::State)];
  model_.for_each_transition(s, [&](model::Transition t, const model::State& next) {
    pack_stored(next, packed);
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

std::uint64_t CheckedModel::represented(const std::byte* state) const {
  if (!symmetry_) return 1;
  model::State s;
  model_.unpack(state, s);
  return symmetry_->orbit_size(s);
}

checker::Counterexample CheckedModel::concrete(const checker::Counterexample& cx) const {
  if (!symmetry_) return cx;
  std::vector<std::byte> packed(state_bytes());
  const auto pack = [&](const model::State& s) {
    model_.pack(s, packed.data());
    return packed;
  };
  checker::Counterexample out{cx.kind, cx.invariant, {}, {}, {}, cx.stuck};
  model::State s = model_.initial();
  pack_stored(s, packed.data());
  if (cx.states.empty() || cx.states.front() != packed) {
    throw std::logic_error("counterexample: it does not start at the initial state");
  }
  out.states.push_back(pack(s));
  // From the concrete state `s` to one whose canonical member is `to`, which the stored run
  // reached from the canonical member of `s`: such a transition exists since the successors of
  // a permuted state are the permuted successors. The first in the model's order is taken, so
  // that the run reads as the unreduced search would print it where it can (writer0 first).
  const auto step = [&](const std::vector<std::byte>& to) {
    std::optional<model::Transition> found;
    model::State found_next;
    model_.for_each_transition(s, [&](model::Transition t, const model::State& next) {
      if (found) return;
      pack_stored(next, packed.data());
      if (packed == to) {
        found = t;
        found_next = next;
      }
    });
    if (!found) throw std::logic_error("counterexample: a step has no concrete match");
    out.labels.push_back(found->encode());
    s = found_next;
    out.states.push_back(pack(s));
  };
  for (std::size_t k = 0; k + 1 < cx.states.size(); ++k) step(cx.states[k + 1]);
  if (!cx.loop_start) return out;
  // The stored loop returns to the canonical member of the state it started from; the run may
  // come back to another member of its orbit. Go round again from there until a round ends
  // where an earlier one started: the orbit is finite and each round is determined by where it
  // starts, so some round does.
  const std::size_t from = *cx.loop_start;
  std::vector<std::size_t> round_starts{from};
  for (;;) {
    const auto again = std::find_if(round_starts.begin(), round_starts.end(), [&](std::size_t i) {
      return out.states[i] == out.states.back();
    });
    if (again != round_starts.end()) {
      out.loop_start = *again;
      return out;
    }
    if (round_starts.size() > symmetry_->order()) {
      throw std::logic_error("counterexample: the loop does not close");
    }
    round_starts.push_back(out.states.size() - 1);
    for (std::size_t k = from; k + 1 < cx.states.size(); ++k) step(cx.states[k + 1]);
  }
}

}  // namespace dirtyrace::properties
