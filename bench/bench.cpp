// Speed and memory of exhaustive checks on a fixed set of scenarios, from small to over ten
// million states. Prints one row per scenario; compare rows across commits, on one machine.
//
//   dirtyrace_bench            every scenario
//   dirtyrace_bench --quick    the scenarios under a million states
//   dirtyrace_bench --threads  the threads table alone
//   dirtyrace_bench --scale    the scale issue's target scenarios alone
//   dirtyrace_bench --distributed   the distributed table alone (a build with Open MPI)
//   dirtyrace_bench --independence  the partial-order reduction bound alone
//   --repeat N                 each row of the threads and scale tables N times: the median run
//
// Then the breadth-first search on one thread and on two, side by side on the same scenarios:
// states/s, bytes/state and the speed-up (the counts must agree; the row says if they do not).
//
// Then the scale targets: two pages of 2.6.32 with every actor of its era, and two pages, two
// blocks and two processes with the default actors on every variant with a TLB, on one thread
// and on two, each to its verdict or a 120 s limit, with the verdict and its depth.
//
// Then symmetry reduction: symmetric scenarios searched without it and with it, side by side.
//
// Then, in a build with Open MPI, the distributed search (`check --distributed` under mpirun) of
// one mid-size scenario on 1, 2 and 3 ranks: states/s and bytes/state in all and per rank.
//
// Then how much partial-order reduction could prune with the steps' declared footprints, by kind
// and optimistically by object (bench/independence.hpp): upper bounds, which is why the checker
// has none (README, Checker).
//
// Then symbolic byte ranges: exploring every concrete (off, len) against one witness per Z3
// footprint class, on a small file where brute force over bytes is feasible and on 4096-byte
// pages where it is not (there the concrete ranges are only counted).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#ifdef DIRTYRACE_MPIEXEC
#include <nlohmann/json.hpp>
#endif

#include "bench/independence.hpp"
#include "checker/search.hpp"
#include "model/footprints.hpp"
#include "model/model.hpp"
#include "properties/checked_model.hpp"

using namespace dirtyrace;

