// The distributed breadth-first search. Each rank owns the states whose hash falls in its share
// (owner()), stores them in its own StateStore, and expands them level by level:
//
//  1. Expansion. A rank expands the states it owns of level L, in any order, and sends each
//     successor to its owner in batches, with its key: the parent's number and the successor's
//     position among the parent's successors. The number of a state is its index in the
//     one-process search, which stores states in breadth-first order, each level in key order
//     (see search.cpp); the initial state is 0. While it expands, a rank receives the batches
//     sent to it and stores the successors new to it, each keeping the least key it arrives
//     with, and its parent's rank and local index. A rank that has expanded its share sends
//     every other rank an end marker and goes on receiving until it has had theirs (MPI keeps
//     the order of messages between two ranks, so the batches come before the marker).
//  2. Settling. The ranks share what each found (allgather): the least key of an invariant
//     broken by a new state and of a deadlock, the states added, the transitions, any stop.
//     Each new state's key goes back to the owner of its parent, which counts the new states of
//     each of its parents; those counts, summed over the ranks (allreduce) and taken in number
//     order, say how many new states the one-process search stores up to each parent: so every
//     rank finds where the one-process search would have stopped (the least violation, or the
//     parent after which it holds --max-states states) and the counts it reports there.
//  3. Numbering. Otherwise the owner of each parent numbers its new successors in key order
//     (the parent's count offset, then the successor's position) and sends each number to the
//     successor's owner: the numbers of level L + 1, for the keys of the next level.
//
// So the verdict, the counts and the counterexample are those of the one-process search. The
// counterexample is rebuilt by following parent links from rank to rank, each state broadcast
// by its owner, and labelled by re-running the system as search.cpp does.
//
// Limits: a rank that reaches the time limit or its --max-memory share, or is interrupted,
// tells the others (a stop message), which stop expanding at their next state; the level's end
// markers and its settling follow, and every rank reports the same stop. The state limit is
// settled like a violation, at the end of the level (each rank first expands its whole share).

#include "checker/distributed_search.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include "checker/memory.hpp"
#include "checker/state_store.hpp"

namespace dirtyrace::checker {

MpiSession::MpiSession() {
  MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks_);
}

MpiSession::~MpiSession() {
  MPI_Finalize();
}

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; this tells the compiler so
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kTagBatch = 1;     // successors: state, key, parent's local index
constexpr int kTagEnd = 2;       // the sender has sent every successor of the level
constexpr int kTagStop = 3;      // the sender stopped (a StopReason): stop expanding
constexpr int kTagProgress = 4;  // to rank 0: the sender's states, bytes and queue

/// Bytes of successors gathered for one rank before they are sent.
constexpr std::size_t kBatchBytes = 64 * 1024;
/// Sends not yet completed, per other rank, before a rank waits for some to complete.
constexpr std::size_t kInFlightPerRank = 8;
/// States expanded between two looks for incoming messages.
constexpr unsigned kPollEvery = 16;

/// Where the one-process search stores a state first: its parent's number and its position
/// among the parent's successors; compared in that order.
struct Key {
  std::uint64_t parent = UINT64_MAX;
  std::uint32_t successor = UINT32_MAX;
  auto operator<=>(const Key&) const = default;
};

/// A new state's key, sent back to the owner of its parent.
struct Accepted {
  std::uint32_t parent;     // the parent's local index on its owner
  std::uint32_t successor;  // position among the parent's successors
  std::uint32_t state;      // the new state's local index minus the level's end, on its owner
};
/// A new state's number, sent to its owner.
struct Numbered {
  std::uint64_t number;
  std::uint32_t state;  // local index minus the level's end
};

/// What each rank tells the others at the end of a level (allgathered as 64-bit words).
struct Summary {
  std::uint64_t violation_parent = UINT64_MAX;  // the least violation's key
  std::uint64_t violation_successor = UINT32_MAX;
  std::uint64_t violation_state = 0;  // local index: the broken state, or the deadlocked parent
  std::uint64_t violation_kind = 0;   // 0 invariant, 1 deadlock
  std::uint64_t violation_invariant = 0;
  std::uint64_t added = 0;        // new states this level
  std::uint64_t transitions = 0;  // successors generated this level
  std::uint64_t stop = 0;         // StopReason
  std::uint64_t stored = 0;       // states stored

