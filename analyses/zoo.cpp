#include "analyses/zoo.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "analyses/run_check.hpp"

namespace dirtyrace::analyses {

namespace {

constexpr std::array kZoo = {
    ZooEntry{"d08b3851", "2006-09-25", "Peter Zijlstra",
             "before write-notify, dirtiness of a shared mapping lived only in its PTEs: msync "
             "through another process's mapping (and fsync) saved nothing",
             "linux-2.6.18", 1, 1, 2, "writer@0,msync@1", "msync_durability", "linux-2.6.19", "", 0,
             ""},
    ZooEntry{"7658cc28", "2006-12-29", "Linus Torvalds",
             "clear_page_dirty_for_io cleared PG_dirty before page_mkclean and ignored what it "
             "found: after the journal cleaned the buffers, a store through the still-writable "
             "PTE was never written (rtorrent, apt)",
             "linux-2.6.19", 1, 1, 1, "writer,journal", "durable_at_end", "linux-2.6.20", "", 0,
             ""},
    ZooEntry{"79352894", "2007 (2.6.23)", "Nick Piggin",
             "a write fault between page_mkclean and TestClearPageDirty left a writable PTE over "
             "a clean, untagged page; the next store went unnoticed and msync saved nothing",
             "linux-2.6.20", 1, 1, 1, "writer,flusher,msync", "msync_durability", "linux-2.6.29",
             "", 0, ""},
    ZooEntry{"b827e496", "2009 (2.6.30)", "Nick Piggin",
             "block_page_mkwrite dirtied the page and unlocked it; writeback cleaned it before the "
             "fault made the PTE writable, and set_page_dirty came only after the page lock was "
             "dropped: another thread stored through that PTE and its msync found nothing to "
             "write (the commit's message tells the filesystem-metadata form of this window)",
             "linux-2.6.29", 1, 1, 1, "writer*2,flusher,msync", "msync_durability", "linux-2.6.32",
             "", 0, ""},
    ZooEntry{"4fcf1c6205", "2012 (3.6)", "Jan Kara",
             "ext3 had no ->page_mkwrite before 3.6: a write fault installed a writable PTE "
             "before set_page_dirty, another thread stored through it, and its msync found no "
             "page tagged DIRTY; 3.6 gave generic_file_vm_ops filemap_page_mkwrite, which dirties "
             "the page first (commit id from memory: the change is checked in the 3.5 and 3.6.5 "
             "trees, the id against no git history)",
             "linux-2.6.32", 1, 1, 1, "writer*2,msync", "msync_durability", "linux-3.14", "ext3", 0,
             ""},
    ZooEntry{"1cf35d47", "2014-04 (3.15)", "Linus Torvalds",
             "zap_pte_range flushed the TLB only after dropping the PTE lock: page_mkclean, "
             "walking another process's mapping, took that lock, found the PTE gone and cleaned "
             "nothing, and a thread kept storing through its stale dirty TLB entry into a page "
             "written and marked clean",
             "linux-3.14", 1, 1, 2, "writer@0,munmap@0,writer@1,flusher", "durable_at_end",
             "linux-4.19", "", 0, ""},
    ZooEntry{"1c8349a1", "2014 (3.16)", "Namjae Jeon",
             "ext4 in data=ordered mode: jbd2's commit wrote a page whose block was still "
             "delayed through ext4_writepage, which may not allocate; it redirtied the page, but "
             "set_page_writeback cleared the TOWRITE tag that a concurrent fsync had set, so the "
             "fsync's ext4_writepages skipped the page and returned with the data in memory "
             "only; the fix keeps TOWRITE (set_page_writeback_keepwrite)",
             "linux-3.14", 1, 1, 1, "writer,journal,fsync", "fsync_durability", "linux-4.9", "ext4",
             0, "0"},
    ZooEntry{"3ea27719", "2017-07 (4.13)", "Mel Gorman",
             "reclaim cleared a dirty PTE and deferred its TLB flush (TTU_BATCH_FLUSH); "
             "mprotect(PROT_READ) found the PTE none, changed nothing, skipped its flush and "
             "returned while another thread could still store through its writable TLB entry "
             "(no data is lost: the store lands in a page reclaim already marked dirty)",
             "linux-4.9", 1, 1, 1, "writer,reclaim,mprotect", "mprotect_protects", "linux-4.19", "",
             0, ""},
    ZooEntry{"5660e13d2fd6", "2017-07 (4.13)", "Jeff Layton",
             "fsyncgate: a failed write left the page clean and set AS_EIO on the mapping; the "
             "first fsync to look cleared it and returned -EIO, and another process's fsync, "
             "whose data the failure had lost, returned 0 (errseq_t gives each open file its own "
             "report)",
             "linux-4.9", 1, 1, 1, "writer,fsync,fsync", "no_silent_loss", "linux-4.19", "", 1, ""},
    ZooEntry{"5df397dec7c4", "2022-11 (6.2)", "Linus Torvalds",
             "zap_pte_range dropped the page's map count before its TLB flush: page_mkclean saw "
             "an unmapped page and returned without waiting for the PTE lock, and a thread kept "
             "storing through its stale dirty TLB entry into a page written and marked clean "
             "(also in linux-6.1)",
             "linux-4.19", 1, 1, 1, "writer,munmap,flusher", "durable_at_end", "linux-6.12", "", 0,
             ""},
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
  if (!e.fs.empty()) s.fs = model::filesystem_named(e.fs);
  s.io_errors = e.io_errors;
  for (std::string_view rest = e.holes; !rest.empty();) {
    const std::size_t comma = std::min(rest.find(','), rest.size());
    int b = 0;
    std::from_chars(rest.data(), rest.data() + comma, b);
    s.holes.push_back(b);
    rest.remove_prefix(std::min(comma + 1, rest.size()));
  }
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
