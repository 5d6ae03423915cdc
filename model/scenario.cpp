#include "model/scenario.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "model/error.hpp"
#include "model/state.hpp"

namespace dirtyrace::model {
namespace {

constexpr std::array kActorKinds = {
    ActorKindInfo{ActorKind::writer, "writer",
                  "memcpy through a MAP_SHARED mapping: stores and their page faults", true},
    ActorKindInfo{ActorKind::flusher, "flusher",
                  "background writeback: write_cache_pages with WB_SYNC_NONE", false},
    ActorKindInfo{ActorKind::msync, "msync", "msync(MS_SYNC) of a page range of one mapping", true},
    ActorKindInfo{ActorKind::fsync, "fsync", "fsync of the whole file", false},
    ActorKindInfo{ActorKind::munmap, "munmap", "munmap of a page range: zap_pte_range", true},
    ActorKindInfo{ActorKind::reclaim, "reclaim", "page reclaim: shrink_page_list over a page range",
                  false},
    ActorKindInfo{ActorKind::journal, "journal",
                  "ordered-mode journal commit flushing the file's data (ext3: buffers; ext4: "
                  "writeback loop)",
                  false},
    ActorKindInfo{ActorKind::buffer_flush, "buffer_flush",
                  "buffer-level flush of dirty data buffers (ext3's journal; a what-if on 4.19+)",
                  false},
    ActorKindInfo{ActorKind::mprotect, "mprotect",
                  "mprotect(PROT_READ) of a page range of one mapping: change_pte_range, then "
                  "the TLB flush",
                  true},
};

constexpr int kMaxStoresPerWriter = 8;
/// Write errors the device may make in one run: each doubles the completions to explore.
constexpr int kMaxIoErrors = 3;

std::string kind_names() {
  std::string s;
  for (const auto& k : kActorKinds) {
    if (!s.empty()) s += ", ";
    s += k.name;
  }
  return s;
}

int parse_int(std::string_view text, std::string_view what) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw UsageError("invalid " + std::string(what) + " '" + echo(text) +
                     "': expected a whole number");
  }
  return value;
}

void check_range(int value, int lo, int hi, std::string_view what, std::string_view fix) {
  if (value < lo || value > hi) {
    throw UsageError(std::string(what) + " is " + std::to_string(value) + " but must be " +
                     std::to_string(lo) + " to " + std::to_string(hi) + std::string(fix));
  }
}

}  // namespace

std::optional<RangeRule> range_rule(ActorKind kind) {
  switch (kind) {
    case ActorKind::writer:
      return RangeRule::memcpy;
    case ActorKind::msync:
      return RangeRule::msync;
    case ActorKind::munmap:
      return RangeRule::munmap;
    default:
      return std::nullopt;
  }
}

std::span<const ActorKindInfo> all_actor_kinds() {
  return kActorKinds;
}

const ActorKindInfo& actor_kind_info(ActorKind kind) {
  for (const auto& k : kActorKinds) {
    if (k.kind == kind) return k;
  }
  throw std::logic_error("actor kind without a table row");
}

ActorKind actor_kind_named(std::string_view name) {
  for (const auto& k : kActorKinds) {
    if (k.name == name) return k.kind;
  }
  throw UsageError("unknown actor '" + echo(name) + "'; valid actors: " + kind_names());
}

std::vector<ActorSpec> parse_actor_list(std::string_view text) {
  std::vector<ActorSpec> actors;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) {
      throw UsageError("empty entry in actor list '" + echo(text) +
                       "'; write kinds separated by commas, e.g. writer,flusher,msync");
    }
    int count = 1;
    if (const auto star = item.find('*'); star != std::string_view::npos) {
      count = parse_int(item.substr(star + 1), "actor count");
      check_range(count, 1, kMaxActors, "actor count", "");
      item = item.substr(0, star);
    }
    ActorSpec spec;
    bool has_mapping = false;
    if (const auto at = item.find('@'); at != std::string_view::npos) {
      spec.mapping = parse_int(item.substr(at + 1), "mapping");
      has_mapping = true;
      item = item.substr(0, at);
    }
    spec.kind = actor_kind_named(item);
    if (has_mapping && spec.kind == ActorKind::fsync) {
      spec.file = spec.mapping;  // the file mapping m's process mmapped
      spec.mapping = 0;
    } else if (has_mapping && !actor_kind_info(spec.kind).uses_mapping) {
      throw UsageError("actor '" + echo(item) +
                       "' does not act through a mapping; '@' applies to writer, msync, munmap, "
                       "mprotect, and to fsync for the file a mapping's process mmapped");
    }
    // A writer without '@' gets the next mapping round-robin; -1 marks "not chosen".
    if (!has_mapping && spec.kind == ActorKind::writer) spec.mapping = -1;
    for (int i = 0; i < count; ++i) actors.push_back(spec);
  }
  return actors;
}

