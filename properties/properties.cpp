#include <algorithm>
#include <array>
#include <string>

#include "model/error.hpp"
#include "model/kernel/primitives.hpp"
#include "properties/property.hpp"

namespace dirtyrace::properties {

using model::ActorKind;
using model::Model;
using model::State;
using namespace model::kernel;

namespace {

std::string block_name(const Model& m, int g) {
  const int B = m.env().blocks_per_page;
  return "b" + std::to_string(g / B) + "." + std::to_string(g % B);
}

bool has_actor(const Model& m, ActorKind kind) {
  const auto& actors = m.scenario().actors;
  return std::any_of(actors.begin(), actors.end(), [&](const auto& a) { return a.kind == kind; });
}

/// The first block that an msync or fsync actor left behind: after it returned, the disk holds
/// an older version than memory held at the call. Returns the actor and block, or -1s.
std::pair<int, int> first_stale_sync(const Model& m, const State& s, ActorKind kind) {
  const auto& env = m.env();
  for (int a = 0; a < env.actors; ++a) {
    const auto& ae = env.of(a);
    if (ae.kind != kind || !ae.records_call) continue;
    const auto& act = s.actor[static_cast<std::size_t>(a)];
    if (act.pc < ae.program.done()) continue;
    const int first = kind == ActorKind::msync ? ae.first_page : 0;
    const int last = kind == ActorKind::msync ? ae.last_page : env.pages - 1;
    for (int g = first * env.blocks_per_page; g < (last + 1) * env.blocks_per_page; ++g) {
      if (block_of(s, g).disk < act.ghost_called[static_cast<std::size_t>(g)]) return {a, g};
    }
  }
  return {-1, -1};
}

std::string explain_stale_sync(const Model& m, const State& s, ActorKind kind) {
  const auto [a, g] = first_stale_sync(m, s, kind);
  if (a < 0) return "";
  const auto& called = s.actor[static_cast<std::size_t>(a)].ghost_called;
  return m.env().of(a).name + " returned, yet block " + block_name(m, g) + " holds v" +
         std::to_string(block_of(s, g).disk) + " on disk while v" +
         std::to_string(called[static_cast<std::size_t>(g)]) + " was in memory when it was called.";
}

/// A dropped page is reclaim_drops_clean's business; this property looks at cached pages.
int first_unsaved_block(const Model& m, const State& s) {
  const State after = m.after_final_fsync(s);
  for (int g = 0; g < m.env().blocks(); ++g) {
    if (page_of(after, g / m.env().blocks_per_page).cached &&
        block_of(after, g).disk != block_of(after, g).mem) {
      return g;
    }
  }
  return -1;
}

int first_dropped_dirty(const Model& m, const State& s) {
  const auto& env = m.env();
  for (int g = 0; g < env.blocks(); ++g) {
    if (!page_of(s, g / env.blocks_per_page).cached && block_of(s, g).mem > block_of(s, g).disk) {
      return g;
    }
  }
  return -1;
}

std::pair<int, int> first_writable_clean(const Model& m, const State& s) {
  const auto& env = m.env();
  for (int mp = 0; mp < env.mappings; ++mp) {
    for (int p = 0; p < env.pages; ++p) {
      const auto pte = pte_of(s, mp, p);
      if ((pte & model::kPtePresent) && (pte & model::kPteWrite) && !page_of(s, p).dirty) {
        return {mp, p};
      }
    }
  }
  return {-1, -1};
}

int first_tag_mismatch(const Model& m, const State& s) {
  for (int p = 0; p < m.env().pages; ++p) {
    const auto& pg = page_of(s, p);
    if (!pg.cached || pg.locked_by) continue;
    if (pg.writeback != pg.tag_writeback || (pg.dirty && !pg.tag_dirty)) return p;
  }
  return -1;
}

int dirty_pages(const Model& m, const State& s) {
  int n = 0;
  for (int p = 0; p < m.env().pages; ++p) n += page_of(s, p).dirty;
  return n;
}

bool always(const Model&) {
  return true;
}

constexpr std::array kProperties = {
    Property{
        "no_bug_on",
        "No kernel BUG_ON fires: set_page_writeback on a page under writeback, "
        "clear_page_dirty_for_io without the page lock, unlock of a page the actor does not hold, "
        "end_page_writeback without writeback; nor is a freed page dirtied (use after free).",
        always, [](const Model&, const State& s) { return s.ghost_bug == model::kBugNone; },
        [](const Model&, const State& s) -> std::string {
          switch (s.ghost_bug) {
            case model::kBugWritebackTwice:
              return "BUG_ON(PageWriteback(page)) in set_page_writeback.";
            case model::kBugCleanUnlocked:
              return "BUG_ON(!PageLocked(page)) in clear_page_dirty_for_io.";
            case model::kBugUnlockNotHeld:
              return "unlock_page of a page this actor does not hold.";
            case model::kBugEndWritebackIdle:
              return "end_page_writeback of a page not under writeback.";
            case model::kBugPageFreed:
              return "set_page_dirty of a page already freed from the page cache (use after free).";
            default:
              return "";
          }
        }},
    Property{
        "msync_durability",
        "When msync(MS_SYNC) returns, every block of its range holds on disk a version at "
        "least as new as the one in memory when msync was called.",
        [](const Model& m) { return has_actor(m, ActorKind::msync); },
        [](const Model& m, const State& s) {
          return first_stale_sync(m, s, ActorKind::msync).first < 0;
        },
        [](const Model& m, const State& s) { return explain_stale_sync(m, s, ActorKind::msync); }},
    Property{
        "fsync_durability",
        "When fsync returns, every block of the file holds on disk a version at least as new "
        "as the one in memory when fsync was called.",
        [](const Model& m) { return has_actor(m, ActorKind::fsync); },
        [](const Model& m, const State& s) {
          return first_stale_sync(m, s, ActorKind::fsync).first < 0;
        },
        [](const Model& m, const State& s) { return explain_stale_sync(m, s, ActorKind::fsync); }},
    Property{"reclaim_drops_clean",
             "A page removed from the cache holds no version newer than the disk's.",
             [](const Model& m) { return has_actor(m, ActorKind::reclaim); },
             [](const Model& m, const State& s) { return first_dropped_dirty(m, s) < 0; },
             [](const Model& m, const State& s) -> std::string {
               const int g = first_dropped_dirty(m, s);
               return "page " + std::to_string(g / m.env().blocks_per_page) +
                      " left the cache holding v" + std::to_string(block_of(s, g).mem) +
                      " of block " + block_name(m, g) + ", but the disk has v" +
                      std::to_string(block_of(s, g).disk) + ".";
             }},
    Property{"durable_at_end",
             "When every actor has finished and all I/O has completed, one final fsync leaves "
             "disk equal to memory for every cached page.",
             always,
             [](const Model& m, const State& s) {
               return !m.finished(s) || first_unsaved_block(m, s) < 0;
             },
             [](const Model& m, const State& s) -> std::string {
               const int g = first_unsaved_block(m, s);
               const State after = m.after_final_fsync(s);
               return "after every actor finished and a final fsync, block " + block_name(m, g) +
                      " holds v" + std::to_string(block_of(after, g).mem) + " in memory but v" +
                      std::to_string(block_of(after, g).disk) +
                      " on disk: nothing will ever write v" +
                      std::to_string(block_of(after, g).mem) + ".";
             }},
    Property{
        "writable_implies_dirty",
        "With write-notify, a present writable PTE maps a page with PG_dirty set (checked "
        "when no actor is inside a kernel routine).",
        [](const Model& m) { return m.env().variant->fault != model::FaultKind::no_write_notify; },
        [](const Model& m, const State& s) {
          return !m.at_rest(s) || first_writable_clean(m, s).first < 0;
        },
        [](const Model& m, const State& s) -> std::string {
          const auto [mp, p] = first_writable_clean(m, s);
          return "mapping " + std::to_string(mp) + " has a writable PTE for page " +
                 std::to_string(p) +
                 ", which is clean: stores through it reach the page without a fault, and "
                 "writeback will not look at it.";
        }},
    Property{"stable_pages",
             "With stable writes required, no store reaches a block whose write I/O is in flight.",
             [](const Model& m) { return m.env().stable_writes; },
             [](const Model&, const State& s) { return !s.ghost_unstable_store; },
             [](const Model&, const State&) -> std::string {
               return "a store changed a block while its write I/O was in flight.";
             }},
    Property{"tags_match_flags",
             "While a page is unlocked: PG_writeback holds exactly when tag WRITEBACK is set, "
             "and PG_dirty implies tag DIRTY.",
             always, [](const Model& m, const State& s) { return first_tag_mismatch(m, s) < 0; },
             [](const Model& m, const State& s) -> std::string {
               const int p = first_tag_mismatch(m, s);
               return "page " + std::to_string(p) + " is unlocked but its flags and tags disagree.";
             }},
    Property{"dirty_accounting",
             "When no actor is inside a kernel routine, NR_FILE_DIRTY equals the number of pages "
             "with PG_dirty; it never goes below zero.",
             always,
             [](const Model& m, const State& s) {
               return !s.ghost_nr_dirty_underflow &&
                      (!m.at_rest(s) || s.nr_dirty == dirty_pages(m, s));
             },
             [](const Model& m, const State& s) -> std::string {
               if (s.ghost_nr_dirty_underflow) return "NR_FILE_DIRTY was decremented below zero.";
               return "NR_FILE_DIRTY is " + std::to_string(s.nr_dirty) + " but " +
                      std::to_string(dirty_pages(m, s)) + " page(s) have PG_dirty.";
             }},
    Property{kNoDeadlock, "Some actor can always move until every actor has finished.", always,
             [](const Model&, const State&) { return true; },
             [](const Model&, const State&) -> std::string {
               return "no actor can move, yet not every actor has finished.";
             }},
};

}  // namespace

std::span<const Property> all_properties() {
  return kProperties;
}

const Property& property_named(std::string_view name) {
  for (const Property& p : kProperties) {
    if (p.name == name) return p;
  }
  std::string valid;
  for (const Property& p : kProperties) {
    if (!valid.empty()) valid += ", ";
    valid += p.name;
  }
  throw model::UsageError("unknown property '" + model::echo(name) +
                          "'; valid properties: " + valid);
}

std::vector<const Property*> select_properties(const Model& m,
                                               const std::vector<std::string>& names) {
  std::vector<const Property*> out;
  if (names.empty()) {
    for (const Property& p : kProperties) {
      if (p.applies(m)) out.push_back(&p);
    }
    return out;
  }
  for (const auto& n : names) property_named(n);  // rejects unknown names
  for (const Property& p : kProperties) {
    if (std::find(names.begin(), names.end(), p.name) != names.end()) out.push_back(&p);
  }
  return out;
}

}  // namespace dirtyrace::properties
