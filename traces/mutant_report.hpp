#pragma once
// The mutation analysis for people (a text table per routine, a Markdown table for a patch
// review) and for programs (JSON).

#include <string>

#include <nlohmann/json.hpp>

#include "analyses/mutants.hpp"

namespace dirtyrace::traces {

std::string mutants_text(const analyses::MutantReport& report);
std::string mutants_markdown(const analyses::MutantReport& report);
nlohmann::ordered_json mutants_json(const analyses::MutantReport& report);

}  // namespace dirtyrace::traces
