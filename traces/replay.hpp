#pragma once
// Re-executes a trace against the model step by step: each recorded step must be enabled and
// must change exactly what the trace says, and the last state must violate the property (or,
// for a run kept by simulate that names none, violate no checked property).

#include <cstddef>
#include <string>

#include "traces/trace.hpp"

namespace dirtyrace::traces {

struct ReplayResult {
  bool confirmed = false;
  std::size_t diverged_at = 0;  // 1-based step where the model disagrees; 0 if none
  std::string message;          // one line for the user
};

ReplayResult replay(const Trace& trace);

}  // namespace dirtyrace::traces
