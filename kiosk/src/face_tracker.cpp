// SPDX-License-Identifier: Apache-2.0
// FaceTracker: one thread, the newest preview frame, a search near the last face (else the
// whole frame) a few times a second. FaceFollow: exponential easing of the preview framing.
#include "pb/face_tracker.h"

#include <algorithm>
#include <cmath>

#include "pb/camera.h"
#include "pb/photo.h"

namespace pb::kiosk {

using Clock = std::chrono::steady_clock;

FaceTracker::FaceTracker(std::shared_ptr<const photo::FaceFinder> faces, FaceTrackerOptions options)
    : faces_(std::move(faces)), options_(options) {
  worker_.start("pb-faces", [this] { run(); });
}

FaceTracker::~FaceTracker() {
  worker_.stop();  // after the search in progress
}

void FaceTracker::offer(std::shared_ptr<const camera::Frame> frame) {
  if (!frame) return;
  {
    std::lock_guard lock(mu_);
    offered_ = std::move(frame);
  }
  worker_.wake();
}

void FaceTracker::forget() {
  {
    std::lock_guard lock(mu_);
    ++generation_;
    seen_ = {};
    offered_.reset();  // the last participant's frame: not searched after they left
    next_search_ = Clock::now();
  }
  worker_.wake();
}

FaceSighting FaceTracker::latest() const {
  std::lock_guard lock(mu_);
  return seen_;
}

void FaceTracker::run() {
  std::unique_lock lock(mu_);
  std::uint64_t searched = 0;  // sequence of the last frame searched
  for (;;) {
    if (!worker_.wait(lock, [&] { return offered_ && offered_->sequence != searched; })) return;
    if (Clock::now() < next_search_) {
      // Too soon: wait, then take whatever frame is newest by then.
      const auto until = next_search_;
      worker_.wait_until(lock, until, [&] { return next_search_ != until; });
      continue;
    }
    const std::shared_ptr<const camera::Frame> frame = offered_;
    const std::optional<cv::Rect> before = seen_.face;
    const std::uint64_t generation = generation_;
    lock.unlock();
    std::optional<cv::Rect> found;
    if (faces_ && !frame->bgr.empty()) {
      if (before) found = faces_->near(frame->bgr, *before);
      if (!found) found = faces_->largest_face(frame->bgr);
    }
    lock.lock();
    searched = frame->sequence;
    if (generation == generation_) {
      seen_ = FaceSighting{found, frame->sequence, frame->captured};
      next_search_ = Clock::now() + (found ? options_.follow_every : options_.look_every);
    }
  }
}

FaceFollow::FaceFollow(std::chrono::milliseconds time_constant, std::chrono::milliseconds keep_for)
    : tau_ms_(static_cast<double>(std::max<std::int64_t>(1, time_constant.count()))),
      keep_ms_(static_cast<double>(keep_for.count())) {}

void FaceFollow::reset() {
  active_ = false;
  target_.reset();
  last_step_ = {};
}

std::optional<cv::Rect> FaceFollow::step(const std::optional<cv::Rect>& seen, cv::Size frame,
                                         Clock::time_point now) {
  using Ms = std::chrono::duration<double, std::milli>;
  const cv::Point2d middle(frame.width / 2.0, frame.height / 2.0);
  // A late frame must not make the framing leap: at most 100 ms of easing per step.
  const double dt = last_step_ == Clock::time_point{}
                        ? 0.0
                        : std::clamp(Ms(now - last_step_).count(), 0.0, 100.0);
  last_step_ = now;
  if (seen) {
    if (!active_) {  // pan in from the centred framing
      active_ = true;
      centre_ = middle;
      size_ = cv::Size2d(seen->width, seen->height);
    }
    target_ = seen;
    last_seen_ = now;
  }
  if (!active_) return std::nullopt;
  cv::Point2d want = middle;
  cv::Size2d want_size = size_;
  if (target_ && Ms(now - last_seen_).count() <= keep_ms_) {
    want = (cv::Point2d(target_->tl()) + cv::Point2d(target_->br())) * 0.5;
    want_size = cv::Size2d(target_->width, target_->height);
  } else {
    target_.reset();
  }
  const double a = 1.0 - std::exp(-dt / tau_ms_);
  centre_ += (want - centre_) * a;
  size_ = size_ + (want_size - size_) * a;
  if (!target_ && std::hypot(centre_.x - middle.x, centre_.y - middle.y) < 1.0) {
    active_ = false;  // back in the middle: centred framing again
    return std::nullopt;
  }
  const cv::Rect r(static_cast<int>(std::lround(centre_.x - size_.width / 2)),
                   static_cast<int>(std::lround(centre_.y - size_.height / 2)),
                   std::max(1, static_cast<int>(std::lround(size_.width))),
                   std::max(1, static_cast<int>(std::lround(size_.height))));
  return r;
}

}  // namespace pb::kiosk
