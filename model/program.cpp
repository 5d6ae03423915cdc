#include "model/program.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "model/error.hpp"

namespace dirtyrace::model {

void RoutineTable::set(std::string_view name, std::vector<Item> items) {
  routines_.insert_or_assign(std::string(name), std::move(items));
}

bool RoutineTable::has(std::string_view name) const {
  return routines_.find(name) != routines_.end();
}

const std::vector<Item>& RoutineTable::get(std::string_view name) const {
  const auto it = routines_.find(name);
  if (it == routines_.end()) throw std::logic_error("no routine '" + std::string(name) + "'");
  return it->second;
}

std::vector<std::string> RoutineTable::reachable(std::string_view entry) const {
  std::vector<std::string> out{std::string(entry)};
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const Item& item : get(out[i])) {
      if (item.kind == Item::Kind::call &&
          std::find(out.begin(), out.end(), item.routine) == out.end()) {
        out.emplace_back(item.routine);
      }
    }
  }
  return out;
}

namespace {

/// Builds a program in two passes: emit entries while recording labels per routine instance,
/// then resolve every jump through the chain of instances that encloses it.
class Flattener {
 public:
  explicit Flattener(const RoutineTable& table) : table_(table) {}

  std::vector<FlatStep> run(std::string_view entry) {
    emit(entry, {});
    std::vector<FlatStep> out(steps_);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      if (e.kind != Item::Kind::step) continue;
      FlatStep& f = out[e.step_index];
      f.step = e.step;
      f.routine = e.routine;
      f.next = resolve_position(i + 1);
      f.target.fill(kNoTarget);
      for (int t = 0; t < kTargets; ++t) {
        const bool needed = e.step->jumps & (1u << t) ||
                            (e.step->skip && e.step->skip_to == static_cast<Target>(t));
        if (!needed) continue;
        const auto label = find_label(static_cast<Target>(t), e.chain);
        if (!label) {
          throw std::logic_error("step '" + std::string(e.step->name) + "' in routine '" +
                                 std::string(e.routine) + "' jumps to an undefined label");
        }
        f.target[static_cast<std::size_t>(t)] = resolve_position(*label);
      }
      f.skip_target = e.step->skip_to == Target::count
                          ? f.next
                          : f.target[static_cast<std::size_t>(e.step->skip_to)];
    }
    return out;
  }

 private:
  struct Entry {
    Item::Kind kind;
    const Step* step;
    std::string_view routine;
    Target target;
    std::vector<std::size_t> chain;  // routine instances from the innermost outwards
    std::size_t step_index = 0;
  };

  void emit(std::string_view routine, std::vector<std::size_t> chain) {
    if (std::find(active_.begin(), active_.end(), routine) != active_.end()) {
      throw std::logic_error("routine '" + std::string(routine) + "' calls itself");
    }
    active_.push_back(routine);
    const std::size_t instance = instances_++;
    chain.insert(chain.begin(), instance);
    for (const Item& item : table_.get(routine)) {
      switch (item.kind) {
        case Item::Kind::call:
          emit(item.routine, chain);
          break;
        case Item::Kind::label:
          labels_.push_back({instance, item.target, entries_.size()});
          break;
        case Item::Kind::step:
        case Item::Kind::jump:
          entries_.push_back({item.kind, item.step, routine, item.target, chain,
                              item.kind == Item::Kind::step ? steps_++ : 0});
          break;
      }
    }
    active_.pop_back();
  }

  std::optional<std::size_t> find_label(Target t, const std::vector<std::size_t>& chain) const {
    for (std::size_t instance : chain) {
      for (const auto& l : labels_) {
        if (l.instance == instance && l.target == t) return l.entry;
      }
    }
    return std::nullopt;
  }

  /// The program counter reached from entry `i`, following jumps.
  /// Only edited routines (the scenario's routine orders) can make a loop of jumps with no step
  /// in it: an input error.
  std::uint8_t resolve_position(std::size_t i) const {
    for (std::size_t hops = 0; i < entries_.size(); ++hops) {
      const Entry& e = entries_[i];
      if (e.kind == Item::Kind::step) return static_cast<std::uint8_t>(e.step_index);
      if (hops > entries_.size()) {
        throw UsageError("the edited routines leave a loop in routine '" + std::string(e.routine) +
                         "' with no step in it, which would run forever; keep at least one of "
                         "its steps in its order");
      }
      const auto label = find_label(e.target, e.chain);
      if (!label) {
        throw std::logic_error("jump to an undefined label in '" + std::string(e.routine) + "'");
      }
      i = *label;
    }
    return static_cast<std::uint8_t>(steps_);
  }

  struct Label {
    std::size_t instance;
    Target target;
    std::size_t entry;  // index of the entry that follows the label
  };

  const RoutineTable& table_;
  std::vector<Entry> entries_;
  std::vector<Label> labels_;
  std::vector<std::string_view> active_;
  std::size_t instances_ = 0;
  std::size_t steps_ = 0;
};

}  // namespace

Program Program::build(const RoutineTable& table, std::string_view entry) {
  Program p;
  p.steps_ = Flattener(table).run(entry);
  if (p.steps_.size() > 250)
    throw std::logic_error("program of '" + std::string(entry) + "' too long");
  p.compute_liveness([](std::size_t) { return 0; });
  return p;
}

void Program::specialise_liveness(absl::FunctionRef<bool(std::size_t pc)> skipped) {
  for (FlatStep& f : steps_) f.live = 0;
  compute_liveness([&](std::size_t pc) {
    if (!steps_[pc].step->skip_by_scenario) return 0;
    return skipped(pc) ? 1 : 2;
  });
}

// Backward data flow to a fixed point: live(pc) = reads(pc) ∪ (live after it − writes(pc)),
// joined with live(skip target) for a step that may be passed over. A step that writes a local
// only on some paths declares it read too, so `writes` may be taken as certain.
void Program::compute_liveness(absl::FunctionRef<int(std::size_t pc)> skip_kind) {
  const auto live_at = [&](std::uint8_t pc) { return live(pc); };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t pc = steps_.size(); pc-- > 0;) {
      FlatStep& f = steps_[pc];
      const Step& st = *f.step;
      const int kind = st.skip ? skip_kind(pc) : 2;
      VarSet in = 0;
      if (kind != 1) {
        VarSet after = live_at(f.next) | f.live;  // f.live: Flow::again runs the step once more
        for (int t = 0; t < kTargets; ++t) {
          if (st.jumps & (1u << t)) after |= live_at(f.target[static_cast<std::size_t>(t)]);
        }
        in = (st.reads | (after & ~st.writes)) & kLocalVars;
      }
      if (kind != 2) in |= live_at(f.skip_target) & ~st.skip_clears;
      if (in != f.live) {
        f.live = in;
        changed = true;
      }
    }
  }
}

}  // namespace dirtyrace::model
