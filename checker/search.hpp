#pragma once
// Exhaustive exploration of a TransitionSystem: breadth-first (shortest counterexamples) or
// depth-first order over one visited set, with limits that stop the search cleanly.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "checker/transition_system.hpp"

namespace dirtyrace::checker {

enum class Order { breadth_first, depth_first };

/// Bounds on a search; zero means unbounded.
struct Limits {
  std::uint64_t max_states = 0;
  std::uint64_t max_memory_bytes = 0;  // bytes held by the visited set and its parent links
  double time_limit_seconds = 0;
};

/// Figures about a search, complete or not.
struct Statistics {
  std::uint64_t states = 0;       // distinct states stored
  std::uint64_t transitions = 0;  // successors generated, including ones already seen
  std::uint32_t depth = 0;        // longest shortest path (BFS) or deepest path found (DFS)
  double seconds = 0;
  std::size_t state_bytes = 0;     // width of one packed state
  std::uint64_t stored_bytes = 0;  // states, parent links and hash table together
  std::uint64_t peak_rss_bytes = 0;

  double states_per_second() const { return seconds > 0 ? double(states) / seconds : 0; }
  double bytes_per_state() const { return states ? double(stored_bytes) / double(states) : 0; }
};

/// A snapshot of a running search, for progress reports.
struct Progress {
  std::uint64_t states = 0;
  std::uint64_t pending = 0;  // queue (BFS) or stack (DFS) length
  double seconds = 0;
  std::uint64_t stored_bytes = 0;
};

struct SearchOptions {
  Order order = Order::breadth_first;
  Limits limits;
  /// Polled during the search; when it becomes true the search stops as interrupted.
  const std::atomic<bool>* interrupt = nullptr;
  /// Called about every `progress_interval_seconds` while the search runs.
  std::function<void(const Progress&)> on_progress;
  double progress_interval_seconds = 2.0;
};

enum class Verdict { verified, violation, inconclusive };
enum class StopReason { none, max_states, max_memory, time_limit, interrupted };

std::string_view to_string(Verdict v);
std::string_view to_string(StopReason r);

/// A path from the initial state to a violating state: states.size() == labels.size() + 1.
struct Counterexample {
  enum class Kind { invariant, deadlock };
  Kind kind = Kind::invariant;
  std::uint32_t invariant = 0;  // meaningful for Kind::invariant
  std::vector<std::vector<std::byte>> states;
  std::vector<Label> labels;
};

struct SearchResult {
  Verdict verdict = Verdict::inconclusive;
  StopReason stop = StopReason::none;  // why an inconclusive search stopped
  Statistics stats;
  std::optional<Counterexample> counterexample;
};

/// Explores every state reachable from the initial one, or stops at the first violation or limit.
SearchResult search(const TransitionSystem& system, const SearchOptions& options);

}  // namespace dirtyrace::checker
