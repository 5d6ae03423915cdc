#pragma once
// The swim lanes of a trace: which actors get a column, in which order.

#include <string>
#include <vector>

#include "traces/trace.hpp"

namespace dirtyrace::traces {

/// The device's actor name in trace steps.
inline constexpr std::string_view kDeviceActor = "disk";

/// The actors of `trace` in scenario order (as its initial state lists their positions), then the
/// device, then any actor that only appears in a step.
std::vector<std::string> lanes(const Trace& trace);

}  // namespace dirtyrace::traces
