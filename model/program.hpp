#pragma once
// Routines as data. A routine is an ordered list of items: steps, calls of other routines,
// labels and jumps. A RoutineTable holds the routines of one variant; a variant or the user
// edits it (reorder, replace, drop) without touching any step. Program::build inlines an
// actor's entry routine into a flat list of steps whose program counter fits in the state.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <absl/functional/function_ref.h>

#include "model/step.hpp"

namespace dirtyrace::model {

struct Item {
  enum class Kind : std::uint8_t { step, call, label, jump };
  Kind kind;
  const Step* step = nullptr;     // Kind::step
  std::string_view routine;       // Kind::call
  Target target = Target::count;  // Kind::label, Kind::jump

  static Item of(const Step& s) { return {Kind::step, &s, {}, Target::count}; }
  static Item call(std::string_view r) { return {Kind::call, nullptr, r, Target::count}; }
  static Item label(Target t) { return {Kind::label, nullptr, {}, t}; }
  static Item jump(Target t) { return {Kind::jump, nullptr, {}, t}; }
};

class RoutineTable {
 public:
  void set(std::string_view name, std::vector<Item> items);
  bool has(std::string_view name) const;
  const std::vector<Item>& get(std::string_view name) const;
  /// `entry` and every routine it calls, directly or not, each once, in the order first called.
  std::vector<std::string> reachable(std::string_view entry) const;

 private:
  std::map<std::string, std::vector<Item>, std::less<>> routines_;
};

inline constexpr std::uint8_t kNoTarget = 0xff;

/// One step of a flattened program, with its successors resolved to program counters.
struct FlatStep {
  const Step* step;
  std::string_view routine;                   // the routine the step was written in
  std::uint8_t next;                          // after Flow::next
  std::array<std::uint8_t, kTargets> target;  // after Flow::to(t); kNoTarget if undefined
  std::uint8_t skip_target;                   // where a skipped step sends the actor
  /// Locals that some path from here reads before writing: the others are dead here, and the
  /// model sets them to 0, so that states differing only in a value no step will read again are
  /// one state (dead variable reduction). Each local's 0 is the value the kernel starts with.
  VarSet live = 0;
};

class Program {
 public:
  /// Inlines `entry` and everything it calls. Throws std::logic_error on a recursive call, an
  /// unknown routine, a jump no routine on the chain defines, or a program over 250 steps, and
  /// UsageError on a loop that edited routines (RoutineOrder) left without a step that always
  /// runs: jumps with no step between them, or steps that can each be skipped back to the first.
  /// An empty program is valid: its actor finishes at once.
  static Program build(const RoutineTable& table, std::string_view entry);

  std::size_t size() const { return steps_.size(); }
  /// The program counter of a finished actor.
  std::uint8_t done() const { return static_cast<std::uint8_t>(steps_.size()); }
  /// The program counter of an actor caught in a loop whose every step it passes over (an
  /// edited routine without its lookup, say): it goes round forever and never finishes.
  std::uint8_t spinning() const { return static_cast<std::uint8_t>(steps_.size() + 1); }
  const FlatStep& operator[](std::size_t pc) const { return steps_[pc]; }
  /// Recomputes which locals are live knowing, for each step whose skip reads the scenario
  /// only, whether this actor always passes over it (`skipped(pc)`) or never does.
  void specialise_liveness(absl::FunctionRef<bool(std::size_t pc)> skipped);
  /// The locals live at `pc` (none once the program is done).
  VarSet live(std::size_t pc) const { return pc < steps_.size() ? steps_[pc].live : 0; }

 private:
  /// skip_kind(pc): 0 decided at run time, 1 always passed over, 2 never.
  void compute_liveness(absl::FunctionRef<int(std::size_t pc)> skip_kind);

  std::vector<FlatStep> steps_;
};

}  // namespace dirtyrace::model
