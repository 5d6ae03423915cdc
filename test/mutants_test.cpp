// dirtyrace mutants: the verdict of every mutant of clear_page_dirty_for_io, ->writepage and the
// fault paths on the portfolio, pinned; and no mutant of any routine of any variant is an
// internal error.

#include <doctest/doctest.h>

#include <span>
#include <string>
#include <vector>

#include "analyses/mutants.hpp"
#include "model/variant.hpp"

using namespace dirtyrace;
using analyses::MutantResult;

namespace {

struct Pinned {
  const char* routine;
  const char* change;
  const char* fate;  // killed or survived
  const char* property;
  const char* scenario;
  std::size_t length;
};

// linux-6.12, whose own reclaim fails the `reclaim` scenario (the deferred TLB flush, research
// note 7.6), so no mutant meets reclaim here: set_page_dirty after the fault's unlock_page, or a
// fault without do_wp_page's reference, survive (on 3.14 reclaim frees the page under them).
// Other survivors: the fault's second set_page_dirty repeats page_mkwrite's under the same page
// lock; set_page_dirty before finish_fault, and the stable-page wait before set_page_dirty, are
// orders the lock makes equivalent; ->writepage may take set_page_writeback before or after the
// buffer loop, and submit or end writeback on either side of unlock_page, because PG_writeback,
// not the page lock, guards the page under I/O.
constexpr Pinned kPinned[] = {
    {"clear_page_dirty_for_io", "drop page_mkclean", "killed", "comes_clean", "default", 14},
    {"clear_page_dirty_for_io", "drop set_page_dirty", "killed", "durable_at_end",
     "buffer-level flush", 14},
    {"clear_page_dirty_for_io", "drop TestClearPageDirty", "killed", "comes_clean", "default", 14},
    {"clear_page_dirty_for_io", "page_mkclean → TestClearPageDirty → set_page_dirty", "killed",
     "comes_clean", "default", 14},
    {"clear_page_dirty_for_io", "TestClearPageDirty → page_mkclean → set_page_dirty", "killed",
     "comes_clean", "default", 14},
    {"__block_write_full_page", "drop lock_buffer", "killed", "durable_at_end", "default", 14},
    {"__block_write_full_page", "drop trylock_buffer", "killed", "msync_durability", "default", 21},
    {"__block_write_full_page", "drop set_page_writeback", "killed", "no_bug_on", "default", 18},
    {"__block_write_full_page", "drop submit_bh", "killed", "durable_at_end", "default", 14},
    {"__block_write_full_page", "drop unlock_page", "killed", "no_leak", "default", 18},
    {"__block_write_full_page", "drop end_page_writeback", "killed", "no_leak",
     "buffer-level flush", 23},
    {"__block_write_full_page",
     "lock_buffer → trylock_buffer → submit_bh → set_page_writeback → unlock_page → "
     "end_page_writeback",
     "killed", "no_bug_on", "default", 18},
    {"__block_write_full_page",
     "lock_buffer → set_page_writeback → trylock_buffer → submit_bh → unlock_page → "
     "end_page_writeback",
     "survived", "", "", 0},
    {"__block_write_full_page",
     "trylock_buffer → lock_buffer → set_page_writeback → submit_bh → unlock_page → "
     "end_page_writeback",
     "survived", "", "", 0},
    {"__block_write_full_page",
     "trylock_buffer → lock_buffer → submit_bh → set_page_writeback → unlock_page → "
     "end_page_writeback",
     "killed", "no_bug_on", "default", 18},
    {"__block_write_full_page",
     "trylock_buffer → set_page_writeback → lock_buffer → submit_bh → unlock_page → "
     "end_page_writeback",
     "survived", "", "", 0},
    {"__block_write_full_page",
     "set_page_writeback → lock_buffer → trylock_buffer → submit_bh → unlock_page → "
     "end_page_writeback",
     "survived", "", "", 0},
    {"__block_write_full_page",
     "set_page_writeback → trylock_buffer → lock_buffer → submit_bh → unlock_page → "
     "end_page_writeback",
     "survived", "", "", 0},
    {"__block_write_full_page", "unlock_page ↔ submit_bh (across the page lock)", "survived", "",
     "", 0},
    {"__block_write_full_page", "end_page_writeback ↔ unlock_page (across the page lock)",
     "survived", "", "", 0},
    {"do_shared_fault", "drop filemap_fault", "killed", "no_bug_on", "default", 2},
    {"do_shared_fault", "drop unlock_page#1", "killed", "no_deadlock", "default", 6},
    {"do_shared_fault", "drop page_mkwrite", "killed", "no_bug_on", "default", 6},
    {"do_shared_fault", "drop finish_fault", "killed", "can_finish", "default", 12},
    {"do_shared_fault", "drop set_page_dirty", "survived", "", "", 0},
    {"do_shared_fault", "drop unlock_page#2", "killed", "no_leak", "default", 9},
    {"do_shared_fault",
     "filemap_fault → unlock_page#1 → page_mkwrite → set_page_dirty → finish_fault → unlock_page#2",
     "survived", "", "", 0},
    {"do_shared_fault", "page_mkwrite ↔ unlock_page#1 (across the page lock)", "killed",
     "no_deadlock", "default", 6},
    // Two properties fail first at step 8 (msync_durability too, which the search without
    // symmetry meets first in that level); the symmetry-reduced search meets no_bug_on first.
    {"do_shared_fault", "finish_fault ↔ page_mkwrite (across the page lock)", "killed", "no_bug_on",
     "two threads", 8},
    {"do_shared_fault", "unlock_page#2 ↔ set_page_dirty (across the page lock)", "survived", "", "",
     0},
    {"do_wp_page", "drop do_wp_page", "survived", "", "", 0},
    {"do_wp_page", "drop page_mkwrite", "killed", "no_bug_on", "default", 17},
    {"do_wp_page", "drop finish_mkwrite_fault", "killed", "can_finish", "default", 28},
    {"do_wp_page", "drop set_page_dirty", "survived", "", "", 0},
    {"do_wp_page", "drop unlock_page", "killed", "no_leak", "default", 26},
    {"do_wp_page",
     "do_wp_page → page_mkwrite → set_page_dirty → finish_mkwrite_fault → unlock_page", "survived",
     "", "", 0},
    {"do_wp_page", "finish_mkwrite_fault ↔ page_mkwrite (across the page lock)", "killed",
     "no_bug_on", "munmap", 17},
    {"do_wp_page", "unlock_page ↔ set_page_dirty (across the page lock)", "survived", "", "", 0},
    {"page_mkwrite", "drop lock_page", "killed", "no_bug_on", "default", 7},
    {"page_mkwrite", "drop set_page_dirty", "killed", "msync_durability", "two threads", 9},
    {"page_mkwrite", "drop wait_for_stable_page", "killed", "stable_pages", "stable writes", 26},
    {"page_mkwrite", "lock_page → wait_for_stable_page → set_page_dirty", "survived", "", "", 0},
    {"page_mkwrite", "set_page_dirty ↔ lock_page (across the page lock)", "killed",
     "msync_durability", "two threads", 20},
};

/// ext4's writeback on linux-4.19: ext4_writepages, its ext4_bio_write_page, and the
/// ext4_writepage that jbd2's commit calls. Two survivors are gaps of the portfolio, not of the
/// kernel: ext4_bio_write_page ends writeback itself only when it submitted no buffer, which no
/// scenario reaches; and ext4_map_blocks before clear_page_dirty_for_io allocates the same block.
constexpr Pinned kPinnedExt4[] = {
    {"ext4_writepages", "drop mapping_tagged", "survived", "", "", 0},
    {"ext4_writepages", "drop tag_pages_for_writeback", "killed", "msync_durability", "default",
     13},
    {"ext4_writepages", "drop pagevec_lookup_tag", "killed", "can_finish", "default", 1},
    {"ext4_writepages", "drop lock_page", "killed", "no_bug_on", "default", 10},
    {"ext4_writepages", "drop wait_on_page_writeback", "killed", "no_bug_on", "default", 36},
    {"ext4_writepages", "drop ext4_map_blocks", "killed", "durable_at_end", "default", 16},
    {"ext4_writepages", "drop clear_page_dirty_for_io", "killed", "comes_clean", "default", 16},
    {"ext4_writepages", "drop ext4_bio_write_page", "killed", "durable_at_end", "default", 16},
    {"ext4_writepages",
     "mapping_tagged → tag_pages_for_writeback → pagevec_lookup_tag → lock_page → "
     "wait_on_page_writeback → clear_page_dirty_for_io → ext4_map_blocks → ext4_bio_write_page",
     "survived", "", "", 0},
    {"ext4_writepages",
     "tag_pages_for_writeback → mapping_tagged → pagevec_lookup_tag → lock_page → "
     "wait_on_page_writeback → ext4_map_blocks → clear_page_dirty_for_io → ext4_bio_write_page",
     "survived", "", "", 0},
    {"ext4_writepages",
     "tag_pages_for_writeback → mapping_tagged → pagevec_lookup_tag → lock_page → "
     "wait_on_page_writeback → clear_page_dirty_for_io → ext4_map_blocks → ext4_bio_write_page",
     "survived", "", "", 0},
    {"ext4_bio_write_page", "drop ext4_bio_write_page", "killed", "durable_at_end", "default", 16},
    {"ext4_bio_write_page", "drop unlock_page", "killed", "no_leak", "default", 18},
    {"ext4_bio_write_page", "drop end_page_writeback", "survived", "", "", 0},
    {"ext4_bio_write_page", "unlock_page ↔ ext4_bio_write_page (across the page lock)", "killed",
     "msync_durability", "default", 24},
    {"ext4_bio_write_page", "end_page_writeback ↔ unlock_page (across the page lock)", "survived",
     "", "", 0},
    {"ext4_writepage", "drop redirty_page_for_writepage", "killed", "fsync_durability", "journal",
     26},
    {"ext4_writepage", "drop ext4_bio_write_page", "killed", "no_leak", "journal", 39},
    {"ext4_writepage", "ext4_bio_write_page ↔ redirty_page_for_writepage (across the page lock)",
     "killed", "no_bug_on", "journal", 20},
};

/// Checks a report against its pinned results, in order.
void check_pinned(const analyses::MutantReport& report, std::span<const Pinned> pinned) {
  std::size_t i = 0;
  for (const auto& r : report.routines) {
    for (const MutantResult& m : r.results) {
      REQUIRE(i < pinned.size());
      const Pinned& p = pinned[i++];
      CAPTURE(m.mutant.change);
      CHECK(r.routine == p.routine);
      CHECK(m.mutant.change == p.change);
      CHECK(analyses::to_string(m.fate) == p.fate);
      CHECK(m.property == p.property);
      CHECK(m.scenario == p.scenario);
      CHECK(m.length == p.length);
    }
  }
  CHECK(i == pinned.size());
}

}  // namespace

