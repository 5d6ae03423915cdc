#include "traces/html.hpp"

#include <map>
#include <stdexcept>

#include "traces/json.hpp"
#include "traces/text.hpp"
#include "traces/viewer/assets.hpp"

namespace dirtyrace::traces {

namespace {

std::string escape_html(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// Fills each {{name}} slot of `page` in one pass, so that filled-in text is never read as a
/// slot. A slot with no value is a bug in the template.
std::string fill(std::string_view page, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t open = page.find("{{", at);
    if (open == std::string_view::npos) break;
    const std::size_t close = page.find("}}", open);
    if (close == std::string_view::npos) break;
    const std::string name(page.substr(open + 2, close - open - 2));
    const auto it = values.find(name);
    if (it == values.end())
      throw std::logic_error("viewer.html has an unknown slot {{" + name + "}}");
    out.append(page.substr(at, open - at));
    out += it->second;
    at = close + 2;
  }
  out.append(page.substr(at));
  return out;
}

}  // namespace

std::string json_for_script(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_html(const Trace& trace) {
  const std::string variant(trace.scenario.variant->name);
  // A run saved by `dirtyrace simulate` may violate nothing: it names no property.
  const bool violation = !trace.property.empty();
  const std::string property = violation ? trace.property : "no property";
  return fill(
      viewer::kPage,
      {{"title", escape_html("dirtyrace: " + property + " on " + variant)},
       {"heading", violation ? "dirtyrace counterexample" : "dirtyrace run"},
       {"verdict", violation ? escape_html("Violated: " + trace.property) : "No property violated"},
       {"property", escape_html(property)},
       {"variant", escape_html(variant)},
       {"scenario", escape_html(describe_scenario(trace.scenario))},
       {"description", escape_html(trace.description)},
       {"detail",
        escape_html(trace.detail +
                    (trace.loop_start || trace.stuck_at ? " " + describe_progress(trace) : ""))},
       {"style", std::string(viewer::kStyle)},
       {"script", std::string(viewer::kScript)},
       {"trace", json_for_script(trace_to_json(trace).dump())}});
}

}  // namespace dirtyrace::traces
