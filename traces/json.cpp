#include "traces/json.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include "model/error.hpp"

namespace dirtyrace::traces {

using model::UsageError;
using nlohmann::json;
using nlohmann::ordered_json;

ordered_json scenario_to_json(const model::Scenario& s) {
  ordered_json actors = ordered_json::array();
  for (const model::ActorSpec& a : s.actors) {
    ordered_json j{{"kind", model::actor_kind_info(a.kind).name}};
    if (model::actor_kind_info(a.kind).uses_mapping) j["mapping"] = a.mapping;
    if (a.kind == model::ActorKind::fsync && a.file >= 0) j["file"] = a.file;
    j["pages"] = {a.first_page, a.last_page};
    if (a.range) {
      for (const auto& [key, term] : {std::pair{"off", &a.range->off}, {"len", &a.range->len}}) {
        j[key] = term->symbolic() ? ordered_json(term->symbol) : ordered_json(term->value);
      }
    }
    if (a.kind == model::ActorKind::writer) {
      j["targets"] = s.writer_targets(a);
      j["stores"] = s.writer_stores(a);
    }
    actors.push_back(std::move(j));
  }
  ordered_json out{{"variant", s.variant->name},  {"pages", s.pages},
                   {"blocks", s.blocks_per_page}, {"mappings", s.mappings},
                   {"stores", s.stores},          {"stable_writes", s.stable_writes},
                   {"properties", s.properties},  {"actors", std::move(actors)}};
  // Written only when set, so that traces of the default filesystem and of the variants' own
  // routines stay as they were.
  if (s.fs != model::Filesystem::generic) out["fs"] = model::filesystem_name(s.fs);
  if (!s.holes.empty()) out["holes"] = s.holes;
  if (s.io_errors) out["io_errors"] = s.io_errors;
  if (!s.routine_orders.empty()) {
    ordered_json routines = ordered_json::array();
    for (const model::RoutineOrder& r : s.routine_orders) {
      routines.push_back({{"name", r.routine}, {"order", r.ops}});
    }
    out["routines"] = std::move(routines);
  }
  // Byte ranges (README, "Symbolic offsets"): optional, so that older traces still read.
  if (s.has_byte_ranges()) {
    out["page_size"] = s.page_size;
    out["block_size"] = s.block_size;
    out["beyond_file"] = s.beyond_file;
    if (!s.constraints.empty()) out["constraints"] = s.constraints;
  }
  return out;
}

namespace {

ordered_json variables_to_json(const std::vector<model::Variable>& vars) {
  ordered_json out = ordered_json::array();
  for (const auto& v : vars) {
    out.push_back({{"object", v.object}, {"attribute", v.attribute}, {"value", v.value}});
  }
  return out;
}

/// The value of an integer that fits in 64 signed bits (a number above 2^63 - 1 is read by the
/// JSON library as unsigned, and would wrap), or none.
std::optional<long long> integer_value(const json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())) return std::nullopt;
    return static_cast<long long>(u);
  }
  if (v.is_number_integer()) return v.get<long long>();
  return std::nullopt;
}

/// Whether `v` is an integer from `lo` to `hi`.
bool integer_in(const json& v, long long lo, long long hi) {
  const auto i = integer_value(v);
  return i && *i >= lo && *i <= hi;
}

/// Typed access to a JSON object with errors that say where.
class Reader {
 public:
  Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) fail("is not a JSON object");
  }
  [[noreturn]] void fail(const std::string& what) const { throw UsageError(where_ + " " + what); }

  const json& at(const char* key) const {
    const auto it = j_.find(key);
    if (it == j_.end()) fail("has no \"" + std::string(key) + "\"");
    return *it;
  }
  std::string str(const char* key) const {
    const json& v = at(key);
    if (!v.is_string()) fail("\"" + std::string(key) + "\" must be a string");
    return v.get<std::string>();
  }
  int integer(const char* key, int lo, int hi) const {
    const json& v = at(key);
    if (!integer_in(v, lo, hi)) {
      fail("\"" + std::string(key) + "\" must be an integer from " + std::to_string(lo) + " to " +
           std::to_string(hi));
    }
    return v.get<int>();
  }
  bool boolean(const char* key) const {
    const json& v = at(key);
    if (!v.is_boolean()) fail("\"" + std::string(key) + "\" must be true or false");
    return v.get<bool>();
  }
  const json& array(const char* key) const {
    const json& v = at(key);
    if (!v.is_array()) fail("\"" + std::string(key) + "\" must be an array");
    return v;
  }
  std::vector<int> ints(const char* key) const {
    std::vector<int> out;
    for (const json& v : array(key)) {
      if (!integer_in(v, -1, 1000)) {
        fail("\"" + std::string(key) + "\" must hold small integers");
      }
      out.push_back(v.get<int>());
    }
    return out;
  }
  std::string where() const { return where_; }
  bool has(const char* key) const { return j_.contains(key); }
  std::int64_t bytes(const char* key) const {
    const json& v = at(key);
    if (!integer_in(v, 0, model::kMaxByteValue)) {
      fail("\"" + std::string(key) + "\" must be a byte count");
    }
    return v.get<std::int64_t>();
  }

 private:
  const json& j_;
  std::string where_;
};

