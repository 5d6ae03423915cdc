// Speed and memory of exhaustive checks on a fixed set of scenarios, from small to over ten
// million states. Prints one row per scenario; compare rows across commits, on one machine.
//
//   dirtyrace_bench            every scenario
//   dirtyrace_bench --quick    the scenarios under a million states

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "checker/search.hpp"
#include "model/model.hpp"
#include "properties/checked_model.hpp"

using namespace dirtyrace;

namespace {

struct Case {
  const char* name;
  const char* variant;
  int pages, blocks, mappings;
  const char* actors;
  bool large;
};

// The last one is the default scenario of `dirtyrace check`.
constexpr Case kCases[] = {
    {"2.6.20 msync", "linux-2.6.20", 1, 1, 1, "writer,flusher,msync", false},
    {"6.x small", "linux-6.x", 1, 1, 1, "writer,flusher,msync", false},
    {"6.x 2 pages", "linux-6.x", 2, 1, 1, "writer,flusher,msync,journal", false},
    {"4.19 2x2x2", "linux-4.19", 2, 2, 2, "writer,flusher,msync@1,journal", false},
    {"6.x 2 writers", "linux-6.x", 2, 1, 2, "writer,writer,flusher,msync@1", true},
    {"6.x default", "linux-6.x", 1, 1, 1, "writer,flusher,msync,fsync,munmap,reclaim,journal",
     true},
};

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::printf("%-16s %12s %12s %9s %12s %11s %12s\n", "scenario", "states", "transitions",
              "seconds", "states/s", "bytes/state", "peak MiB");
  for (const Case& c : kCases) {
    if (quick && c.large) continue;
    model::Scenario s;
    s.variant = &model::variant_named(c.variant);
    s.pages = c.pages;
    s.blocks_per_page = c.blocks;
    s.mappings = c.mappings;
    s.actors = model::parse_actor_list(c.actors);
    const model::Model m(s);
    const properties::CheckedModel system(m, properties::select_properties(m, {}));
    const checker::SearchResult r = checker::search(system, {});
    const checker::Statistics& st = r.stats;
    std::printf("%-16s %12llu %12llu %9.2f %12.0f %11.1f %12.1f  %s\n", c.name,
                static_cast<unsigned long long>(st.states),
                static_cast<unsigned long long>(st.transitions), st.seconds, st.states_per_second(),
                st.bytes_per_state(), double(st.peak_rss_bytes) / (1024.0 * 1024.0),
                std::string(checker::to_string(r.verdict)).c_str());
    std::fflush(stdout);
  }
}
