#pragma once
// Ctrl-C during a long search: the first SIGINT asks the search to stop cleanly (it reports an
// inconclusive verdict with its statistics) instead of killing the process.

#include <atomic>

namespace dirtyrace::cli {

/// While alive, SIGINT sets `flag()` instead of ending the program.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  const std::atomic<bool>* flag() const;

 private:
  void (*previous_)(int);
};

}  // namespace dirtyrace::cli
