#include "model/symmetry.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace dirtyrace::model {

namespace {

/// Everything a state holds about one actor, in an order to sort by: its record, its CPU's TLB
/// row, and the page locks, PTE locks and mmap_sems it holds (bit per page or mapping). Two
/// actors of a class with equal keys can be swapped without changing the state.
struct ActorKey {
  Actor actor;
  std::array<std::uint8_t, kMaxPages> tlb;
  std::uint8_t page_locks, ptls, mmap_sems;
};
static_assert(std::has_unique_object_representations_v<ActorKey>);

ActorKey key_of(const State& s, int a) {
  const auto holder = static_cast<std::uint8_t>(a + 1);
  ActorKey k{s.actor[static_cast<std::size_t>(a)], s.tlb[static_cast<std::size_t>(a)], 0, 0, 0};
  for (std::size_t p = 0; p < s.page.size(); ++p) {
    if (s.page[p].locked_by == holder)
      k.page_locks = static_cast<std::uint8_t>(k.page_locks | 1u << p);
  }
  for (std::size_t m = 0; m < s.ptl.size(); ++m) {
    if (s.ptl[m] == holder) k.ptls = static_cast<std::uint8_t>(k.ptls | 1u << m);
    if (s.mmap_sem[m] == holder) k.mmap_sems = static_cast<std::uint8_t>(k.mmap_sems | 1u << m);
  }
  return k;
}

bool key_less(const ActorKey& a, const ActorKey& b) {
  return std::memcmp(&a, &b, sizeof a) < 0;
}
bool key_equal(const ActorKey& a, const ActorKey& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool same_program(const Program& a, const Program& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t pc = 0; pc < a.size(); ++pc) {
    const FlatStep &x = a[pc], &y = b[pc];
    if (x.step != y.step || x.routine != y.routine || x.next != y.next || x.target != y.target ||
        x.skip_target != y.skip_target || x.live != y.live) {
      return false;
    }
  }
  return true;
}

/// Whether actor b is actor a with its mapping moved by `mapping`: the same in everything any
/// step, guard, skip or property reads about an actor (ActorEnv, the range outcome, the program).
bool interchangeable(const Model& m, int a, int b,
                     const std::array<std::uint8_t, kMaxMappings>& mapping) {
  const ActorEnv &x = m.env().of(a), &y = m.env().of(b);
  const ActorSpec &sx = m.scenario().actors[static_cast<std::size_t>(a)],
                  &sy = m.scenario().actors[static_cast<std::size_t>(b)];
  // Only the kinds that act through a mapping read theirs (the others keep mapping 0).
  const bool maps = actor_kind_info(x.kind).uses_mapping;
  return x.kind == y.kind && sx.outcome == sy.outcome &&
         (!maps || mapping[static_cast<std::size_t>(x.mapping)] == y.mapping) &&
         x.first_page == y.first_page && x.last_page == y.last_page && x.wb_first == y.wb_first &&
         x.wb_last == y.wb_last && x.sync_all == y.sync_all &&
         x.trylock_buffers == y.trylock_buffers && x.skips_clean_mapping == y.skips_clean_mapping &&
         x.records_call == y.records_call && x.targets == y.targets && x.stores == y.stores &&
         x.stores_before == y.stores_before && same_program(x.program, y.program) &&
         (m.env().io_errors == 0 || x.file == y.file);
}

/// Holder id ("actor index + 1", 0 for none) after actors move by `p`.
std::uint8_t holder_after(std::uint8_t holder, const Permutation& p) {
  return holder == 0 ? 0 : static_cast<std::uint8_t>(p.actor[holder - 1u] + 1);
}

std::uint64_t factorial(std::size_t n) {
  std::uint64_t f = 1;
  for (std::size_t i = 2; i <= n; ++i) f *= i;
  return f;
}

}  // namespace

Permutation Permutation::identity() {
  Permutation p{};
  std::iota(p.actor.begin(), p.actor.end(), std::uint8_t{0});
  std::iota(p.mapping.begin(), p.mapping.end(), std::uint8_t{0});
  return p;
}

Permutation Permutation::then(const Permutation& next) const {
  Permutation out{};
  for (std::size_t a = 0; a < actor.size(); ++a) out.actor[a] = next.actor[actor[a]];
  for (std::size_t m = 0; m < mapping.size(); ++m) out.mapping[m] = next.mapping[mapping[m]];
  return out;
}

Permutation Permutation::inverse() const {
  Permutation out{};
  for (std::size_t a = 0; a < actor.size(); ++a) out.actor[actor[a]] = static_cast<std::uint8_t>(a);
  for (std::size_t m = 0; m < mapping.size(); ++m) {
    out.mapping[mapping[m]] = static_cast<std::uint8_t>(m);
  }
  return out;
}

