#pragma once
// A trace as one self-contained web page (README "dirtyrace show"): swim lanes per actor, a
// state panel that follows the selected step, the violated property at the end. The page needs
// no network and no other file: its stylesheet, script and the trace itself are inline.

#include <string>

#include "traces/trace.hpp"

namespace dirtyrace::traces {

/// The page, from the template in traces/viewer/ with the trace's JSON embedded.
std::string render_html(const Trace& trace);

/// `json` made safe inside a <script> element: every '<' becomes the JSON escape \u003c, so no
/// "</script" or "<!--" can end or change the element, and JSON.parse still reads the same text.
std::string json_for_script(const std::string& json);

}  // namespace dirtyrace::traces
