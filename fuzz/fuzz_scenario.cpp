// Fuzz target: a scenario file (TOML), read and checked as `dirtyrace check --scenario` does,
// then the model built from it and a search of a few hundred states. A scenario with symbolic
// ranges has its constraints parsed (fuzz_constraint covers Z3).

#include "checker/search.hpp"
#include "fuzz/fuzz_support.hpp"
#include "model/footprints.hpp"
#include "model/model.hpp"
#include "model/scenario.hpp"
#include "properties/checked_model.hpp"

using namespace dirtyrace;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run(data, size, [](std::string_view text) {
    model::Scenario s = model::parse_scenario_toml(text, "fuzz.toml");
    // to_toml must write what the reader reads back.
    const model::Scenario again = model::parse_scenario_toml(model::to_toml(s), "again.toml");
    if (model::to_toml(again) != model::to_toml(s)) {
      throw std::logic_error("to_toml does not read back to the same scenario");
    }
    if (s.needs_classes()) {
      (void)model::parse_constraints(s);
      return;
    }
    const model::Model m(s);
    const properties::CheckedModel system(
        m, properties::select_properties(m, m.scenario().properties));
    checker::SearchOptions options;
    options.limits.max_states = 300;
    (void)checker::search(system, options);
  });
}
