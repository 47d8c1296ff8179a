// SPDX-License-Identifier: Apache-2.0
// The synthetic camera: a moving, clock-paced scene with its frame counter drawn in it.
#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "pb/camera.h"

namespace pb::camera {

SyntheticSource::SyntheticSource(int width, int height, int fps)
    : width_(std::max(16, width)), height_(std::max(16, height)), fps_(std::clamp(fps, 1, 240)) {}

Status SyntheticSource::open() {
  if (t0_ == Clock::time_point{}) t0_ = Clock::now();
  opened_ = true;
  return Status::ok();
}

void SyntheticSource::close() {
  opened_ = false;
}

std::string SyntheticSource::describe() const {
  return "synthetic " + std::to_string(width_) + "x" + std::to_string(height_) + "@" +
         std::to_string(fps_);
}

std::int64_t SyntheticSource::counter_at(Clock::time_point t) const {
  if (t0_ == Clock::time_point{} || t < t0_) return 0;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t - t0_).count();
  return static_cast<std::int64_t>(ns / (1'000'000'000LL / fps_));
}

Status SyntheticSource::read(Frame& out) {
  if (!opened_) return Status::error(Status::Code::kUnavailable, "synthetic camera is not open");
  const auto slot = std::chrono::nanoseconds(1'000'000'000LL / fps_);
  // The next slot after the last frame, or the current one when we fell behind.
  std::int64_t n = std::max(last_ + 1, counter_at(Clock::now()));
  std::this_thread::sleep_until(t0_ + slot * n);
  n = std::max(n, counter_at(Clock::now()));
  out.bgr = render(n);
  out.synthetic_counter = n;
  out.captured = Clock::now();
  last_ = n;
  return Status::ok();
}

cv::Mat SyntheticSource::render(std::int64_t n) const {
  cv::Mat img(height_, width_, CV_8UC3);
  // A soft vertical gradient (a wall) with a slowly drifting hue.
  const double phase = static_cast<double>(n) / fps_;
  for (int y = 0; y < height_; ++y) {
    const double t = static_cast<double>(y) / height_;
    const cv::Vec3b c(static_cast<uchar>(150 + 40 * t + 20 * std::sin(phase * 0.5)),
                      static_cast<uchar>(130 + 30 * t), static_cast<uchar>(110 + 20 * t));
    img.row(y).setTo(cv::Scalar(c[0], c[1], c[2]));
  }
  const double u = std::min(width_, height_) / 720.0;  // scale of the scene
  auto px = [u](double v) { return static_cast<int>(std::lround(v * u)); };
  // A person: shoulders and a head, swaying a little so motion is visible.
  const int cx = width_ / 2 + px(60 * std::sin(phase * 1.3));
  const int cy = height_ / 2 - px(40);
  cv::ellipse(img, {cx, height_ + px(60)}, {px(260), px(250)}, 0, 180, 360, {90, 60, 40},
              cv::FILLED, cv::LINE_AA);
  cv::rectangle(img, {cx - px(45), cy + px(90)}, {cx + px(45), cy + px(170)}, {120, 150, 200},
                cv::FILLED);
  cv::ellipse(img, {cx, cy}, {px(95), px(120)}, 0, 0, 360, {125, 160, 215}, cv::FILLED,
              cv::LINE_AA);
  cv::ellipse(img, {cx, cy - px(70)}, {px(100), px(60)}, 0, 180, 360, {40, 45, 60}, cv::FILLED,
              cv::LINE_AA);
  cv::circle(img, {cx - px(35), cy - px(10)}, px(9), {50, 40, 40}, cv::FILLED, cv::LINE_AA);
  cv::circle(img, {cx + px(35), cy - px(10)}, px(9), {50, 40, 40}, cv::FILLED, cv::LINE_AA);
  cv::ellipse(img, {cx, cy + px(45)}, {px(35), px(15)}, 0, 10, 170, {70, 70, 150}, px(5) + 1,
              cv::LINE_AA);
  // A ball crossing the frame once a few seconds.
  const int bx = static_cast<int>((n * 7) % (width_ + 80)) - 40;
  cv::circle(img, {bx, px(110)}, px(28), {60, 180, 240}, cv::FILLED, cv::LINE_AA);
  // The counter, top left, large enough to read back in tests and screenshots.
  cv::putText(img, "#" + std::to_string(n), {px(24), height_ - px(28)}, cv::FONT_HERSHEY_SIMPLEX,
              1.4 * u, {255, 255, 255}, std::max(1, px(3)), cv::LINE_AA);
  return img;
}

}  // namespace pb::camera
