#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "cli/commands.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"

namespace dirtyrace::cli {

/// "512M", "2G", "1.5G", "1000000": bytes.
std::uint64_t parse_size(const std::string& text, const char* option) {
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  double unit = 1;
  const std::string suffix = used < text.size() ? text.substr(used) : "";
  if (suffix == "K" || suffix == "k")
    unit = 1024.0;
  else if (suffix == "M" || suffix == "m")
    unit = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "g")
    unit = 1024.0 * 1024 * 1024;
  else if (!suffix.empty())
    value = -1;
  // At least 1 and a whole number ("0.3" would round to 0, which means no limit); no more than
  // 2^60, which also refuses "inf" and "nan".
  const double amount = std::floor(value * unit);
  if (!(amount >= 1 && amount <= 0x1p60) || (unit == 1 && amount != value)) {
    throw model::UsageError(std::string(option) + " '" + model::echo(text) +
                            "' is not a positive whole size; write e.g. 500000, 512M or 2G");
  }
  return static_cast<std::uint64_t>(amount);
}

/// "4": a thread count from 1 to 1024.
unsigned parse_threads(const std::string& text) {
  unsigned long value = 0;
  std::size_t used = 0;
  try {
    if (!text.empty() && text[0] >= '0' && text[0] <= '9') value = std::stoul(text, &used);
  } catch (const std::exception&) {
  }
  if (used != text.size() || value < 1 || value > 1024) {
    throw model::UsageError("--threads '" + model::echo(text) +
                            "' is not a whole number of threads from 1 to 1024");
  }
  return static_cast<unsigned>(value);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

model::Scenario build_scenario(const ScenarioOptions& o, model::Scenario base) {
  model::Scenario s =
      o.scenario_file.empty() ? std::move(base) : model::read_scenario_file(o.scenario_file);
  if (!o.variant.empty()) s.variant = &model::variant_named(o.variant);
  if (o.pages) s.pages = *o.pages;
  if (o.blocks) {
    s.blocks_per_page = *o.blocks;
    s.block_size = 0;  // --blocks sets the block size of a file with byte ranges
  }
  if (o.mappings) s.mappings = *o.mappings;
  if (o.stores) s.stores = *o.stores;
  if (!o.actors.empty()) s.actors = model::parse_actor_list(o.actors);
  if (!o.properties.empty()) s.properties = split_list(o.properties);
  if (o.stable_writes) s.stable_writes = *o.stable_writes;
  if (o.io_errors) s.io_errors = *o.io_errors;
  if (!o.fs.empty()) s.fs = model::filesystem_named(o.fs);
  if (o.holes) {
    s.holes.clear();
    for (const std::string& item : split_list(*o.holes)) {
      int b = 0;
      const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), b);
      if (ec != std::errc{} || end != item.data() + item.size()) {
        throw model::UsageError("--holes: '" + item +
                                "' is not a block number; give e.g. --holes 1,3");
      }
      s.holes.push_back(b);
    }
  }
  return s;
}

}  // namespace dirtyrace::cli
