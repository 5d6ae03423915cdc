#pragma once
// The catalogue of real kernel bugs the model reproduces, as data: where each one is, which
// property it breaks, and which variant must not have it.

#include <span>
#include <string>
#include <string_view>

#include "checker/search.hpp"
#include "model/scenario.hpp"

namespace dirtyrace::analyses {

struct ZooEntry {
  std::string_view commit;
  std::string_view date;
  std::string_view author;
  std::string_view summary;  // one line: what went wrong
  std::string_view variant;  // a variant with the bug
  int pages, blocks, mappings;
  std::string_view actors;
  std::string_view property;       // the property the bug violates
  std::string_view fixed_variant;  // must verify the same scenario; empty for a what-if
  std::string_view fs;             // --fs of both checks; empty: generic
  int io_errors = 0;               // --io-errors: block writes the device may fail
  std::string_view holes;          // --holes: comma list of block numbers; empty: none
};

std::span<const ZooEntry> zoo();
/// The entry's scenario under `variant`, checking only the entry's property.
model::Scenario zoo_scenario(const ZooEntry& e, std::string_view variant);

struct ZooResult {
  bool found = false;                                   // the bug variant violates the property
  std::size_t length = 0;                               // steps of the shortest counterexample
  double seconds = 0;                                   // both checks together
  checker::Verdict fixed = checker::Verdict::verified;  // the fixed variant's verdict
  bool ok() const { return found && fixed == checker::Verdict::verified; }
};

ZooResult run_zoo_entry(const ZooEntry& e);

}  // namespace dirtyrace::analyses
