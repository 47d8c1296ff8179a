// SPDX-License-Identifier: Apache-2.0
// Shared by the photo tests: the real sign frame, a deterministic camera frame, golden files.
#pragma once

#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pb/camera.h"
#include "pb/photo.h"
#include "test_support.h"

namespace pb::test {

inline std::shared_ptr<const photo::SignFrame> sign_frame() {
  static auto sign = photo::SignFrame::load(source_dir() + "/assets/frames/heforshe.png");
  REQUIRE(sign.is_ok());
  return *sign;
}

// Frame 42 of the synthetic camera at 1280x720: the same pixels on every run.
inline cv::Mat camera_frame() {
  return camera::SyntheticSource(1280, 720, 30).render(42);
}

// Where a test image from Debian's python3-skimage lives (read in place, never copied).
inline std::string skimage(const std::string& name) {
  return "/usr/lib/python3/dist-packages/skimage/data/" + name;
}

// Compares img with tests/photo/golden/<name>.png: mean absolute difference under 0.6 levels
// and under 0.2 % of the channel values off by more than 40 (font rasteriser updates move a
// few edge pixels; a moved or missing text line moves thousands). PB_UPDATE_GOLDEN=1 rewrites.
inline void check_golden(const cv::Mat& img, const std::string& name) {
  const std::string path = source_dir() + "/tests/photo/golden/" + name + ".png";
  if (const char* u = std::getenv("PB_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    REQUIRE(cv::imwrite(path, img));
    WARN("rewrote " << path);
    return;
  }
  const cv::Mat golden = cv::imread(path, cv::IMREAD_COLOR);
  INFO("golden " << path << " (PB_UPDATE_GOLDEN=1 rewrites it)");
  REQUIRE_FALSE(golden.empty());
  REQUIRE(golden.size() == img.size());
  cv::Mat diff;
  cv::absdiff(img, golden, diff);
  const double mean = cv::mean(diff.reshape(1))[0];
  const double far = cv::countNonZero(diff.reshape(1) > 40) / static_cast<double>(diff.total() * 3);
  INFO("mean diff " << mean << ", share of values off by >40: " << far);
  if (mean >= 0.6 || far >= 0.002) cv::imwrite("/tmp/" + name + ".actual.png", img);
  CHECK(mean < 0.6);
  CHECK(far < 0.002);
}

}  // namespace pb::test
