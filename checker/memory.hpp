#pragma once
#include <cstdint>

namespace dirtyrace::checker {

/// Forgets the process's peak resident size so far, where the kernel allows it
/// (/proc/self/clear_refs), so that a search reports its own peak.
void reset_peak_rss();
/// Peak resident set size of this process in bytes (VmHWM), 0 if unknown.
std::uint64_t peak_rss_bytes();

}  // namespace dirtyrace::checker
