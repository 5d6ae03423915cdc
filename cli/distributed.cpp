// `dirtyrace check --distributed`: the thin layer over checker::distributed_search. Every rank
// that mpirun starts parses the same options and builds the same model; rank 0 alone prints the
// report and writes the trace file. Built without Open MPI, the option says so.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "cli/check_common.hpp"
#include "cli/interrupt.hpp"
#include "model/error.hpp"
#include "traces/json.hpp"

namespace dirtyrace::cli {

namespace {

/// An Open MPI environment variable as a number, or -1 if it is not set.
int ompi_number(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : -1;
}

}  // namespace

int mpi_ranks() {
  return std::max(1, ompi_number("OMPI_COMM_WORLD_SIZE"));
}

bool secondary_rank() {
  return ompi_number("OMPI_COMM_WORLD_RANK") > 0;
}

int secondary_rank_usage_error(const std::string& message) {
  std::this_thread::sleep_for(std::chrono::seconds(3));
  std::fprintf(stderr, "dirtyrace: rank %d: error: %s\n", ompi_number("OMPI_COMM_WORLD_RANK"),
               message.c_str());
  return kExitUsage;
}

int run_check_distributed(const CheckOptions& o, const model::Model& m,
                          const properties::CheckedModel& system) {
#ifndef DIRTYRACE_HAVE_MPI
  (void)m;
  (void)system;
  (void)o;
  throw model::UsageError(
      "--distributed is off: this dirtyrace was built without Open MPI (install libopenmpi-dev "
      "and openmpi-bin, then build again)");
#else
  if (o.order != "bfs") throw model::UsageError("--distributed searches breadth-first only");
  if (!o.threads.empty() && parse_threads(o.threads) != 1) {
    throw model::UsageError(
        "--distributed runs one thread per rank: start more ranks instead of "
        "--threads");
  }
  if (system.checks_progress()) {
    throw model::UsageError(
        "--distributed cannot check can_finish (the progress check runs on one process): name the "
        "properties with --property and leave can_finish out");
  }
  checker::SearchOptions options = search_options(o);
  options.threads = 1;
  const checker::MpiSession session;
  try {
    // The trace file is rank 0's; an unwritable path there ends every rank.
    if (session.rank() == 0 && !o.trace_out.empty()) traces::check_writable(o.trace_out);
    const InterruptScope interrupt(session.rank());
    options.interrupt = interrupt.flag();
    std::vector<checker::RankStatistics> ranks;
    const checker::SearchResult result =
        checker::distributed_search(session, system, options, &ranks);
    if (session.rank() != 0) return exit_code(result.verdict);
    const int code = report_check(o, m, system, result, ranks);
    std::cout.flush();
    std::fflush(stdout);
    return code;
  } catch (const model::UsageError& e) {
    std::fprintf(stderr, "dirtyrace: error: %s\n", model::echo(e.what(), 1000).c_str());
    session.abort(kExitUsage);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dirtyrace: rank %d: internal error: %s\n", session.rank(),
                 model::echo(e.what(), 1000).c_str());
    session.abort(kExitInternal);
  }
#endif
}

}  // namespace dirtyrace::cli