State permute(const State& s, const Permutation& p) {
  State out = s;
  for (std::size_t a = 0; a < s.actor.size(); ++a) {
    Actor& act = out.actor[p.actor[a]];
    act = s.actor[a];
    // Reclaim's tlb_ubc: bit m stands for mapping m's process.
    std::uint8_t ubc = act.ubc & kUbcWritable;
    for (std::size_t m = 0; m < p.mapping.size(); ++m) {
      if (unsigned{act.ubc} >> m & 1u) ubc = static_cast<std::uint8_t>(ubc | 1u << p.mapping[m]);
    }
    act.ubc = ubc;
  }
  for (std::size_t a = 0; a < s.tlb.size(); ++a) out.tlb[p.actor[a]] = s.tlb[a];
  for (Page& pg : out.page) pg.locked_by = holder_after(pg.locked_by, p);
  for (std::size_t m = 0; m < p.mapping.size(); ++m) {
    const std::size_t to = p.mapping[m];
    out.pte[to] = s.pte[m];
    out.rmap[to] = s.rmap[m];
    out.ptl[to] = holder_after(s.ptl[m], p);
    out.tlb_batched[to] = s.tlb_batched[m];
    out.vma_ro[to] = s.vma_ro[m];
    out.mmap_sem[to] = holder_after(s.mmap_sem[m], p);
  }
  return out;
}

Transition permute(Transition t, const Permutation& p) {
  if (t.actor != Transition::kDevice) t.actor = p.actor[t.actor];
  return t;
}

Symmetry::Symmetry(const Model& m) : actors_(m.env().actors), mappings_(m.env().mappings) {
  const Permutation id = Permutation::identity();
  for (int a = 0; a < actors_; ++a) names_.push_back(m.env().of(a).name);
  // Classes of actors interchangeable as they are.
  std::vector<int> class_of(static_cast<std::size_t>(actors_), -1);
  std::vector<std::vector<int>> all;
  for (int a = 0; a < actors_; ++a) {
    if (class_of[static_cast<std::size_t>(a)] >= 0) continue;
    class_of[static_cast<std::size_t>(a)] = static_cast<int>(all.size());
    all.push_back({a});
    for (int b = a + 1; b < actors_; ++b) {
      if (class_of[static_cast<std::size_t>(b)] < 0 && interchangeable(m, a, b, id.mapping)) {
        class_of[static_cast<std::size_t>(b)] = class_of[static_cast<std::size_t>(a)];
        all.back().push_back(b);
      }
    }
  }
  for (const auto& c : all) {
    if (c.size() > 1) classes_.push_back(c);
  }

  // Mapping permutations: each class must go onto a class of the same size whose actors are its
  // own with the mapping moved. A step with one round per mapping in index order rules out all
  // but the identity.
  mapping_perms_.push_back(id);
  bool ordered_walk = false;
  for (int a = 0; a < actors_; ++a) {
    const Program& prog = m.env().of(a).program;
    for (std::size_t pc = 0; pc < prog.size(); ++pc)
      ordered_walk = ordered_walk || prog[pc].step->per_mapping;
  }
  // With write errors each process's msync has its mapping's open file, whose error state
  // (State::f_wb_err, ghost_reported) is not renamed with the mapping: no mapping swaps then.
  if (ordered_walk || mappings_ < 2 || m.env().io_errors > 0) return;
  Permutation sigma = id;
  while (std::next_permutation(sigma.mapping.begin(), sigma.mapping.begin() + mappings_)) {
    Permutation p = sigma;
    bool ok = true;
    std::vector<bool> taken(all.size(), false);
    for (std::size_t c = 0; c < all.size() && ok; ++c) {
      ok = false;
      for (std::size_t d = 0; d < all.size(); ++d) {
        if (taken[d] || all[d].size() != all[c].size() ||
            !interchangeable(m, all[c][0], all[d][0], sigma.mapping)) {
          continue;
        }
        taken[d] = true;
        for (std::size_t i = 0; i < all[c].size(); ++i) {
          p.actor[static_cast<std::size_t>(all[c][i])] = static_cast<std::uint8_t>(all[d][i]);
        }
        ok = true;
        break;
      }
    }
    if (ok) mapping_perms_.push_back(p);
  }
}

std::uint64_t Symmetry::order() const {
  std::uint64_t n = mapping_perms_.size();
  for (const auto& c : classes_) n *= factorial(c.size());
  return n;
}

std::string Symmetry::describe() const {
  if (trivial()) return "none: no two actors or mappings are interchangeable";
  std::string out;
  for (const auto& c : classes_) {
    if (!out.empty()) out += "; ";
    for (std::size_t i = 0; i < c.size(); ++i) {
      out += (i ? " = " : "") + names_[static_cast<std::size_t>(c[i])];
    }
  }
  if (swaps_mappings()) {
    out += std::string(out.empty() ? "" : "; ") + "mappings swap with their actors (" +
           std::to_string(mapping_perms_.size()) + " arrangements)";
  }
  return out + "; group of " + std::to_string(order());
}

