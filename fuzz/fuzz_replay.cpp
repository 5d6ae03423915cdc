// Fuzz target: `dirtyrace replay` on a trace file: read it, then re-execute its steps.

#include "fuzz/fuzz_support.hpp"
#include "traces/json.hpp"
#include "traces/replay.hpp"

using namespace dirtyrace;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run(data, size, [](std::string_view text) {
    const traces::Trace t = traces::trace_from_json(traces::parse_trace_json(text));
    const traces::ReplayResult r = traces::replay(t);
    if (r.message.find('\n') != std::string::npos) {
      throw std::logic_error("replay's message is not one line");
    }
  });
}
