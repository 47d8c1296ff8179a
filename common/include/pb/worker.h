// SPDX-License-Identifier: Apache-2.0
// pb::Worker: the one way a module runs a background loop. A thread with a stop flag, a
// condition variable that wakes it, a join in stop() and in the destructor, a name for top -H,
// and at Priority::kLow a place below the UI (pb/low_priority.h). The upload worker, the
// campaign count, the heartbeat, the back office, the face tracker, the composer's drawer,
// the screenshot writer, the camera grabber and the wall's poller all use it.
//
// The owner keeps its own mutex for what the thread shares with other threads and hands it
// to the Worker: the stop flag is set under it and the waits below wait on it, so a wake-up
// is never lost between a check and a wait. Declare the Worker after everything its thread
// uses (it is then destroyed first: its destructor stops and joins), or call stop() first.
//
//   std::mutex mu;               // guards jobs
//   std::deque<Job> jobs;
//   pb::Worker worker{mu};       // last
//   ...
//   worker.start("pb-office", [this] { run(); });
//   void run() {
//     std::unique_lock<std::mutex> lock(mu);
//     while (worker.wait(lock, [&] { return !jobs.empty(); })) { ... }
//   }
#pragma once

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "pb/low_priority.h"

namespace pb {

class Worker {
 public:
  enum class Priority {
    kNormal,  // as the thread that starts it
    kLow,     // SCHED_IDLE and idle I/O: uploads, counts, reports (lower_own_priority)
  };

  // mu: the owner's mutex (outlives the Worker). also_wake: called by stop() after the flag
  // is set, for a loop that waits in something else than wait() (curl_multi_wakeup).
  explicit Worker(std::mutex& mu, std::function<void()> also_wake = {})
      : mu_(mu), also_wake_(std::move(also_wake)) {}
  ~Worker() { stop(); }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs body on a new thread named `name` (a literal of at most 15 bytes). Returns false and
  // starts nothing while a thread runs; after stop() it starts again with the flag cleared.
  bool start(const char* name, std::function<void()> body, Priority priority = Priority::kNormal) {
    std::lock_guard<std::mutex> start_lock(start_mu_);
    if (thread_.joinable()) return false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = false;
    }
    thread_ = std::thread([name, priority, body = std::move(body)] {
      if (priority == Priority::kLow)
        lower_own_priority(name);
      else
        pthread_setname_np(pthread_self(), name);
      body();
    });
    return true;
  }

  // Sets the stop flag, wakes the thread and joins it. Nothing when none runs. Never call it
  // from the thread itself, nor while holding the owner's mutex.
  void stop() {
    std::lock_guard<std::mutex> start_lock(start_mu_);
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    if (also_wake_) also_wake_();
    thread_.join();
  }

  bool running() const {
    std::lock_guard<std::mutex> start_lock(start_mu_);
    return thread_.joinable();
  }

  // Whether stop() was called: a loop's condition. From any thread, with or without the mutex.
  bool stopping() const { return stop_.load(); }
  // The flag itself, for a call that checks it while it works (a transfer that gives up).
  const std::atomic<bool>& stop_flag() const { return stop_; }

  // Wakes a wait() below (the owner changed what its predicate looks at, under the mutex).
  void wake() { wake_.notify_all(); }

  // With `lock` holding the owner's mutex: waits until pred() holds or stop() was called.
  // Returns false when stopping (the loop ends; it may still finish what is queued).
  template <class Pred>
  bool wait(std::unique_lock<std::mutex>& lock, Pred pred) {
    wake_.wait(lock, [&] { return stop_.load() || pred(); });
    return !stop_.load();
  }
  // The same with a deadline: returns when pred() holds, at `until`, or on stop.
  template <class Clock, class Duration, class Pred>
  bool wait_until(std::unique_lock<std::mutex>& lock,
                  const std::chrono::time_point<Clock, Duration>& until, Pred pred) {
    wake_.wait_until(lock, until, [&] { return stop_.load() || pred(); });
    return !stop_.load();
  }
  // Sleeps for `d` unless stopped first (takes the mutex itself): false when stopping.
  template <class Rep, class Period>
  bool pause(std::chrono::duration<Rep, Period> d) {
    std::unique_lock<std::mutex> lock(mu_);
    return !wake_.wait_for(lock, d, [this] { return stop_.load(); });
  }
  template <class Clock, class Duration>
  bool pause_until(const std::chrono::time_point<Clock, Duration>& until) {
    std::unique_lock<std::mutex> lock(mu_);
    return !wake_.wait_until(lock, until, [this] { return stop_.load(); });
  }

 private:
  std::mutex& mu_;
  std::function<void()> also_wake_;
  std::condition_variable wake_;
  std::atomic<bool> stop_{false};
  mutable std::mutex start_mu_;  // start() and stop() from several threads
  std::thread thread_;
};

}  // namespace pb
