// SPDX-License-Identifier: Apache-2.0
// DrainPace: additive growth while an extra connection pays, back to the start on
// trouble, and the booth's own saves before the drain.
#include "drain_pace.h"

#include <algorithm>

namespace pb::upload {
namespace {

constexpr double kGain = 1.10;  // one more connection must bring 10 % more goodput
constexpr std::int64_t kHoldAfterNoGainMs = 60000;  // then we stay a while
constexpr std::size_t kQuietSaves = 8;

}  // namespace

DrainPace::DrainPace(int cap)
    : cap_(std::max(1, cap)), start_(std::min(2, cap_)), parallel_(start_) {}

void DrainPace::set(int parallel, std::int64_t now) {
  parallel_ = std::clamp(parallel, 1, cap_);
  window_from_ = now;
  window_uploads_ = 0;
  window_bytes_ = 0;
}

void DrainPace::upload_finished(std::int64_t bytes, bool ok, bool trouble, std::int64_t now) {
  if (trouble) {
    below_goodput_ = 0;
    goodput_ = 0;
    set(std::min(parallel_, start_), now);
    return;
  }
  if (window_from_ < 0) window_from_ = now;
  if (!ok) return;
  window_uploads_ += 1;
  window_bytes_ += bytes;
  // A window is a few rounds of the current level: long enough to average out one slow
  // photo, short enough to follow the link.
  if (window_uploads_ < std::max(4, 2 * parallel_)) return;
  const double seconds = std::max<std::int64_t>(1, now - window_from_) / 1000.0;
  const double goodput = static_cast<double>(window_bytes_) / seconds;
  if (below_goodput_ > 0 && goodput < below_goodput_ * kGain) {
    // The extra connection did not pay: the link is full. Step back and stay.
    hold_until_ = now + kHoldAfterNoGainMs;
    below_goodput_ = 0;
    set(parallel_ - 1, now);
    return;
  }
  goodput_ = goodput;
  if (parallel_ < cap_ && now >= hold_until_) {
    below_goodput_ = goodput_;
    set(parallel_ + 1, now);
  } else {
    set(parallel_, now);  // a fresh window at the same level
  }
}

void DrainPace::save_took(std::int64_t ms, bool uploading, std::int64_t now) {
  if (!uploading) {
    quiet_saves_.push_back(ms);
    if (quiet_saves_.size() > kQuietSaves) quiet_saves_.pop_front();
    return;
  }
  std::int64_t usual = 0;
  if (!quiet_saves_.empty()) usual = *std::min_element(quiet_saves_.begin(), quiet_saves_.end());
  if (ms <= std::max(kSlowSaveMs, 2 * usual)) return;
  hold_until_ = now + kHoldAfterSlowSaveMs;
  below_goodput_ = 0;
  set(std::max(1, parallel_ / 2), now);
}

}  // namespace pb::upload
