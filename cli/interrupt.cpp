#include "cli/interrupt.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace dirtyrace::cli {

namespace {
std::atomic<bool> g_interrupted{false};
// Written by the SIGTERM handler, which may only call async-signal-safe functions.
char g_term_message[160];
std::size_t g_term_length = 0;
}  // namespace

extern "C" void dirtyrace_on_sigint(int signal) {
  g_interrupted.store(true);
  if (signal == SIGTERM && ::write(STDERR_FILENO, g_term_message, g_term_length) < 0) return;
}

InterruptScope::InterruptScope() {
  g_interrupted = false;
  previous_ = std::signal(SIGINT, dirtyrace_on_sigint);
}

InterruptScope::InterruptScope(int rank) : InterruptScope() {
  std::snprintf(g_term_message, sizeof g_term_message,
                "dirtyrace: rank %d: error: mpirun is ending the job (interrupted, or another rank "
                "failed); stopping\n",
                rank);
  g_term_length = std::strlen(g_term_message);
  previous_term_ = std::signal(SIGTERM, dirtyrace_on_sigint);
  previous_usr1_ = std::signal(SIGUSR1, dirtyrace_on_sigint);
  rank_ = true;
}

InterruptScope::~InterruptScope() {
  std::signal(SIGINT, previous_);
  if (rank_) {
    std::signal(SIGTERM, previous_term_);
    std::signal(SIGUSR1, previous_usr1_);
  }
}

const std::atomic<bool>* InterruptScope::flag() const {
  return &g_interrupted;
}

}  // namespace dirtyrace::cli
