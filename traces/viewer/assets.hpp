#pragma once
// The HTML viewer's page template, stylesheet and script (traces/viewer/), embedded at build
// time by traces/CMakeLists.txt from viewer/assets.cpp.in.

#include <string_view>

namespace dirtyrace::traces::viewer {

extern const std::string_view kPage;    // viewer.html, with {{...}} slots
extern const std::string_view kStyle;   // viewer.css
extern const std::string_view kScript;  // viewer.js

}  // namespace dirtyrace::traces::viewer
