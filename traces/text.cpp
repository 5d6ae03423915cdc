#include "traces/text.hpp"

#include <algorithm>
#include <sstream>

#include "traces/columns.hpp"

namespace dirtyrace::traces {

namespace {

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string render_changes(const std::vector<Change>& changes) {
  std::string out;
  const std::string* object = nullptr;
  for (const Change& c : changes) {
    const bool same_object = object && *object == c.object;
    out += same_object ? ", " : out.empty() ? "" : "; ";
    if (!same_object && c.object != c.attribute) out += c.object + ": ";
    object = &c.object;
    out += c.attribute + " " + (c.before.empty() ? "" : c.before + "→") +
           (c.after.empty() ? "(gone)" : c.after);
  }
  return out;
}

std::string describe_scenario(const model::Scenario& s) {
  std::ostringstream out;
  out << plural(s.pages, "page") << " x " << plural(s.blocks_per_page, "block") << ", "
      << plural(s.mappings, "mapping") << (s.stable_writes ? ", stable writes" : "")
      << (s.fs != model::Filesystem::generic ? ", " + std::string(model::filesystem_name(s.fs))
                                             : "");
  if (!s.holes.empty()) {
    out << ", holes";
    for (int g : s.holes) {
      out << " b" << g / s.blocks_per_page << "." << g % s.blocks_per_page;
    }
  }
  if (s.has_byte_ranges() && s.page_size && s.block_size) {
    out << ", pages of " << s.page_size << " bytes, blocks of " << s.block_size << " bytes"
        << (s.beyond_file ? ", ranges may pass the end of the file" : "");
  }
  out << "; ";
  for (std::size_t i = 0; i < s.actors.size(); ++i) {
    const model::ActorSpec& a = s.actors[i];
    out << (i ? ", " : "") << s.actor_name(i);
    std::vector<std::string> notes;
    if (model::actor_kind_info(a.kind).uses_mapping)
      notes.push_back("mapping " + std::to_string(a.mapping));
    if (a.range) notes.push_back("off " + a.range->off.text() + " len " + a.range->len.text());
    if (a.range) {
      // The range says what it touches; a resolved scenario also says when that is nothing.
      if (a.outcome == model::RangeOutcome::einval) notes.push_back("-EINVAL");
      if (a.outcome == model::RangeOutcome::nothing) notes.push_back("nothing to do");
    } else if (a.kind == model::ActorKind::writer) {
      std::string targets;
      for (int b : s.writer_targets(a)) targets += (targets.empty() ? "" : ",") + std::to_string(b);
      notes.push_back(plural(s.writer_stores(a), "store") + " to block " + targets);
    } else if (a.kind != model::ActorKind::flusher && a.kind != model::ActorKind::fsync &&
               (a.first_page != 0 || a.last_page != s.pages - 1)) {
      notes.push_back("pages " + std::to_string(a.first_page) + "-" + std::to_string(a.last_page));
    }
    if (!notes.empty()) {
      out << " (";
      for (std::size_t k = 0; k < notes.size(); ++k) out << (k ? ", " : "") << notes[k];
      out << ")";
    }
  }
  return out.str();
}

std::string render_state(const std::vector<model::Variable>& vars, const std::string& indent) {
  std::ostringstream out;
  std::string object;
  for (const model::Variable& v : vars) {
    if (v.object != object) {
      if (!object.empty()) out << "\n";
      object = v.object;
      out << indent << pad(v.object + ":", 12);
    } else {
      out << "  ";
    }
    out << (v.attribute == v.object || v.attribute == "at" ? "" : v.attribute + "=") << v.value;
  }
  if (!object.empty()) out << "\n";
  return out.str();
}

std::string describe_progress(const Trace& trace) {
  std::string out;
  const auto after = [](std::size_t k) {
    return k == 0 ? std::string("the initial state") : "the state after step " + std::to_string(k);
  };
  if (trace.stuck_at) {
    out += "From " + after(*trace.stuck_at) + " on, no run lets every actor finish.";
  }
  const std::size_t n = trace.steps.size();
  if (trace.loop_start) {
    const std::size_t k = *trace.loop_start;
    out += std::string(out.empty() ? "" : " ") +
           (k + 1 == n ? "Step " + std::to_string(n) + " repeats"
                       : "Steps " + std::to_string(k + 1) + "-" + std::to_string(n) + " repeat") +
           " forever: after step " + std::to_string(n) + " the state is again " + after(k) + ".";
  } else if (trace.stuck_at) {
    out += " After step " + std::to_string(n) + " no actor can move.";
  }
  return out;
}

std::string render_trace(const Trace& trace) {
  std::ostringstream out;
  std::size_t actor_width = 5, step_width = 4;
  for (const TraceStep& s : trace.steps) {
    actor_width = std::max(actor_width, s.actor.size());
    std::string name = s.function + ": " + s.step;
    if (s.block >= 0) name += " (block " + std::to_string(s.block) + ")";
    step_width = std::max(step_width, name.size());
  }
  const std::size_t index_width = std::to_string(trace.steps.size()).size();
  out << "Counterexample, " << plural(static_cast<int>(trace.steps.size()), "step") << ":\n";
  out << "  " << std::string(index_width - 1, ' ') << "#  " << pad("actor", actor_width) << "  "
      << pad("kernel function: step", step_width) << "  changes\n";
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    const TraceStep& s = trace.steps[i];
    std::string name = s.function + ": " + s.step;
    if (s.block >= 0) name += " (block " + std::to_string(s.block) + ")";
    std::string index = std::to_string(i + 1);
    out << "  " << std::string(index_width - index.size(), ' ') << index << "  "
        << pad(s.actor, actor_width) << "  " << pad(name, step_width) << "  "
        << (s.changes.empty() ? "(" + s.actor + " goes on to " + s.next + ")"
                              : render_changes(s.changes))
        << "\n";
  }
  if (const std::string progress = describe_progress(trace); !progress.empty()) {
    out << "\n" << progress << "\n";
  }
  if (trace.property.empty()) {
    out << "\nNo property violated: " << trace.detail << "\n";  // a run kept by simulate
  } else {
    out << "\nViolated: " << trace.property << "\n  " << trace.description << "\n  " << trace.detail
        << "\n";
  }
  out << "\nFinal state:\n" << render_state(trace.final_state, "  ");
  return out.str();
}

}  // namespace dirtyrace::traces