model::Scenario scenario_from_json(const json& j, const std::string& where) {
  Reader r(j, where);
  model::Scenario s;
  s.variant = &model::variant_named(r.str("variant"));
  s.pages = r.integer("pages", 1, 1000);
  s.blocks_per_page = r.integer("blocks", 1, 1000);
  s.mappings = r.integer("mappings", 1, 1000);
  s.stores = r.integer("stores", 0, 1000);
  s.stable_writes = r.boolean("stable_writes");
  if (r.has("fs")) s.fs = model::filesystem_named(r.str("fs"));
  if (r.has("holes")) s.holes = r.ints("holes");
  if (r.has("io_errors")) s.io_errors = r.integer("io_errors", 0, 1000);
  if (r.has("page_size")) s.page_size = r.bytes("page_size");
  if (r.has("block_size")) s.block_size = r.bytes("block_size");
  if (r.has("beyond_file")) s.beyond_file = r.boolean("beyond_file");
  for (const json& p : r.array("properties")) {
    if (!p.is_string()) r.fail("\"properties\" must hold names");
    s.properties.push_back(p.get<std::string>());
  }
  const json& actors = r.array("actors");
  for (std::size_t i = 0; i < actors.size(); ++i) {
    Reader a(actors[i], where + " actor " + std::to_string(i));
    model::ActorSpec spec;
    spec.kind = model::actor_kind_named(a.str("kind"));
    if (model::actor_kind_info(spec.kind).uses_mapping)
      spec.mapping = a.integer("mapping", 0, 1000);
    if (spec.kind == model::ActorKind::fsync && a.has("file"))
      spec.file = a.integer("file", 0, 1000);
    const std::vector<int> pages = a.ints("pages");
    if (pages.size() != 2) a.fail("\"pages\" must be [first, last]");
    spec.first_page = pages[0];
    spec.last_page = pages[1];
    if (spec.kind == model::ActorKind::writer) {
      spec.blocks = a.ints("targets");
      spec.stores = a.integer("stores", 0, 1000);
    }
    // A trace holds concrete ranges only: the witness of its footprint class.
    if (a.has("off") || a.has("len")) {
      spec.range = model::ByteRange{{a.bytes("off"), {}}, {a.bytes("len"), {}}};
    }
    s.actors.push_back(std::move(spec));
  }
  if (j.contains("routines")) {
    for (const json& routine : r.array("routines")) {
      Reader o(routine, where + " routine");
      model::RoutineOrder order{o.str("name"), {}};
      for (const json& op : o.array("order")) {
        if (!op.is_string()) o.fail("\"order\" must hold step names");
        order.ops.push_back(op.get<std::string>());
      }
      s.routine_orders.push_back(std::move(order));
    }
  }
  s.validate_and_resolve();
  return s;
}

std::vector<model::Variable> variables_from_json(const Reader& r, const char* key) {
  std::vector<model::Variable> out;
  for (const json& v : r.array(key)) {
    Reader e(v, r.where() + " \"" + key + "\" entry");
    out.push_back({e.str("object"), e.str("attribute"), e.str("value")});
  }
  return out;
}

}  // namespace

ordered_json trace_to_json(const Trace& t) {
  ordered_json steps = ordered_json::array();
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    const TraceStep& s = t.steps[i];
    ordered_json changes = ordered_json::array();
    for (const Change& c : s.changes) {
      changes.push_back(
          {{"object", c.object}, {"attribute", c.attribute}, {"from", c.before}, {"to", c.after}});
    }
    ordered_json step{{"index", i + 1}, {"actor", s.actor},   {"function", s.function},
                      {"step", s.step}, {"source", s.source}, {"what", s.what}};
    if (s.block >= 0) step["block"] = s.block;
    step["next"] = s.next;
    step["changes"] = std::move(changes);
    steps.push_back(std::move(step));
  }
  ordered_json out{
      {"format", kTraceFormat},
      {"version", kTraceVersion},
      {"variant", t.scenario.variant->name},
      {"scenario", scenario_to_json(t.scenario)},
      {"property", {{"name", t.property}, {"description", t.description}, {"detail", t.detail}}},
      {"initial_state", variables_to_json(t.initial)},
      {"steps", std::move(steps)},
      {"final_state", variables_to_json(t.final_state)}};
  // Optional, so traces without them (every one before can_finish) keep their exact form.
  if (t.stuck_at) out["stuck_at"] = *t.stuck_at;
  if (t.loop_start) out["loop_start"] = *t.loop_start;
  return out;
}