bool Scenario::has_byte_ranges() const {
  return std::any_of(actors.begin(), actors.end(), [](const ActorSpec& a) { return a.range; });
}

bool Scenario::needs_classes() const {
  return !constraints.empty() || std::any_of(actors.begin(), actors.end(), [](const ActorSpec& a) {
    return a.range && a.range->symbolic();
  });
}

void Scenario::assign_writer_mappings() {
  if (mappings < 1) return;  // validate_and_resolve reports it
  int next = 0;
  for (ActorSpec& a : actors) {
    if (a.kind == ActorKind::writer && a.mapping < 0) a.mapping = next++ % mappings;
  }
}

void Scenario::resolve_geometry() {
  if (page_size == 0) page_size = 4096;
  if (!is_power_of_two(page_size) || page_size > (1 << 20)) {
    throw UsageError("page_size is " + std::to_string(page_size) +
                     " but must be a power of two up to 1048576 (the kernel's is 4096)");
  }
  if (block_size == 0) {
    check_range(blocks_per_page, 1, kMaxBlocksPerPage, "blocks per page", " (--blocks)");
    block_size = page_size / blocks_per_page;
  }
  if (!is_power_of_two(block_size) || block_size > page_size) {
    throw UsageError("block_size is " + std::to_string(block_size) +
                     " but must be a power of two no larger than page_size (" +
                     std::to_string(page_size) + "); the kernel's are 512 to 4096");
  }
  if (page_size / block_size > kMaxBlocksPerPage) {
    throw UsageError("page_size " + std::to_string(page_size) + " / block_size " +
                     std::to_string(block_size) + " is " + std::to_string(page_size / block_size) +
                     " blocks per page but dirtyrace models at most " +
                     std::to_string(kMaxBlocksPerPage) + "; raise block_size");
  }
  blocks_per_page = static_cast<int>(page_size / block_size);
}

namespace {

/// Derives what an actor does from its concrete byte range (README, "Symbolic offsets").
void resolve_range(const Scenario& s, ActorSpec& a, const std::string& who) {
  const auto rule = range_rule(a.kind);
  if (!rule) {
    throw UsageError(who + " takes no byte range; 'off' and 'len' apply to writer, msync, munmap");
  }
  const ByteRange& r = *a.range;
  if (r.symbolic()) {
    throw UsageError(who + " has a symbolic range (off " + r.off.text() + ", len " + r.len.text() +
                     "); use 'dirtyrace offsets' or 'dirtyrace check' on it");
  }
  const std::int64_t off = r.off.value, len = r.len.value;
  for (const auto& [name, v] : {std::pair{"off", off}, std::pair{"len", len}}) {
    if (v < 0 || v > kMaxByteValue) {
      throw UsageError(who + " " + name + " is " + std::to_string(v) + " but must be 0 to " +
                       std::to_string(kMaxByteValue));
    }
  }
  const Geometry g = s.geometry();
  if (!s.beyond_file && off + len > g.file_size()) {
    throw UsageError(who + " covers bytes " + std::to_string(off) + " to " +
                     std::to_string(off + len) + " but the file (and its mapping) ends at byte " +
                     std::to_string(g.file_size()) +
                     "; shorten the range or set beyond_file = true");
  }
  const Footprint f = footprint(*rule, off, len, g);
  a.outcome = f.outcome;
  if (*rule == RangeRule::memcpy) {
    a.blocks.clear();
    for (int b = f.first; f.outcome == RangeOutcome::touches && b <= f.last; ++b)
      a.blocks.push_back(b);
    a.stores = static_cast<int>(a.blocks.size());
    return;
  }
  a.first_page = f.outcome == RangeOutcome::touches ? f.first : 0;
  a.last_page = f.outcome == RangeOutcome::touches ? f.last : s.pages - 1;
}

}  // namespace

