#pragma once
// A trace as a message-sequence chart for Graphviz: one column (lane) per actor, the device
// included, one row per step, and an arrow from a step to the next step of another actor that
// changes the same object (a hand-off: the later step acts on what the earlier one left).

#include <string>

#include "traces/trace.hpp"

namespace dirtyrace::traces {

/// The trace in the DOT language, written by Boost.Graph's write_graphviz.
std::string render_dot(const Trace& trace);

/// The DOT rendering laid out by Graphviz's `dot -Tsvg`. Throws model::UsageError when `dot` is
/// not on PATH (naming the package to install) or fails.
std::string render_svg(const Trace& trace);

}  // namespace dirtyrace::traces
