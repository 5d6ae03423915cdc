#include "traces/simulate.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <istream>
#include <ostream>

#include "model/error.hpp"
#include "properties/property.hpp"
#include "traces/columns.hpp"
#include "traces/json.hpp"
#include "traces/text.hpp"

namespace dirtyrace::traces {

Simulation::Simulation(const properties::CheckedModel& system)
    : system_(system), states_{system.model().initial()} {}

std::vector<Simulation::Choice> Simulation::choices() const {
  std::vector<Choice> out;
  const model::Model& m = system_.model();
  m.for_each_transition(state(), [&](model::Transition t, const model::State& next) {
    out.push_back({t, next, describe_step(m, t, state(), next)});
  });
  return out;
}

void Simulation::take(const Choice& c) {
  states_.push_back(c.next);
  steps_.push_back(c.step);
}

bool Simulation::undo() {
  if (steps_.empty()) return false;
  states_.pop_back();
  steps_.pop_back();
  return true;
}

bool Simulation::finished() const {
  return system_.model().finished(state());
}

const properties::Property* Simulation::violated() const {
  for (const properties::Property* p : system_.properties()) {
    if (p->name == properties::kNoDeadlock) continue;
    if (!p->holds(system_.model(), state())) return p;
  }
  if (system_.reports_deadlocks() && !finished() && choices().empty()) {
    return &properties::property_named(properties::kNoDeadlock);
  }
  return nullptr;
}

Trace Simulation::trace() const {
  const model::Model& m = system_.model();
  Trace t;
  t.scenario = m.scenario();
  if (const properties::Property* p = violated()) {
    t.property = std::string(p->name);
    t.description = std::string(p->description);
    t.detail = p->explain(m, state());
  } else {
    t.detail = "a run recorded by dirtyrace simulate; its last state violates no checked property.";
  }
  t.initial = m.variables(states_.front());
  t.steps = steps_;
  t.final_state = m.variables(state());
  return t;
}

namespace {

std::string step_name(const TraceStep& s) {
  std::string name = s.function + ": " + s.step;
  if (s.block >= 0) name += " (block " + std::to_string(s.block) + ")";
  return name;
}

/// "1 step", "3 steps".
std::string steps_text(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " step" : " steps");
}

/// "  3  writer0   do_no_page: set_pte_at   pte: m0.p0 none→rw,dirty"
void print_step(std::ostream& out, std::size_t index, const TraceStep& s) {
  out << "  " << pad(std::to_string(index), 4) << pad(s.actor, 10) << pad(step_name(s), 44) << " "
      << (s.changes.empty() ? "(" + s.actor + " goes on to " + s.next + ")"
                            : render_changes(s.changes))
      << "\n";
}

void print_header(std::ostream& out, const model::Model& m, const std::string& extra) {
  out << "dirtyrace simulate: " << m.scenario().variant->name << "; "
      << describe_scenario(m.scenario()) << extra << "\n";
}

/// Why the run cannot go on, or empty when it can.
std::string ending(const Simulation& sim, const std::vector<Simulation::Choice>& choices) {
  if (!choices.empty()) return "";
  const std::string after = " after " + steps_text(sim.steps().size());
  if (sim.finished()) return "every actor has finished" + after + ": nothing more can happen.";
  return "deadlock" + after + ": no actor can move, yet not every actor has finished.";
}

void print_violation(std::ostream& out, const properties::Property& p, const Trace& t) {
  out << "VIOLATION of " << p.name << ": " << t.detail << "\n";
}

}  // namespace

