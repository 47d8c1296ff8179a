// SPDX-License-Identifier: Apache-2.0
// pb::Worker: the thread runs, wakes on wake(), ends on stop() (and in the destructor) even
// while it waits, starts again after a stop, and runs below the UI at Priority::kLow.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <string>
#include <vector>

#include "pb/worker.h"
#include "test_support.h"

using namespace std::chrono_literals;

namespace {

// A queue drained by a Worker, the shape of the screenshot writer and the back office.
struct Drain {
  std::mutex mu;
  std::deque<int> queue;
  std::vector<int> done;
  std::condition_variable drained;
  pb::Worker worker{mu};

  void run() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      worker.wait(lock, [&] { return !queue.empty(); });
      if (queue.empty()) return;  // stopping, and everything is done
      done.push_back(queue.front());
      queue.pop_front();
      drained.notify_all();
    }
  }
  void push(int v) {
    {
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(v);
    }
    worker.wake();
  }
  bool wait_done(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return drained.wait_for(lock, pb::test::scaled(10s), [&] { return done.size() >= n; });
  }
};

}  // namespace

TEST_CASE("a worker wakes for work and finishes what is queued when stopped", "[worker]") {
  Drain d;
  REQUIRE(d.worker.start("pb-test", [&d] { d.run(); }));
  CHECK(d.worker.running());
  CHECK_FALSE(d.worker.start("pb-test", [] {}));  // one thread at a time
  d.push(1);
  REQUIRE(d.wait_done(1));
  {
    std::lock_guard<std::mutex> lock(d.mu);  // queued while the thread cannot take them
    d.queue.push_back(2);
    d.queue.push_back(3);
  }
  d.worker.stop();
  CHECK_FALSE(d.worker.running());
  CHECK(d.worker.stopping());
  CHECK(d.done == std::vector<int>{1, 2, 3});
  // Again after a stop, with the flag cleared.
  REQUIRE(d.worker.start("pb-test", [&d] { d.run(); }));
  CHECK_FALSE(d.worker.stopping());
  d.push(4);
  REQUIRE(d.wait_done(4));
}

TEST_CASE("stop ends a long pause at once and the destructor joins", "[worker]") {
  std::mutex mu;
  std::atomic<int> rounds{0};
  std::atomic<bool> paused_out{false};
  const auto started = std::chrono::steady_clock::now();
  {
    pb::Worker w(mu);
    w.start("pb-test", [&] {
      while (w.pause(1h)) ++rounds;
      paused_out = true;
    });
    // The destructor stops it: a pause of an hour must not hold it.
  }
  CHECK(paused_out);
  CHECK(rounds == 0);
  CHECK(std::chrono::steady_clock::now() - started < pb::test::scaled(30s));
}

TEST_CASE("a worker waiting elsewhere is woken by its extra waker", "[worker]") {
  std::mutex mu, other_mu;
  std::condition_variable other;  // stands for curl_multi_poll
  bool poked = false;
  pb::Worker w(mu, [&] {
    std::lock_guard<std::mutex> lock(other_mu);
    poked = true;
    other.notify_all();
  });
  w.start("pb-test", [&] {
    while (!w.stopping()) {
      std::unique_lock<std::mutex> lock(other_mu);
      other.wait_for(lock, 1h, [&] { return poked; });
    }
  });
  w.stop();
  CHECK(poked);
}

TEST_CASE("a low priority worker runs as SCHED_IDLE under its name", "[worker]") {
  std::mutex mu;
  int policy = -1;
  std::string name;
  {
    pb::Worker w(mu);
    w.start(
        "pb-test-low",
        [&] {
          policy = sched_getscheduler(0);
          char buf[16] = {};
          pthread_getname_np(pthread_self(), buf, sizeof buf);
          name = buf;
        },
        pb::Worker::Priority::kLow);
  }
  CHECK(policy == SCHED_IDLE);
  CHECK(name == "pb-test-low");
  {
    pb::Worker w(mu);
    w.start("pb-test-normal", [&] {
      policy = sched_getscheduler(0);
      char buf[16] = {};
      pthread_getname_np(pthread_self(), buf, sizeof buf);
      name = buf;
    });
  }
  CHECK(policy == SCHED_OTHER);
  CHECK(name == "pb-test-normal");
}
