// SPDX-License-Identifier: Apache-2.0
// The wall clock as a seam: the ledger and retention ask a Clock for "now" (UTC ms since the
// epoch), the system's by default. A test passes a ManualClock and moves it forward, so
// retention and clock behaviour are tested in-process, without faketime.
#pragma once

#include <atomic>
#include <cstdint>

namespace pb::store {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const = 0;
  // std::chrono::system_clock; lives as long as the program.
  static const Clock& system();
};

// A clock that says what it is told (tests). Thread-safe: a worker may read it while the
// test moves it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t ms) : ms_(ms) {}
  std::int64_t now_ms() const override { return ms_.load(); }
  void set(std::int64_t ms) { ms_.store(ms); }
  void advance(std::int64_t ms) { ms_.fetch_add(ms); }

 private:
  std::atomic<std::int64_t> ms_;
};

}  // namespace pb::store
