#include "checker/search.hpp"

#include <chrono>
#include <cstring>
#include <span>
#include <stdexcept>

#include <absl/container/flat_hash_set.h>
// Inlined: states are a few bytes long, where a call costs as much as the hash.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "checker/memory.hpp"
#include "checker/state_store.hpp"

namespace dirtyrace::checker {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::verified: return "verified";
    case Verdict::violation: return "violation";
    case Verdict::inconclusive: return "inconclusive";
  }
  return "?";
}

std::string_view to_string(StopReason r) {
  switch (r) {
    case StopReason::none: return "none";
    case StopReason::max_states: return "state limit reached";
    case StopReason::max_memory: return "memory limit reached";
    case StopReason::time_limit: return "time limit reached";
    case StopReason::interrupted: return "interrupted";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

/// A state not yet stored, looked up by its bytes (heterogeneous lookup avoids storing it first).
struct Candidate {
  const std::byte* bytes;
};

/// Hashes and compares stored states by index and candidates by bytes, the same way.
struct StateHash {
  using is_transparent = void;
  const StateStore* store;
  std::size_t operator()(StateIndex i) const { return hash(store->state(i)); }
  std::size_t operator()(Candidate c) const { return hash(c.bytes); }
  std::size_t hash(const std::byte* s) const {
    return static_cast<std::size_t>(XXH3_64bits(s, store->state_bytes()));
  }
};

struct StateEq {
  using is_transparent = void;
  const StateStore* store;
  const std::byte* bytes(StateIndex i) const { return store->state(i); }
  const std::byte* bytes(Candidate c) const { return c.bytes; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::memcmp(bytes(a), bytes(b), store->state_bytes()) == 0;
  }
};

using VisitedSet = absl::flat_hash_set<StateIndex, StateHash, StateEq>;

class Search {
 public:
  Search(const TransitionSystem& system, const SearchOptions& options)
      : system_(system),
        options_(options),
        store_(system.state_bytes()),
        visited_(0, StateHash{&store_}, StateEq{&store_}),
        current_(system.state_bytes()) {}

  SearchResult run() {
    reset_peak_rss();
    start_ = last_progress_ = Clock::now();
    std::vector<std::byte> initial(system_.state_bytes());
    system_.initial_state(initial.data());
    insert(initial.data(), kNoParent, 0);
    if (!violation_) {
      if (options_.order == Order::breadth_first) {
        breadth_first();
      } else {
        depth_first();
      }
    }
    return finish();
  }

 private:
  /// Stores `state` if new and checks it; returns whether it was new.
  bool insert(const std::byte* state, StateIndex parent, std::uint32_t depth) {
    bool added = false;
    const auto it = visited_.lazy_emplace(Candidate{state}, [&](const auto& construct) {
      construct(store_.append(state, parent));
      added = true;
    });
    if (!added) return false;
    const StateIndex index = *it;
    if (options_.order == Order::depth_first) depth_of_.push_back(depth);
    if (depth > depth_) depth_ = depth;
    if (const auto invariant = system_.violated_invariant(state)) {
      violation_ = Violation{Counterexample::Kind::invariant, *invariant, index};
    }
    return true;
  }

  /// Expands one stored state; returns false when the search must stop.
  bool expand(StateIndex index, std::uint32_t depth) {
    // Copy first: the callback appends to the store, and the system may keep no pointer into it.
    std::memcpy(current_.data(), store_.state(index), current_.size());
    std::uint64_t successors = 0;
    system_.for_each_successor(current_.data(), [&](Label, const std::byte* next) {
      ++successors;
      if (violation_) return;
      insert(next, index, depth + 1);
    });
    transitions_ += successors;
    if (!violation_ && successors == 0 && !system_.is_terminal(current_.data())) {
      violation_ = Violation{Counterexample::Kind::deadlock, 0, index};
    }
    if (violation_) return false;
    return within_limits(pending());
  }

  void breadth_first() {
    // States are stored in breadth-first order, so the queue is the store itself.
    std::size_t level_end = store_.size();
    std::uint32_t level = 0;
    for (next_ = 0; next_ < store_.size(); ++next_) {
      if (next_ == level_end) {
        ++level;
        level_end = store_.size();
      }
      if (!expand(static_cast<StateIndex>(next_), level)) return;
    }
  }

  void depth_first() {
    stack_.push_back(0);
    while (!stack_.empty()) {
      const StateIndex index = stack_.back();
      stack_.pop_back();
      const std::size_t before = store_.size();
      if (!expand(index, depth_of_[index])) return;
      // Push in reverse so that the first successor is expanded first.
      for (std::size_t i = store_.size(); i > before; --i) {
        stack_.push_back(static_cast<StateIndex>(i - 1));
      }
    }
  }

  std::uint64_t pending() const {
    return options_.order == Order::breadth_first ? store_.size() - next_ - 1 : stack_.size();
  }

  std::uint64_t stored_bytes() const {
    return store_.allocated_bytes() + visited_.capacity() * (sizeof(StateIndex) + 1) +
           depth_of_.capacity() * sizeof(std::uint32_t) + stack_.capacity() * sizeof(StateIndex);
  }

  bool within_limits(std::uint64_t pending_states) {
    const Limits& limits = options_.limits;
    if (limits.max_states && store_.size() >= limits.max_states) {
      stop_ = StopReason::max_states;
      return false;
    }
    if ((++polls_ & 1023) != 0) return true;
    if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed)) {
      stop_ = StopReason::interrupted;
      return false;
    }
    if (limits.max_memory_bytes && stored_bytes() >= limits.max_memory_bytes) {
      stop_ = StopReason::max_memory;
      return false;
    }
    const auto now = Clock::now();
    const double elapsed = seconds_since(start_, now);
    if (limits.time_limit_seconds > 0 && elapsed >= limits.time_limit_seconds) {
      stop_ = StopReason::time_limit;
      return false;
    }
    if (options_.on_progress &&
        seconds_since(last_progress_, now) >= options_.progress_interval_seconds) {
      last_progress_ = now;
      options_.on_progress(Progress{store_.size(), pending_states, elapsed, stored_bytes()});
    }
    return true;
  }

  static double seconds_since(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
  }

  /// Rebuilds the path to `index` from parent links, re-running the system to recover labels.
  Counterexample trace(const Counterexample::Kind kind, std::uint32_t invariant,
                       StateIndex index) const {
    std::vector<StateIndex> path;
    for (StateIndex i = index; i != kNoParent; i = store_.parent(i)) path.push_back(i);
    Counterexample cx{kind, invariant, {}, {}};
    const std::size_t width = store_.state_bytes();
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      const std::byte* s = store_.state(*it);
      cx.states.emplace_back(s, s + width);
    }
    for (std::size_t k = 0; k + 1 < cx.states.size(); ++k) {
      const std::byte* to = cx.states[k + 1].data();
      std::optional<Label> found;
      system_.for_each_successor(cx.states[k].data(), [&](Label label, const std::byte* next) {
        if (!found && std::memcmp(next, to, width) == 0) found = label;
      });
      if (!found) throw std::logic_error("counterexample rebuild: a parent link has no transition");
      cx.labels.push_back(*found);
    }
    return cx;
  }

  SearchResult finish() {
    SearchResult result;
    result.stats.states = store_.size();
    result.stats.transitions = transitions_;
    result.stats.depth = depth_;
    result.stats.seconds = seconds_since(start_, Clock::now());
    result.stats.state_bytes = store_.state_bytes();
    result.stats.stored_bytes = stored_bytes();
    result.stats.peak_rss_bytes = peak_rss_bytes();
    if (violation_) {
      result.verdict = Verdict::violation;
      result.counterexample = trace(violation_->kind, violation_->invariant, violation_->state);
    } else if (stop_ != StopReason::none) {
      result.verdict = Verdict::inconclusive;
      result.stop = stop_;
    } else {
      result.verdict = Verdict::verified;
    }
    return result;
  }

  struct Violation {
    Counterexample::Kind kind;
    std::uint32_t invariant;
    StateIndex state;
  };

  const TransitionSystem& system_;
  const SearchOptions& options_;
  StateStore store_;
  VisitedSet visited_;
  std::vector<std::byte> current_;
  std::vector<StateIndex> stack_;          // depth-first only
  std::vector<std::uint32_t> depth_of_;    // depth-first only: depth of each stored state
  std::size_t next_ = 0;                   // breadth-first only: next state to expand
  std::uint64_t transitions_ = 0;
  std::uint32_t depth_ = 0;
  std::uint64_t polls_ = 0;
  std::optional<Violation> violation_;
  StopReason stop_ = StopReason::none;
  Clock::time_point start_, last_progress_;
};

}  // namespace

SearchResult search(const TransitionSystem& system, const SearchOptions& options) {
  return Search(system, options).run();
}

}  // namespace dirtyrace::checker