void Scenario::validate_and_resolve() {
  if (!variant) throw UsageError("no variant given; use --variant (see dirtyrace list)");
  check_range(pages, 1, kMaxPages, "pages", " (--pages)");
  if (has_byte_ranges() || page_size != 0 || block_size != 0) resolve_geometry();
  if (!constraints.empty()) {
    throw UsageError(
        "the scenario has constraints on its byte ranges; 'dirtyrace offsets' and "
        "'dirtyrace check' turn them into concrete ranges");
  }
  check_range(blocks_per_page, 1, kMaxBlocksPerPage, "blocks per page", " (--blocks)");
  check_range(mappings, 1, kMaxMappings, "mappings", " (--mappings)");
  check_range(stores, 0, kMaxStoresPerWriter, "stores per writer", " (--stores)");
  if (actors.empty()) throw UsageError("no actors; give at least one with --actors");
  check_range(static_cast<int>(actors.size()), 1, kMaxActors, "number of actors", " (--actors)");
  if (!has_filesystem(*variant, fs)) {
    std::string modelled;
    for (const FilesystemInfo& f : all_filesystems()) {
      if (!has_filesystem(*variant, f.fs)) continue;
      modelled += (modelled.empty() ? "" : ", ") + std::string(f.name);
    }
    throw UsageError("--fs " + std::string(filesystem_name(fs)) + " is not modelled on " +
                     std::string(variant->name) + " (it models: " + modelled + ")");
  }
  check_range(io_errors, 0, kMaxIoErrors, "write errors", " (--io-errors)");
  if (fs == Filesystem::blockdev &&
      std::any_of(actors.begin(), actors.end(),
                  [](const ActorSpec& a) { return a.kind == ActorKind::journal; })) {
    throw UsageError(
        "--fs blockdev has no journal; drop the journal actor from --actors or pick another --fs");
  }
  if (fs == Filesystem::ext4 && std::any_of(actors.begin(), actors.end(), [](const ActorSpec& a) {
        return a.kind == ActorKind::buffer_flush;
      })) {
    throw UsageError(
        "--fs ext4 writes pages without buffer locks, so the buffer_flush what-if has no "
        "meaning there; drop buffer_flush from --actors or pick another --fs");
  }
  if (!holes.empty() && fs != Filesystem::ext4) {
    throw UsageError(
        "--holes needs --fs ext4 (only ext4's delayed allocation leaves a block unallocated "
        "after its write fault)");
  }
  for (std::size_t i = 0; i < holes.size(); ++i) {
    if (holes[i] < 0 || holes[i] >= blocks()) {
      throw UsageError("hole " + std::to_string(holes[i]) + " is outside the file's blocks 0.." +
                       std::to_string(blocks() - 1) + " (--holes)");
    }
    if (std::find(holes.begin(), holes.begin() + static_cast<std::ptrdiff_t>(i), holes[i]) !=
        holes.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw UsageError("hole " + std::to_string(holes[i]) + " is given twice (--holes)");
    }
  }
  if (stable_writes && !variant->stable_pages) {
    throw UsageError("--stable-writes needs a kernel with stable pages (linux-3.14 and later); " +
                     std::string(variant->name) + " has none");
  }
  assign_writer_mappings();
  int total_stores = 0;
  for (std::size_t i = 0; i < actors.size(); ++i) {
    ActorSpec& a = actors[i];
    const std::string who = actor_name(i);
    if (a.range) resolve_range(*this, a, who);
    if (a.file >= mappings) {
      throw UsageError(who + " calls on the file of mapping " + std::to_string(a.file) +
                       " but the scenario has " + std::to_string(mappings) + " mapping(s) (0 to " +
                       std::to_string(mappings - 1) + "); raise --mappings or change '@'");
    }
    if (a.mapping < 0 || a.mapping >= mappings) {
      throw UsageError(who + " uses mapping " + std::to_string(a.mapping) +
                       " but the scenario has " + std::to_string(mappings) + " mapping(s) (0 to " +
                       std::to_string(mappings - 1) + "); raise --mappings or change '@'");
    }
    if (a.last_page < 0) a.last_page = pages - 1;
    if (a.first_page < 0 || a.first_page > a.last_page || a.last_page >= pages) {
      throw UsageError(who + " has page range " + std::to_string(a.first_page) + ".." +
                       std::to_string(a.last_page) + " outside the file's pages 0.." +
                       std::to_string(pages - 1));
    }
    for (int b : a.blocks) {
      if (b < 0 || b >= blocks()) {
        throw UsageError(who + " stores to block " + std::to_string(b) +
                         " outside the file's blocks 0.." + std::to_string(blocks() - 1));
      }
    }
    if (a.kind == ActorKind::writer) {
      // A memcpy stores once to each block it covers, which may be every block of the file.
      check_range(writer_stores(a), 0, a.range ? kMaxBlocks : kMaxStoresPerWriter, who + " stores",
                  "");
      total_stores += writer_stores(a);
    }
  }
  // Versions are stored in a byte; the packer sizes them from the real maximum.
  check_range(total_stores, 0, 64, "total stores of all writers", "");
}

