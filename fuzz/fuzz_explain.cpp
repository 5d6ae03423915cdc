// Fuzz target: `dirtyrace explain` and `dirtyrace show` (text) on a trace file.

#include "fuzz/fuzz_support.hpp"
#include "traces/explain.hpp"
#include "traces/json.hpp"
#include "traces/text.hpp"

using namespace dirtyrace;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run(data, size, [](std::string_view text) {
    const traces::Trace t = traces::trace_from_json(traces::parse_trace_json(text));
    (void)traces::explain(t);
    (void)traces::render_trace(t);
  });
}
