#include "analyses/zoo.hpp"

#include <array>

#include "analyses/run_check.hpp"

namespace dirtyrace::analyses {

namespace {

constexpr std::array kZoo = {
    ZooEntry{"d08b3851", "2006-09-25", "Peter Zijlstra",
             "before write-notify, dirtiness of a shared mapping lived only in its PTEs: msync "
             "through another process's mapping (and fsync) saved nothing",
             "linux-2.6.18", 1, 1, 2, "writer@0,msync@1", "msync_durability", "linux-2.6.19"},
    ZooEntry{"7658cc28", "2006-12-29", "Linus Torvalds",
             "clear_page_dirty_for_io cleared PG_dirty before page_mkclean and ignored what it "
             "found: after the journal cleaned the buffers, a store through the still-writable "
             "PTE was never written (rtorrent, apt)",
             "linux-2.6.19", 1, 1, 1, "writer,journal", "durable_at_end", "linux-2.6.20"},
    ZooEntry{"79352894", "2007 (2.6.23)", "Nick Piggin",
             "a write fault between page_mkclean and TestClearPageDirty left a writable PTE over "
             "a clean, untagged page; the next store went unnoticed and msync saved nothing",
             "linux-2.6.20", 1, 1, 1, "writer,flusher,msync", "msync_durability", "linux-2.6.32"},
    ZooEntry{"1c8349a1", "2014", "Namjae Jeon",
             "what-if, the mechanism of ext4's fix: writepage leaves the page dirty (here: a "
             "failed trylock_buffer), set_page_writeback drops TOWRITE, and a concurrent msync "
             "skips the page",
             "linux-6.12", 1, 1, 1, "writer,buffer_flush,flusher,msync", "msync_durability", ""},
};

}  // namespace

std::span<const ZooEntry> zoo() {
  return kZoo;
}

model::Scenario zoo_scenario(const ZooEntry& e, std::string_view variant) {
  model::Scenario s;
  s.variant = &model::variant_named(variant);
  s.pages = e.pages;
  s.blocks_per_page = e.blocks;
  s.mappings = e.mappings;
  s.actors = model::parse_actor_list(e.actors);
  s.properties = {std::string(e.property)};
  return s;
}

ZooResult run_zoo_entry(const ZooEntry& e) {
  ZooResult out;
  const CheckRun bug = run_check(zoo_scenario(e, e.variant), {});
  out.seconds = bug.seconds;
  out.found = bug.verdict == checker::Verdict::violation;
  out.length = bug.length;
  if (!e.fixed_variant.empty()) {
    const CheckRun fixed = run_check(zoo_scenario(e, e.fixed_variant), {});
    out.seconds += fixed.seconds;
    out.fixed = fixed.verdict;
  }
  return out;
}

}  // namespace dirtyrace::analyses