std::vector<int> Scenario::writer_targets(const ActorSpec& a) const {
  if (!a.blocks.empty()) return a.blocks;
  std::vector<int> all(static_cast<std::size_t>(blocks()));
  for (int b = 0; b < blocks(); ++b) all[static_cast<std::size_t>(b)] = b;
  return all;
}

std::string Scenario::actor_name(std::size_t i) const {
  const ActorKind kind = actors[i].kind;
  int ordinal = 0;
  for (std::size_t j = 0; j < i; ++j) ordinal += actors[j].kind == kind;
  return std::string(actor_kind_info(kind).name) + std::to_string(ordinal);
}

Scenario default_scenario() {
  Scenario s;
  s.variant = &variant(VariantId::linux_6_12);
  s.pages = 1;
  s.blocks_per_page = 1;
  s.mappings = 1;
  s.stores = 2;
  s.actors = parse_actor_list("writer,flusher,msync,fsync,munmap,reclaim,journal");
  return s;
}

namespace {

/// Reads TOML tables strictly: every key must be known, every value of the right type.
class TomlReader {
 public:
  TomlReader(const toml::table& table, std::string where)
      : table_(table), where_(std::move(where)) {}

  template <class T>
  std::optional<T> get(std::string_view key, std::string_view type_name) {
    seen_.emplace_back(key);
    const toml::node* node = table_.get(key);
    if (!node) return std::nullopt;
    // value_exact: value() would read true as 1, 1.0 as 1 and 1 as true.
    if (auto v = node->value_exact<T>()) return *v;
    throw UsageError(where_ + ": '" + std::string(key) + "' must be " + std::string(type_name));
  }

