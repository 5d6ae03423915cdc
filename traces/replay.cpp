#include "traces/replay.hpp"

#include <optional>
#include <set>
#include <vector>

#include "model/error.hpp"
#include "properties/property.hpp"

namespace dirtyrace::traces {

namespace {

// Names from the trace file are echoed through model::echo: the message stays one line.

std::string step_name(const TraceStep& s) {
  std::string name =
      model::echo(s.actor) + " " + model::echo(s.function) + ": " + model::echo(s.step);
  if (s.block >= 0) name += " (block " + std::to_string(s.block) + ")";
  return name;
}

std::string first_difference(const std::vector<Change>& expected, const std::vector<Change>& got) {
  for (std::size_t i = 0; i < std::max(expected.size(), got.size()); ++i) {
    if (i >= got.size()) {
      return "the trace says " + model::echo(expected[i].object) + " " +
             model::echo(expected[i].attribute) + " becomes " + model::echo(expected[i].after) +
             ", the model leaves it";
    }
    if (i >= expected.size() || !(expected[i] == got[i])) {
      return "the model sets " + got[i].object + " " + got[i].attribute + " to " + got[i].after +
             (i < expected.size() ? ", the trace says " + model::echo(expected[i].object) + " " +
                                        model::echo(expected[i].attribute) + " becomes " +
                                        model::echo(expected[i].after)
                                  : ", the trace records no such change");
    }
  }
  return "";
}

/// Where the state the steps reach differs from the state the trace records, or "".
std::string state_difference(const std::vector<model::Variable>& reached,
                             const std::vector<model::Variable>& recorded) {
  for (std::size_t i = 0; i < std::max(reached.size(), recorded.size()); ++i) {
    if (i >= reached.size()) {
      return "the trace records " + model::echo(recorded[i].object) + " " +
             model::echo(recorded[i].attribute) + ", which the model does not have";
    }
    const model::Variable& r = reached[i];
    if (i >= recorded.size()) {
      return "the trace does not record " + r.object + " " + r.attribute;
    }
    if (!(r == recorded[i])) {
      return "the model has " + r.object + " " + r.attribute + " = " + r.value +
             ", the trace records " + model::echo(recorded[i].object) + " " +
             model::echo(recorded[i].attribute) + " = " + model::echo(recorded[i].value);
    }
  }
  return "";
}

/// The end of a trace that records no violation (a run kept by simulate): it must indeed
/// violate none of the properties its scenario checks.
ReplayResult replay_run(const model::Model& m, const model::State& last, const Trace& trace) {
  const std::string steps = std::to_string(trace.steps.size());
  for (const properties::Property* p : properties::select_properties(m, m.scenario().properties)) {
    if (p->name != properties::kNoDeadlock && !p->holds(m, last)) {
      return {false, trace.steps.size(),
              "all " + steps + " steps replay, but the last state violates " +
                  std::string(p->name) + ", which the trace does not record"};
    }
  }
  return {true, 0, "replayed " + steps + " steps: the run replays; no property is violated"};
}

/// States explored from a can_finish trace's stuck state to confirm that none is finished.
constexpr std::size_t kProgressConfirmLimit = 1'000'000;

/// A can_finish trace: the loop must close (or the end must be a dead end), and no state
/// reachable from the stuck one may be finished.
ReplayResult replay_progress(const model::Model& m, const std::vector<model::State>& states,
                             const Trace& trace) {
  const std::size_t n = trace.steps.size();
  const std::string steps = std::to_string(n);
  if (trace.stuck_at && *trace.stuck_at > n) {
    return {false, n, "\"stuck_at\" " + std::to_string(*trace.stuck_at) + " is past the last step"};
  }
  if (trace.loop_start) {
    if (!(states[*trace.loop_start] == states.back())) {
      return {false, n,
              "all " + steps + " steps replay, but the last state is not the state after step " +
                  std::to_string(*trace.loop_start) + ", where the trace says the loop starts"};
    }
  } else {
    bool any = false;
    m.for_each_transition(states.back(),
                          [&](model::Transition, const model::State&) { any = true; });
    if (any || m.finished(states.back())) {
      return {false, n,
              "all " + steps +
                  " steps replay, but the trace has no loop and its last state is not "
                  "a dead end"};
    }
  }
  // Every state reachable from the stuck one must be unfinished.
  const std::size_t from = trace.stuck_at.value_or(trace.loop_start.value_or(n));
  std::set<std::string> seen;
  std::vector<model::State> queue{states[from]};
  const auto key = [&](const model::State& s) {
    std::string k(m.packed_bytes(), '\0');
    m.pack(s, reinterpret_cast<std::byte*>(k.data()));
    return k;
  };
  seen.insert(key(states[from]));
  for (std::size_t i = 0; i < queue.size() && seen.size() < kProgressConfirmLimit; ++i) {
    if (m.finished(queue[i])) {
      return {false, n,
              "all " + steps + " steps replay, but from the state after step " +
                  std::to_string(from) + " a run lets every actor finish"};
    }
    const model::State s = queue[i];
    m.for_each_transition(s, [&](model::Transition, const model::State& next) {
      if (seen.insert(key(next)).second) queue.push_back(next);
    });
  }
  const std::string checked =
      seen.size() < kProgressConfirmLimit
          ? "none of the " + std::to_string(seen.size()) + " states reachable from step " +
                std::to_string(from) + " lets every actor finish"
          : "the first " + std::to_string(kProgressConfirmLimit) + " states reachable from step " +
                std::to_string(from) + " do not let every actor finish (not explored further)";
  return {true, 0,
          "replayed " + steps + " steps: the model reaches the violation of " + trace.property +
              (trace.loop_start ? "; the loop closes" : "; the last state is a dead end") + "; " +
              checked};
}

}  // namespace

ReplayResult replay(const Trace& trace) {
  const model::Model m(trace.scenario);
  model::State s = m.initial();
  std::vector<model::State> states{s};
  if (const std::string d = state_difference(m.variables(s), trace.initial); !d.empty()) {
    return {false, 0, "the model's initial state differs from the trace's: " + d};
  }
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    const TraceStep& want = trace.steps[i];
    std::optional<model::State> next;
    std::vector<std::string> enabled;
    m.for_each_transition(s, [&](model::Transition t, const model::State& succ) {
      const TraceStep got = describe_step(m, t, s, succ);
      enabled.push_back(step_name(got));
      if (next || got.actor != want.actor || got.function != want.function ||
          got.step != want.step || got.block != want.block) {
        return;
      }
      if (got.changes != want.changes) {
        enabled.back() = "!" + first_difference(want.changes, got.changes);
        return;
      }
      if (got.next != want.next) {
        enabled.back() =
            "!" + got.actor + " goes on to " + got.next + ", the trace says " + want.next;
        return;
      }
      next = succ;
    });
    if (!next) {
      std::string why = "cannot take " + step_name(want) + " here";
      for (const auto& e : enabled) {
        if (e.starts_with("!")) why = "after " + step_name(want) + " " + e.substr(1);
      }
      return {false, i + 1, "step " + std::to_string(i + 1) + ": " + why};
    }
    s = *next;
    states.push_back(s);
  }
  // The changes of each step were compared above; the final state is recorded in full.
  if (const std::string d = state_difference(m.variables(s), trace.final_state); !d.empty()) {
    return {false, trace.steps.size(),
            "all " + std::to_string(trace.steps.size()) +
                " steps replay, but the trace's final state is not the state they reach: " + d};
  }
  if (trace.property.empty()) return replay_run(m, s, trace);
  const properties::Property& property = properties::property_named(trace.property);
  if (property.name == properties::kCanFinish) return replay_progress(m, states, trace);
  if (trace.loop_start || trace.stuck_at) {
    return {false, trace.steps.size(),
            "the trace has a loop or a stuck state, which only " +
                std::string(properties::kCanFinish) + " traces have"};
  }
  bool violated = false;
  if (property.name == properties::kNoDeadlock) {
    bool any = false;
    m.for_each_transition(s, [&](model::Transition, const model::State&) { any = true; });
    violated = !any && !m.finished(s);
  } else {
    violated = !property.holds(m, s);
  }
  if (!violated) {
    return {false, trace.steps.size(),
            "all " + std::to_string(trace.steps.size()) +
                " steps replay, but the last state does "
                "not violate " +
                trace.property};
  }
  return {true, 0,
          "replayed " + std::to_string(trace.steps.size()) +
              " steps: the model reaches the "
              "violation of " +
              trace.property};
}

}  // namespace dirtyrace::traces
