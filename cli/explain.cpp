#include <iostream>

#include "cli/commands.hpp"
#include "traces/explain.hpp"
#include "traces/json.hpp"

namespace dirtyrace::cli {

void setup_explain(CLI::App& app, ExplainOptions& o) {
  app.add_option("trace", o.file, "Trace file (from check --trace-out or simulate)")->required();
}

int run_explain(const ExplainOptions& o) {
  std::cout << traces::explain(traces::read_trace_file(o.file));
  return kExitVerified;
}

}  // namespace dirtyrace::cli
