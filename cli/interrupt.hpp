#pragma once
// Ctrl-C during a long search: the first SIGINT asks the search to stop cleanly (it reports an
// inconclusive verdict with its statistics) instead of killing the process.

#include <atomic>

namespace dirtyrace::cli {

/// While alive, SIGINT sets `flag()` instead of ending the program. In a rank of a distributed
/// search (`rank` given), SIGTERM and SIGUSR1 set it too: the terminal's Ctrl-C reaches mpirun
/// only, which sends its ranks SIGTERM (and SIGKILL a second later), as it does when a rank has
/// died; it forwards SIGUSR1 as it is. SIGTERM also prints a line saying so, since the rank may
/// not live long enough to report.
class InterruptScope {
 public:
  InterruptScope();
  explicit InterruptScope(int rank);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  const std::atomic<bool>* flag() const;

 private:
  void (*previous_)(int);
  void (*previous_term_)(int) = nullptr;
  void (*previous_usr1_)(int) = nullptr;
  bool rank_ = false;
};

}  // namespace dirtyrace::cli
