// `dirtyrace check --distributed` as a user runs it, under mpirun on 2 and 3 ranks: one report
// from rank 0 with the one-process answer, one line for each refusal, a clean stop on SIGUSR1
// and on the limits, and a job that ends with an error, not a hang, when a rank dies.

#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

using dirtyrace::test::Run;
using dirtyrace::test::run_dirtyrace;
using dirtyrace::test::Scratch;
using dirtyrace::test::slurp;

namespace {

/// For a dirtyrace that calls MPI, in the sanitizer build: Open MPI leaves allocations of its
/// plugins behind at MPI_Finalize, which LeakSanitizer would report (see test/CMakeLists.txt).
const std::string kNoLeakCheck = "ASAN_OPTIONS=halt_on_error=1:detect_leaks=0 ";

/// mpirun on `ranks` ranks, more than the machine's cores if need be, as root if we are root,
/// under `timeout` with `timeout_options`: by default ended after 300 s if it hangs (the exit
/// code is then 124).
std::string mpirun(int ranks, const std::string& timeout_options = "300") {
  return "timeout " + timeout_options +
         " env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " + kNoLeakCheck +
         MPIEXEC " --oversubscribe -np " + std::to_string(ranks) + " ";
}

const std::string kLostWrite =
    "check --quiet --variant linux-2.6.20 --actors writer,flusher,msync --property "
    "msync_durability";
// 80125 states, verified; every property but can_finish.
const std::string kTwoPages =
    "check --quiet --variant linux-4.19 --pages 2 --actors writer,flusher,msync --property "
    "no_bug_on,msync_durability,durable_at_end,no_deadlock";
// A two-thread TLB race with symmetry (a violation in 24 steps) and a state limit.
const std::string kTwoThreads =
    "check --quiet --variant linux-4.19 --actors writer,writer,munmap,flusher,msync --property "
    "msync_durability,no_deadlock";

/// The fields of a --json report that do not depend on timing.
nlohmann::json answer(const std::string& out) {
  nlohmann::json j = nlohmann::json::parse(out);
  return {j["verdict"],     j["property"], j["stop_reason"], j["states"],
          j["transitions"], j["depth"],    j["trace"],       j["represented_states"]};
}

}  // namespace

TEST_CASE("mpirun -np 2 and 3: one report, the one-process answer and trace") {
  const Scratch s;
  for (const std::string& args :
       {kLostWrite, kTwoPages, kTwoThreads, kTwoPages + " --max-states 4321",
        kTwoThreads + " --max-states 20000"}) {
    CAPTURE(args);
    std::filesystem::remove(s / "one.json");
    const Run one = run_dirtyrace(args + " --json --threads 1 --trace-out " + s / "one.json");
    for (const int ranks : {2, 3}) {
      CAPTURE(ranks);
      std::filesystem::remove(s / "many.json");
      const Run many = run_dirtyrace(args + " --json --distributed --trace-out " + s / "many.json",
                                     "/dev/null", mpirun(ranks));
      CHECK(many.code == one.code);
      // One JSON object on stdout: rank 0's alone.
      CHECK(answer(many.out) == answer(one.out));
      CHECK(nlohmann::json::parse(many.out)["ranks"].size() == static_cast<std::size_t>(ranks));
      CHECK(slurp(s / "many.json") == slurp(s / "one.json"));  // empty when no violation
    }
  }
  const Run text = run_dirtyrace(kLostWrite + " --distributed --stats", "/dev/null", mpirun(3));
  CHECK(text.code == 1);
  CHECK(text.out.find("verdict: VIOLATION of msync_durability") != std::string::npos);
  CHECK(text.out.find("ranks           3, one thread each") != std::string::npos);
  CHECK(text.out.find("    rank 2") != std::string::npos);
}

TEST_CASE("--distributed refuses what it cannot do, in one line from rank 0") {
  const auto refused = [](const std::string& args, const std::string& text) {
    CAPTURE(args);
    const Run r = run_dirtyrace(args, "/dev/null", mpirun(3));
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("dirtyrace: error: ") != std::string::npos);
    CHECK(r.err.find(text) != std::string::npos);
    // Rank 0 alone says it (mpirun adds its own lines about the exit code).
    CHECK(r.err.find("dirtyrace: error: ") == r.err.rfind("dirtyrace: error: "));
  };
  refused("check --quiet --variant linux-6.12 --actors writer,flusher,munmap --distributed",
          "--distributed cannot check can_finish");
  refused(kLostWrite + " --distributed --order dfs", "breadth-first only");
  refused(kLostWrite + " --distributed --threads 2", "one thread per rank");
  refused(kLostWrite, "add --distributed");
  refused(kLostWrite + " --distributed --trace-out /nonexistent/t.json", "/nonexistent");
}

TEST_CASE("--distributed without mpirun is one rank, with the same answer") {
  const Run one = run_dirtyrace(kLostWrite + " --json");
  const Run alone = run_dirtyrace(kLostWrite + " --json --distributed", "/dev/null", kNoLeakCheck);
  CHECK(alone.code == 1);
  CHECK(answer(alone.out) == answer(one.out));
}

TEST_CASE("SIGUSR1 to mpirun, and the time limit, stop every rank with one report") {
  // Millions of states: none of these runs can finish in time.
  const std::string big =
      "check --pages 2 --actors writer,flusher,msync,fsync,munmap,journal --property "
      "no_bug_on,msync_durability --distributed";
  // mpirun forwards SIGUSR1 to its ranks, which stop as interrupted.
  // (After 4 s; killed 60 s later if it does not stop.)
  Run r = run_dirtyrace(big, "/dev/null", mpirun(2, "--preserve-status -s USR1 -k 60 4"));
  CHECK(r.code == 3);
  CHECK(r.out.find("verdict: INCONCLUSIVE (interrupted)") != std::string::npos);
  r = run_dirtyrace(big + " --time-limit 2", "/dev/null", mpirun(3, "60"));
  CHECK(r.code == 3);
  CHECK(r.out.find("verdict: INCONCLUSIVE (time limit reached)") != std::string::npos);
  // Progress lines from rank 0 alone, with the states of every rank.
  r = run_dirtyrace(big + " --time-limit 3 --max-memory 1G", "/dev/null", mpirun(2, "60"));
  CHECK(r.code == 3);
  CHECK(r.err.find("dirtyrace: ") != std::string::npos);
  CHECK(r.err.find(" states, ") != std::string::npos);
}

TEST_CASE("a rank that dies ends the job with an error, not a hang") {
  // Test only: DIRTYRACE_TEST_KILL_RANK=1 makes rank 1 kill itself (SIGKILL) at level 2, as
  // a crashed node would. mpirun then ends the job: the other ranks say so and stop.
  const Run r = run_dirtyrace(kTwoPages + " --distributed", "/dev/null",
                              "DIRTYRACE_TEST_KILL_RANK=1 " + mpirun(3, "60"));
  CAPTURE(r.err);
  CHECK(r.code != 0);
  CHECK(r.code != 124);  // timeout: a hang
  CHECK(r.code != 1);
  CHECK(r.code != 3);
  CHECK(r.out.find("verdict") == std::string::npos);
  CHECK(r.err.find("noticed that process rank 1") != std::string::npos);
  CHECK(r.err.find("error: mpirun is ending the job") != std::string::npos);
}
