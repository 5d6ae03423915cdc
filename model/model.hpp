#pragma once
// The model of one scenario: initial state, transitions, packing and descriptions. It knows the
// kernel and nothing of search order; properties/ turns it into a checker::TransitionSystem.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/functional/function_ref.h>

#include "model/env.hpp"
#include "model/packer.hpp"
#include "model/program.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"

namespace dirtyrace::model {

/// One transition: an actor's step (with its outcome) or the device acting on a block.
struct Transition {
  static constexpr std::uint8_t kDevice = 15;
  /// The device's pc for a write of page writeback that fails (0 capture, 1 async completion,
  /// 2 sync completion).
  static constexpr std::uint8_t kDeviceFailed = 3;
  std::uint8_t actor;   // actor index, or kDevice
  std::uint8_t pc;      // the actor's step; device: 0 capture, 1 async, 2 sync completion, 3 failed
  std::uint8_t choice;  // outcome of a nondeterministic step
  std::uint8_t block;   // the device's block

  std::uint32_t encode() const {
    return std::uint32_t{pc} | std::uint32_t{actor} << 8 | std::uint32_t{choice} << 12 |
           std::uint32_t{block} << 16;
  }
  static Transition decode(std::uint32_t label) {
    return {static_cast<std::uint8_t>(label >> 8 & 0xf), static_cast<std::uint8_t>(label & 0xff),
            static_cast<std::uint8_t>(label >> 12 & 0xf), static_cast<std::uint8_t>(label >> 16)};
  }
  bool operator==(const Transition&) const = default;
};

/// What a transition models, for traces.
struct TransitionInfo {
  std::string actor;  // "writer0", or "disk" for the device
  const Step* step;
  std::string_view routine;  // routine the step was written in
  std::string_view outcome;  // name of the outcome taken, for nondeterministic steps
  int block = -1;            // device steps: the block, as p * B + b
  std::string name() const;  // "function: step" (outcome, block) as one label
};

/// One displayed variable: object ("p0", "b0.1", "pte m1 p0", "writer0") and attribute.
struct Variable {
  std::string object;
  std::string attribute;
  std::string value;
  bool operator==(const Variable&) const = default;
};

class Model {
 public:
  /// Validates and compiles the scenario; throws UsageError on bad input.
  explicit Model(Scenario scenario);

  const Scenario& scenario() const { return scenario_; }
  const Env& env() const { return env_; }
  std::size_t packed_bytes() const { return packer_.bytes(); }

  State initial() const;
  void pack(const State& s, std::byte* out) const { packer_.pack(s, out); }
  void unpack(const std::byte* in, State& s) const { packer_.unpack(in, s); }

  using TransitionSink = absl::FunctionRef<void(Transition, const State&)>;
  /// Every enabled transition of `s`, actors in order, then the device by block.
  void for_each_transition(const State& s, TransitionSink sink) const;

  /// Every actor finished and no write in flight.
  bool finished(const State& s) const;
  /// Every actor is finished or about to take a step marked `rest`.
  bool at_rest(const State& s) const;
  /// The state after one more fsync of the whole file run alone to completion, every write
  /// completed (for durable_at_end); none when that fsync never returns (it waits on a lock or
  /// a writeback that nothing will release or end, or spins).
  std::optional<State> after_final_fsync(const State& s) const;

  TransitionInfo describe(Transition t) const;
  /// Every variable worth showing, in a stable order.
  std::vector<Variable> variables(const State& s) const;
  /// Where actor `a` is: "done" or "function: step".
  std::string position(const State& s, int a) const;

 private:
  void build(RoutineTable routines);
  void build_packer();
  /// Applies `flow` from `pc` and passes over skipped steps.
  void advance(State& s, int a, std::uint8_t pc, Flow flow) const;
  void device_transitions(const State& s, TransitionSink sink) const;
  /// The device ends the write of block g: it reached the disk, or (ok false) it failed.
  void complete_write(State& s, int g, bool ok) const;

  Scenario scenario_;
  Env env_;
  Packer packer_;
};

}  // namespace dirtyrace::model
