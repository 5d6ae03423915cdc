// Fuzz target: a trace file (JSON), read as `dirtyrace replay`, `show` and `explain` read it; a
// trace that reads must write back to JSON that reads to the same trace.

#include "fuzz/fuzz_support.hpp"
#include "traces/json.hpp"

using namespace dirtyrace;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run(data, size, [](std::string_view text) {
    const traces::Trace t = traces::trace_from_json(traces::parse_trace_json(text));
    const nlohmann::ordered_json j = traces::trace_to_json(t);
    const traces::Trace back = traces::trace_from_json(traces::parse_trace_json(j.dump()));
    if (traces::trace_to_json(back) != j) {
      throw std::logic_error("a trace does not read back to itself");
    }
  });
}
