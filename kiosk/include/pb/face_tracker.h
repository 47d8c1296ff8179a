// SPDX-License-Identifier: Apache-2.0
// Follows the participant's face on preview frames, on its own thread, so the preview can
// frame the face as the photo will and the shutter's compose only has to refind it nearby.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include <opencv2/core/types.hpp>

#include "pb/worker.h"

namespace pb::camera {
struct Frame;
}
namespace pb::photo {
class FaceFinder;
}

namespace pb::kiosk {

// Where the tracker last saw a face.
struct FaceSighting {
  std::optional<cv::Rect> face;  // camera pixels; nullopt = nobody found
  std::uint64_t sequence = 0;    // the frame it was looked for on (0 = none yet)
  std::chrono::steady_clock::time_point captured{};  // that frame's capture time
};

struct FaceTrackerOptions {
  // Between two searches while a face is followed (a search near it costs ~1 ms)...
  std::chrono::milliseconds follow_every{100};
  // ...and while nobody is there (a whole-frame search costs 5-25 ms).
  std::chrono::milliseconds look_every{400};
};

class FaceTracker {
 public:
  // faces may be null: the tracker then never finds anyone. Give it its own FaceFinder (the
  // cascade serialises callers) so a search here never delays the shutter's compose.
  explicit FaceTracker(std::shared_ptr<const photo::FaceFinder> faces,
                       FaceTrackerOptions options = {});
  ~FaceTracker();  // finishes the search in progress, then joins
  FaceTracker(const FaceTracker&) = delete;
  FaceTracker& operator=(const FaceTracker&) = delete;

  // Hands over the newest preview frame; returns at once. Only the newest is kept.
  void offer(std::shared_ptr<const camera::Frame> frame);
  // A new participant: forget the face and any frame not searched yet (the next search, on the
  // next frame offered, covers the whole frame).
  void forget();
  FaceSighting latest() const;

 private:
  void run();

  std::shared_ptr<const photo::FaceFinder> faces_;
  FaceTrackerOptions options_;
  mutable std::mutex mu_;  // guards everything below but worker_
  std::shared_ptr<const camera::Frame> offered_;
  FaceSighting seen_;
  std::uint64_t generation_ = 0;  // bumped by forget(): drops a search that started before
  std::chrono::steady_clock::time_point next_search_{};
  Worker worker_{mu_};  // last: stopped before what its thread reads goes
};

// Eases the preview's framing toward the tracked face, so it pans instead of jumping: from
// the centre when a face appears, back to the centre a while after it is gone. Pure; the UI
// thread calls step() once per preview frame.
class FaceFollow {
 public:
  // time_constant: the framing covers 63% of the way to the face in this long.
  // keep_for: how long the framing stays on a face the tracker lost (a blink, a turn).
  explicit FaceFollow(std::chrono::milliseconds time_constant = std::chrono::milliseconds(150),
                      std::chrono::milliseconds keep_for = std::chrono::milliseconds(1500));
  // The face to frame the preview on (nullopt = centred), given the tracker's latest
  // sighting, the camera frame's size and the time now.
  std::optional<cv::Rect> step(const std::optional<cv::Rect>& seen, cv::Size frame,
                               std::chrono::steady_clock::time_point now);
  void reset();

 private:
  double tau_ms_, keep_ms_;
  bool active_ = false;  // framing on a (possibly eased) face
  cv::Point2d centre_;
  cv::Size2d size_;
  std::optional<cv::Rect> target_;  // the face last seen
  std::chrono::steady_clock::time_point last_step_{}, last_seen_{};
};

}  // namespace pb::kiosk
