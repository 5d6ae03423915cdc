#pragma once
// Symmetry reduction (issue 12): the permutations of actors and mappings that map the model onto
// itself, and a canonical representative of each state's orbit under them.
//
// Two actors are interchangeable when everything the steps read about them is the same: kind,
// range outcome, pages, writeback range, sync mode, store targets and count, program; and, for
// the kinds that act through a mapping, the mapping. Swapping them means moving every place the
// state names an actor: its record (State::actor), its CPU's TLB row (State::tlb), and the
// holder ids "actor index + 1" of page locks, PTE locks and mmap_sem. Mappings (processes) are
// interchangeable when swapping them, with their actors, maps the scenario onto itself; their
// PTEs, rmap bits, PTE locks, batched-flush flags, VMAs, mmap_sems and the bits reclaim keeps per
// mapping (Actor::ubc) move with them. The final fsync's slot (index = actors) never moves.
//
// The symmetry is exact: no step, guard or property tells two interchangeable actors apart
// except through the places above (steps compare holder ids with `self + 1`; loops over actors
// or mappings inside one step sum or flush regardless of order), so the successors of a
// permuted state are the permuted successors and every property holds of both or of neither.
// With write errors (--io-errors) the open files' error state is not renamed: actors are then
// interchangeable only if they call on the same open file, and mappings are never swapped.
// One thing breaks it for mappings: a loop with one step per mapping taken in index order
// (Step::per_mapping: page_mkclean's and try_to_unmap's rmap walks). Its order tells mappings
// apart, so a scenario whose actors take such a step never swaps mappings, only actors.
//
// Worked example: writer*2,flusher on one mapping. The group is {id, writer0 <-> writer1}.
// State A: writer0 has not started, writer1 holds page 0's lock (locked_by = 2). State B, its
// image: writer0 holds the lock (locked_by = 1), writer1 has not started. Canonicalising sorts
// the two writers by what the state holds about each (record, TLB row, locks held); the
// unstarted writer's record (pc 0) sorts first, so both come out as A.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "model/state.hpp"

namespace dirtyrace::model {

/// Where each actor and each mapping goes: actor a becomes actor[a], mapping m becomes
/// mapping[m]. Slots past the scenario's actors (the final fsync) stay where they are.
struct Permutation {
  std::array<std::uint8_t, kActorSlots> actor;
  std::array<std::uint8_t, kMaxMappings> mapping;

  static Permutation identity();
  /// This permutation, then `next`.
  Permutation then(const Permutation& next) const;
  Permutation inverse() const;
  bool operator==(const Permutation&) const = default;
};

/// `s` with actors and mappings moved by `p`, every actor and mapping reference renamed.
State permute(const State& s, const Permutation& p);
/// The transition `t` names in the permuted frame: its actor moved by `p` (device unchanged).
Transition permute(Transition t, const Permutation& p);

class Symmetry {
 public:
  /// The group of `m`'s scenario: trivial if no two actors are interchangeable.
  explicit Symmetry(const Model& m);

  bool trivial() const { return classes_.empty() && mapping_perms_.size() == 1; }
  /// Number of permutations in the group.
  std::uint64_t order() const;
  /// Classes of two or more interchangeable actors (actor indices, ascending).
  const std::vector<std::vector<int>>& classes() const { return classes_; }
  /// Whether some permutation swaps mappings.
  bool swaps_mappings() const { return mapping_perms_.size() > 1; }
  /// One line for statistics, e.g. "writer0 = writer1, group of 2".
  std::string describe() const;

  /// Replaces `s` with its orbit's canonical member: within each class the actors sorted by
  /// everything the state holds about them, and among the mapping permutations the result
  /// with the least bytes. Returns the permutation applied (s_out = permute(s_in, p)).
  Permutation canonicalize(State& s) const;
  /// How many distinct states the orbit of `s` holds.
  std::uint64_t orbit_size(const State& s) const;
  /// Every permutation of the group (for tests; the group is small).
  std::vector<Permutation> elements() const;

 private:
  /// Sorts each class of `s` in place; returns the permutation applied.
  Permutation sort_classes(State& s) const;
  /// The ways of arranging the actors of each class of `s`, counted as distinct states.
  std::uint64_t class_arrangements(const State& s) const;

  int actors_ = 0;
  int mappings_ = 1;
  std::vector<std::string> names_;
  std::vector<std::vector<int>> classes_;
  /// Every mapping permutation the group holds, identity first, each with one actor
  /// permutation that goes with it (the rest of the group: these, then permutations within
  /// classes).
  std::vector<Permutation> mapping_perms_;
};

}  // namespace dirtyrace::model
