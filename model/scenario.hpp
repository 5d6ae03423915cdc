#pragma once
// What is checked: the variant, the file's shape, the actors and the properties (MODEL.md
// section 1). A scenario comes from command-line options, from a TOML file, or both.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/byte_range.hpp"
#include "model/variant.hpp"

namespace dirtyrace::model {

enum class ActorKind {
  writer,
  flusher,
  msync,
  fsync,
  munmap,
  reclaim,
  journal,
  buffer_flush,
  mprotect
};

struct ActorKindInfo {
  ActorKind kind;
  std::string_view name;
  std::string_view summary;
  bool uses_mapping;  // acts through one process's mapping
};
std::span<const ActorKindInfo> all_actor_kinds();
const ActorKindInfo& actor_kind_info(ActorKind kind);

/// One actor of a scenario.
struct ActorSpec {
  ActorKind kind = ActorKind::writer;
  int mapping = 0;     // writer, msync, munmap, mprotect: the process (mapping) it acts through
  int first_page = 0;  // msync, munmap, reclaim, journal, buffer_flush, mprotect: page range
  int last_page = -1;  // -1: to the end of the file
  std::vector<int> blocks;  // writer: blocks (p * B + b) stored to in order; empty: whole file
  int stores = -1;          // writer: number of stores, cycling over `blocks`; -1: scenario's
  /// writer, msync, munmap: bytes [off, off+len) instead of `blocks`/`stores` or the page range;
  /// validate_and_resolve derives those from it.
  std::optional<ByteRange> range;
  /// msync, munmap: what the call does with its range (derived from `range`).
  RangeOutcome outcome = RangeOutcome::touches;
  /// fsync: the open file it calls on. -1: a file of its own; m: the file mapping m's process
  /// mmapped (msync through mapping m calls on that file too), shared by every fsync@m.
  int file = -1;
};

/// One of the variant's routines with its steps in another order (the ordering explorer,
/// model/ordering.hpp): the ids of its steps and calls in their new order; those not listed are
/// dropped.
struct RoutineOrder {
  std::string routine;
  std::vector<std::string> ops;
  bool operator==(const RoutineOrder&) const = default;
};

/// The kernel rules for an actor kind's byte range, or none if it takes no byte range.
std::optional<RangeRule> range_rule(ActorKind kind);

struct Scenario {
  const Variant* variant = nullptr;
  int pages = 1;
  int blocks_per_page = 1;
  int mappings = 1;
  int stores = 2;  // default stores per writer
  bool stable_writes = false;
  /// --io-errors: block writes the device may fail (each write of page writeback may succeed
  /// or fail while failures remain).
  int io_errors = 0;
  Filesystem fs = Filesystem::generic;  // --fs; the variant must model it
  /// --holes: blocks (p * B + b) that are holes in the file at the start, which ext4's delayed
  /// allocation reserves at the write fault and allocates at writeback (--fs ext4 only).
  std::vector<int> holes;
  std::vector<ActorSpec> actors;
  std::vector<std::string> properties;  // empty: every property that applies
  std::vector<RoutineOrder> routine_orders;

  // Byte geometry, used when an actor has a byte range (README, "Symbolic offsets").
  std::int64_t page_size = 0;   // 0: 4096
  std::int64_t block_size = 0;  // 0: page_size / blocks_per_page; else it sets blocks_per_page
  bool beyond_file = false;     // ranges may reach past the end of the file (cut off there)
  std::vector<std::string> constraints;  // on the symbols of the actors' byte ranges

  int blocks() const { return pages * blocks_per_page; }
  /// Resolves defaults and checks every bound; throws UsageError with a one-line message.
  /// A scenario with symbolic ranges or constraints is refused: footprints.hpp turns it into
  /// concrete ones.
  void validate_and_resolve();
  bool has_byte_ranges() const;
  /// Some range is symbolic or there are constraints: checked one footprint class at a time.
  bool needs_classes() const;
  /// Sets page_size, block_size and blocks_per_page from each other; throws UsageError.
  void resolve_geometry();
  /// Gives each writer without '@' (mapping -1) the next mapping, round-robin; validate_and_resolve
  /// does this too, and a symbolic scenario needs it before it is described.
  void assign_writer_mappings();
  Geometry geometry() const { return {page_size, block_size, pages}; }
  /// The writer's store targets with defaults resolved (the k-th store goes to targets[k % n]).
  std::vector<int> writer_targets(const ActorSpec& a) const;
  int writer_stores(const ActorSpec& a) const { return a.stores >= 0 ? a.stores : stores; }
  /// Display name of actor `i`, e.g. "writer0" or "msync1".
  std::string actor_name(std::size_t i) const;
};

/// The scenario dirtyrace checks when given no options: current kernel, every actor kind.
Scenario default_scenario();

/// Parses an actor list such as "writer*2,flusher,msync@1,fsync@1": kind, optional @mapping
/// (for fsync: the file that mapping's process mmapped), optional *count. Throws UsageError naming
/// the valid kinds.
std::vector<ActorSpec> parse_actor_list(std::string_view text);
ActorKind actor_kind_named(std::string_view name);

/// Reads a scenario file (TOML; see README "Scenario files"). Throws UsageError.
Scenario read_scenario_file(const std::string& path);
/// Parses scenario TOML text; `origin` names it in errors.
Scenario parse_scenario_toml(std::string_view text, std::string_view origin);
/// The scenario as TOML that parse_scenario_toml reads back to the same scenario.
std::string to_toml(const Scenario& s);

}  // namespace dirtyrace::model