  Key violation_key() const {
    return {violation_parent, static_cast<std::uint32_t>(violation_successor)};
  }
};
constexpr int kSummaryWords = sizeof(Summary) / sizeof(std::uint64_t);

/// A rank's figures for rank 0's progress lines.
struct ProgressFigures {
  std::uint64_t states = 0, stored_bytes = 0, pending = 0;
};

/// The MPI datatype of `T` as bytes, for collectives that count elements.
template <typename T>
class BytesType {
 public:
  BytesType() {
    MPI_Type_contiguous(sizeof(T), MPI_BYTE, &type_);
    MPI_Type_commit(&type_);
  }
  ~BytesType() { MPI_Type_free(&type_); }
  BytesType(const BytesType&) = delete;
  BytesType& operator=(const BytesType&) = delete;
  MPI_Datatype get() const { return type_; }

 private:
  MPI_Datatype type_;
};

int to_int(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) {
    throw std::length_error("distributed search: a level exchange exceeds MPI's int counts");
  }
  return static_cast<int>(n);
}

class DistributedSearch {
 public:
  DistributedSearch(const MpiSession& session, const TransitionSystem& system,
                    const SearchOptions& options)
      : system_(system),
        options_(options),
        store_(system.state_bytes(), true, options.compress_states),
        width_(system.state_bytes()),
        rank_(session.rank()),
        ranks_(session.ranks()),
        out_(static_cast<std::size_t>(ranks_)),
        others_(static_cast<std::size_t>(ranks_)) {
    if (ranks_ > 65536) throw std::invalid_argument("distributed search: at most 65536 ranks");
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    // Test only: this rank dies at the start of level 2, as a crashed node would.
    if (const char* kill = std::getenv("DIRTYRACE_TEST_KILL_RANK")) kill_at_level_2_ = kill;
  }
  ~DistributedSearch() { MPI_Comm_free(&comm_); }
  DistributedSearch(const DistributedSearch&) = delete;
  DistributedSearch& operator=(const DistributedSearch&) = delete;

  SearchResult run(std::vector<RankStatistics>* per_rank) {
    reset_peak_rss();
    MPI_Barrier(comm_);  // the clocks of the ranks start together
    start_ = last_progress_ = Clock::now();

    std::vector<std::byte> initial(width_);
    system_.initial_state(initial.data());
    const std::uint64_t hash = store_.hash(initial.data());
    const int owner = owner_of(hash);
    std::uint64_t invariant = UINT64_MAX;
    if (owner == rank_) {
      store_.find_or_append(initial.data(), hash, kNoParent);
      parent_rank_.push_back(0);
      number_.push_back(0);
      if (const auto broken = system_.violated_invariant(initial.data())) invariant = *broken;
    }
    MPI_Bcast(&invariant, 1, MPI_UINT64_T, owner, comm_);
    states_ = 1;
    if (invariant != UINT64_MAX) {
      violation_ = Violation{owner, 0, Counterexample::Kind::invariant,
                             static_cast<std::uint32_t>(invariant)};
    } else {
      first_ = 0;
      end_ = static_cast<StateIndex>(store_.size());
      level_end_ = 1;
      for (level_ = 0;; ++level_) {
        expand_level();
        if (!settle_level()) break;
      }
    }
    return finish(per_rank);
  }

 private:
  /// The rank that owns a state with hash `hash`: the hash's bits mixed (the store's index uses
  /// them as they are) and scaled to the number of ranks.
  int owner_of(std::uint64_t hash) const {
    const std::uint64_t mixed = (hash * 0x9E3779B97F4A7C15ull) >> 32;
    return static_cast<int>((mixed * static_cast<std::uint64_t>(ranks_)) >> 32);
  }

  // --- 1. Expansion -------------------------------------------------------------------------

