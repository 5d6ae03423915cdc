#pragma once
// Breadth-first search of one TransitionSystem by several MPI processes (ranks), each holding the
// states whose hash falls in its partition, as LTSmin's distributed back end and DiVinE do.
// Levels stay synchronous and every rank applies the one-process search's tie-break (each new
// state keeps the least key: its parent's breadth-first number and its successor number), so
// the verdict, the state, transition and depth counts and the counterexample, step for step, are
// those of checker::search. See distributed_search.cpp for how, and README "Distributed search".
//
// This header does not include MPI: only distributed_search.cpp does.

#include <cstdint>
#include <vector>

#include "checker/search.hpp"

namespace dirtyrace::checker {

/// MPI for the lifetime of the object (MPI_Init ... MPI_Finalize), in a program that mpirun
/// started; one per process.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int ranks() const { return ranks_; }
  /// Ends every rank of the job with `code` (MPI_Abort): after an error on this rank alone,
  /// which would leave the others waiting for it.
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0;
  int ranks_ = 1;
};

/// What one rank held when the search ended.
struct RankStatistics {
  std::uint64_t states = 0;        // states it owns (stored in its visited set)
  std::uint64_t stored_bytes = 0;  // its visited set, parent links and per-level arrays
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t sent_bytes = 0;  // successors sent to other ranks, and the level exchanges
  double seconds = 0;
};

/// Explores `system` breadth-first across every rank of the session; every rank calls it with
/// the same system and options, and every rank gets the same result (counterexample included).
/// Runs one thread per rank (options.threads is not used). Statistics::stored_bytes and
/// peak_rss_bytes are sums over the ranks. `per_rank`, if given, receives each rank's figures.
/// Throws std::invalid_argument for depth-first order or a system that checks_progress(): the
/// progress check runs on one process only.
SearchResult distributed_search(const MpiSession& session, const TransitionSystem& system,
                                const SearchOptions& options,
                                std::vector<RankStatistics>* per_rank = nullptr);

}  // namespace dirtyrace::checker
