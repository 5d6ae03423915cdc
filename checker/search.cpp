#include "checker/search.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <span>
#include <stdexcept>

#include "checker/memory.hpp"
#include "checker/progress.hpp"
#include "checker/state_store.hpp"

namespace dirtyrace::checker {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::verified:
      return "verified";
    case Verdict::violation:
      return "violation";
    case Verdict::inconclusive:
      return "inconclusive";
  }
  return "?";
}

std::string_view to_string(StopReason r) {
  switch (r) {
    case StopReason::none:
      return "none";
    case StopReason::max_states:
      return "state limit reached";
    case StopReason::max_memory:
      return "memory limit reached";
    case StopReason::time_limit:
      return "time limit reached";
    case StopReason::interrupted:
      return "interrupted";
    case StopReason::progress_memory:
      return "memory limit reached by the progress check";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

/// How many states ahead of the one being looked up breadth-first search generates.
constexpr std::size_t kLookahead = 4;

class Search {
 public:
  Search(const TransitionSystem& system, const SearchOptions& options)
      : system_(system), options_(options), store_(system.state_bytes()) {}

  SearchResult run() {
    reset_peak_rss();
    start_ = last_progress_ = Clock::now();
    std::vector<std::byte> initial(system_.state_bytes());
    system_.initial_state(initial.data());
    insert(initial.data(), store_.hash(initial.data()), kNoParent, 0);
    if (!violation_) {
      if (options_.order == Order::breadth_first) {
        breadth_first();
      } else {
        depth_first();
      }
    }
    if (!violation_ && stop_ == StopReason::none && system_.checks_progress()) check_progress();
    return finish();
  }

 private:
  /// Stores `state`, whose hash is `hash`, and checks it, unless it is stored already.
  void insert(const std::byte* state, std::uint64_t hash, StateIndex parent, std::uint32_t depth) {
    const auto [index, added] = store_.find_or_append(state, hash, parent);
    if (!added) return;
    if (options_.order == Order::depth_first) depth_of_.push_back(depth);
    if (depth > depth_) depth_ = depth;
    if (const auto invariant = system_.violated_invariant(state)) {
      violation_ = Violation{Counterexample::Kind::invariant, *invariant, index};
    }
  }

  /// Successors of one state, generated but not yet looked up.
  struct Expansion {
    StateIndex state = 0;
    std::vector<std::byte> successors;  // packed, back to back
    std::vector<std::uint64_t> hashes;  // of each successor
  };

  /// Generates the successors of stored state `index`, hashes them and prefetches their slots.
  /// The system reads the state in place: records never move, and none is added meanwhile.
  void generate(StateIndex index, Expansion& e) const {
    const std::size_t width = store_.state_bytes();
    e.state = index;
    e.successors.clear();
    e.hashes.clear();
    system_.for_each_successor(store_.state(index), [&](Label, const std::byte* next) {
      e.successors.insert(e.successors.end(), next, next + width);
      e.hashes.push_back(store_.hash(next));
      store_.prefetch(e.hashes.back());
    });
  }

  /// Looks up the successors of a generated state and stores the new ones, in the order they
  /// were generated; returns false when the search must stop.
  bool commit(const Expansion& e, std::uint32_t depth) {
    const std::size_t successors = e.hashes.size();
    const std::size_t width = store_.state_bytes();
    transitions_ += successors;
    for (std::size_t k = 0; k < successors && !violation_; ++k) {
      insert(e.successors.data() + k * width, e.hashes[k], e.state, depth + 1);
    }
    if (!violation_ && successors == 0 && !system_.is_terminal(store_.state(e.state))) {
      violation_ = Violation{Counterexample::Kind::deadlock, 0, e.state};
    }
    if (violation_) return false;
    return within_limits(pending());
  }

  void breadth_first() {
    // States are stored in breadth-first order, so the queue is the store itself. Successors
    // are generated a few states ahead of their lookup: the slots prefetched then have
    // arrived by the time they are probed, their latency hidden behind generating other
    // states. Lookups, and so the store, still follow the plain breadth-first order.
    std::size_t level_end = store_.size();
    std::uint32_t level = 0;
    std::size_t generated = 0;  // states whose successors have been generated
    for (next_ = 0; next_ < store_.size(); ++next_) {
      if (next_ == level_end) {
        ++level;
        level_end = store_.size();
      }
      for (; generated < store_.size() && generated <= next_ + kLookahead; ++generated) {
        generate(static_cast<StateIndex>(generated), ahead_[generated % ahead_.size()]);
      }
      if (!commit(ahead_[next_ % ahead_.size()], level)) return;
    }
  }

  void depth_first() {
    // The next state to expand is known only once the last one's successors are stored, so
    // there is nothing to generate ahead.
    stack_.push_back(0);
    while (!stack_.empty()) {
      const StateIndex index = stack_.back();
      stack_.pop_back();
      const std::size_t before = store_.size();
      generate(index, ahead_[0]);
      if (!commit(ahead_[0], depth_of_[index])) return;
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
    // The breadth-first queue is the store; the depth-first one is the stack. The successors
    // generated ahead are counted too.
    std::uint64_t ahead = 0;
    for (const Expansion& e : ahead_) {
      ahead += e.successors.capacity() + e.hashes.capacity() * sizeof(std::uint64_t);
    }
    return store_.allocated_bytes() + depth_of_.capacity() * sizeof(std::uint32_t) +
           stack_.capacity() * sizeof(StateIndex) + ahead;
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

  /// Interrupt and time limit, for the progress check.
  StopReason poll() const {
    if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed)) {
      return StopReason::interrupted;
    }
    const double limit = options_.limits.time_limit_seconds;
    if (limit > 0 && seconds_since(start_, Clock::now()) >= limit) return StopReason::time_limit;
    return StopReason::none;
  }

  /// The progress check over the complete store, within the memory limit.
  void check_progress() {
    const std::uint64_t main_bytes = stored_bytes();
    // The search's own work lists are done with.
    std::vector<std::uint32_t>().swap(depth_of_);
    std::vector<StateIndex>().swap(stack_);
    const auto progress_start = Clock::now();
    const std::uint64_t limit = options_.limits.max_memory_bytes;
    const std::uint64_t needed = progress_bytes(store_.size(), transitions_);
    if (limit && store_.allocated_bytes() + needed > limit) {
      stop_ = StopReason::progress_memory;  // not started: progress_bytes_ stays 0
    } else {
      progress_bytes_ = needed;
      ProgressOutcome p =
          checker::check_progress(system_, store_, transitions_, [this] { return poll(); });
      stop_ = p.stop;
      progress_sweeps_ = p.sweeps;
      if (!p.path.empty()) {
        no_progress_ = std::move(p);
      }
    }
    main_bytes_ = main_bytes;
    progress_seconds_ = seconds_since(progress_start, Clock::now());
  }

  static double seconds_since(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
  }

  /// Rebuilds the path to `index` from parent links, re-running the system to recover labels.
  Counterexample trace(const Counterexample::Kind kind, std::uint32_t invariant,
                       StateIndex index) const {
    std::vector<StateIndex> path;
    for (StateIndex i = index; i != kNoParent; i = store_.parent(i)) path.push_back(i);
    std::reverse(path.begin(), path.end());
    return trace(kind, invariant, path);
  }

  /// The run through stored states `path`, re-running the system to recover labels.
  Counterexample trace(const Counterexample::Kind kind, std::uint32_t invariant,
                       const std::vector<StateIndex>& path) const {
    Counterexample cx{kind, invariant, {}, {}, {}, 0};
    const std::size_t width = store_.state_bytes();
    for (const StateIndex i : path) {
      const std::byte* s = store_.state(i);
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
    result.stats.stored_bytes = main_bytes_ ? main_bytes_ : stored_bytes();
    result.stats.peak_rss_bytes = peak_rss_bytes();
    result.stats.progress_seconds = progress_seconds_;
    result.stats.progress_bytes = progress_bytes_;
    result.stats.progress_sweeps = progress_sweeps_;
    if (violation_) {
      result.verdict = Verdict::violation;
      result.counterexample = trace(violation_->kind, violation_->invariant, violation_->state);
    } else if (no_progress_) {
      result.verdict = Verdict::violation;
      result.counterexample = trace(Counterexample::Kind::no_progress, 0, no_progress_->path);
      result.counterexample->loop_start = no_progress_->loop_start;
      result.counterexample->stuck = no_progress_->stuck;
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
  std::array<Expansion, kLookahead + 1> ahead_;  // state i's at [i % size]; depth-first: [0]
  std::vector<StateIndex> stack_;                // depth-first only
  std::vector<std::uint32_t> depth_of_;          // depth-first only: depth of each stored state
  std::size_t next_ = 0;                         // breadth-first only: next state to expand
  std::uint64_t transitions_ = 0;
  std::uint32_t depth_ = 0;
  std::uint64_t polls_ = 0;
  std::optional<Violation> violation_;
  std::optional<ProgressOutcome> no_progress_;  // the progress check failed
  std::uint64_t main_bytes_ = 0;                // stored_bytes() when the search ended
  std::uint64_t progress_bytes_ = 0;
  std::uint32_t progress_sweeps_ = 0;
  double progress_seconds_ = 0;
  StopReason stop_ = StopReason::none;
  Clock::time_point start_, last_progress_;
};

}  // namespace

SearchResult search(const TransitionSystem& system, const SearchOptions& options) {
  return Search(system, options).run();
}

}  // namespace dirtyrace::checker
