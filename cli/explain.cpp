#include <iostream>

#include "cli/commands.hpp"
#include "traces/explain.hpp"
#include "traces/json.hpp"

namespace dirtyrace::cli {

int run_explain(const ExplainOptions& o) {
  std::cout << traces::explain(traces::read_trace_file(o.file));
  return kExitVerified;
}

}  // namespace dirtyrace::cli