Trace trace_from_json(const json& j) {
  Reader r(j, "trace");
  if (!j.contains("format") || !j["format"].is_string() || j["format"] != kTraceFormat) {
    r.fail("is not a dirtyrace trace (no \"format\": \"dirtyrace-trace\")");
  }
  const json& version = r.at("version");
  if (!integer_in(version, kTraceVersion, kTraceVersion)) {
    const std::string shown =
        version.is_primitive() ? model::echo(version.dump()) : "that is not a number";
    r.fail("has format version " + shown + "; this dirtyrace reads version " +
           std::to_string(kTraceVersion));
  }
  Trace t;
  t.scenario = scenario_from_json(r.at("scenario"), "trace scenario");
  if (r.str("variant") != t.scenario.variant->name) {
    r.fail("names variant " + model::echo(r.str("variant")) + " but its scenario has " +
           std::string(t.scenario.variant->name));
  }
  Reader p(r.at("property"), "trace property");
  t.property = p.str("name");
  t.description = p.str("description");
  t.detail = p.str("detail");
  t.initial = variables_from_json(r, "initial_state");
  t.final_state = variables_from_json(r, "final_state");
  const json& steps = r.array("steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Reader s(steps[i], "trace step " + std::to_string(i + 1));
    TraceStep step;
    step.actor = s.str("actor");
    step.function = s.str("function");
    step.step = s.str("step");
    step.source = s.str("source");
    step.what = s.str("what");
    if (steps[i].contains("block")) step.block = s.integer("block", 0, 1000);
    step.next = s.str("next");
    for (const json& c : s.array("changes")) {
      Reader cr(c, "trace step " + std::to_string(i + 1) + " change");
      step.changes.push_back({cr.str("object"), cr.str("attribute"), cr.str("from"), cr.str("to")});
    }
    t.steps.push_back(std::move(step));
  }
  const int last = static_cast<int>(std::min<std::size_t>(t.steps.size(), 1000000));
  if (j.contains("stuck_at")) t.stuck_at = static_cast<std::size_t>(r.integer("stuck_at", 0, last));
  if (j.contains("loop_start")) {
    // A loop of at least one step.
    t.loop_start = static_cast<std::size_t>(r.integer("loop_start", 0, last - 1));
  }
  return t;
}

json parse_trace_json(std::string_view text) {
  // The library builds values from nested arrays and objects without recursion, but walking one
  // (dump, comparison) recurses: refuse deep nesting while parsing. A trace nests 4 levels.
  const auto not_too_deep = [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxTraceDepth) {
      throw UsageError("nests arrays or objects more than " + std::to_string(kMaxTraceDepth) +
                       " levels deep; a trace nests " + std::to_string(4));
    }
    return true;
  };
  try {
    return json::parse(text, not_too_deep);
  } catch (const json::parse_error& e) {
    throw UsageError("is not valid JSON (byte " + std::to_string(e.byte) + "); was it truncated?");
  } catch (const json::out_of_range& e) {
    // 406: a number beyond what a double holds, such as 1e309.
    throw UsageError("holds a number too large to read (JSON error " + std::to_string(e.id) + ")");
  } catch (const json::exception& e) {
    throw UsageError("cannot be read as JSON (JSON error " + std::to_string(e.id) + ")");
  }
}

Trace read_trace_file(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    throw UsageError("cannot read trace file '" + model::echo(path) + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read trace file '" + model::echo(path) + "'");
  std::ostringstream text;
  text << in.rdbuf();
  json j;
  try {
    j = parse_trace_json(text.str());
  } catch (const UsageError& e) {
    throw UsageError("trace file '" + model::echo(path) + "' " + e.what());
  }
  try {
    return trace_from_json(j);
  } catch (const UsageError& e) {
    throw UsageError("'" + model::echo(path) + "': " + e.what());
  }
}

namespace {

/// A new file beside `path` with a name no other file has ("PATH.tmp-XXXXXX"), open for writing.
/// Throws UsageError naming `path` when its directory does not take one.
std::pair<std::string, int> unique_temporary(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    throw UsageError("cannot write '" + model::echo(path) + "': it is a directory");
  }
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    throw UsageError("cannot write '" + model::echo(path) +
                     "'; check that its directory exists and is writable");
  }
  return {tmp, fd};
}

}  // namespace

void check_writable(const std::string& path) {
  const auto [tmp, fd] = unique_temporary(path);
  close(fd);
  std::remove(tmp.c_str());
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const auto [tmp, fd] = unique_temporary(path);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = close(fd) == 0 && done == text.size();
  if (!ok) {
    std::remove(tmp.c_str());
    throw UsageError("cannot write '" + model::echo(path) + "' (disk full?)");
  }
  // mkstemp made it private (0600); give it the mode a new file would get.
  const mode_t mask = umask(0);
  umask(mask);
  chmod(tmp.c_str(), 0666 & ~mask);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw UsageError("cannot write '" + model::echo(path) + "'");
  }
}

}  // namespace dirtyrace::traces
