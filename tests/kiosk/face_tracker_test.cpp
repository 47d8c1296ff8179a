// SPDX-License-Identifier: Apache-2.0
// The booth's face tracker on real photographs (Debian python3-skimage, read in place), and
// the preview framing that eases toward the face it reports.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pb/camera.h"
#include "pb/face_tracker.h"
#include "pb/photo.h"
#include "test_support.h"

using namespace pb::kiosk;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const pb::photo::FaceFinder> faces() {
  auto f = pb::photo::FaceFinder::load();
  REQUIRE(f.is_ok());
  return *f;
}

// A 1280x720 camera frame: the astronaut photo at horizontal offset x (or an empty grey
// room when x < 0), numbered like the grabber numbers frames.
std::shared_ptr<const pb::camera::Frame> frame(int x, std::uint64_t sequence) {
  auto f = std::make_shared<pb::camera::Frame>();
  f->bgr = cv::Mat(720, 1280, CV_8UC3, cv::Scalar(150, 160, 170));
  if (x >= 0) {
    cv::Mat img = cv::imread("/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
    REQUIRE_FALSE(img.empty());
    cv::resize(img, img, {720, 720});
    img.copyTo(f->bgr(cv::Rect(x, 0, 720, 720)));
  }
  f->sequence = sequence;
  f->captured = std::chrono::steady_clock::now();
  return f;
}

bool centre_within(const cv::Rect& r, int lo, int hi) {
  const int cx = r.x + r.width / 2;
  return cx >= lo && cx <= hi;
}

}  // namespace

TEST_CASE("the face tracker follows a face across the frame and lets go when it leaves",
          "[kiosk][faces]") {
  FaceTracker tracker(faces(), {10ms, 10ms});
  CHECK_FALSE(tracker.latest().face.has_value());

  // The astronaut's face is about a third into the photo: ~x 160..400 at offset 0.
  tracker.offer(frame(0, 1));
  REQUIRE(
      pb::test::eventually([&] { return tracker.latest().sequence == 1; }, pb::test::scaled(10s)));
  const auto left = tracker.latest().face;
  REQUIRE(left.has_value());
  CHECK(centre_within(*left, 150, 420));

  // A step to the right: followed (found near where it was, or anew).
  tracker.offer(frame(80, 2));
  REQUIRE(
      pb::test::eventually([&] { return tracker.latest().sequence == 2; }, pb::test::scaled(10s)));
  const auto moved = tracker.latest().face;
  REQUIRE(moved.has_value());
  CHECK(std::abs((moved->x - left->x) - 80) <= 12);

  // Gone to the other side of the frame: the stale place is not kept.
  tracker.offer(frame(1280 - 720, 3));
  REQUIRE(
      pb::test::eventually([&] { return tracker.latest().sequence == 3; }, pb::test::scaled(10s)));
  const auto far = tracker.latest().face;
  REQUIRE(far.has_value());
  CHECK(centre_within(*far, 560 + 150, 560 + 420));

  // Nobody there.
  tracker.offer(frame(-1, 4));
  REQUIRE(
      pb::test::eventually([&] { return tracker.latest().sequence == 4; }, pb::test::scaled(10s)));
  CHECK_FALSE(tracker.latest().face.has_value());
}

TEST_CASE("forgetting the face drops it at once and the tracker keeps working", "[kiosk][faces]") {
  FaceTracker tracker(faces(), {10ms, 10ms});
  tracker.offer(frame(0, 1));
  REQUIRE(pb::test::eventually([&] { return tracker.latest().face.has_value(); },
                               pb::test::scaled(10s)));
  tracker.forget();
  CHECK_FALSE(tracker.latest().face.has_value());
  CHECK(tracker.latest().sequence == 0);
  tracker.offer(frame(0, 2));
  CHECK(pb::test::eventually([&] { return tracker.latest().face.has_value(); },
                             pb::test::scaled(10s)));
}

TEST_CASE("forgetting the face drops the frame offered before it too", "[kiosk][faces]") {
  // After a sighting the next search waits 10 s: the frames offered meanwhile wait with it.
  FaceTracker tracker(faces(), {10s, 10s});
  tracker.offer(frame(0, 1));
  REQUIRE(
      pb::test::eventually([&] { return tracker.latest().sequence == 1; }, pb::test::scaled(10s)));
  REQUIRE(tracker.latest().face.has_value());
  // The last participant's last preview frame, then the booth goes back to ATTRACT (no more
  // frames): that frame shows someone who has left, and must not be searched.
  tracker.offer(frame(0, 2));
  tracker.forget();
  CHECK_FALSE(pb::test::eventually([&] { return tracker.latest().sequence != 0; }, 1s));
  CHECK_FALSE(tracker.latest().face.has_value());
  // The next participant's first frame is searched at once.
  tracker.offer(frame(80, 3));
  REQUIRE(
      pb::test::eventually([&] { return tracker.latest().sequence == 3; }, pb::test::scaled(10s)));
  CHECK(tracker.latest().face.has_value());
}

TEST_CASE("a tracker without a face finder finds nobody and shuts down while frames arrive",
          "[kiosk][faces]") {
  {
    FaceTracker tracker(nullptr, {1ms, 1ms});
    for (std::uint64_t i = 1; i <= 50; ++i) tracker.offer(frame(0, i));
    REQUIRE(
        pb::test::eventually([&] { return tracker.latest().sequence > 0; }, pb::test::scaled(10s)));
    CHECK_FALSE(tracker.latest().face.has_value());
  }
  // With a real search in flight at destruction, too.
  FaceTracker busy(faces(), {0ms, 0ms});
  busy.offer(frame(0, 1));
}

TEST_CASE("the preview framing pans to the face and back to the centre after it is gone",
          "[kiosk][faces]") {
  const cv::Size cam(1280, 720);
  const cv::Rect face(100, 200, 200, 200);  // centre (200, 300)
  FaceFollow follow(150ms, 1000ms);
  auto t = std::chrono::steady_clock::now();
  CHECK_FALSE(follow.step(std::nullopt, cam, t).has_value());  // nobody: centred

  // It starts at the middle of the frame and moves toward the face, never past it.
  auto r = follow.step(face, cam, t += 16ms);
  REQUIRE(r.has_value());
  double last_x = 640;
  for (int i = 0; i < 45; ++i) {  // 0.7 s at 60 Hz
    r = follow.step(face, cam, t += 16ms);
    REQUIRE(r.has_value());
    const double x = r->x + r->width / 2.0;
    CHECK(x <= last_x);
    CHECK(x >= 200 - 1);
    last_x = x;
  }
  CHECK(std::abs(last_x - 200) < 10);  // ~5 time constants: nearly there

  // A blink (no face for a moment) keeps the framing where it is.
  r = follow.step(std::nullopt, cam, t += 300ms);
  REQUIRE(r.has_value());
  CHECK(std::abs(r->x + r->width / 2.0 - last_x) < 10);

  // Gone for longer than keep_for: back to the centre, then the centred crop (nullopt).
  t += 1000ms;
  std::optional<cv::Rect> back;
  int steps = 0;
  do {
    back = follow.step(std::nullopt, cam, t += 16ms);
  } while (back && ++steps < 200);
  CHECK_FALSE(back.has_value());
  CHECK(steps > 5);  // it eased, it did not jump
}