RandomRun random_run(const properties::CheckedModel& system, std::uint64_t seed,
                     std::size_t max_steps, std::ostream& out) {
  const model::Model& m = system.model();
  print_header(out, m, "; seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);  // fully specified by the standard: the same run everywhere
  Simulation sim(system);
  RandomRun run;
  while (true) {
    if (const properties::Property* p = sim.violated()) {
      run.trace = sim.trace();
      run.end = RunEnd::violation;
      out << "after " << steps_text(sim.steps().size()) << ": ";
      print_violation(out, *p, run.trace);
      return run;
    }
    const std::vector<Simulation::Choice> choices = sim.choices();
    if (choices.empty()) {
      run.trace = sim.trace();
      run.end = sim.finished() ? RunEnd::finished : RunEnd::deadlock;
      out << ending(sim, choices) << " No checked property is violated.\n";
      return run;
    }
    if (sim.steps().size() >= max_steps) {
      run.trace = sim.trace();
      run.end = RunEnd::step_limit;
      out << "stopped after " << max_steps
          << " steps (--steps); no checked property is violated.\n";
      return run;
    }
    sim.take(choices[rng() % choices.size()]);
    print_step(out, sim.steps().size(), sim.steps().back());
  }
}

namespace {

const char* const kHelp =
    "commands:\n"
    "  NUMBER   take that step (only the steps listed can happen now)\n"
    "  r        take a random one of them\n"
    "  u        undo the last step\n"
    "  p        print the whole state\n"
    "  s FILE   save the run so far as a trace file (for replay and show)\n"
    "  h        this help\n"
    "  q        quit (so does the end of input, Ctrl-D)\n";

/// At most 20 printable characters of what the user typed, for messages.
std::string echo(const std::string& text) {
  std::string out;
  for (const char c : text.substr(0, 20)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  return text.size() > 20 ? out + "..." : out;
}

std::string trim(const std::string& s) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  const auto b = std::find_if_not(s.begin(), s.end(), is_space);
  const auto e = std::find_if_not(s.rbegin(), s.rend(), is_space).base();
  return b < e ? std::string(b, e) : "";
}

void print_menu(std::ostream& out, const Simulation& sim,
                const std::vector<Simulation::Choice>& choices) {
  if (choices.empty()) {
    out << "\n" << ending(sim, choices) << "\n(u undo, p state, s FILE save, q quit)\n";
    return;
  }
  const std::size_t n = sim.steps().size();
  out << "\n"
      << (n == 0 ? std::string("at the start") : "after " + steps_text(n))
      << ", these can happen next:\n";
  for (std::size_t i = 0; i < choices.size(); ++i) {
    out << "  " << pad(std::to_string(i + 1), 4) << pad(choices[i].step.actor, 10)
        << step_name(choices[i].step) << "\n";
  }
  out << "(" << (choices.size() == 1 ? "1" : "1-" + std::to_string(choices.size()))
      << ", r random, u undo, p state, s FILE save, h help, q quit)\n";
}

}  // namespace

void interactive_session(const properties::CheckedModel& system, std::uint64_t seed,
                         std::istream& in, std::ostream& out) {
  const model::Model& m = system.model();
  print_header(out, m, "");
  Simulation sim(system);
  std::mt19937_64 rng(seed);
  out << "initial state:\n" << render_state(m.variables(sim.state()), "  ");
  out << "you choose which actor moves next; h for help.\n";
  std::vector<Simulation::Choice> choices = sim.choices();
  print_menu(out, sim, choices);
  const auto after_move = [&] {
    if (const properties::Property* p = sim.violated()) print_violation(out, *p, sim.trace());
    choices = sim.choices();
    print_menu(out, sim, choices);
  };
  std::string line;
  while (true) {
    out << "> " << std::flush;
    if (!std::getline(in, line)) {
      out << "\n(end of input)\n";
      return;
    }
    const std::string cmd = trim(line);
    if (cmd.empty()) {
      out << "type a step's number, or h for help\n";
    } else if (std::all_of(cmd.begin(), cmd.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      unsigned long long n = 0;
      const auto [end, err] = std::from_chars(cmd.data(), cmd.data() + cmd.size(), n);
      if (choices.empty()) {
        out << "nothing can happen now; u to undo, q to quit\n";
      } else if (err != std::errc() || end != cmd.data() + cmd.size() || n < 1 ||
                 n > choices.size()) {
        out << "there is no step " << echo(cmd) << "; type a number from 1 to " << choices.size()
            << "\n";
      } else {
        sim.take(choices[n - 1]);
        print_step(out, sim.steps().size(), sim.steps().back());
        after_move();
      }
    } else if (cmd == "r") {
      if (choices.empty()) {
        out << "nothing can happen now; u to undo, q to quit\n";
      } else {
        sim.take(choices[rng() % choices.size()]);
        print_step(out, sim.steps().size(), sim.steps().back());
        after_move();
      }
    } else if (cmd == "u") {
      if (sim.undo()) {
        out << "undone; back to the state after " << steps_text(sim.steps().size()) << "\n";
        choices = sim.choices();
        print_menu(out, sim, choices);
      } else {
        out << "nothing to undo: this is the initial state\n";
      }
    } else if (cmd == "p") {
      out << render_state(m.variables(sim.state()), "  ");
    } else if (cmd == "h" || cmd == "?") {
      out << kHelp;
    } else if (cmd == "q") {
      return;
    } else if (cmd == "s" || cmd.starts_with("s ")) {
      const std::string path = trim(cmd.substr(1));
      if (path.empty()) {
        out << "save where? type s and a file name, e.g. s run.json\n";
        continue;
      }
      try {
        const Trace t = sim.trace();
        write_file_atomically(path, trace_to_json(t).dump(2) + "\n");
        out << "saved " << steps_text(t.steps.size()) << " to " << path
            << (t.property.empty() ? "" : " (a violation of " + t.property + ")") << "\n";
      } catch (const model::UsageError& e) {
        out << e.what() << "\n";
      }
    } else {
      out << "unknown command '" << echo(cmd) << "'; type h for help\n";
    }
  }
}

}  // namespace dirtyrace::traces
