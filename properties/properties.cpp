#include <algorithm>
#include <array>
#include <optional>
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
    if (act.pc != ae.program.done()) continue;
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
/// -2 when the final fsync never returns.
int first_unsaved_block(const Model& m, const State& s) {
  const std::optional<State> done = m.after_final_fsync(s);
  if (!done) return -2;
  const State& after = *done;
  for (int g = 0; g < m.env().blocks(); ++g) {
    if (page_of(after, g / m.env().blocks_per_page).cached &&
        block_of(after, g).disk != block_of(after, g).mem) {
      return g;
    }
  }
  return -1;
}

/// A finished msync or fsync that returned success, yet a block of its range holds on disk an
/// older version than memory held at its call, and no msync or fsync of its file has reported
/// the failed write that lost it: {actor, block}, or -1s. Asked once every actor has finished.
std::pair<int, int> first_silent_loss(const Model& m, const State& s) {
  const auto& env = m.env();
  for (int a = 0; a < env.actors; ++a) {
    const auto& ae = env.of(a);
    const auto& act = s.actor[static_cast<std::size_t>(a)];
    if (!ae.records_call || act.pc != ae.program.done() || act.err) continue;
    const bool msync = ae.kind == ActorKind::msync;
    const int first = msync ? ae.first_page : 0;
    const int last = msync ? ae.last_page : env.pages - 1;
    const std::uint8_t reported = s.ghost_reported[static_cast<std::size_t>(ae.file)];
    for (int g = first * env.blocks_per_page; g < (last + 1) * env.blocks_per_page; ++g) {
      const auto lost = block_of(s, g).ghost_lost;
      if (block_of(s, g).disk < act.ghost_called[static_cast<std::size_t>(g)] &&
          (lost == 0 || lost > reported)) {
        return {a, g};
      }
    }
  }
  return {-1, -1};
}