TEST_CASE("pinned: every mutant of clear_page_dirty_for_io, ->writepage and the fault paths") {
  const analyses::MutantReport report =
      analyses::run_mutants(model::variant_named("linux-6.12"),
                            {"clear_page_dirty_for_io", "__block_write_full_page",
                             "do_shared_fault", "do_wp_page", "page_mkwrite"},
                            {});
  REQUIRE(report.kernel_failures.size() == 1);
  CHECK(report.kernel_failures.front().first == "reclaim");
  CHECK(report.complete);
  check_pinned(report, kPinned);
}

TEST_CASE("pinned: every mutant of ext4's writeback, with ext4's portfolio") {
  analyses::MutantOptions options;
  options.fs = model::Filesystem::ext4;
  const analyses::MutantReport report =
      analyses::run_mutants(model::variant_named("linux-4.19"),
                            {"ext4_writepages", "ext4_bio_write_page", "ext4_writepage"}, options);
  CHECK(report.fs == "ext4");
  // 4.19's zap window (5df397dec7c4) and reclaim's deferred flush lose a store on their own.
  REQUIRE(report.kernel_failures.size() == 2);
  CHECK(report.kernel_failures[0].first == "munmap");
  CHECK(report.kernel_failures[1].first == "reclaim");
  CHECK(report.complete);
  check_pinned(report, kPinnedExt4);
}

TEST_CASE("no mutant of any routine is an internal error, and buggy kernels judge none") {
  for (const model::Variant& v : model::all_variants()) {
    CAPTURE(v.name);
    for (const model::FilesystemInfo& fs : model::all_filesystems()) {
      if (!model::has_filesystem(v, fs.fs)) continue;
      CAPTURE(fs.name);
      for (const std::string& routine : analyses::mutable_routines(v, fs.fs)) {
        CAPTURE(routine);
        // Building every mutant's model runs the program checks; a few states of each suffice.
        checker::Limits limits;
        limits.max_states = 2000;
        analyses::MutantOptions options;
        options.fs = fs.fs;
        options.limits = limits;
        const analyses::MutantReport report = analyses::run_mutants(v, {routine}, options);
        REQUIRE(report.routines.size() == 1);
        CHECK_FALSE(report.routines.front().results.empty());
      }
    }
  }
  const analyses::MutantReport buggy =
      analyses::run_mutants(model::variant_named("linux-2.6.20"), {"clear_page_dirty_for_io"}, {});
  CHECK(buggy.kernel_failures.size() == 7);  // every scenario of its portfolio
  CHECK(buggy.count(MutantResult::Fate::unjudged) == buggy.total());
}