  /// An integer from `lo` to `hi`; the model's own bounds are checked later, with advice.
  std::optional<int> get_int(std::string_view key, int lo = 0, int hi = 1000) {
    auto v = get<std::int64_t>(key, "an integer");
    if (!v) return std::nullopt;
    if (*v < lo || *v > hi) {
      throw UsageError(where_ + ": '" + std::string(key) + "' is " + std::to_string(*v) +
                       " but must be " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return static_cast<int>(*v);
  }

  std::optional<std::vector<int>> get_int_list(std::string_view key) {
    seen_.emplace_back(key);
    const toml::node* node = table_.get(key);
    if (!node) return std::nullopt;
    const toml::array* arr = node->as_array();
    std::vector<int> out;
    if (arr) {
      for (const toml::node& item : *arr) {
        auto v = item.value_exact<std::int64_t>();
        if (!v || *v < 0 || *v > 1000) {
          arr = nullptr;
          break;
        }
        out.push_back(static_cast<int>(*v));
      }
    }
    if (!arr) {
      throw UsageError(where_ + ": '" + std::string(key) +
                       "' must be a list of non-negative integers");
    }
    return out;
  }

  /// A byte count (0 to kMaxByteValue).
  std::optional<std::int64_t> get_bytes(std::string_view key) {
    auto v = get<std::int64_t>(key, "an integer");
    if (v && (*v < 0 || *v > kMaxByteValue)) {
      throw UsageError(where_ + ": '" + std::string(key) + "' is " + std::to_string(*v) +
                       " but must be 0 to " + std::to_string(kMaxByteValue));
    }
    return v;
  }

  /// An offset or length: a byte count, or a name ("w") that constraints may bound.
  std::optional<ByteTerm> get_term(std::string_view key) {
    seen_.emplace_back(key);
    const toml::node* node = table_.get(key);
    if (!node) return std::nullopt;
    if (auto name = node->value_exact<std::string>()) {
      const bool identifier = !name->empty() &&
                              !std::isdigit(static_cast<unsigned char>((*name)[0])) &&
                              std::all_of(name->begin(), name->end(), [](char c) {
                                return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                              });
      if (!identifier) {
        throw UsageError(where_ + ": '" + std::string(key) + "' is \"" + echo(*name) +
                         "\" but a symbol must be a name of letters, digits and '_', e.g. \"w\"");
      }
      return ByteTerm{0, *name};
    }
    seen_.pop_back();
    return ByteTerm{*get_bytes(key), {}};
  }

  /// Marks a key read by other means as known.
  void mark_known(std::string_view key) { seen_.emplace_back(key); }

  void reject_unknown_keys() const {
    for (const auto& [key, value] : table_) {
      if (std::find(seen_.begin(), seen_.end(), key.str()) == seen_.end()) {
        throw UsageError(where_ + ": unknown key '" + echo(key.str()) +
                         "' (see README, \"Scenario files\")");
      }
    }
  }

 private:
  const toml::table& table_;
  std::string where_;
  std::vector<std::string_view> seen_;
};

}  // namespace

Scenario parse_scenario_toml(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw UsageError(std::string(origin) + ":" + std::to_string(where.line) + ":" +
                     std::to_string(where.column) + ": " + std::string(e.description()));
  }
  Scenario s;
  TomlReader r(root, std::string(origin));
  s.variant = &variant_named(r.get<std::string>("variant", "a string").value_or("linux-6.12"));
  s.pages = r.get_int("pages").value_or(s.pages);
  s.blocks_per_page = r.get_int("blocks").value_or(s.blocks_per_page);
  s.mappings = r.get_int("mappings").value_or(s.mappings);
  s.stores = r.get_int("stores").value_or(s.stores);
  s.stable_writes = r.get<bool>("stable_writes", "true or false").value_or(false);
  s.io_errors = r.get_int("io_errors").value_or(0);
  if (const auto fs = r.get<std::string>("fs", "a string")) s.fs = filesystem_named(*fs);
  if (auto holes = r.get_int_list("holes")) s.holes = *holes;
  s.page_size = r.get_bytes("page_size").value_or(0);
  s.block_size = r.get_bytes("block_size").value_or(0);
  if (root.get("blocks") && root.get("block_size") &&
      s.block_size * s.blocks_per_page != (s.page_size ? s.page_size : 4096)) {
    throw UsageError(std::string(origin) + ": 'blocks' = " + std::to_string(s.blocks_per_page) +
                     " disagrees with page_size / block_size; give one of them");
  }
  s.beyond_file = r.get<bool>("beyond_file", "true or false").value_or(false);
  if (const toml::node* list = root.get("constraints")) {
    const toml::array* arr = list->as_array();
    for (std::size_t i = 0; arr && i < arr->size(); ++i) {
      auto constraint = (*arr)[i].value_exact<std::string>();
      if (!constraint) arr = nullptr;
      if (constraint) s.constraints.push_back(*constraint);
    }
    if (!arr) {
      throw UsageError(std::string(origin) +
                       ": 'constraints' must be a list of strings, e.g. [\"w + n <= 4096\"]");
    }
  }
  r.mark_known("constraints");
  if (const toml::node* props = root.get("properties")) {
    const toml::array* arr = props->as_array();
    if (!arr) throw UsageError(std::string(origin) + ": 'properties' must be a list of names");
    for (const toml::node& p : *arr) {
      auto name = p.value_exact<std::string>();
      if (!name) throw UsageError(std::string(origin) + ": 'properties' must be a list of names");
      s.properties.push_back(*name);
    }
  }
  r.mark_known("properties");
  if (const toml::node* list = root.get("actors")) {
    const toml::array* arr = list->as_array();
    if (!arr)
      throw UsageError(std::string(origin) + ": 'actors' must be an array of tables ([[actors]])");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::table* t = (*arr)[i].as_table();
      const std::string where = std::string(origin) + ": actors[" + std::to_string(i) + "]";
      if (!t) throw UsageError(where + " must be a table ([[actors]])");
      TomlReader a(*t, where);
      ActorSpec spec;
      const auto kind = a.get<std::string>("kind", "a string");
      if (!kind) throw UsageError(where + " has no 'kind'; valid kinds: " + kind_names());
      spec.kind = actor_kind_named(*kind);
      const auto mapping = a.get_int("mapping");
      spec.mapping = mapping.value_or(spec.kind == ActorKind::writer ? -1 : 0);
      if (mapping && spec.kind == ActorKind::fsync) {
        spec.file = *mapping;  // the file mapping m's process mmapped
        spec.mapping = 0;
      } else if (mapping && !actor_kind_info(spec.kind).uses_mapping) {
        throw UsageError(where + ": '" + *kind + "' does not act through a mapping");
      }
      // Each key applies to the kinds that use it; on another kind it would be ignored.
      const auto applies = [&](std::string_view key, bool ok, std::string_view kinds) {
        if (t->contains(key) && !ok) {
          throw UsageError(where + ": '" + std::string(key) + "' does not apply to " +
                           std::string(actor_kind_info(spec.kind).name) + "; it applies to " +
                           std::string(kinds));
        }
      };
      const bool writer = spec.kind == ActorKind::writer;
      applies("targets", writer, "writer");
      applies("stores", writer, "writer");
      applies("pages", !writer && spec.kind != ActorKind::flusher && spec.kind != ActorKind::fsync,
              "msync, munmap, reclaim, journal, buffer_flush, mprotect");
      if (auto pages = a.get_int_list("pages")) {
        if (pages->size() != 2) throw UsageError(where + ": 'pages' must be [first, last]");
        spec.first_page = (*pages)[0];
        spec.last_page = (*pages)[1];
      }
      if (auto targets = a.get_int_list("targets")) spec.blocks = *targets;
      // -1 is the model's "not given" (the scenario's 'stores'), so a file cannot write it.
      spec.stores = a.get_int("stores").value_or(-1);
      const auto off = a.get_term("off");
      const auto len = a.get_term("len");
      if (off.has_value() != len.has_value()) {
        throw UsageError(where + ": give both 'off' and 'len', or neither");
      }
      if (off) {
        if (!range_rule(spec.kind)) {
          throw UsageError(where + ": '" + *kind +
                           "' takes no byte range; 'off' and 'len' apply to writer, msync, munmap");
        }
        if (t->contains("targets") || t->contains("stores") || t->contains("pages")) {
          throw UsageError(where + ": 'off' and 'len' replace 'targets', 'stores' and 'pages'");
        }
        spec.range = ByteRange{*off, *len};
      }
      const int count = a.get_int("count", 1, kMaxActors).value_or(1);
      check_range(count, 1, kMaxActors, where + " count", "");
      a.reject_unknown_keys();
      for (int k = 0; k < count; ++k) s.actors.push_back(spec);
    }
  }
  r.mark_known("actors");
  if (const toml::node* list = root.get("routines")) {
    const toml::array* arr = list->as_array();
    const std::string where = std::string(origin) + ": routines";
    if (!arr) throw UsageError(where + " must be an array of tables ([[routines]])");
    for (const toml::node& node : *arr) {
      const toml::table* t = node.as_table();
      if (!t) throw UsageError(where + " must be an array of tables ([[routines]])");
      TomlReader rt(*t, where);
      RoutineOrder order;
      order.routine = rt.get<std::string>("name", "a string").value_or("");
      if (order.routine.empty()) throw UsageError(where + ": every routine needs a 'name'");
      rt.mark_known("order");
      const toml::array* ops = t->get_as<toml::array>("order");
      if (!ops) throw UsageError(where + ": '" + echo(order.routine) + "' needs an 'order' list");
      for (const toml::node& op : *ops) {
        auto id = op.value_exact<std::string>();
        if (!id) throw UsageError(where + ": 'order' must be a list of step names");
        order.ops.push_back(*id);
      }
      rt.reject_unknown_keys();
      for (const RoutineOrder& earlier : s.routine_orders) {
        if (earlier.routine == order.routine) {
          throw UsageError(where + ": '" + echo(order.routine) + "' is given twice");
        }
      }
      s.routine_orders.push_back(std::move(order));
    }
  }
  r.mark_known("routines");
  r.reject_unknown_keys();
  return s;
}

