#include "traces/explain.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "model/error.hpp"
#include "traces/text.hpp"

namespace dirtyrace::traces {

namespace {

/// The variables of a trace, kept up to date step by step from its changes.
class Tracked {
 public:
  explicit Tracked(const std::vector<model::Variable>& initial) {
    for (const auto& v : initial) values_[{v.object, v.attribute}] = v.value;
  }
  void apply(const std::vector<Change>& changes) {
    for (const Change& c : changes) values_[{c.object, c.attribute}] = c.after;
  }
  std::string get(const std::string& object, const std::string& attribute) const {
    const auto it = values_.find({object, attribute});
    return it == values_.end() ? "" : it->second;
  }

 private:
  std::map<std::pair<std::string, std::string>, std::string> values_;
};

/// What the property's detail points at: blocks ("b0.1"), pages and an actor.
struct Focus {
  std::set<std::string> blocks;
  std::set<int> pages;
  std::string actor;
  bool any() const { return !blocks.empty() || !pages.empty(); }
};

// A trace file may hold any object and attribute names (a user may edit it): each reader below
// gives none for a name that is not one the model writes, and such a change is told as it is.

/// The number written in `text` if it is a small whole number (0 to 9999), or none.
std::optional<int> small_number(std::string_view text) {
  int value = 0;
  if (text.empty() || text.size() > 4) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool is_block(const std::string& object) {
  static const std::regex block(R"(b\d+\.\d+)");
  return std::regex_match(object, block);
}

/// Page of block "b1.0".
std::optional<int> page_of_block(const std::string& block) {
  if (!is_block(block)) return std::nullopt;
  return small_number(std::string_view(block).substr(1, block.find('.') - 1));
}

/// Page of a PTE attribute "m1.p0".
std::optional<int> pte_page(const std::string& attribute) {
  static const std::regex pte(R"(\w+\.p(\d+))");
  std::smatch m;
  if (!std::regex_match(attribute, m, pte)) return std::nullopt;
  return small_number(m[1].str());
}

/// Page of a page object "p0".
std::optional<int> page_object(const std::string& object) {
  if (object.size() < 2 || object[0] != 'p') return std::nullopt;
  return small_number(std::string_view(object).substr(1));
}

Focus focus_of(const Trace& t) {
  Focus f;
  static const std::regex block(R"(\bb(\d+)\.(\d+)\b)"), page(R"(\bpage (\d+)\b)");
  // Only blocks and pages of the scenario's file count: a detail may name anything.
  const auto in_file = [&](const std::optional<int>& p) { return p && *p < t.scenario.pages; };
  for (auto it = std::sregex_iterator(t.detail.begin(), t.detail.end(), block);
       it != std::sregex_iterator(); ++it) {
    const auto p = small_number((*it)[1].str()), k = small_number((*it)[2].str());
    if (!in_file(p) || !k || *k >= t.scenario.blocks_per_page) continue;
    f.blocks.insert(it->str());
    f.pages.insert(*p);
  }
  for (auto it = std::sregex_iterator(t.detail.begin(), t.detail.end(), page);
       it != std::sregex_iterator(); ++it) {
    const auto p = small_number((*it)[1].str());
    if (in_file(p)) f.pages.insert(*p);
  }
  const std::string first = t.detail.substr(0, t.detail.find(' '));
  for (std::size_t i = 0; i < t.scenario.actors.size(); ++i) {
    if (t.scenario.actor_name(i) == first) f.actor = first;
  }
  return f;
}

bool matters(const Change& c, const Focus& f) {
  if (c.object == "BUG") return true;
  if (c.attribute == "PG_locked" || c.attribute == "BH_lock" || c.object == "nr_dirty") {
    return false;
  }
  if (!f.any()) return true;
  const auto focused = [&](const std::optional<int>& page) {
    return page && f.pages.count(*page) > 0;
  };
  if (c.object == "pte" || c.object == "rmap" || c.object == "tlb" || c.object == "vma") {
    return focused(pte_page(c.attribute));
  }
  if (c.object == "ptl" || c.object == "mmap_sem") return true;
  // Where an error goes and who hears of it is the story of a failed write.
  if (c.object == "mapping" || c.object.starts_with("file") || c.attribute == "returns") {
    return true;
  }
  if (is_block(c.object)) {
    // A detail that names only a page (writable_implies_dirty) makes all its blocks matter.
    return f.blocks.empty() ? focused(page_of_block(c.object)) : f.blocks.count(c.object) > 0;
  }
  return focused(page_object(c.object));
}

std::string set_or_cleared(const Change& c) {
  return c.after == "1" ? "is set" : "is cleared";
}

/// A change the model does not write, as it is: "x's y goes from 1 to 2".
std::string as_recorded(const Change& c) {
  return "'" + model::echo(c.object) + "' " + model::echo(c.attribute) + " goes from " +
         model::echo(c.before) + " to " + model::echo(c.after);
}

/// One change as a clause: "buffer b0.0 is cleaned".
std::string clause(const Change& c) {
  const std::string& o = c.object;
  const std::string& a = c.attribute;
  if (o == "pte") {
    const auto page = pte_page(a);
    if (!page) return as_recorded(c);
    const std::string m = a.substr(1, a.find('.') - 1), p = std::to_string(*page);
    const std::string pte = "the PTE of mapping " + m + " for page " + p;
    if (c.after == "none") return "page " + p + " is unmapped from mapping " + m;
    if (c.before == "none")
      return pte + " is installed " + (c.after == "ro" ? "read-only" : "writable and dirty");
    if (c.after == "ro") return pte + " is write-protected and cleaned";
    if (c.after == "ro,dirty") return pte + " is write-protected, its dirty bit kept";
    if (c.before == "ro") return pte + " becomes writable and dirty again";
    return pte + " goes from " + c.before + " to " + c.after;
  }
  if (o == "rmap") {
    const auto page = pte_page(a);
    if (!page) return as_recorded(c);
    const std::string m = a.substr(1, a.find('.') - 1), p = std::to_string(*page);
    return c.after == "1" ? "page " + p + "'s map count counts mapping " + m
                          : "page " + p + "'s map count drops mapping " + m + " (page_remove_rmap)";
  }
  if (o == "tlb") {
    const auto page = pte_page(a);
    if (!page) return as_recorded(c);
    const std::string cpu = a.substr(0, a.find(".p")), p = std::to_string(*page);
    if (c.after == "-") return cpu + "'s TLB entry for page " + p + " is flushed";
    return cpu + "'s CPU caches a writable" + (c.after == "WD" ? ", dirty" : "") +
           " translation of page " + p + " in its TLB";
  }
  if (o == "ptl") {
    return "the PTE lock of mapping " + a.substr(1) +
           (c.after == "-" ? " is released" : " is held by " + c.after);
  }
  if (o == "vma") {
    const auto page = pte_page(a);
    if (!page) return as_recorded(c);
    const std::string m = a.substr(1, a.find('.') - 1), p = std::to_string(*page);
    return "mapping " + m + "'s VMA " + (c.after == "ro" ? "loses" : "regains") +
           " VM_WRITE for page " + p;
  }
  if (o == "mmap_sem") {
    return "the mmap_sem of mapping " + a.substr(1) + "'s process" +
           (c.after == "-" ? " is released" : " is held for write by " + c.after);
  }
  if (is_block(o)) {
    if (a == "BH_dirty")
      return "buffer " + o + (c.after == "1" ? " is marked dirty" : " is cleaned");
    if (a == "BH_lock") return "buffer " + o + (c.after == "1" ? " is locked" : " is unlocked");
    if (a == "mem") {
      if (c.before == "-" || c.before.empty())
        return "block " + o + " is read from disk: " + c.after;
      if (c.after == "-" || c.after.find("dropped") != std::string::npos) {
        return "block " + o + "'s " + c.before + " leaves memory";
      }
      return "block " + o + " now holds " + c.after + " in memory";
    }
    if (a == "io") {
      if (c.after == "submitted") return "a write of block " + o + " is submitted";
      if (c.before == "submitted")
        return "the device takes " + c.after + " from memory for that write";
      return "the write of " + c.before + " completes";
    }
    if (a == "disk") return "block " + o + " on disk now holds " + c.after;
    if (a == "alloc") {
      if (c.after == "delayed")
        return "block " + o + " gets a delayed allocation (BH_Delay, no disk block)";
      if (c.after == "mapped") return "block " + o + " gets a disk block";
      return as_recorded(c);
    }
    if (a == "lost_by") {
      return c.after == "-" ? "block " + o + " on disk is no longer behind a failed write"
                            : "block " + o + " on disk keeps its old version (" + c.after + ")";
    }
  }
  // Write errors (--io-errors).
  if (o == "errors" && a == "failed_writes")
    return "the device has now failed " + c.after + " write(s)";
  if (o == "mapping" && a == "AS_EIO") {
    return c.after == "1" ? "AS_EIO is set on the file's mapping"
                          : "AS_EIO is cleared from the file's mapping";
  }
  if (o == "mapping" && a == "wb_err")
    return "mapping->wb_err goes from " + c.before + " to " + c.after;
  if (o.starts_with("file") && a == "f_wb_err") {
    return o + "'s f_wb_err advances to " + c.after + ": it has seen that error";
  }
  if (o.starts_with("file") && a == "reported") {
    return o + " is told of the failed writes up to #" + c.after;
  }
  if (a == "returns") return o + " will return " + c.after;
  if (o == "BUG") return "a kernel BUG_ON fires";
  if (!page_object(o)) return as_recorded(c);
  const std::string page = "page " + o.substr(1);
  if (a == "cached")
    return page + (c.after == "1" ? " enters the page cache" : " leaves the page cache");
  if (a == "PG_locked") return page + (c.after == "-" ? " is unlocked" : " is locked");
  if (a.starts_with("tag.")) return page + "'s tag " + a.substr(4) + " " + set_or_cleared(c);
  return page + "'s " + a + " " + set_or_cleared(c);
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  }
  return out;
}

std::string yes_no(const std::string& v, const char* yes, const char* no) {
  return v == "1" ? yes : no;
}

/// The mapping a writer, msync, munmap or mprotect acts through, or -1.
int mapping_of(const Trace& t, const std::string& actor) {
  for (std::size_t i = 0; i < t.scenario.actors.size(); ++i) {
    if (t.scenario.actor_name(i) == actor &&
        model::actor_kind_info(t.scenario.actors[i].kind).uses_mapping) {
      return t.scenario.actors[i].mapping;
    }
  }
  return -1;
}

/// page_mkclean's lockless test found the page unmapped: it skips the walk of the mappings.
bool page_mkclean_returned_early(const TraceStep& s) {
  return s.function == "page_mkclean" && s.step == "page_mapped" &&
         s.next.find(": page_mkclean") == std::string::npos;
}

/// The sentence for step `s`, told against the variables before it (`before`).
std::string sentence(const Trace& t, const TraceStep& s, const Tracked& before, const Focus& f) {
  const std::string name = s.function + ": " + s.step;
  const std::string who = s.actor == "disk" ? "The disk" : s.actor;
  // A store that reaches memory: say what the kernel was told of it.
  for (const Change& c : s.changes) {
    const auto block_page = page_of_block(c.object);
    const int m = mapping_of(t, s.actor);
    if (s.function != "memcpy" || c.attribute != "mem" || !block_page || m < 0) continue;
    const std::string page = "p" + std::to_string(*block_page);
    const std::string pte_attr = "m" + std::to_string(m) + "." + page;
    const std::string pte = before.get("pte", pte_attr);
    const std::string tlb = before.get("tlb", s.actor + "." + page);
    std::string out = who + " stores " + c.after + " to block " + c.object + " through mapping " +
                      std::to_string(m) + " (" + name + ")";
    if (tlb == "WD" && pte != "rw,dirty") {
      out += ": through the writable, dirty entry its CPU's TLB still holds, while the PTE is " +
             pte + ", so no PTE and no fault record the store";
    } else if (tlb == "WD") {
      out += ": through its CPU's writable, dirty TLB entry, so no fault tells the kernel";
    } else {
      out += pte == "rw,dirty"
                 ? ": its PTE is already writable and dirty, so no fault tells the kernel"
                 : ": the MMU sets its PTE's dirty bit, and no fault tells the kernel";
    }
    out += "; buffer " + c.object + " is " +
           yes_no(before.get(c.object, "BH_dirty"), "dirty", "clean") + " and PG_dirty is " +
           yes_no(before.get(page, "PG_dirty"), "set", "clear");
    return out + ".";
  }
  std::vector<std::string> clauses;
  const bool failed = s.step.ends_with("(!uptodate)");  // a write the device failed
  for (const Change& c : s.changes) {
    if (c.object == "nr_dirty") continue;
    clauses.push_back(failed && c.attribute == "io" ? "the write of " + c.before + " fails"
                                                    : clause(c));
  }
  const std::string runs = s.step == s.function ? s.function : s.step + " in " + s.function;
  const bool locked_buffer = std::any_of(s.changes.begin(), s.changes.end(),
                                         [](const Change& c) { return c.attribute == "BH_lock"; });
  if (s.step == "trylock_buffer" && !locked_buffer) {
    // The trylock failed: another write holds the buffer (redirty_page_for_writepage).
    return who + " runs trylock_buffer in " + s.function +
           ", finds the buffer locked by another write and redirties the page: " + join(clauses) +
           ".";
  }
  if (!clauses.empty()) return who + " runs " + runs + ": " + join(clauses) + ".";
  // A step of the judged actor that changes nothing: what it looked at.
  if (s.function == "sys_msync" || s.function == "do_fsync") {
    std::string held;
    for (const std::string& b : f.blocks)
      held += (held.empty() ? "" : ", ") + b + " holds " + before.get(b, "mem");
    return who + " calls " + (s.function == "sys_msync" ? "msync(MS_SYNC)" : "fsync") + " (" +
           name + ")" +
           (held.empty() ? ""
                         : " while block " + held +
                               " in memory: that version must be on disk when it returns") +
           ".";
  }
  const bool done = s.next == "done";
  // The tag lookup of write_cache_pages, and of ext4's mpage_prepare_extent_to_map, that finds
  // nothing: the loop ends.
  const bool generic_lookup = s.step == "find_get_pages_tag" && s.function == "write_cache_pages" &&
                              !s.next.starts_with("write_cache_pages: lock_page");
  const bool ext4_lookup = s.step == "pagevec_lookup_tag" &&
                           s.function == "mpage_prepare_extent_to_map" &&
                           !s.next.starts_with("mpage_prepare_extent_to_map: lock_page");
  if (generic_lookup || ext4_lookup) {
    std::string why;
    for (const int p : f.pages) {
      const std::string pg = "p" + std::to_string(p);
      why += (why.empty() ? "" : "; ") + std::string("page ") + std::to_string(p) +
             " has tag DIRTY " + yes_no(before.get(pg, "tag.DIRTY"), "set", "clear");
      if (!before.get(pg, "tag.TOWRITE").empty())
        why += " and tag TOWRITE " + yes_no(before.get(pg, "tag.TOWRITE"), "set", "clear");
    }
    return who + " looks for pages tagged for writeback (" + name + ") and finds none to write" +
           (why.empty() ? "" : ": " + why) + ".";
  }
  if (s.function == "filemap_fdatawait" && done) {
    return who + " finds no page under writeback to wait for (" + name + ") and returns.";
  }
  if (page_mkclean_returned_early(s)) {
    return who +
           " runs page_mapped in page_mkclean: the page's map count is 0, so page_mkclean "
           "returns 0 at once, without taking any PTE lock or flushing any TLB.";
  }
  if (s.step == "msync_pte_range") {
    return who + " walks the PTEs of its own mapping (" + name +
           ") for dirty bits to move to the page; it finds none there.";
  }
  return who + " runs " + name + ", which changes nothing here, and " +
         (done ? "returns." : "goes on to " + s.next + ".");
}

/// Why the data is lost: the detail, then what the last state says of the lost block.
std::string why_lost(const Trace& t, const Tracked& end, const Focus& f) {
  // Properties about data say why the data is lost; the others lose none by themselves: BUG_ON,
  // bookkeeping, progress, munmap, a writable translation of a clean page (writable_implies_dirty:
  // a loss only if no later step dirties it) and a store during writeback (stable_pages: the
  // device may see torn data, but the page stays dirty).
  static const std::set<std::string> kAboutData = {"msync_durability", "fsync_durability",
                                                   "reclaim_drops_clean", "durable_at_end",
                                                   "no_silent_loss"};
  std::string out =
      (kAboutData.count(t.property) ? "Why the data is lost: " : "Why it fails: ") + t.detail;
  if (const std::string progress = describe_progress(t); !progress.empty()) {
    out += "\n" + progress;
  }
  for (const std::string& b : f.blocks) {
    const std::string mem = end.get(b, "mem"), disk = end.get(b, "disk");
    std::size_t stored = 0, captured = 0;
    for (std::size_t i = 0; i < t.steps.size(); ++i) {
      for (const Change& c : t.steps[i].changes) {
        if (c.object != b) continue;
        if (c.attribute == "mem" && t.steps[i].function == "memcpy") stored = i + 1;
        if (c.attribute == "io" && c.before == "submitted") captured = i + 1;
      }
    }
    const std::string page = "p" + std::to_string(page_of_block(b).value_or(0));
    out += "\nAt the end block " + b + " holds " + mem + " in memory and " + disk + " on disk";
    if (stored) out += "; the last store to it is step " + std::to_string(stored);
    if (captured) {
      out += ", the last write took its data at step " + std::to_string(captured) +
             (stored > captured ? ", before that store" : "");
    }
    out += ". Buffer " + b + " is " + yes_no(end.get(b, "BH_dirty"), "dirty", "clean") + ", page " +
           page.substr(1) + " has PG_dirty " + yes_no(end.get(page, "PG_dirty"), "set", "clear") +
           " and tag DIRTY " + yes_no(end.get(page, "tag.DIRTY"), "set", "clear");
    std::string ptes;
    for (int m = 0; m < t.scenario.mappings; ++m) {
      const std::string v = end.get("pte", "m" + std::to_string(m) + "." + page);
      if (!v.empty())
        ptes += (ptes.empty() ? "" : ", ") + ("mapping " + std::to_string(m) + " " + v);
    }
    out += (ptes.empty() ? "" : ", its PTEs: " + ptes) + ".";
    std::string dirty_pte;
    for (int m = 0; m < t.scenario.mappings; ++m) {
      const std::string v = end.get("pte", "m" + std::to_string(m) + "." + page);
      if (v.ends_with(",dirty") && dirty_pte.empty()) dirty_pte = std::to_string(m);
    }
    if (end.get(b, "BH_dirty") == "0" && end.get(page, "PG_dirty") == "0" && !dirty_pte.empty()) {
      out += " Only the dirty bit of mapping " + dirty_pte + "'s PTE still records the store.";
    }
    if (end.get(b, "BH_dirty") == "0" && mem != disk) {
      out += " Writing the page back writes only dirty buffers, so it would not write " + mem + ".";
    }
  }
  return out + "\n";
}

}  // namespace

std::string explain(const Trace& t) {
  const Focus f = focus_of(t);
  std::ostringstream out;
  out << "How " << t.scenario.variant->name << " "
      << (t.property.empty() ? "runs" : "breaks " + t.property) << " ("
      << describe_scenario(t.scenario) << "):\n";
  Tracked state(t.initial);
  std::size_t omitted = 0;
  const auto flush_omitted = [&] {
    if (omitted) out << "    (" << omitted << (omitted == 1 ? " step" : " steps") << " omitted)\n";
    omitted = 0;
  };
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    const TraceStep& s = t.steps[i];
    if (t.loop_start && *t.loop_start == i) {
      flush_omitted();
      out << "  From here on the run repeats forever:\n";
    }
    bool relevant = (!f.actor.empty() && s.actor == f.actor) || page_mkclean_returned_early(s);
    for (const Change& c : s.changes) relevant = relevant || matters(c, f);
    if (relevant) {
      flush_omitted();
      const std::string index = std::to_string(i + 1);
      out << std::string(index.size() < 3 ? 3 - index.size() : 0, ' ') << index << ". "
          << sentence(t, s, state, f) << "\n";
    } else {
      ++omitted;
    }
    state.apply(s.changes);
  }
  flush_omitted();
  out << "\n";
  if (t.property.empty()) {
    out << "No property is violated: " << t.detail << "\n";
  } else {
    out << why_lost(t, state, f);
  }
  return out.str();
}

}  // namespace dirtyrace::traces
