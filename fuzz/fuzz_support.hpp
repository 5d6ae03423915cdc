#pragma once
// What every fuzz target shares: bad input must end as model::UsageError (exit 2 in the
// program); any other exception is an internal error (exit 4) and counts as a finding, as do the
// sanitizers' reports, crashes, timeouts and running out of memory (libFuzzer catches those).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "model/error.hpp"

namespace dirtyrace::fuzz {

/// Runs `body` on the input; returns 0 for libFuzzer, or aborts on an internal error.
template <class Body>
int run(const std::uint8_t* data, std::size_t size, const Body& body) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    body(text);
  } catch (const model::UsageError&) {
    // A clear answer: the program prints it as one line and exits 2.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: internal error (exit 4 in dirtyrace): %s\n", e.what());
    std::abort();
  }
  return 0;
}

}  // namespace dirtyrace::fuzz