Scenario read_scenario_file(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    throw UsageError("cannot read scenario file '" + echo(path) + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read scenario file '" + echo(path) + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario_toml(text.str(), path);
}

std::string to_toml(const Scenario& s) {
  toml::table root{{"variant", std::string(s.variant->name)},
                   {"pages", s.pages},
                   {"blocks", s.blocks_per_page},
                   {"mappings", s.mappings},
                   {"stores", s.stores},
                   {"stable_writes", s.stable_writes}};
  if (s.io_errors) root.insert("io_errors", s.io_errors);
  if (s.fs != Filesystem::generic) root.insert("fs", std::string(filesystem_name(s.fs)));
  if (!s.holes.empty()) {
    toml::array holes;
    for (int b : s.holes) holes.push_back(b);
    root.insert("holes", std::move(holes));
  }
  if (s.page_size) root.insert("page_size", s.page_size);
  if (s.block_size) {
    root.erase("blocks");  // block_size says it
    root.insert("block_size", s.block_size);
  }
  if (s.beyond_file) root.insert("beyond_file", true);
  if (!s.constraints.empty()) {
    toml::array constraints;
    for (const auto& c : s.constraints) constraints.push_back(c);
    root.insert("constraints", std::move(constraints));
  }
  if (!s.properties.empty()) {
    toml::array props;
    for (const auto& p : s.properties) props.push_back(p);
    root.insert("properties", std::move(props));
  }
  toml::array actors;
  for (const ActorSpec& a : s.actors) {
    toml::table t{{"kind", std::string(actor_kind_info(a.kind).name)}};
    if (actor_kind_info(a.kind).uses_mapping && a.mapping >= 0) t.insert("mapping", a.mapping);
    if (a.kind == ActorKind::fsync && a.file >= 0) t.insert("mapping", a.file);
    if (a.range) {
      for (const auto& [key, term] : {std::pair{"off", &a.range->off}, {"len", &a.range->len}}) {
        if (term->symbolic()) {
          t.insert(key, term->symbol);
        } else {
          t.insert(key, term->value);
        }
      }
    } else if (a.kind == ActorKind::writer) {
      if (!a.blocks.empty()) {
        toml::array targets;
        for (int b : a.blocks) targets.push_back(b);
        t.insert("targets", std::move(targets));
      }
      if (a.stores >= 0) t.insert("stores", a.stores);
    } else if (a.kind != ActorKind::fsync && a.kind != ActorKind::flusher) {
      t.insert("pages", toml::array{a.first_page, a.last_page < 0 ? s.pages - 1 : a.last_page});
    }
    actors.push_back(std::move(t));
  }
  root.insert("actors", std::move(actors));
  if (!s.routine_orders.empty()) {
    toml::array routines;
    for (const RoutineOrder& r : s.routine_orders) {
      toml::array ops;
      for (const std::string& op : r.ops) ops.push_back(op);
      routines.push_back(toml::table{{"name", r.routine}, {"order", std::move(ops)}});
    }
    root.insert("routines", std::move(routines));
  }
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

}  // namespace dirtyrace::model
