#pragma once
// A counterexample told as a short story in plain English, from the trace alone (so it works on
// any trace file): one sentence per step that matters to the loss, then why the data is lost.
//
// Which steps matter: the property's detail names the block (or page) that is wrong; a step
// matters if it changes that block's data versions (mem, io, disk) or BH_dirty, the page's
// PG_dirty, PG_writeback, tags or presence in the cache, or a PTE of that page, or if it is a
// step of the actor the detail names (the msync or fsync whose return is judged). Locks and
// counters only are left out and counted: "(2 steps omitted)". When the detail names no block
// or page, every step that changes something matters.

#include <string>

#include "traces/trace.hpp"

namespace dirtyrace::traces {

/// The story of `trace`, several lines, ending with a paragraph on why the data is lost.
std::string explain(const Trace& trace);

}  // namespace dirtyrace::traces