namespace {

struct Case {
  const char* name;
  const char* variant;
  int pages, blocks, mappings;
  const char* actors;
  bool large;
  int io_errors = 0;  // --io-errors
  bool ext4 = false;  // --fs ext4, block 1 of each page a hole (--holes)
};

constexpr Case kCases[] = {
    {"2.6.20 msync", "linux-2.6.20", 1, 1, 1, "writer,flusher,msync", false},
    {"6.12 small", "linux-6.12", 1, 1, 1, "writer,flusher,msync", false},
    {"6.12 2 pages", "linux-6.12", 2, 1, 1, "writer,flusher,msync,journal", false},
    {"4.19 2x2x2", "linux-4.19", 2, 2, 2, "writer,flusher,msync@1,journal", false},
    // Two writer threads of one process, each on its own CPU with its own TLB, and a munmap
    // whose zap flushes them: 4.19 loses a store through a stale entry (5df397dec7c4), 6.12
    // does not.
    {"4.19 2 threads", "linux-4.19", 1, 1, 1, "writer,writer,munmap,flusher,msync", false},
    {"6.12 2 writers", "linux-6.12", 2, 1, 2, "writer,writer,flusher,msync@1", true},
    {"6.12 2 threads", "linux-6.12", 1, 1, 1, "writer,writer,munmap,flusher,msync", true},
    // Every actor but reclaim, whose batched TLB flush loses a store on 6.12 (a violation ends
    // the search early; this row measures a full one).
    {"6.12 no reclaim", "linux-6.12", 1, 1, 1, "writer,flusher,msync,fsync,munmap,journal", true},
    // One write may fail: two open files, each told of the error through errseq_t (4.19), and
    // a whole-file run where the error reaches msync and fsync.
    {"4.19 io-errors", "linux-4.19", 1, 1, 1, "writer,flusher,fsync,fsync", false, 1},
    {"6.12 io-errors", "linux-6.12", 2, 1, 1, "writer,flusher,msync,fsync", true, 1},
    // ext4 with delayed allocation: the second block of each page is a hole, reserved at the
    // fault and allocated by ext4_writepages; jbd2's commit writes through ext4's writepage.
    {"4.19 ext4", "linux-4.19", 1, 2, 1, "writer,flusher,journal,fsync", false, 0, true},
    {"6.12 ext4 2 threads", "linux-6.12", 1, 2, 1, "writer*2,flusher,journal,fsync", true, 0, true},
};

model::Scenario scenario_of(const Case& c) {
  model::Scenario s;
  s.variant = &model::variant_named(c.variant);
  s.pages = c.pages;
  s.blocks_per_page = c.blocks;
  s.mappings = c.mappings;
  s.actors = model::parse_actor_list(c.actors);
  s.io_errors = c.io_errors;
  if (c.ext4) {
    s.fs = model::Filesystem::ext4;
    for (int p = 0; p < c.pages; ++p) s.holes.push_back(p * c.blocks + 1);
  }
  return s;
}

/// What a table's header says of --repeat: nothing for one run.
std::string median_note(unsigned repeat) {
  return repeat > 1 ? "  (median of " + std::to_string(repeat) + ")" : "";
}

/// The run of `repeat` whose search went at the median rate (states per second to its verdict):
/// one run's figures, all from the same run, so that a row's columns agree.
checker::SearchResult median_run(const checker::TransitionSystem& system,
                                 const checker::SearchOptions& options, unsigned repeat) {
  std::vector<checker::SearchResult> runs;
  for (unsigned k = 0; k < repeat; ++k) runs.push_back(checker::search(system, options));
  const auto rate = [](const checker::SearchResult& r) {
    return double(r.stats.states) / r.stats.seconds;
  };
  std::sort(runs.begin(), runs.end(),
            [&](const auto& a, const auto& b) { return rate(a) < rate(b); });
  return std::move(runs[runs.size() / 2]);
}

checker::SearchResult check(const model::Scenario& s) {
  const model::Model m(s);
  const properties::CheckedModel system(m, properties::select_properties(m, s.properties));
  return checker::search(system, {});
}

/// writer0 (w, n) with 1 <= n <= max_len overlapping msync@1 of page 0, and a flusher.
model::Scenario memcpy_msync(std::int64_t page_size, std::int64_t block_size, int max_len) {
  model::Scenario s;
  s.variant = &model::variant_named("linux-6.12");
  s.pages = 2;
  s.mappings = 2;
  s.page_size = page_size;
  s.block_size = block_size;
  s.actors = model::parse_actor_list("writer@0,flusher,msync@1");
  s.actors[0].range = model::ByteRange{{0, "w"}, {0, "n"}};
  s.actors[2].range = model::ByteRange{{0, {}}, {page_size, {}}};
  s.constraints = {"n >= 1 && n <= " + std::to_string(max_len), "overlaps(writer0, msync0)"};
  return s;
}

/// Two rows per scenario: one thread, then two; the second with the speed-up over the first.
void bench_threads(bool quick, unsigned repeat) {
  std::printf("\n%-16s %8s %12s %9s %12s %11s %12s %9s%s\n", "threads", "threads", "states",
              "seconds", "states/s", "bytes/state", "peak MiB", "speed-up",
              median_note(repeat).c_str());
  for (const Case& c : kCases) {
    if (quick && c.large) continue;
    if (c.pages == 1 && !c.large) continue;  // too small to share out
    const model::Model m(scenario_of(c));
    const properties::CheckedModel system(m, properties::select_properties(m, {}));
    double one = 0;
    std::uint64_t states = 0;
    for (const unsigned threads : {1u, 2u}) {
      checker::SearchOptions options;
      options.threads = threads;
      const checker::SearchResult r = median_run(system, options, repeat);
      const checker::Statistics& st = r.stats;
      if (threads == 1) {
        one = st.states_per_second();
        states = st.states;
      }
      std::printf("%-16s %8u %12llu %9.2f %12.0f %11.1f %12.1f %8.2fx%s\n", c.name, threads,
                  static_cast<unsigned long long>(st.states), st.seconds - st.progress_seconds,
                  st.states_per_second(), st.bytes_per_state(),
                  double(st.peak_rss_bytes) / (1024.0 * 1024.0), st.states_per_second() / one,
                  st.states == states ? "" : "  (state counts differ!)");
      std::fflush(stdout);
    }
  }
}

#ifdef DIRTYRACE_MPIEXEC
/// "6.12 2 pages" by `mpirun -np N dirtyrace check --distributed` for N = 1, 2, 3 (more ranks
/// than cores if need be): a row for the whole search, then one per rank with the states it
/// owns, its own states/s, bytes/state and peak memory, and what it sent to the other ranks.
void bench_distributed() {
  const Case& c = kCases[2];
  const model::Model m(scenario_of(c));
  std::string properties;  // every default one but can_finish, which --distributed refuses
  for (const properties::Property* p : properties::select_properties(m, {})) {
    if (p->name == properties::kCanFinish) continue;
    properties += (properties.empty() ? "" : ",") + std::string(p->name);
  }
  std::printf("\n%-16s %6s %6s %12s %9s %12s %11s %12s %9s\n", "distributed", "ranks", "rank",
              "states", "seconds", "states/s", "bytes/state", "peak MiB", "sent MiB");
  for (const int ranks : {1, 2, 3}) {
    const std::string command =
        "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " DIRTYRACE_MPIEXEC
        " --oversubscribe -np " +
        std::to_string(ranks) + " " DIRTYRACE_BINARY " check --distributed --json --quiet" +
        " --variant " + c.variant + " --pages " + std::to_string(c.pages) + " --blocks " +
        std::to_string(c.blocks) + " --mappings " + std::to_string(c.mappings) + " --actors " +
        c.actors + " --property " + properties + " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    std::string out;
    char buffer[4096];
    for (std::size_t n; pipe && (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
      out.append(buffer, n);
    }
    if (pipe) pclose(pipe);
    const nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_discarded() || !j.contains("ranks")) {
      std::printf("%-16s %6d  (mpirun gave no report: %s)\n", c.name, ranks, command.c_str());
      continue;
    }
    const auto mib = [](std::uint64_t bytes) { return double(bytes) / (1024.0 * 1024.0); };
    const auto states = j["states"].get<std::uint64_t>();
    const double seconds = j["seconds"].get<double>();
    std::uint64_t sent = 0;
    for (const auto& r : j["ranks"]) sent += r["sent_bytes"].get<std::uint64_t>();
    std::printf("%-16s %6d %6s %12llu %9.2f %12.0f %11.1f %12.1f %9.1f  %s\n", c.name, ranks, "all",
                static_cast<unsigned long long>(states), seconds, double(states) / seconds,
                j["bytes_per_state"].get<double>(),
                mib(j["peak_memory_bytes"].get<std::uint64_t>()), mib(sent),
                j["verdict"].get<std::string>().c_str());
    int rank = 0;
    for (const auto& r : j["ranks"]) {
      const auto owned = r["states"].get<std::uint64_t>();
      const double s = r["seconds"].get<double>();
      std::printf("%-16s %6d %6d %12llu %9.2f %12.0f %11.1f %12.1f %9.1f\n", c.name, ranks, rank++,
                  static_cast<unsigned long long>(owned), s, double(owned) / s,
                  double(r["stored_bytes"].get<std::uint64_t>()) / double(owned),
                  mib(r["peak_memory_bytes"].get<std::uint64_t>()),
                  mib(r["sent_bytes"].get<std::uint64_t>()));
    }
    std::fflush(stdout);
  }
}
#endif

/// The scenarios the scale issue sets targets for, each on one thread and on two, to a verdict
/// or kTimeLimit: under 120 s for the 2x2x2 rows, 20 s for 2.6.32 with two pages. seconds: to
/// the verdict, the can_finish check after the search included (progress s); states/s: the
/// search's own; speed-up: states per second to the verdict, over one thread's (the time ratio
/// when both finish, the states ratio when both reach the limit).
void bench_scale(unsigned repeat) {
  constexpr double kTimeLimit = 120;
  constexpr const char* kDefault = "writer,flusher,msync,fsync,munmap,reclaim,journal";
  constexpr Case kScale[] = {
      {"2.6.32 2 pages", "linux-2.6.32", 2, 1, 1, "writer,flusher,msync,munmap,reclaim,journal",
       true},
      {"3.14 2x2x2", "linux-3.14", 2, 2, 2, kDefault, true},
      {"4.9 2x2x2", "linux-4.9", 2, 2, 2, kDefault, true},
      {"4.19 2x2x2", "linux-4.19", 2, 2, 2, kDefault, true},
      {"6.1 2x2x2", "linux-6.1", 2, 2, 2, kDefault, true},
      {"6.12 2x2x2", "linux-6.12", 2, 2, 2, kDefault, true},
      // Reclaim's deferred flush ends the 6.12 search early (a violation): this row is a full
      // search of the same size.
      {"6.12 2x2x2 -rcl", "linux-6.12", 2, 2, 2, "writer,flusher,msync,fsync,munmap,journal", true},
  };
  std::printf("\n%-16s %8s %12s %9s %10s %12s %11s %12s %9s %6s%s\n", "scale", "threads", "states",
              "seconds", "progress s", "states/s", "bytes/state", "peak MiB", "speed-up", "depth",
              median_note(repeat).c_str());
  for (const Case& c : kScale) {
    const model::Model m(scenario_of(c));
    const properties::CheckedModel system(m, properties::select_properties(m, {}));
    double one = 0;
    for (const unsigned threads : {1u, 2u}) {
      checker::SearchOptions options;
      options.threads = threads;
      options.limits.time_limit_seconds = kTimeLimit;
      const checker::SearchResult r = median_run(system, options, repeat);
      const checker::Statistics& st = r.stats;
      const double rate = double(st.states) / st.seconds;
      if (threads == 1) one = rate;
      std::printf("%-16s %8u %12llu %9.2f %10.2f %12.0f %11.1f %12.1f %8.2fx %6u  %s\n", c.name,
                  threads, static_cast<unsigned long long>(st.states), st.seconds,
                  st.progress_seconds, st.states_per_second(), st.bytes_per_state(),
                  double(st.peak_rss_bytes) / (1024.0 * 1024.0), rate / one, st.depth,
                  std::string(checker::to_string(r.verdict)).c_str());
      std::fflush(stdout);
    }
  }
}

/// Scenarios whose states are 16 bytes or more, on one thread, with their states kept whole and
/// then as the numbers of their halves (StateStore): states/s, bytes/state and peak memory, the
/// distinct halves, and the ratios of the second row to the first (states/s: the search's own).
/// "2.6.32 2 pages" stops at 60 s, the states it stored by then compared.
void bench_compression(bool quick) {
  struct Row {
    Case c;
    double time_limit;  // 0: none
  };
  constexpr Row kWide[] = {
      {{"4.19 2x2x2", "linux-4.19", 2, 2, 2, "writer,flusher,msync@1,journal", false}, 0},
      {{"6.12 io-errors", "linux-6.12", 2, 1, 1, "writer,flusher,msync,fsync", true, 1}, 0},
      {{"6.12 2 writers", "linux-6.12", 2, 1, 2, "writer,writer,flusher,msync@1", true}, 0},
      {{"6.12 2x2x2 -rcl", "linux-6.12", 2, 2, 2, "writer,flusher,msync,fsync,munmap,journal",
        true},
       0},
      {{"2.6.32 2 pages", "linux-2.6.32", 2, 1, 1, "writer,flusher,msync,munmap,reclaim,journal",
        true},
       60},
  };
  std::printf("\n%-16s %11s %12s %9s %12s %11s %12s %17s %8s %8s\n", "compression", "compression",
              "states", "seconds", "states/s", "bytes/state", "peak MiB", "halves", "memory",
              "speed");
  for (const auto& [c, time_limit] : kWide) {
    if (quick && c.large) continue;
    const model::Model m(scenario_of(c));
    const properties::CheckedModel system(m, properties::select_properties(m, {}));
    checker::Statistics whole;
    for (const bool compress : {false, true}) {
      checker::SearchOptions options;
      options.compress_states = compress;
      options.limits.time_limit_seconds = time_limit;
      const checker::SearchResult r = checker::search(system, options);
      const checker::Statistics& st = r.stats;
      if (!compress) whole = st;
      const std::string halves =
          compress ? std::to_string(st.halves[0]) + " / " + std::to_string(st.halves[1]) : "-";
      std::printf("%-16s %11s %12llu %9.2f %12.0f %11.1f %12.1f %17s %7.2fx %7.2fx  %s\n", c.name,
                  compress ? "halves" : "off", static_cast<unsigned long long>(st.states),
                  st.seconds - st.progress_seconds, st.states_per_second(), st.bytes_per_state(),
                  double(st.peak_rss_bytes) / (1024.0 * 1024.0), halves.c_str(),
                  st.bytes_per_state() / whole.bytes_per_state(),
                  st.states_per_second() / whole.states_per_second(),
                  std::string(checker::to_string(r.verdict)).c_str());
      std::fflush(stdout);
    }
  }
}

/// Symmetric scenarios with and without symmetry reduction: the states stored, the time, and
/// the states the reduced search's orbits stand for (the unreduced count, when it completes).
void bench_symmetry(bool quick) {
  constexpr Case kSymmetric[] = {
      {"2.6.32 2 writers", "linux-2.6.32", 1, 1, 1, "writer*2,flusher,msync", false},
      {"4.19 2 threads", "linux-4.19", 1, 1, 1, "writer,writer,munmap,flusher,msync", false},
      // Two processes, each a writer and its munmap: mappings swap with their actors.
      {"6.12 2 processes", "linux-6.12", 2, 1, 2, "writer@0,writer@1,munmap@0,munmap@1", false},
      {"6.12 2 threads", "linux-6.12", 1, 1, 1, "writer,writer,munmap,flusher,msync", true},
      {"2.6.32 3 writers", "linux-2.6.32", 1, 1, 1, "writer*3,flusher,msync", true},
  };
  std::printf("\n%-16s %9s %12s %9s %12s %12s %9s\n", "symmetry", "symmetry", "states", "seconds",
              "represented", "peak MiB", "speed-up");
  for (const Case& c : kSymmetric) {
    if (quick && c.large) continue;
    const model::Model m(scenario_of(c));
    double off = 0;
    for (const bool symmetry : {false, true}) {
      const properties::CheckedModel system(m, properties::select_properties(m, {}), symmetry);
      checker::SearchOptions options;
      options.count_represented = true;
      const checker::SearchResult r = checker::search(system, options);
      const checker::Statistics& st = r.stats;
      if (!symmetry) off = st.seconds;
      std::printf("%-16s %9s %12llu %9.2f %12llu %12.1f %8.2fx  %s\n", c.name,
                  symmetry ? "on" : "off", static_cast<unsigned long long>(st.states), st.seconds,
                  static_cast<unsigned long long>(st.represented_states),
                  double(st.peak_rss_bytes) / (1024.0 * 1024.0), off / st.seconds,
                  std::string(checker::to_string(r.verdict)).c_str());
      std::fflush(stdout);
    }
  }
}

/// The scenarios under a million states, and 2.6.32 with every actor of its era.
void bench_independence() {
  std::vector<std::pair<const char*, model::Scenario>> cases;
  for (const Case& c : kCases) {
    if (!c.large) cases.emplace_back(c.name, scenario_of(c));
  }
  model::Scenario all_actors = model::default_scenario();
  all_actors.variant = &model::variant_named("linux-2.6.32");
  all_actors.actors = model::parse_actor_list("writer,flusher,msync,munmap,reclaim,journal");
  cases.emplace_back("2.6.32 all actors", all_actors);
  dirtyrace::bench::bench_independence(cases);
}

void offsets_row(const char* name, const char* how, std::uint64_t runs, std::uint64_t states,
                 double seconds, const char* verdict) {
  std::printf("%-16s %-22s %10llu %12llu %9.2f  %s\n", name, how,
              static_cast<unsigned long long>(runs), static_cast<unsigned long long>(states),
              seconds, verdict);
  std::fflush(stdout);
}

void bench_offsets() {
  std::printf("\n%-16s %-22s %10s %12s %9s\n", "offsets", "explored", "scenarios", "states",
              "seconds");
  struct Size {
    const char* name;
    std::int64_t page, block;
    int max_len;
    bool brute_force;
  };
  for (const Size& z :
       {Size{"page 16, len<=12", 16, 8, 12, true}, Size{"page 4096", 4096, 2048, 6000, false}}) {
    const model::Scenario s = memcpy_msync(z.page, z.block, z.max_len);
    auto start = std::chrono::steady_clock::now();
    const model::Enumeration e = model::enumerate_footprints(s);
    std::uint64_t states = 0;
    bool violation = false;
    for (const auto& c : e.classes) {
      if (c.duplicate_of) continue;
      const checker::SearchResult r = check(c.scenario);
      states += r.stats.states;
      violation = violation || r.verdict == checker::Verdict::violation;
    }
    const auto seconds = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    offsets_row(z.name, "Z3 classes", e.distinct(), states, seconds(),
                violation ? "violation" : "verified");
    if (!z.brute_force) {
      // Counted, not run: n from 1 to max_len, w + n within the file, w below the msync's end.
      std::uint64_t ranges = 0;
      for (std::int64_t w = 0; w < z.page; ++w)
        ranges += static_cast<std::uint64_t>(std::min<std::int64_t>(z.max_len, 2 * z.page - w));
      offsets_row(z.name, "every (off, len)", ranges, 0, 0, "(not run)");
      continue;
    }
    start = std::chrono::steady_clock::now();
    states = 0;
    violation = false;
    const std::uint64_t runs =
        model::for_each_assignment(s, 2 * z.page, [&](const model::Assignment& v) {
          const checker::SearchResult r = check(model::concrete_scenario(s, v));
          states += r.stats.states;
          violation = violation || r.verdict == checker::Verdict::violation;
        });
    offsets_row(z.name, "every (off, len)", runs, states, seconds(),
                violation ? "violation" : "verified");
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Speed and memory of dirtyrace's searches on fixed scenarios; with no table named, every "
      "table"};
  bool quick = false, threads = false, compression = false, scale = false, independence = false,
       distributed = false;
  unsigned repeat = 1;
  app.add_flag("--quick", quick, "Only the scenarios under a million states");
  const std::vector<CLI::Option*> tables = {
      app.add_flag("--threads", threads, "The threads table alone"),
      app.add_flag("--compression", compression, "The compression table alone"),
      app.add_flag("--scale", scale, "The scale issue's target scenarios alone"),
      app.add_flag("--independence", independence, "The partial-order reduction bound alone"),
      app.add_flag("--distributed", distributed,
                   "The distributed table alone (a build with Open MPI)")};
  for (std::size_t i = 0; i < tables.size(); ++i) {
    for (std::size_t j = i + 1; j < tables.size(); ++j) tables[i]->excludes(tables[j]);
  }
  app.add_option("--repeat", repeat,
                 "Run each row of the threads and scale tables this many times and print the "
                 "run at the median speed (1 to 99)")
      ->check(CLI::Range(1u, 99u));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "dirtyrace_bench: error: %s (see dirtyrace_bench --help)\n", e.what());
    return 2;
  }
  if (threads) {
    bench_threads(quick, repeat);
    return 0;
  }
  if (compression) {
    bench_compression(quick);
    return 0;
  }
  if (scale) {
    bench_scale(repeat);
    return 0;
  }
  if (independence) {
    bench_independence();
    return 0;
  }
  if (distributed) {
#ifdef DIRTYRACE_MPIEXEC
    bench_distributed();
    return 0;
#else
    std::fprintf(stderr, "dirtyrace_bench: --distributed needs a build with Open MPI\n");
    return 2;
#endif
  }
  std::printf("%-16s %12s %12s %9s %12s %11s %12s %10s\n", "scenario", "states", "transitions",
              "seconds", "states/s", "bytes/state", "peak MiB", "progress s");
  for (const Case& c : kCases) {
    if (quick && c.large) continue;
    const model::Model m(scenario_of(c));
    const properties::CheckedModel system(m, properties::select_properties(m, {}));
    const checker::SearchResult r = checker::search(system, {});
    const checker::Statistics& st = r.stats;
    // seconds: the search; progress s: the can_finish check after it (0: it did not run).
    std::printf("%-16s %12llu %12llu %9.2f %12.0f %11.1f %12.1f %10.2f  %s\n", c.name,
                static_cast<unsigned long long>(st.states),
                static_cast<unsigned long long>(st.transitions), st.seconds - st.progress_seconds,
                st.states_per_second(), st.bytes_per_state(),
                double(st.peak_rss_bytes) / (1024.0 * 1024.0), st.progress_seconds,
                std::string(checker::to_string(r.verdict)).c_str());
    std::fflush(stdout);
  }
  bench_threads(quick, repeat);
  bench_compression(quick);
  if (!quick) bench_scale(repeat);
#ifdef DIRTYRACE_MPIEXEC
  bench_distributed();
#endif
  bench_symmetry(quick);
  bench_independence();
  bench_offsets();
}
