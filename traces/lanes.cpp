#include "traces/lanes.hpp"

#include <algorithm>

namespace dirtyrace::traces {

std::vector<std::string> lanes(const Trace& trace) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& actor) {
    if (std::find(out.begin(), out.end(), actor) == out.end()) out.push_back(actor);
  };
  // Model::variables lists one "at" variable per actor, in scenario order.
  for (const model::Variable& v : trace.initial) {
    if (v.attribute == "at") add(v.object);
  }
  add(std::string(kDeviceActor));
  for (const TraceStep& s : trace.steps) add(s.actor);
  return out;
}

}  // namespace dirtyrace::traces
