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
  const FlatStep& operator[](std::size_t pc) const { return steps_[pc]; }

 private:
  /// Throws UsageError if following the skip targets of skippable steps can come round again.
  void check_skip_cycles() const;

  std::vector<FlatStep> steps_;
};

}  // namespace dirtyrace::model
