#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "model/error.hpp"
#include "traces/dot.hpp"
#include "traces/html.hpp"
#include "traces/json.hpp"
#include "traces/text.hpp"

namespace dirtyrace::cli {

int run_show(const ShowOptions& o) {
  std::string text;
  if (o.format != "text" && o.format != "html" && o.format != "dot" && o.format != "svg") {
    throw model::UsageError("unknown --format '" + model::echo(o.format) +
                            "'; use text, html, dot or svg");
  }
  const traces::Trace trace = traces::read_trace_file(o.file);
  if (o.format == "text") {
    text = "dirtyrace show: " + std::string(trace.scenario.variant->name) + "; " +
           traces::describe_scenario(trace.scenario) + "\n\n" + traces::render_trace(trace);
  } else if (o.format == "html") {
    text = traces::render_html(trace);
  } else if (o.format == "dot") {
    text = traces::render_dot(trace);
  } else {
    text = traces::render_svg(trace);
  }
  if (o.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    traces::write_file_atomically(o.output, text);
  }
  return kExitVerified;
}

}  // namespace dirtyrace::cli