/// The durability properties speak of runs without write errors; no_silent_loss of the others.
bool no_write_failed(const State& s) {
  return s.ghost_io_failures == 0;
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

/// A writable translation of a clean page: {mapping, cpu, page}, cpu -1 for a PTE and the
/// writer actor's index for a TLB entry; {-1, -1, -1} if there is none.
struct WritableClean {
  int mapping, cpu, page;
};
WritableClean first_writable_clean(const Model& m, const State& s) {
  const auto& env = m.env();
  for (int mp = 0; mp < env.mappings; ++mp) {
    for (int p = 0; p < env.pages; ++p) {
      const auto pte = pte_of(s, mp, p);
      if ((pte & model::kPtePresent) && (pte & model::kPteWrite) && !page_of(s, p).dirty) {
        return {mp, -1, p};
      }
    }
  }
  for (int a = 0; a < env.actors; ++a) {
    if (env.of(a).kind != model::ActorKind::writer) continue;
    for (int p = 0; p < env.pages; ++p) {
      if (model::kernel::tlb_of(s, a, p) >= model::kTlbWrite && !page_of(s, p).dirty) {
        return {env.of(a).mapping, a, p};
      }
    }
  }
  return {-1, -1, -1};
}

/// At a finished state, the first page that one more fsync leaves unclean: PG_dirty still set
/// (mapping -1), or, with write-notify, still mapped writable by a mapping. {-1, -1} if none.
std::pair<int, int> first_unclean_page(const Model& m, const State& s) {
  const auto& env = m.env();
  // A final fsync that never returns is durable_at_end's and no_leak's to report.
  const std::optional<State> done = m.after_final_fsync(s);
  if (!done) return {-1, -1};
  const State& after = *done;
  for (int p = 0; p < env.pages; ++p) {
    if (page_of(after, p).cached && page_of(after, p).dirty) return {p, -1};
  }
  if (env.variant->fault == model::FaultKind::no_write_notify) return {-1, -1};
  for (int mp = 0; mp < env.mappings; ++mp) {
    for (int p = 0; p < env.pages; ++p) {
      const auto pte = pte_of(after, mp, p);
      if ((pte & model::kPtePresent) && (pte & model::kPteWrite)) return {p, mp};
    }
  }
  return {-1, -1};
}

/// The first `kind` actor whose ghost says it returned with its range still mapped (munmap) or
/// still writable (mprotect), or -1.
int first_left_mapped(const Model& m, const State& s, ActorKind kind) {
  for (int a = 0; a < m.env().actors; ++a) {
    if (m.env().of(a).kind == kind && s.actor[static_cast<std::size_t>(a)].ghost_left_mapped) {
      return a;
    }
  }
  return -1;
}
int first_munmap_left_mapped(const Model& m, const State& s) {
  return first_left_mapped(m, s, ActorKind::munmap);
}

/// mprotect_protects is exact: while mprotect holds mmap_sem for write no fault can make a PTE
/// writable, and nothing else does.
bool has_mprotect(const Model& m) {
  for (int a = 0; a < m.env().actors; ++a) {
    if (m.env().of(a).kind == ActorKind::mprotect) return true;
  }
  return false;
}

/// munmap_unmaps is exact where no fault can refill a PTE between munmap's zap of it and its
/// return: no writer uses its mapping. The model keeps the VMA (MADV_DONTNEED), so otherwise a
/// writer may refault a page munmap already zapped, before munmap's TLB flush and return, which
/// the kernel's munmap, having detached the VMA first, would not allow.
bool munmap_unmaps_applies(const Model& m) {
  const auto& env = m.env();
  bool any = false;
  for (int u = 0; u < env.actors; ++u) {
    const auto& un = env.of(u);
    if (un.kind != ActorKind::munmap ||
        m.scenario().actors[static_cast<std::size_t>(u)].outcome != model::RangeOutcome::touches) {
      continue;
    }
    any = true;
    for (int w = 0; w < env.actors; ++w) {
      if (env.of(w).kind == ActorKind::writer && env.of(w).mapping == un.mapping) return false;
    }
  }
  return any;
}

std::string unfinished_actors(const Model& m, const State& s) {
  std::string out;
  for (int a = 0; a < m.env().actors; ++a) {
    if (s.actor[static_cast<std::size_t>(a)].pc == m.env().of(a).program.done()) continue;
    out += (out.empty() ? "" : ", ") + m.env().of(a).name + " (at " + m.position(s, a) + ")";
  }
  for (int g = 0; g < m.env().blocks(); ++g) {
    if (block_of(s, g).io != model::kIoIdle) {
      out += (out.empty() ? "" : ", ") + std::string("a write of block ") + block_name(m, g);
    }
  }
  return out;
}

int first_tag_mismatch(const Model& m, const State& s) {
  for (int p = 0; p < m.env().pages; ++p) {
    const auto& pg = page_of(s, p);
    if (!pg.cached || pg.locked_by) continue;
    if (pg.writeback != pg.tag_writeback || (pg.dirty && !pg.tag_dirty)) return p;
  }
  return -1;
}

/// What a finished actor still holds, or, once every actor has finished and no write is in
/// flight, a lock or a writeback that nothing will ever release or end; empty if none.
std::string first_leak(const Model& m, const State& s) {
  const auto& env = m.env();
  for (int a = 0; a < env.actors; ++a) {
    const auto& act = s.actor[static_cast<std::size_t>(a)];
    if (act.pc != env.of(a).program.done()) continue;
    for (int p = 0; p < env.pages; ++p) {
      const std::string what = holds_page_lock(s, p, a) ? "the lock of page "
                               : act.refs & bit(p)      ? "a reference on page "
                                                        : "";
      if (!what.empty())
        return env.of(a).name + " finished holding " + what + std::to_string(p) + ".";
    }
  }
  if (!m.finished(s)) return "";
  for (int g = 0; g < env.blocks(); ++g) {
    if (block_of(s, g).locked) {
      return "every actor has finished and no write is in flight, yet buffer " + block_name(m, g) +
             " is locked: nothing will unlock it.";
    }
  }
  for (int p = 0; p < env.pages; ++p) {
    if (page_of(s, p).writeback) {
      return "every actor has finished and no write is in flight, yet page " + std::to_string(p) +
             " is under writeback: nothing will end it, and fsync will wait for it forever.";
    }
  }
  return "";
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
    Property{"no_leak",
             "No actor finishes holding a page lock or a page reference, and once every actor "
             "has finished no buffer stays locked and no page stays under writeback.",
             always, [](const Model& m, const State& s) { return first_leak(m, s).empty(); },
             [](const Model& m, const State& s) { return first_leak(m, s); }},
    Property{
        "msync_durability",
        "When msync(MS_SYNC) returns, every block of its range holds on disk a version at "
        "least as new as the one in memory when msync was called (on runs where no write "
        "failed).",
        [](const Model& m) { return has_actor(m, ActorKind::msync); },
        [](const Model& m, const State& s) {
          return !no_write_failed(s) || first_stale_sync(m, s, ActorKind::msync).first < 0;
        },
        [](const Model& m, const State& s) { return explain_stale_sync(m, s, ActorKind::msync); }},
    Property{
        "fsync_durability",
        "When fsync returns, every block of the file holds on disk a version at least as new "
        "as the one in memory when fsync was called (on runs where no write failed).",
        [](const Model& m) { return has_actor(m, ActorKind::fsync); },
        [](const Model& m, const State& s) {
          return !no_write_failed(s) || first_stale_sync(m, s, ActorKind::fsync).first < 0;
        },
        [](const Model& m, const State& s) { return explain_stale_sync(m, s, ActorKind::fsync); }},
    Property{
        "no_silent_loss",
        "With write errors (--io-errors): once every actor has finished, each msync or fsync "
        "that returned success left every block of its range holding on disk a version at least "
        "as new as the one in memory at its call, unless a failed write lost it and an msync or "
        "fsync of the same open file returned -EIO for that failure.",
        [](const Model& m) {
          return m.env().io_errors > 0 &&
                 (has_actor(m, ActorKind::msync) || has_actor(m, ActorKind::fsync));
        },
        [](const Model& m, const State& s) {
          return !m.finished(s) || first_silent_loss(m, s).first < 0;
        },
        [](const Model& m, const State& s) -> std::string {
          const auto [a, g] = first_silent_loss(m, s);
          const auto& act = s.actor[static_cast<std::size_t>(a)];
          const auto lost = block_of(s, g).ghost_lost;
          std::string why = lost == 0
                                ? " No write failed there: the data was lost without an error."
                                : " Failed write #" + std::to_string(lost) +
                                      " lost it, and no msync or fsync of file " +
                                      std::to_string(m.env().of(a).file) + " returned -EIO for it.";
          return m.env().of(a).name + " returned 0, yet block " + block_name(m, g) + " holds v" +
                 std::to_string(block_of(s, g).disk) + " on disk while v" +
                 std::to_string(act.ghost_called[static_cast<std::size_t>(g)]) +
                 " was in memory when it was called." + why;
        }},
    Property{"reclaim_drops_clean",
             "A page removed from the cache holds no version newer than the disk's (on runs "
             "where no write failed).",
             [](const Model& m) { return has_actor(m, ActorKind::reclaim); },
             [](const Model& m, const State& s) {
               return !no_write_failed(s) || first_dropped_dirty(m, s) < 0;
             },
             [](const Model& m, const State& s) -> std::string {
               const int g = first_dropped_dirty(m, s);
               return "page " + std::to_string(g / m.env().blocks_per_page) +
                      " left the cache holding v" + std::to_string(block_of(s, g).mem) +
                      " of block " + block_name(m, g) + ", but the disk has v" +
                      std::to_string(block_of(s, g).disk) + ".";
             }},
    Property{"durable_at_end",
             "When every actor has finished and all I/O has completed, one final fsync leaves "
             "disk equal to memory for every cached page (on runs where no write failed).",
             always,
             [](const Model& m, const State& s) {
               return !m.finished(s) || !no_write_failed(s) || first_unsaved_block(m, s) == -1;
             },
             [](const Model& m, const State& s) -> std::string {
               const int g = first_unsaved_block(m, s);
               if (g == -2) {
                 return "after every actor finished, a final fsync never returns: it waits on a "
                        "page or buffer lock or a writeback that nothing will release or end.";
               }
               const State after = *m.after_final_fsync(s);
               return "after every actor finished and a final fsync, block " + block_name(m, g) +
                      " holds v" + std::to_string(block_of(after, g).mem) + " in memory but v" +
                      std::to_string(block_of(after, g).disk) +
                      " on disk: nothing will ever write v" +
                      std::to_string(block_of(after, g).mem) + ".";
             }},
    Property{
        "writable_implies_dirty",
        "With write-notify, a writable translation, a present writable PTE or a writable "
        "entry in any CPU's TLB, maps a page with PG_dirty set (checked when no actor is "
        "inside a kernel routine).",
        [](const Model& m) { return m.env().variant->fault != model::FaultKind::no_write_notify; },
        [](const Model& m, const State& s) {
          return !m.at_rest(s) || first_writable_clean(m, s).page < 0;
        },
        [](const Model& m, const State& s) -> std::string {
          const auto [mp, cpu, p] = first_writable_clean(m, s);
          if (cpu >= 0) {
            return m.env().of(cpu).name + "'s CPU has a writable TLB entry for page " +
                   std::to_string(p) + " of mapping " + std::to_string(mp) +
                   ", which is clean: stores through it reach the page without touching any "
                   "PTE, and writeback will not look at it.";
          }
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
    Property{"comes_clean",
             "When every actor has finished and all I/O has completed, one final fsync leaves "
             "every cached page with PG_dirty clear and, with write-notify, no PTE writable.",
             always,
             [](const Model& m, const State& s) {
               return !m.finished(s) || first_unclean_page(m, s).first < 0;
             },
             [](const Model& m, const State& s) -> std::string {
               const auto [p, mp] = first_unclean_page(m, s);
               if (mp < 0) {
                 return "after every actor finished and a final fsync, page " + std::to_string(p) +
                        " still has PG_dirty set: writeback does not converge.";
               }
               return "after every actor finished and a final fsync, mapping " +
                      std::to_string(mp) + " still maps page " + std::to_string(p) +
                      " writable: the next store will not fault to tell the kernel.";
             }},
    Property{"munmap_unmaps",
             "When munmap returns, no PTE of its mapping and range is present (checked where no "
             "fault can refill one before it returns).",
             munmap_unmaps_applies,
             [](const Model& m, const State& s) { return first_munmap_left_mapped(m, s) < 0; },
             [](const Model& m, const State& s) -> std::string {
               const int a = first_munmap_left_mapped(m, s);
               return m.env().of(a).name + " returned while a PTE of mapping " +
                      std::to_string(m.env().of(a).mapping) + " in its range was still present.";
             }},
    Property{"mprotect_protects",
             "When mprotect(PROT_READ) returns, no writable translation of its mapping and range "
             "is left: no present writable PTE and no writable entry in the TLB of any CPU of "
             "the process.",
             has_mprotect,
             [](const Model& m, const State& s) {
               return first_left_mapped(m, s, ActorKind::mprotect) < 0;
             },
             [](const Model& m, const State& s) -> std::string {
               const int a = first_left_mapped(m, s, ActorKind::mprotect);
               return m.env().of(a).name + " returned while a writable translation of mapping " +
                      std::to_string(m.env().of(a).mapping) +
                      " in its range was left: a thread can still store to the read-only "
                      "mapping.";
             }},
    Property{kNoDeadlock, "Some actor can always move until every actor has finished.", always,
             [](const Model&, const State&) { return true; },
             [](const Model&, const State&) -> std::string {
               return "no actor can move, yet not every actor has finished.";
             }},
    Property{kCanFinish,
             "From every reachable state, some run lets every actor finish and all I/O complete "
             "(no livelock, no endless fault loop, no dead end); checked after the search.",
             always, [](const Model&, const State&) { return true; },
             [](const Model& m, const State& s) -> std::string {
               return "no run from here lets every actor finish; still unfinished: " +
                      unfinished_actors(m, s) + ".";
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
