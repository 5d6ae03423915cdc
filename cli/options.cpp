#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "cli/commands.hpp"
#include "cli/scenario_options.hpp"
#include "model/error.hpp"

namespace dirtyrace::cli {

const CLI::Validator& non_empty() {
  static const CLI::Validator v(
      [](std::string& value) {
        return value.empty() ? std::string("the value is empty; leave the option out instead")
                             : std::string();
      },
      "TEXT", "non_empty");
  return v;
}

const CLI::Validator& seconds() {
  static const CLI::Validator v(
      [](std::string& value) {
        std::size_t used = 0;
        double d = -1;
        try {
          d = std::stod(value, &used);
        } catch (const std::exception&) {
        }
        if (used != value.size() || !std::isfinite(d) || d < 0) {
          return "'" + model::echo(value) +
                 "' is not a number of seconds (e.g. 60 or 0.5; 0: none)";
        }
        return std::string();
      },
      "SECONDS", "seconds");
  return v;
}

const CLI::Validator& whole_number() {
  static const CLI::Validator v(
      [](std::string& value) {
        std::uint64_t n = 0;
        const char* end = value.data() + value.size();
        const auto [ptr, ec] = std::from_chars(value.data(), end, n);
        if (value.empty() || ec != std::errc() || ptr != end) {
          return "'" + model::echo(value) + "' is not a whole number from 0 to " +
                 std::to_string(UINT64_MAX);
        }
        return std::string();
      },
      "UINT", "whole_number");
  return v;
}

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

void add_scenario_options(CLI::App& app, ScenarioOptions& o) {
  app.add_option("--scenario", o.scenario_file,
                 "Scenario file (TOML); the options below override what it says")
      ->check(non_empty());
  app.add_option("--variant", o.variant,
                 "Kernel variant (see 'dirtyrace list'); default linux-6.12")
      ->check(non_empty());
  app.add_option("--pages", o.pages, "Pages in the file, 1 to 4 (default 1)");
  app.add_option("--blocks", o.blocks, "Blocks (buffers) per page, 1 to 4 (default 1)");
  app.add_option("--mappings", o.mappings,
                 "Processes mapping the file MAP_SHARED, 1 to 3 (default 1)");
  app.add_option("--stores", o.stores, "Stores per writer, 0 to 8 (default 2)");
  app.add_option("--actors", o.actors,
                 "Comma list of actors: KIND[@MAPPING][*COUNT], e.g. writer*2,flusher,msync@1 "
                 "(fsync@M: on the file mapping M's process mmapped; fsync alone: its own file) "
                 "(default: writer,flusher,msync,fsync,munmap,reclaim,journal)")
      ->check(non_empty());
  app.add_option("--property", o.properties,
                 "Comma list of properties to check (default: every one that applies)")
      ->check(non_empty());
  app.add_flag("--stable-writes,!--no-stable-writes", o.stable_writes,
               "The device requires stable pages during writeback (linux-3.14 and later)");
  app.add_option("--io-errors", o.io_errors,
                 "Block writes the device may fail, 0 to 3 (default 0): each write of page "
                 "writeback may then succeed or fail");
  app.add_option("--fs", o.fs,
                 "Filesystem: generic (default), ext3 (linux-2.6.32: no ->page_mkwrite; "
                 "linux-3.14: filemap_page_mkwrite), blockdev (no journal) or ext4 (delayed "
                 "allocation, jbd2; linux-3.14 and later)")
      ->check(non_empty());
  app.add_option("--holes", o.holes,
                 "Blocks that are holes in the file at the start, as block numbers p*B+b, e.g. "
                 "1,3 (--fs ext4: delayed allocation reserves them at the write fault)");
  app.add_option("--z3-rlimit", o.z3_rlimit,
                 "Z3's resource limit per query on symbolic byte ranges (about 3 s per 10000000); "
                 "reaching it makes the result inconclusive; 0: none (default 10000000)");
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
