#pragma once
// The trace file format (README, "Trace format"): one JSON object with a format name and a
// version, the scenario, the violated property, the initial state, the steps with their
// changes, and the final state.

#include <string>

#include <nlohmann/json.hpp>

#include "model/scenario.hpp"
#include "traces/trace.hpp"

namespace dirtyrace::traces {

inline constexpr std::string_view kTraceFormat = "dirtyrace-trace";
inline constexpr int kTraceVersion = 1;

nlohmann::ordered_json scenario_to_json(const model::Scenario& s);
nlohmann::ordered_json trace_to_json(const Trace& t);
/// Parses JSON text with arrays and objects nested at most kMaxTraceDepth levels; throws
/// model::UsageError with a message that follows the name of what was read ("is not valid JSON").
nlohmann::json parse_trace_json(std::string_view text);
inline constexpr int kMaxTraceDepth = 64;
/// Reads a trace; throws model::UsageError naming the first thing that is wrong.
Trace trace_from_json(const nlohmann::json& j);
/// Reads and parses a trace file; throws model::UsageError.
Trace read_trace_file(const std::string& path);
/// Writes `text` to `path` through a temporary file of a unique name in the same directory and a
/// rename, so that `path` is never left half-written and no other file is touched. Throws
/// model::UsageError when it cannot.
void write_file_atomically(const std::string& path, const std::string& text);
/// Throws model::UsageError if write_file_atomically could not write `path` (a directory, or a
/// directory that is missing or not writable): called before a long search, so that what the
/// search finds is not lost.
void check_writable(const std::string& path);

}  // namespace dirtyrace::traces