Permutation Symmetry::sort_classes(State& s) const {
  Permutation p = Permutation::identity();
  bool moved = false;
  std::array<ActorKey, kMaxActors> keys;
  std::array<int, kMaxActors> order;
  for (const auto& c : classes_) {
    const std::size_t n = c.size();
    for (std::size_t i = 0; i < n; ++i) {
      keys[i] = key_of(s, c[i]);
      order[i] = static_cast<int>(i);
    }
    // Insertion sort: classes are a few actors.
    for (std::size_t i = 1; i < n; ++i) {
      for (std::size_t j = i; j > 0 && key_less(keys[static_cast<std::size_t>(order[j])],
                                                keys[static_cast<std::size_t>(order[j - 1])]);
           --j) {
        std::swap(order[j], order[j - 1]);
      }
    }
    // The actor with the i-th least key takes the class's i-th slot.
    for (std::size_t i = 0; i < n; ++i) {
      const int from = c[static_cast<std::size_t>(order[i])];
      p.actor[static_cast<std::size_t>(from)] = static_cast<std::uint8_t>(c[i]);
      moved = moved || from != c[i];
    }
  }
  if (moved) s = permute(s, p);
  return p;
}

Permutation Symmetry::canonicalize(State& s) const {
  if (mapping_perms_.size() == 1) return sort_classes(s);
  // Every element of the group is a mapping permutation (with its actor permutation) followed
  // by permutations within classes, so the orbit's members, sorted within classes, are the
  // sorted images under the mapping permutations: the least of these is canonical.
  State best{};
  Permutation best_p{};
  for (std::size_t i = 0; i < mapping_perms_.size(); ++i) {
    State t = i == 0 ? s : permute(s, mapping_perms_[i]);
    const Permutation p = mapping_perms_[i].then(sort_classes(t));
    if (i == 0 || std::memcmp(&t, &best, sizeof t) < 0) {
      best = t;
      best_p = p;
    }
  }
  s = best;
  return best_p;
}

std::uint64_t Symmetry::class_arrangements(const State& s) const {
  // |class|! / (product of the factorials of the counts of equal keys): swapping actors with
  // equal keys gives the same state, any other swap a different one.
  std::uint64_t n = 1;
  std::array<ActorKey, kMaxActors> keys;
  for (const auto& c : classes_) {
    const std::size_t size = c.size();
    for (std::size_t i = 0; i < size; ++i) keys[i] = key_of(s, c[i]);
    for (std::size_t i = 1; i < size; ++i) {
      for (std::size_t j = i; j > 0 && key_less(keys[j], keys[j - 1]); --j) {
        std::swap(keys[j], keys[j - 1]);
      }
    }
    std::uint64_t same = 1;
    for (std::size_t i = 0, run = 1; i < size; ++i, ++run) {
      if (i + 1 < size && key_equal(keys[i], keys[i + 1])) continue;
      same *= factorial(run);
      run = 0;
    }
    n *= factorial(size) / same;
  }
  return n;
}

std::uint64_t Symmetry::orbit_size(const State& s) const {
  // The mapping permutations' images, sorted within classes, are the orbit's classes-orbits:
  // each holds class_arrangements(s) states (conjugating by a mapping permutation maps the
  // permutations within classes onto themselves), and two of them are equal or disjoint.
  std::vector<State> distinct;
  for (const Permutation& mp : mapping_perms_) {
    State t = permute(s, mp);
    sort_classes(t);
    if (std::none_of(distinct.begin(), distinct.end(), [&](const State& u) { return u == t; })) {
      distinct.push_back(t);
    }
  }
  return distinct.size() * class_arrangements(s);
}

std::vector<Permutation> Symmetry::elements() const {
  // Every arrangement within each class, after each mapping permutation.
  std::vector<Permutation> within{Permutation::identity()};
  for (const auto& c : classes_) {
    std::vector<Permutation> next;
    std::vector<int> image = c;
    do {
      for (const Permutation& base : within) {
        Permutation p = base;
        for (std::size_t i = 0; i < c.size(); ++i) {
          p.actor[static_cast<std::size_t>(c[i])] = static_cast<std::uint8_t>(image[i]);
        }
        next.push_back(p);
      }
    } while (std::next_permutation(image.begin(), image.end()));
    within = std::move(next);
  }
  std::vector<Permutation> out;
  for (const Permutation& mp : mapping_perms_) {
    for (const Permutation& w : within) out.push_back(mp.then(w));
  }
  return out;
}

}  // namespace dirtyrace::model
