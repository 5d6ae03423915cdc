#pragma once
// One run through the model instead of all of them: random (seeded, reproducible) or chosen step
// by step by a person at a terminal, with undo. Either can be kept as a trace that replay reads.
// Input and output are streams, so tests drive a session with scripted input.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "properties/checked_model.hpp"
#include "traces/trace.hpp"

namespace dirtyrace::traces {

/// A run in progress: the states so far (the last is the current one) and the steps between.
class Simulation {
 public:
  explicit Simulation(const properties::CheckedModel& system);

  /// One enabled transition of the current state.
  struct Choice {
    model::Transition transition;
    model::State next;
    TraceStep step;
  };
  std::vector<Choice> choices() const;
  void take(const Choice& c);
  /// Takes back the last step; false if there is none.
  bool undo();

  const model::State& state() const { return states_.back(); }
  const std::vector<TraceStep>& steps() const { return steps_; }
  /// The property the current state violates, counting a deadlock when no_deadlock is checked.
  const properties::Property* violated() const;
  /// Every actor finished and no write in flight.
  bool finished() const;
  /// The run so far as a trace. With no violation the property name is empty and the detail
  /// says so; replay then only re-executes the steps.
  Trace trace() const;

 private:
  const properties::CheckedModel& system_;
  std::vector<model::State> states_;
  std::vector<TraceStep> steps_;
};

/// How a run ended.
enum class RunEnd { violation, finished, deadlock, step_limit };

struct RandomRun {
  Trace trace;
  RunEnd end = RunEnd::step_limit;
};

/// Takes random enabled steps (seeded: the same seed gives the same run) until a property is
/// violated, every actor has finished, nothing can move, or `max_steps` steps; prints each step.
RandomRun random_run(const properties::CheckedModel& system, std::uint64_t seed,
                     std::size_t max_steps, std::ostream& out);

/// The interactive stepper: reads commands from `in` (a number picks an enabled step; u undo,
/// r random step, p state, s FILE save, h help, q quit) until q or the end of input. Never
/// throws on bad input: it says what is wrong and asks again.
void interactive_session(const properties::CheckedModel& system, std::uint64_t seed,
                         std::istream& in, std::ostream& out);

}  // namespace dirtyrace::traces
