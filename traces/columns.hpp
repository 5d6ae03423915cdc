#pragma once
// Text in columns: widths counted in characters, so that "→" and "↔" take one column.

#include <algorithm>
#include <cstddef>
#include <string>

namespace dirtyrace::traces {

/// Characters in `s`, counting each UTF-8 sequence as one.
inline std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; }));
}

/// `s` with spaces added to make it `width` characters wide.
inline std::string pad(const std::string& s, std::size_t width) {
  const std::size_t chars = display_width(s);
  return chars >= width ? s : s + std::string(width - chars, ' ');
}

/// `s` with spaces put before it to make it `width` characters wide.
inline std::string pad_left(const std::string& s, std::size_t width) {
  const std::size_t chars = display_width(s);
  return chars >= width ? s : std::string(width - chars, ' ') + s;
}

}  // namespace dirtyrace::traces