  void expand_level() {
    if (level_ == 2 && kill_at_level_2_ && std::atoi(kill_at_level_2_) == rank_) {
      std::raise(SIGKILL);
    }
    const std::size_t parents = end_ - first_;
    successors_.assign(parents, 0);
    keys_.clear();
    broken_.clear();
    deadlock_.reset();
    ends_ = 0;
    unsigned polls = 0;
    for (next_ = first_; next_ < end_ && stop_ == StopReason::none; ++next_) {
      expand(next_);
      if (++polls % kPollEvery == 0) poll();
    }
    if (stop_ == StopReason::none) poll();
    for (int r = 0; r < ranks_; ++r) {
      if (r != rank_ && !out_[static_cast<std::size_t>(r)].empty()) send_batch(r);
    }
    store_batch(out_[static_cast<std::size_t>(rank_)], rank_);
    out_[static_cast<std::size_t>(rank_)].clear();
    for (int r = 0; r < ranks_; ++r) {
      if (r != rank_) send(r, kTagEnd, {});
    }
    // Every rank is either expanding (and so receiving) or here: waiting costs no deadlock.
    while (ends_ < ranks_ - 1) {
      if (!receive_one()) std::this_thread::yield();
    }
    wait_sends(0);
  }

  /// Generates the successors of local state `index` and sends each to its owner.
  void expand(StateIndex index) {
    // A copy: storing a successor owned here must not be read through by the system meanwhile.
    scratch_.resize(width_);
    store_.read(index, scratch_.data());
    const std::uint64_t number = number_[index - first_];
    std::uint32_t n = 0;
    system_.for_each_successor(scratch_.data(), [&](Label, const std::byte* next) {
      const Key key{number, n++};
      const std::uint64_t hash = store_.hash(next);
      const int owner = owner_of(hash);
      std::vector<std::byte>& out = out_[static_cast<std::size_t>(owner)];
      const std::size_t at = out.size();
      out.resize(at + record_bytes());
      std::memcpy(out.data() + at, next, width_);
      std::memcpy(out.data() + at + width_, &key.parent, 8);
      std::memcpy(out.data() + at + width_ + 8, &key.successor, 4);
      std::memcpy(out.data() + at + width_ + 12, &index, 4);
      if (out.size() < kBatchBytes) return;
      if (owner != rank_) {
        send_batch(owner);
      } else {
        store_batch(out, rank_);
        out.clear();
      }
    });
    successors_[index - first_] = n;
    if (n == 0 && !system_.is_terminal(scratch_.data())) {
      const Key key{number, UINT32_MAX};
      if (!deadlock_ || key < deadlock_->first) deadlock_.emplace(key, index);
    }
  }

  std::size_t record_bytes() const { return width_ + 16; }

  /// Stores a successor that this rank owns, reached from local state `parent` of rank `from`
  /// under `key`; a state new in this level keeps its least key and that key's parent.
  void store_successor(const std::byte* state, std::uint64_t hash, Key key, StateIndex parent,
                       int from) {
    const auto [index, added] = store_.find_or_append(state, hash, parent);
    if (added) {
      parent_rank_.push_back(static_cast<std::uint16_t>(from));
      keys_.push_back(key);
      if (const auto invariant = system_.violated_invariant(state)) {
        broken_.emplace_back(index, *invariant);
      }
    } else if (index >= end_ && key < keys_[index - end_]) {
      keys_[index - end_] = key;
      store_.set_parent(index, parent);
      parent_rank_[index] = static_cast<std::uint16_t>(from);
    }
  }

