#pragma once
#include "cli/commands.hpp"
#include "model/scenario.hpp"

namespace dirtyrace::cli {

/// The scenario the options describe: the file (or the default scenario), then each option
/// given on the command line. Throws model::UsageError.
model::Scenario build_scenario(const ScenarioOptions& o,
                               model::Scenario base = model::default_scenario());
/// Splits "a,b,c"; empty text gives no items.
std::vector<std::string> split_list(const std::string& text);

}  // namespace dirtyrace::cli
