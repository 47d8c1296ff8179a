// SPDX-License-Identifier: Apache-2.0
// The video-file camera behind the grabber: a file deleted, replaced or cut short at its
// path is noticed, and the grabber plays what is at the path now, within the 2 s goal.
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>
#include <opencv2/videoio.hpp>

#include "pb/camera.h"
#include "test_support.h"

using namespace std::chrono_literals;
using pb::camera::Grabber;
using pb::camera::SyntheticSource;

namespace {

// A short MJPEG clip of the synthetic scene at `size`, written beside `path` and renamed
// onto it (a new inode, as a file copied in by a volunteer would be).
void write_clip(const std::string& path, cv::Size size, int frames = 30) {
  const std::string tmp = path + ".part.avi";
  {
    cv::VideoWriter w(tmp, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30,
                      size);
    REQUIRE(w.isOpened());
    SyntheticSource scene(size.width, size.height, 30);
    for (int i = 0; i < frames; ++i) w.write(scene.render(i));
  }
  std::filesystem::rename(tmp, path);
}

std::unique_ptr<pb::camera::CameraSource> file_source(const std::string& path) {
  pb::config::CameraConfig c;
  c.source = "file:" + path;
  auto s = pb::camera::make_source(c);
  REQUIRE(s.is_ok());
  return std::move(*s);
}

// Waits for a frame of `size` newer than `after`; nullptr when none comes in time.
std::shared_ptr<const pb::camera::Frame> frame_of_size(const Grabber& g, cv::Size size,
                                                       std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::uint64_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto f = g.wait_next(seen, 100ms);
    if (!f) continue;
    if (f->bgr.size() == size) return f;
    seen = f->sequence;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a file camera whose file is deleted stops and plays a new file at that path",
          "[camera][file]") {
  pb::test::TempDir dir("camfile-del");
  const std::string path = dir / "camera.avi";
  write_clip(path, {96, 64});
  Grabber grabber(file_source(path));
  grabber.start();
  REQUIRE(frame_of_size(grabber, {96, 64}, pb::test::scaled(5s)));

  std::filesystem::remove(path);
  // Noticed: no more frames of the deleted file, the camera reported gone.
  REQUIRE(pb::test::eventually([&] { return !grabber.stats().connected; }, pb::test::scaled(2s)));
  CHECK(grabber.stats().last_error.find(path) != std::string::npos);
  const auto before = grabber.stats().frames;
  // A quarter-second's retry rhythm keeps failing quietly while nothing is there.
  CHECK(pb::test::eventually([&] { return grabber.stats().failures >= 3; }, pb::test::scaled(3s)));
  CHECK(grabber.stats().frames == before);

  write_clip(path, {128, 80});
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(frame_of_size(grabber, {128, 80}, pb::test::scaled(3s)));
  const auto recovery = std::chrono::steady_clock::now() - t0;
  INFO("recovered in " << std::chrono::duration<double>(recovery).count() << " s");
  CHECK(grabber.stats().reconnects >= 1);
}

TEST_CASE("a file camera notices its file replaced at the same path", "[camera][file]") {
  pb::test::TempDir dir("camfile-new");
  const std::string path = dir / "camera.avi";
  write_clip(path, {96, 64});
  Grabber grabber(file_source(path));
  grabber.start();
  REQUIRE(frame_of_size(grabber, {96, 64}, pb::test::scaled(5s)));
  write_clip(path, {160, 96});
  REQUIRE(frame_of_size(grabber, {160, 96}, pb::test::scaled(3s)));
  CHECK(grabber.stats().last_error.find("changed") != std::string::npos);
}

TEST_CASE("a file camera notices a truncated file every time", "[camera][file]") {
  pb::test::TempDir dir("camfile-cut");
  for (int attempt = 0; attempt < 8; ++attempt) {
    INFO("attempt " << attempt);
    const std::string path = dir / ("camera-" + std::to_string(attempt) + ".avi");
    write_clip(path, {96, 64}, 60);
    Grabber grabber(file_source(path));
    grabber.start();
    REQUIRE(frame_of_size(grabber, {96, 64}, pb::test::scaled(5s)));
    REQUIRE(grabber.stats().failures == 0);
    const auto size = std::filesystem::file_size(path);
    REQUIRE(truncate(path.c_str(), static_cast<off_t>(size / (2 + attempt % 3))) == 0);
    CHECK(
        pb::test::eventually([&] { return grabber.stats().failures >= 1; }, pb::test::scaled(2s)));
    CHECK(grabber.stats().last_error.find(path) != std::string::npos);
  }
}
