#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "model/scenario.hpp"
#include "model/variant.hpp"
#include "properties/property.hpp"

namespace dirtyrace::cli {

int run_list() {
  std::printf("variants:\n");
  for (const auto& v : model::all_variants()) {
    std::printf("  %-22s %s\n", std::string(v.name).c_str(), std::string(v.summary).c_str());
  }
  std::printf("filesystems (--fs):\n");
  for (const auto& f : model::all_filesystems()) {
    std::string on;
    for (const auto& v : model::all_variants()) {
      if (model::has_filesystem(v, f.fs)) on += (on.empty() ? "" : ", ") + std::string(v.name);
    }
    const std::string where = f.fs == model::Filesystem::generic ? "every variant" : on;
    std::printf("  %-22s %s (%s)\n", std::string(f.name).c_str(), std::string(f.summary).c_str(),
                where.c_str());
  }
  std::printf("actors:\n");
  for (const auto& a : model::all_actor_kinds()) {
    std::printf("  %-22s %s\n", std::string(a.name).c_str(), std::string(a.summary).c_str());
  }
  std::printf("properties:\n");
  for (const auto& p : properties::all_properties()) {
    std::printf("  %-22s %s\n", std::string(p.name).c_str(), std::string(p.description).c_str());
  }
  std::printf("scenario parameters:\n");
  const char* params[][2] = {
      {"--variant NAME", "kernel variant (default linux-6.12)"},
      {"--pages N", "pages in the file, 1 to 4 (default 1)"},
      {"--blocks N", "blocks (buffer heads) per page, 1 to 4 (default 1)"},
      {"--mappings N", "processes with a MAP_SHARED mapping of the file, 1 to 3 (default 1)"},
      {"--stores N", "stores per writer, 0 to 8 (default 2)"},
      {"--actors LIST",
       "KIND[@MAPPING][*COUNT],... at most 8 actors in all (fsync@M: mapping M's file)"},
      {"--property LIST", "properties to check (default: every one that applies)"},
      {"--stable-writes", "the device needs stable pages during writeback (3.14 and later)"},
      {"--io-errors N", "writes of page writeback the device may fail, 0 to 3 (default 0)"},
      {"--fs NAME",
       "filesystem: generic (default), ext3 (linux-2.6.32, linux-3.14), blockdev, ext4 (3.14+)"},
      {"--holes LIST", "--fs ext4: blocks (p*B+b) that start as holes, e.g. 1,3 (default none)"},
      {"--scenario FILE", "a TOML scenario file; options override it"},
  };
  for (const auto& p : params) std::printf("  %-22s %s\n", p[0], p[1]);
  return kExitVerified;
}

}  // namespace dirtyrace::cli
