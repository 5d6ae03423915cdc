#include "traces/trace.hpp"

#include <algorithm>

#include "properties/checked_model.hpp"

namespace dirtyrace::traces {

namespace {

const model::Variable* find(const std::vector<model::Variable>& vars, const model::Variable& v) {
  const auto it = std::find_if(vars.begin(), vars.end(), [&](const model::Variable& x) {
    return x.object == v.object && x.attribute == v.attribute;
  });
  return it == vars.end() ? nullptr : &*it;
}

}  // namespace

std::vector<Change> diff(const std::vector<model::Variable>& before,
                         const std::vector<model::Variable>& after) {
  std::vector<Change> out;
  for (const model::Variable& a : after) {
    if (a.attribute == "at") continue;
    const model::Variable* b = find(before, a);
    if (!b || b->value != a.value)
      out.push_back({a.object, a.attribute, b ? b->value : "", a.value});
  }
  for (const model::Variable& b : before) {
    if (b.attribute != "at" && !find(after, b)) out.push_back({b.object, b.attribute, b.value, ""});
  }
  return out;
}

TraceStep describe_step(const model::Model& model, model::Transition t, const model::State& from,
                        const model::State& to) {
  const model::TransitionInfo info = model.describe(t);
  TraceStep step;
  step.actor = info.actor;
  step.function = std::string(info.step->function);
  step.step = std::string(info.outcome.empty() ? info.step->name : info.outcome);
  step.source = std::string(info.step->source);
  step.what = std::string(info.step->what);
  step.block = info.block;
  step.next = t.actor == model::Transition::kDevice ? "" : model.position(to, t.actor);
  step.changes = diff(model.variables(from), model.variables(to));
  return step;
}

Trace make_trace(const properties::CheckedModel& system, const checker::Counterexample& stored) {
  const model::Model& m = system.model();
  // Under symmetry the search stored canonical states: the trace is the run in actor names.
  const checker::Counterexample cx = system.concrete(stored);
  Trace trace;
  trace.scenario = m.scenario();
  std::vector<model::State> states(cx.states.size());
  for (std::size_t i = 0; i < cx.states.size(); ++i) m.unpack(cx.states[i].data(), states[i]);
  const properties::Property& property = system.violated(cx);
  if (cx.kind == checker::Counterexample::Kind::no_progress) {
    trace.stuck_at = cx.stuck;
    trace.loop_start = cx.loop_start;
  }
  trace.property = std::string(property.name);
  trace.description = std::string(property.description);
  trace.detail = property.explain(m, states.back());
  trace.initial = m.variables(states.front());
  for (std::size_t i = 0; i < cx.labels.size(); ++i) {
    trace.steps.push_back(
        describe_step(m, model::Transition::decode(cx.labels[i]), states[i], states[i + 1]));
  }
  trace.final_state = m.variables(states.back());
  return trace;
}

}  // namespace dirtyrace::traces
