// SPDX-License-Identifier: Apache-2.0
// DrainPace: how many uploads the booth runs at once. It starts at 2 (gentle), and when
// the link keeps up — the last uploads finished without a network error and one more
// connection raised the goodput — it adds one, up to the configured cap. It falls back
// to the start on a network error, and halves (to 1 at least) when a pledge's save on the
// UI's side was slow while uploads ran: the booth's own saves come first.
// Pure: fed with finished uploads and save times by the worker thread, with the time.
#pragma once

#include <cstdint>
#include <deque>

namespace pb::upload {

class DrainPace {
 public:
  // cap = the most uploads at once ([upload] booth_parallel_max); start = min(2, cap).
  explicit DrainPace(int cap);

  int parallel() const { return parallel_; }
  // An upload (a whole row) finished with `bytes` sent; `trouble` = it failed in a way
  // that is retried (the network, a 5xx, a 429: the link or the server is struggling).
  void upload_finished(std::int64_t bytes, bool ok, bool trouble, std::int64_t now);
  // A pledge was saved by the booth in `ms`; `uploading` = uploads were in flight.
  void save_took(std::int64_t ms, bool uploading, std::int64_t now);

  // A save slower than this (and than twice the booth's usual save) slows the drain.
  static constexpr std::int64_t kSlowSaveMs = 250;
  // After a slow save the drain does not grow for this long.
  static constexpr std::int64_t kHoldAfterSlowSaveMs = 60000;

 private:
  void set(int parallel, std::int64_t now);

  int cap_;
  int start_;
  int parallel_;
  // The window at the current level: since when, how many uploads, how many bytes.
  std::int64_t window_from_ = -1;
  int window_uploads_ = 0;
  std::int64_t window_bytes_ = 0;
  // Goodput (bytes/s) measured at the level below the current one (0 = none).
  double below_goodput_ = 0;
  double goodput_ = 0;                    // at the current level, when its window completed
  std::int64_t hold_until_ = 0;           // no growth before this
  std::deque<std::int64_t> quiet_saves_;  // recent save times without uploads, ms
};

}  // namespace pb::upload
