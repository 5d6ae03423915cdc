#pragma once
// A pool of threads that run one job at a time together with the calling thread: the parallel
// breadth-first search runs one per level, and the progress check one per phase.

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <absl/functional/function_ref.h>

namespace dirtyrace::checker {

/// Runs a function on several threads at once, the calling thread among them, as often as
/// asked; the other threads wait between runs. A thread joins a run only if it wakes before the
/// calling thread has finished its own call: on a loaded machine the caller then waits only for
/// threads that took part, not for threads still waiting to be scheduled (the job must share
/// its work out dynamically, so that it is done whoever takes part).
class Workers {
 public:
  explicit Workers(unsigned n) : n_(n) {
    for (unsigned w = 1; w < n; ++w) threads_.emplace_back([this, w] { loop(w); });
  }
  ~Workers() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    start_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  unsigned size() const { return n_; }

  /// Calls job(0) on this thread and job(w) on each other thread w that wakes meanwhile, and
  /// returns when all these have; then rethrows the first exception one of them threw.
  void run(absl::FunctionRef<void(unsigned)> job) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      open_ = true;
      ++generation_;
    }
    start_.notify_all();
    call(job, 0);
    std::unique_lock<std::mutex> lock(mutex_);
    open_ = false;
    done_.wait(lock, [this] { return joined_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void call(absl::FunctionRef<void(unsigned)> job, unsigned w) {
    try {
      job(w);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void loop(unsigned w) {
    std::uint64_t seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      if (!open_) continue;  // woke too late for this run
      ++joined_;
      const absl::FunctionRef<void(unsigned)> job = *job_;
      lock.unlock();
      call(job, w);
      lock.lock();
      if (--joined_ == 0) done_.notify_one();
    }
  }

  const unsigned n_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const absl::FunctionRef<void(unsigned)>* job_ = nullptr;
  std::uint64_t generation_ = 0;
  bool open_ = false;    // threads may still join the current run
  unsigned joined_ = 0;  // threads in the current run, besides the caller
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace dirtyrace::checker
