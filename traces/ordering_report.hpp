#pragma once
// The ordering explorer's report for people (a text table, a Markdown table for a patch review)
// and for programs (JSON).

#include <string>

#include <nlohmann/json.hpp>

#include "analyses/orderings.hpp"
#include "model/scenario.hpp"

namespace dirtyrace::traces {

/// "page_mkclean → set_page_dirty → TestClearPageDirty"
std::string order_text(const std::vector<std::string>& order);

std::string orderings_text(const model::Scenario& scenario, const analyses::OrderingReport& report);
std::string orderings_markdown(const model::Scenario& scenario,
                               const analyses::OrderingReport& report);
/// `trace_files[i]` names the counterexample file of row i, or is empty.
nlohmann::ordered_json orderings_json(const model::Scenario& scenario,
                                      const analyses::OrderingReport& report,
                                      const std::vector<std::string>& trace_files);

}  // namespace dirtyrace::traces
