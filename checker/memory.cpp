#include "checker/memory.hpp"

#include <fstream>
#include <string>

namespace dirtyrace::checker {

void reset_peak_rss() {
  // "5" resets VmHWM to the current RSS (Linux 4.0 and later); failure only costs accuracy.
  std::ofstream("/proc/self/clear_refs") << "5";
}

std::uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      std::uint64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

}  // namespace dirtyrace::checker
