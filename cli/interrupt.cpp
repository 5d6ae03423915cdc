#include "cli/interrupt.hpp"

#include <csignal>

namespace dirtyrace::cli {

namespace {
std::atomic<bool> g_interrupted{false};
}  // namespace

extern "C" void dirtyrace_on_sigint(int) {
  g_interrupted.store(true);
}

InterruptScope::InterruptScope() {
  g_interrupted = false;
  previous_ = std::signal(SIGINT, dirtyrace_on_sigint);
}

InterruptScope::~InterruptScope() {
  std::signal(SIGINT, previous_);
}

const std::atomic<bool>* InterruptScope::flag() const {
  return &g_interrupted;
}

}  // namespace dirtyrace::cli