  /// Stores a batch of successors sent by rank `from` (this one included). Their slots in the
  /// store are prefetched a few successors ahead, so that the cache misses of several lookups
  /// overlap, as in search.cpp.
  void store_batch(const std::vector<std::byte>& batch, int from) {
    constexpr std::size_t kAhead = 8;
    const std::size_t record = record_bytes();
    const std::size_t n = batch.size() / record;
    hashes_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      hashes_[k] = store_.hash(batch.data() + k * record);
      if (k < kAhead) store_.prefetch(hashes_[k]);
    }
    for (std::size_t k = 0; k < n; ++k) {
      if (k + kAhead < n) store_.prefetch(hashes_[k + kAhead]);
      const std::byte* state = batch.data() + k * record;
      Key key;
      StateIndex parent = 0;
      std::memcpy(&key.parent, state + width_, 8);
      std::memcpy(&key.successor, state + width_ + 8, 4);
      std::memcpy(&parent, state + width_ + 12, 4);
      store_successor(state, hashes_[k], key, parent, from);
    }
  }

  void send_batch(int to) {
    std::vector<std::byte>& out = out_[static_cast<std::size_t>(to)];
    send(to, kTagBatch, std::move(out));
    out = take_buffer();
  }

  /// Sends `bytes` without waiting for the send to complete; when too many are under way, first
  /// receives and completes sends until fewer are.
  void send(int to, int tag, std::vector<std::byte> bytes) {
    wait_sends(kInFlightPerRank * static_cast<std::size_t>(ranks_ - 1));
    sent_bytes_ += bytes.size();
    in_flight_.emplace_back(std::move(bytes));
    requests_.emplace_back();
    std::vector<std::byte>& b = in_flight_.back();
    MPI_Isend(b.data(), to_int(b.size()), MPI_BYTE, to, tag, comm_, &requests_.back());
  }

  /// Receives and completes sends until at most `most` sends are under way.
  void wait_sends(std::size_t most) {
    for (;;) {
      for (std::size_t i = 0; i < requests_.size();) {
        int done = 0;
        MPI_Test(&requests_[i], &done, MPI_STATUS_IGNORE);
        if (!done) {
          ++i;
          continue;
        }
        spare_.push_back(std::move(in_flight_[i]));
        in_flight_[i] = std::move(in_flight_.back());
        in_flight_.pop_back();
        requests_[i] = requests_.back();
        requests_.pop_back();
      }
      if (requests_.size() <= most) return;
      if (!receive_one()) std::this_thread::yield();
    }
  }

  std::vector<std::byte> take_buffer() {
    std::vector<std::byte> b;
    if (!spare_.empty()) {
      b = std::move(spare_.back());
      spare_.pop_back();
    }
    b.clear();
    return b;
  }

  /// Receives one message if one has come; false if none has.
  bool receive_one() {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &arrived, &status);
    if (!arrived) return false;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    received_.resize(static_cast<std::size_t>(count));
    MPI_Recv(received_.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm_,
             MPI_STATUS_IGNORE);
    switch (status.MPI_TAG) {
      case kTagBatch:
        store_batch(received_, status.MPI_SOURCE);
        break;
      case kTagEnd:
        ++ends_;
        break;
      case kTagStop: {
        std::uint64_t reason = 0;
        std::memcpy(&reason, received_.data(), sizeof reason);
        if (stop_ == StopReason::none) stop_ = static_cast<StopReason>(reason);
        break;
      }
      case kTagProgress:
        std::memcpy(&others_[static_cast<std::size_t>(status.MPI_SOURCE)], received_.data(),
                    sizeof(ProgressFigures));
        break;
      default:
        throw std::logic_error("distributed search: a message with an unknown tag");
    }
    return true;
  }

  /// While expanding: receives what has come, then checks the limits, the interrupt and
  /// whether a progress report is due.
  void poll() {
    while (receive_one()) {
    }
    const Limits& limits = options_.limits;
    if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed)) {
      stop(StopReason::interrupted);
    }
    if (limits.max_memory_bytes && stored_bytes() >= limits.max_memory_bytes) {
      stop(StopReason::max_memory);
    }
    const auto now = Clock::now();
    const double elapsed = seconds_since(start_, now);
    if (limits.time_limit_seconds > 0 && elapsed >= limits.time_limit_seconds) {
      stop(StopReason::time_limit);
    }
    if (options_.on_progress &&
        seconds_since(last_progress_, now) >= options_.progress_interval_seconds) {
      last_progress_ = now;
      report_progress(elapsed);
    }
  }

  /// Stops this rank, and tells the others to stop, for `reason`.
  void stop(StopReason reason) {
    if (stop_ != StopReason::none) return;
    stop_ = reason;
    std::vector<std::byte> message(sizeof(std::uint64_t));
    const auto word = static_cast<std::uint64_t>(reason);
    std::memcpy(message.data(), &word, sizeof word);
    for (int r = 0; r < ranks_; ++r) {
      if (r != rank_) send(r, kTagStop, message);
    }
  }

  /// Rank 0 prints the sum of the figures the ranks last sent it; the others send theirs.
  void report_progress(double elapsed) {
    ProgressFigures mine{store_.size(), stored_bytes(), (end_ - next_) + (store_.size() - end_)};
    if (rank_ != 0) {
      std::vector<std::byte> message(sizeof mine);
      std::memcpy(message.data(), &mine, sizeof mine);
      send(0, kTagProgress, std::move(message));
      return;
    }
    others_[0] = mine;
    Progress p;
    for (const ProgressFigures& f : others_) {
      p.states += f.states;
      p.stored_bytes += f.stored_bytes;
      p.pending += f.pending;
    }
    p.seconds = elapsed;
    p.order = Order::breadth_first;
    p.level = level_;
    estimate_left(p, level_sizes_);
    options_.on_progress(p);
  }

  std::uint64_t stored_bytes() const {
    std::uint64_t buffers =
        received_.capacity() + scratch_.capacity() + hashes_.capacity() * sizeof(std::uint64_t);
    for (const auto& b : out_) buffers += b.capacity();
    for (const auto& b : in_flight_) buffers += b.capacity();
    for (const auto& b : spare_) buffers += b.capacity();
    return store_.allocated_bytes() + parent_rank_.capacity() * sizeof(std::uint16_t) +
           number_.capacity() * sizeof(std::uint64_t) +
           successors_.capacity() * sizeof(std::uint32_t) + keys_.capacity() * sizeof(Key) +
           counts_.capacity() * sizeof(std::uint64_t) + buffers;
  }

  // --- 2. Settling, 3. numbering --------------------------------------------------------------

  /// Settles the level just expanded; false when the search ends.
  bool settle_level() {
    Summary mine;
    mine.stop = static_cast<std::uint64_t>(stop_);
    mine.added = store_.size() - end_;
    mine.stored = store_.size();
    for (const std::uint32_t n : successors_) mine.transitions += n;
    for (const auto& [index, invariant] : broken_) {
      const Key key = keys_[index - end_];
      if (key < mine.violation_key()) {
        mine.violation_parent = key.parent;
        mine.violation_successor = key.successor;
        mine.violation_state = index;
        mine.violation_kind = 0;
        mine.violation_invariant = invariant;
      }
    }
    if (deadlock_ && deadlock_->first < mine.violation_key()) {
      mine.violation_parent = deadlock_->first.parent;
      mine.violation_successor = deadlock_->first.successor;
      mine.violation_state = deadlock_->second;
      mine.violation_kind = 1;
    }
    std::vector<Summary> all(static_cast<std::size_t>(ranks_));
    MPI_Allgather(&mine, kSummaryWords, MPI_UINT64_T, all.data(), kSummaryWords, MPI_UINT64_T,
                  comm_);

    std::uint64_t added = 0, transitions = 0, stored = 0, stop = 0;
    std::optional<int> violating;  // the rank with the least violation
    for (int r = 0; r < ranks_; ++r) {
      const Summary& s = all[static_cast<std::size_t>(r)];
      added += s.added;
      transitions += s.transitions;
      stored += s.stored;
      stop = std::max(stop, s.stop);
      if (s.violation_parent != UINT64_MAX &&
          (!violating ||
           s.violation_key() < all[static_cast<std::size_t>(*violating)].violation_key())) {
        violating = r;
      }
    }
    if (stop != 0) {
      // Stopped wherever each rank was, as one process stops wherever it is.
      stop_ = static_cast<StopReason>(stop);
      states_ = stored;
      transitions_ += transitions;
      if (added) depth_ = level_ + 1;
      return false;
    }

    count_new_states();
    // Where one process stops in this level: at the least violation, or after the first parent
    // that brings it to max_states states, whichever comes first.
    const std::uint64_t level_first = level_end_ - level_size_;
    // One process stops after expanding parent `last` and storing the new states before `bound`.
    std::optional<Key> bound;
    std::uint64_t last = 0;
    std::uint64_t states = level_end_;
    for (std::uint64_t p = 0; p < level_size_; ++p) {
      if (violating &&
          level_first + p == all[static_cast<std::size_t>(*violating)].violation_parent)
        break;
      states += counts_[p];
      if (options_.limits.max_states && states >= options_.limits.max_states) {
        stop_ = StopReason::max_states;
        last = level_first + p;
        bound = Key{last + 1, 0};
        break;
      }
    }
    if (stop_ == StopReason::none && violating) {
      const Summary& v = all[static_cast<std::size_t>(*violating)];
      const bool invariant = v.violation_kind == 0;
      bound = Key{v.violation_parent, static_cast<std::uint32_t>(v.violation_successor)};
      violation_ =
          Violation{*violating, static_cast<StateIndex>(v.violation_state),
                    invariant ? Counterexample::Kind::invariant : Counterexample::Kind::deadlock,
                    static_cast<std::uint32_t>(v.violation_invariant)};
      if (invariant) ++bound->successor;  // the broken state is stored too
      last = v.violation_parent;
    }
    if (bound) {
      // The states, transitions and depth one process counts when it stops at `bound`.
      std::uint64_t sums[2] = {0, 0};  // new states before the bound; transitions up to it
      for (const Key& key : keys_) {
        if (key < *bound) ++sums[0];
      }
      for (StateIndex i = first_; i < end_; ++i) {
        if (number_[i - first_] <= last) sums[1] += successors_[i - first_];
      }
      MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_UINT64_T, MPI_SUM, comm_);
      states_ = level_end_ + sums[0];
      transitions_ += sums[1];
      if (sums[0]) depth_ = level_ + 1;
      bound_ = bound;
      return false;
    }

    transitions_ += transitions;
    states_ = stored;
    if (added == 0) return false;
    depth_ = level_ + 1;
    number_new_states();
    first_ = end_;
    end_ = static_cast<StateIndex>(store_.size());
    level_end_ += added;
    level_size_ = added;
    level_sizes_.push_back(added);
    return true;
  }

  /// Sends each new state's key to the owner of its parent, and sums over the ranks the new
  /// states of each parent of the level, by parent number: counts_[number - level's first].
  void count_new_states() {
    const BytesType<Accepted> type;
    std::vector<std::vector<Accepted>> out(static_cast<std::size_t>(ranks_));
    for (StateIndex i = end_; i < store_.size(); ++i) {
      const Key& key = keys_[i - end_];
      out[parent_rank_[i]].push_back(Accepted{store_.parent(i), key.successor, i - end_});
    }
    accepted_ = exchange(out, type.get(), &accepted_from_);
    // Group by parent (a counting sort), each group in successor order.
    const std::size_t parents = end_ - first_;
    std::vector<std::uint32_t> start(parents + 1, 0);
    for (const Accepted& a : accepted_) ++start[a.parent - first_ + 1];
    for (std::size_t p = 0; p < parents; ++p) start[p + 1] += start[p];
    order_.assign(accepted_.size(), 0);
    {
      std::vector<std::uint32_t> at(start.begin(), start.end() - 1);
      for (std::uint32_t j = 0; j < accepted_.size(); ++j) {
        order_[at[accepted_[j].parent - first_]++] = j;
      }
    }
    for (std::size_t p = 0; p < parents; ++p) {
      std::sort(order_.begin() + start[p], order_.begin() + start[p + 1],
                [&](std::uint32_t a, std::uint32_t b) {
                  return accepted_[a].successor < accepted_[b].successor;
                });
    }
    group_start_ = std::move(start);
    // The global counts: every rank fills in its own parents and the sum has them all.
    const std::uint64_t level_first = level_end_ - level_size_;
    counts_.assign(level_size_, 0);
    for (std::size_t p = 0; p < parents; ++p) {
      counts_[number_[p] - level_first] = group_start_[p + 1] - group_start_[p];
    }
    constexpr std::uint64_t kPiece = std::uint64_t{1} << 28;
    for (std::uint64_t at = 0; at < level_size_; at += kPiece) {
      MPI_Allreduce(MPI_IN_PLACE, counts_.data() + at,
                    static_cast<int>(std::min(kPiece, level_size_ - at)), MPI_UINT64_T, MPI_SUM,
                    comm_);
    }
  }

  /// Numbers the new states in key order: each owner of a parent numbers its new successors
  /// and sends the numbers to their owners.
  void number_new_states() {
    const std::uint64_t level_first = level_end_ - level_size_;
    // counts_ to offsets: the new states of the parents numbered before each.
    std::uint64_t sum = level_end_;
    for (std::uint64_t& c : counts_) sum += std::exchange(c, sum);
    const BytesType<Numbered> type;
    std::vector<std::vector<Numbered>> out(static_cast<std::size_t>(ranks_));
    for (std::size_t p = 0; p + 1 < group_start_.size(); ++p) {
      std::uint64_t number = counts_[number_[p] - level_first];
      for (std::uint32_t n = group_start_[p]; n < group_start_[p + 1]; ++n) {
        const std::uint32_t j = order_[n];
        out[accepted_from_[j]].push_back(Numbered{number++, accepted_[j].state});
      }
    }
    const std::vector<Numbered> numbered = exchange(out, type.get(), nullptr);
    std::vector<std::uint64_t> next(store_.size() - end_);
    for (const Numbered& n : numbered) next[n.state] = n.number;
    number_ = std::move(next);
  }

  /// Sends out[r] to rank r and returns what the ranks sent here, rank by rank; `from`, if
  /// given, receives the sender of each element.
  template <typename T>
  std::vector<T> exchange(const std::vector<std::vector<T>>& out, MPI_Datatype type,
                          std::vector<std::uint16_t>* from) {
    const auto n = static_cast<std::size_t>(ranks_);
    std::vector<int> send_counts(n), send_at(n), receive_counts(n), receive_at(n);
    std::vector<T> flat;
    for (std::size_t r = 0; r < n; ++r) {
      send_counts[r] = to_int(out[r].size());
      send_at[r] = to_int(flat.size());
      flat.insert(flat.end(), out[r].begin(), out[r].end());
      if (static_cast<int>(r) != rank_) sent_bytes_ += out[r].size() * sizeof(T);
    }
    MPI_Alltoall(send_counts.data(), 1, MPI_INT, receive_counts.data(), 1, MPI_INT, comm_);
    std::size_t total = 0;
    for (std::size_t r = 0; r < n; ++r) {
      receive_at[r] = to_int(total);
      total += static_cast<std::size_t>(receive_counts[r]);
    }
    std::vector<T> in(total);
    MPI_Alltoallv(flat.data(), send_counts.data(), send_at.data(), type, in.data(),
                  receive_counts.data(), receive_at.data(), type, comm_);
    if (from) {
      from->clear();
      for (std::size_t r = 0; r < n; ++r) {
        from->insert(from->end(), static_cast<std::size_t>(receive_counts[r]),
                     static_cast<std::uint16_t>(r));
      }
    }
    return in;
  }

  // --- The result -----------------------------------------------------------------------------

  /// The path to state `index` of rank `owner`, following parent links from rank to rank: its
  /// owner broadcasts each state with its parent's rank and index.
  Counterexample trace(int owner, StateIndex index, Counterexample::Kind kind,
                       std::uint32_t invariant) const {
    Counterexample cx{kind, invariant, {}, {}, {}, 0};
    std::vector<std::byte> message(width_ + 8);
    for (;;) {
      if (owner == rank_) {
        const std::uint32_t parent_rank = parent_rank_[index];
        const StateIndex parent = store_.parent(index);
        store_.read(index, message.data());
        std::memcpy(message.data() + width_, &parent_rank, 4);
        std::memcpy(message.data() + width_ + 4, &parent, 4);
      }
      MPI_Bcast(message.data(), to_int(message.size()), MPI_BYTE, owner, comm_);
      cx.states.emplace_back(message.data(), message.data() + width_);
      std::uint32_t parent_rank = 0;
      std::memcpy(&parent_rank, message.data() + width_, 4);
      std::memcpy(&index, message.data() + width_ + 4, 4);
      if (index == kNoParent) break;
      owner = static_cast<int>(parent_rank);
    }
    std::reverse(cx.states.begin(), cx.states.end());
    for (std::size_t k = 0; k + 1 < cx.states.size(); ++k) {
      const std::byte* to = cx.states[k + 1].data();
      std::optional<Label> found;
      system_.for_each_successor(cx.states[k].data(), [&](Label label, const std::byte* next) {
        if (!found && std::memcmp(next, to, width_) == 0) found = label;
      });
      if (!found) throw std::logic_error("counterexample rebuild: a parent link has no transition");
      cx.labels.push_back(*found);
    }
    return cx;
  }

  /// TransitionSystem::represented summed over the states one process would have stored.
  std::uint64_t represented() const {
    std::uint64_t sum = 0;
    std::vector<std::byte> state(width_);
    for (StateIndex i = 0; i < store_.size(); ++i) {
      if (bound_ && i >= end_ && !(keys_[i - end_] < *bound_)) continue;
      store_.read(i, state.data());
      sum += system_.represented(state.data());
    }
    MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_UINT64_T, MPI_SUM, comm_);
    return sum;
  }

  SearchResult finish(std::vector<RankStatistics>* per_rank) {
    SearchResult result;
    Statistics& st = result.stats;
    st.states = states_;
    st.transitions = transitions_;
    st.depth = depth_;
    st.threads = 1;
    st.state_bytes = width_;
    if (options_.count_represented) {
      st.represented_states = system_.reduces() ? represented() : st.states;
    }
    if (violation_) {
      result.verdict = Verdict::violation;
      result.counterexample =
          trace(violation_->rank, violation_->state, violation_->kind, violation_->invariant);
    } else if (stop_ != StopReason::none) {
      result.verdict = Verdict::inconclusive;
      result.stop = stop_;
    } else {
      result.verdict = Verdict::verified;
    }
    // Per rank: states, bytes, peak memory, bytes sent, microseconds.
    const double seconds = seconds_since(start_, Clock::now());
    const std::uint64_t mine[5] = {store_.size(), stored_bytes(), peak_rss_bytes(), sent_bytes_,
                                   static_cast<std::uint64_t>(seconds * 1e6)};
    std::vector<std::uint64_t> all(5 * static_cast<std::size_t>(ranks_));
    MPI_Allgather(mine, 5, MPI_UINT64_T, all.data(), 5, MPI_UINT64_T, comm_);
    for (int r = 0; r < ranks_; ++r) {
      const std::uint64_t* f = all.data() + 5 * r;
      st.stored_bytes += f[1];
      st.peak_rss_bytes += f[2];
      st.seconds = std::max(st.seconds, double(f[4]) / 1e6);
      if (per_rank) per_rank->push_back(RankStatistics{f[0], f[1], f[2], f[3], double(f[4]) / 1e6});
    }
    return result;
  }

  static double seconds_since(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
  }

  struct Violation {
    int rank;  // the rank that owns the state
    StateIndex state;
    Counterexample::Kind kind;
    std::uint32_t invariant;
  };

  const TransitionSystem& system_;
  const SearchOptions& options_;
  StateStore store_;
  const std::size_t width_;
  const int rank_, ranks_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  const char* kill_at_level_2_ = nullptr;

  std::vector<std::uint16_t> parent_rank_;  // per local state: the rank of its parent
  // The level being expanded: local states [first_, end_), numbered number_[i - first_]; the
  // level's numbers are [level_end_ - level_size_, level_end_).
  StateIndex first_ = 0, end_ = 0, next_ = 0;
  std::uint64_t level_end_ = 0, level_size_ = 1;
  std::uint32_t level_ = 0;
  std::vector<std::uint64_t> number_;
  std::vector<std::uint32_t> successors_;  // per state of the level: successors generated
  std::vector<Key> keys_;                  // per new state (index - end_): its least key
  std::vector<std::pair<StateIndex, std::uint32_t>> broken_;  // new states and an invariant
  std::optional<std::pair<Key, StateIndex>> deadlock_;        // the least local deadlock
  // Settling: the keys of the new successors of this rank's parents, who sent each, their
  // order by parent then successor and where each parent's group starts; the counts per parent.
  std::vector<Accepted> accepted_;
  std::vector<std::uint16_t> accepted_from_;
  std::vector<std::uint32_t> order_, group_start_;
  std::vector<std::uint64_t> counts_;

  // Messages: successors gathered per rank, sends under way and their buffers, spare buffers.
  std::vector<std::vector<std::byte>> out_;
  std::vector<std::vector<std::byte>> in_flight_;
  std::vector<MPI_Request> requests_;
  std::vector<std::vector<std::byte>> spare_;
  std::vector<std::byte> received_, scratch_;
  std::vector<std::uint64_t> hashes_;  // of the batch being stored
  int ends_ = 0;
  std::vector<ProgressFigures> others_;  // rank 0: the last figures of each rank
  std::vector<std::uint64_t> level_sizes_{1};
  std::uint64_t sent_bytes_ = 0;

  std::uint64_t states_ = 0, transitions_ = 0;
  std::uint32_t depth_ = 0;
  StopReason stop_ = StopReason::none;
  std::optional<Violation> violation_;
  std::optional<Key> bound_;  // where the search stopped within a level
  Clock::time_point start_, last_progress_;
};

}  // namespace

SearchResult distributed_search(const MpiSession& session, const TransitionSystem& system,
                                const SearchOptions& options,
                                std::vector<RankStatistics>* per_rank) {
  if (options.order != Order::breadth_first) {
    throw std::invalid_argument("the distributed search is breadth-first only");
  }
  if (system.checks_progress()) {
    throw std::invalid_argument("the distributed search does not check progress (can_finish)");
  }
  return DistributedSearch(session, system, options).run(per_rank);
}

}  // namespace dirtyrace::checker
