#pragma once
// Exhaustive exploration of a TransitionSystem: breadth-first (shortest counterexamples) or
// depth-first order over one visited set, with limits that stop the search cleanly.
// Breadth-first search may run on several threads, level by level, with the same outcome as on
// one: the same verdict, state count, depth and counterexample (see search.cpp).

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
  std::uint64_t max_memory_bytes = 0;  // bytes held by the visited set (and DFS parent links)
  double time_limit_seconds = 0;
};

/// Figures about a search, complete or not.
struct Statistics {
  std::uint64_t states = 0;       // distinct states stored
  std::uint64_t transitions = 0;  // successors generated, including ones already seen
  std::uint32_t depth = 0;        // longest shortest path (BFS) or deepest path found (DFS)
  unsigned threads = 1;           // threads that searched (depth-first search: always 1)
  double seconds = 0;
  std::size_t state_bytes = 0;     // width of one packed state
  std::uint64_t stored_bytes = 0;  // states, DFS parent links and hash table together
  std::uint64_t peak_rss_bytes = 0;
  // The progress check after the search, when the system asks for it (zero otherwise).
  double progress_seconds = 0;       // included in `seconds`
  std::uint64_t progress_bytes = 0;  // its arrays, freed when it ends; not in stored_bytes
  std::uint32_t progress_sweeps = 0;
  /// With SearchOptions::count_represented: the states of the unreduced system that the states
  /// stored stand for (TransitionSystem::represented summed); on a complete search, the number
  /// of states the search would have stored without the reduction. 0 when not counted.
  std::uint64_t represented_states = 0;
  /// When the store kept states as the numbers of their halves: the distinct halves, left and
  /// right, and their widths; all 0 when it kept them whole.
  std::uint64_t halves[2] = {0, 0};
  std::size_t half_bytes[2] = {0, 0};

  /// The search's own speed: the progress check's time is left out.
  double states_per_second() const {
    const double searching = seconds - progress_seconds;
    return searching > 0 ? double(states) / searching : 0;
  }
  double bytes_per_state() const { return states ? double(stored_bytes) / double(states) : 0; }
};

/// A snapshot of a running search, for progress reports.
struct Progress {
  std::uint64_t states = 0;
  std::uint64_t pending = 0;  // queue (BFS) or stack (DFS) length
  double seconds = 0;
  std::uint64_t stored_bytes = 0;
  Order order = Order::breadth_first;
  // Breadth-first only: the level being expanded (its states' depth), and how the sizes of the
  // last complete levels grew: the ratio of the last two to the two before (0: too few levels).
  std::uint32_t level = 0;
  double growth = 0;
  /// An estimate of the states still to be stored, made once levels shrink (growth < 1) by
  /// assuming they keep shrinking at that rate; none while they grow, and none depth-first.
  std::optional<std::uint64_t> states_left;
};

/// Fills in p.growth and p.states_left (p.states and p.order set) from the sizes of the complete
/// breadth-first levels so far, the initial state's level first.
void estimate_left(Progress& p, const std::vector<std::uint64_t>& level_sizes);

struct SearchOptions {
  Order order = Order::breadth_first;
  /// Threads that expand each breadth-first level together (at least 1); depth-first search
  /// runs on one whatever this says.
  unsigned threads = 1;
  Limits limits;
  /// Polled during the search; when it becomes true the search stops as interrupted.
  const std::atomic<bool>* interrupt = nullptr;
  /// Called about every `progress_interval_seconds` while the search runs.
  std::function<void(const Progress&)> on_progress;
  double progress_interval_seconds = 2.0;
  /// Sum TransitionSystem::represented over the states stored once the search ends
  /// (Statistics::represented_states); not counted in the search's seconds.
  bool count_represented = false;
  /// Keep states of 16 bytes or more as the numbers of their two halves (StateStore): 8 bytes
  /// of record instead of the state, for about a fifth more time. Off: every state whole.
  bool compress_states = true;
};

enum class Verdict { verified, violation, inconclusive };
enum class StopReason { none, max_states, max_memory, time_limit, interrupted, progress_memory };

std::string_view to_string(Verdict v);
std::string_view to_string(StopReason r);

/// A path from the initial state to a violating state: states.size() == labels.size() + 1.
/// Kind::no_progress: the path reaches a state from which no goal can be reached, then goes on
/// to a dead end, or around a loop: states[*loop_start] == states.back(), and the run repeats
/// the steps after loop_start forever.
struct Counterexample {
  enum class Kind { invariant, deadlock, no_progress };
  Kind kind = Kind::invariant;
  std::uint32_t invariant = 0;  // meaningful for Kind::invariant
  std::vector<std::vector<std::byte>> states;
  std::vector<Label> labels;
  std::optional<std::size_t> loop_start;  // Kind::no_progress ending in a loop
  std::size_t stuck = 0;  // Kind::no_progress: states[stuck] is the first that cannot progress
};

struct SearchResult {
  Verdict verdict = Verdict::inconclusive;
  StopReason stop = StopReason::none;  // why an inconclusive search stopped
  Statistics stats;
  std::optional<Counterexample> counterexample;
};

/// Explores every state reachable from the initial one, or stops at the first violation or limit.
/// When the system checks_progress(), a complete exploration without violation is followed by
/// the progress check (checker/progress.hpp); the verdict is verified only if it passes.
SearchResult search(const TransitionSystem& system, const SearchOptions& options);

}  // namespace dirtyrace::checker
