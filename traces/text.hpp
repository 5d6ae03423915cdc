#pragma once
// Traces and states as text for a person: one line per step, only what changed.

#include <string>
#include <vector>

#include "model/model.hpp"
#include "traces/trace.hpp"

namespace dirtyrace::traces {

/// "1 page x 2 blocks, 2 mappings; writer0 (mapping 0, 2 stores), flusher0, ..."
std::string describe_scenario(const model::Scenario& s);
/// A listing of variables, one line per object: "p0: cached=1 PG_locked=- ...".
std::string render_state(const std::vector<model::Variable>& vars, const std::string& indent);
/// The changes of one step grouped by object: "p0: PG_dirty 1→0, tag.DIRTY 1→0; nr_dirty 1→0".
std::string render_changes(const std::vector<Change>& changes);
/// The whole counterexample: steps, the property in words, the final state. The scenario is
/// the caller's to print (describe_scenario).
std::string render_trace(const Trace& trace);
/// For a can_finish trace, where the run gets stuck and where it loops, in one or two
/// sentences ("After step 2 no run lets every actor finish. Steps 3-5 repeat forever: ...");
/// empty for other traces.
std::string describe_progress(const Trace& trace);

}  // namespace dirtyrace::traces
