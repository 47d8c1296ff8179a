// SPDX-License-Identifier: Apache-2.0
// Camera sources: the synthetic scene, make_source's specs, and the looping video file.
#include <filesystem>

#include <catch2/catch.hpp>
#include <opencv2/videoio.hpp>

#include "pb/camera.h"
#include "pb/log.h"
#include "test_support.h"

using pb::Status;
using pb::camera::Frame;
using pb::camera::SyntheticSource;

namespace {
pb::config::CameraConfig spec(const std::string& source) {
  pb::config::CameraConfig c;
  c.source = source;
  c.width = 320;
  c.height = 240;
  c.fps = 30;
  return c;
}
}  // namespace

TEST_CASE("the synthetic source paces frames and draws its counter into them", "[camera][source]") {
  SyntheticSource s(320, 240, 50);
  Frame f;
  CHECK_FALSE(s.read(f).is_ok());  // not open yet
  REQUIRE(s.open().is_ok());
  REQUIRE(s.read(f).is_ok());
  const auto first = f.synthetic_counter;
  const auto t0 = f.captured;
  for (int i = 0; i < 5; ++i) REQUIRE(s.read(f).is_ok());
  CHECK(f.synthetic_counter >= first + 5);
  CHECK(f.captured - t0 >= std::chrono::milliseconds(80));  // 5 frames at 50 fps, paced
  CHECK(f.bgr.size() == cv::Size(320, 240));
  CHECK(f.bgr.type() == CV_8UC3);
  // Deterministic per counter, different between counters (the number is drawn in).
  CHECK(cv::norm(s.render(12), s.render(12), cv::NORM_INF) == 0);
  CHECK(cv::norm(s.render(12), s.render(13), cv::NORM_L1) > 0);
}

TEST_CASE("make_source understands each spec and rejects unknown ones", "[camera][source]") {
  auto syn = pb::camera::make_source(spec("synthetic"));
  REQUIRE(syn.is_ok());
  CHECK((*syn)->describe() == "synthetic 320x240@30");

  auto bad = pb::camera::make_source(spec("webcam please"));
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().code() == Status::Code::kInvalid);
  CHECK(bad.status().message().find("device:N") != std::string::npos);

  auto missing = pb::camera::make_source(spec("file:/nonexistent/clip.avi"));
  REQUIRE(missing.is_ok());
  const Status st = (*missing)->open();
  CHECK(st.code() == Status::Code::kUnavailable);
  CHECK(st.message().find("/nonexistent/clip.avi") != std::string::npos);

  auto dev = pb::camera::make_source(spec("device:/dev/video-none"));
  REQUIRE(dev.is_ok());
  CHECK_FALSE((*dev)->open().is_ok());
}

TEST_CASE("auto falls back to the synthetic camera when no device works", "[camera][source]") {
  // This machine has no webcam; where one exists the check is skipped.
  bool any = false;
  for (int i = 0; i < 10; ++i)
    any = any || std::filesystem::exists("/dev/video" + std::to_string(i));
  if (any) SUCCEED("a /dev/video device exists here; fallback not observable");
  pb::log::Capture log;
  auto s = pb::camera::make_source(spec("auto"));
  REQUIRE(s.is_ok());
  if (!any) {
    CHECK((*s)->describe().rfind("synthetic", 0) == 0);
    CHECK(log.contains("pledgebooth: camera: auto found no working camera"));
  }
}

TEST_CASE("a video file source loops at its end", "[camera][source]") {
  pb::test::TempDir dir("camfile");
  const std::string path = dir / "clip.avi";
  {
    cv::VideoWriter w(path, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 100,
                      {96, 64});
    REQUIRE(w.isOpened());
    SyntheticSource scene(96, 64, 100);
    for (int i = 0; i < 6; ++i) w.write(scene.render(i));
  }
  auto s = pb::camera::make_source(spec("file:" + path));
  REQUIRE(s.is_ok());
  REQUIRE((*s)->open().is_ok());
  Frame f;
  REQUIRE((*s)->read(f).is_ok());
  // Each frame owns its pixels: later reads must not write into an earlier frame.
  const cv::Mat first = f.bgr, first_copy = f.bgr.clone();
  for (int i = 0; i < 15; ++i) {
    INFO("frame " << i);
    REQUIRE((*s)->read(f).is_ok());
    CHECK(f.bgr.size() == cv::Size(96, 64));
    CHECK(f.synthetic_counter == -1);
    CHECK(f.bgr.data != first.data);
  }
  CHECK(cv::norm(first, first_copy, cv::NORM_INF) == 0);
  (*s)->close();
}

TEST_CASE("a GStreamer pipeline delivers frames and is reopened when it ends", "[camera][source]") {
  // videotestsrc stops after 8 buffers, like a camera that goes away; the grabber reopens it.
  auto s =
      pb::camera::make_source(spec("gst:videotestsrc num-buffers=8 ! "
                                   "video/x-raw,width=160,height=120 ! videoconvert ! appsink"));
  REQUIRE(s.is_ok());
  CHECK((*s)->describe().rfind("gst:videotestsrc", 0) == 0);
  pb::camera::Grabber grabber(std::move(*s));
  grabber.start();
  std::uint64_t seen = 0;
  for (int i = 0; i < 20; ++i) {
    auto f = grabber.wait_next(seen, std::chrono::seconds(5));
    REQUIRE(f != nullptr);
    CHECK(f->bgr.size() == cv::Size(160, 120));
    seen = f->sequence;
  }
  const auto stats = grabber.stats();
  CHECK(stats.reconnects >= 1);
  CHECK(stats.failures >= 1);
}
