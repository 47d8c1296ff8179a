// SPDX-License-Identifier: Apache-2.0
// The sparse sign overlay against a straightforward per-pixel reference blend.
#include <random>

#include <catch2/catch.hpp>

#include "overlay.h"
#include "photo_fixture.h"
#include "sign_impl.h"

using pb::photo::SparseOverlay;

namespace {

// The textbook blend, in floating point: out = c·a + d·(1 − a).
cv::Mat reference_blend(const cv::Mat& bgr, const cv::Mat& rgba, cv::Point at) {
  cv::Mat out = bgr.clone();
  for (int y = 0; y < rgba.rows; ++y)
    for (int x = 0; x < rgba.cols; ++x) {
      const int ox = at.x + x, oy = at.y + y;
      if (ox < 0 || oy < 0 || ox >= out.cols || oy >= out.rows) continue;
      const cv::Vec4b s = rgba.at<cv::Vec4b>(y, x);
      const double a = s[3] / 255.0;
      cv::Vec3b& d = out.at<cv::Vec3b>(oy, ox);
      const cv::Vec3b src(s[2], s[1], s[0]);
      for (int k = 0; k < 3; ++k) d[k] = cv::saturate_cast<uchar>(src[k] * a + d[k] * (1 - a));
    }
  return out;
}

cv::Mat random_rgba(cv::Size size, std::mt19937& rng) {
  cv::Mat m(size, CV_8UC4);
  std::uniform_int_distribution<int> v(0, 255), kind(0, 3);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) {
      const int k = kind(rng);  // transparent, opaque and partial runs all occur
      const int a = k == 0 ? 0 : k == 1 ? 255 : v(rng);
      m.at<cv::Vec4b>(y, x) = cv::Vec4b(v(rng), v(rng), v(rng), a);
    }
  return m;
}

}  // namespace

TEST_CASE("the sparse overlay equals a reference blend within one level", "[photo][overlay]") {
  std::mt19937 rng(3);
  const cv::Mat rgba = random_rgba({61, 37}, rng);
  const auto overlay = SparseOverlay::build(rgba);
  cv::Mat bg(80, 90, CV_8UC3);
  cv::randu(bg, 0, 256);
  for (cv::Point at : {cv::Point(5, 7), cv::Point(-10, -4), cv::Point(50, 60)}) {
    INFO("at " << at);
    const cv::Mat expected = reference_blend(bg, rgba, at);
    cv::Mat got = bg.clone();
    overlay.apply_bgr(got, at);
    CHECK(cv::norm(got, expected, cv::NORM_INF) <= 1);

    // The ARGB8888 path gives the same colours and leaves alpha alone.
    cv::Mat bgra;
    cv::cvtColor(bg, bgra, cv::COLOR_BGR2BGRA);
    overlay.apply_bgra(bgra.data, static_cast<int>(bgra.step), bgra.size(), at);
    cv::Mat back;
    cv::cvtColor(bgra, back, cv::COLOR_BGRA2BGR);
    CHECK(cv::norm(back, expected, cv::NORM_INF) <= 1);
    std::vector<cv::Mat> ch;
    cv::split(bgra, ch);
    CHECK(cv::countNonZero(ch[3] != 255) == 0);
  }
}

TEST_CASE("the sparse overlay touches only pixels with alpha above zero", "[photo][overlay]") {
  std::mt19937 rng(5);
  const cv::Mat rgba = random_rgba({40, 30}, rng);
  const auto overlay = SparseOverlay::build(rgba);
  std::vector<cv::Mat> ch;
  cv::split(rgba, ch);
  CHECK(overlay.touched_pixels() == static_cast<std::size_t>(cv::countNonZero(ch[3])));
  cv::Mat bg(30, 40, CV_8UC3, cv::Scalar(17, 99, 201));
  cv::Mat got = bg.clone();
  overlay.apply_bgr(got, {0, 0});
  int touched_transparent = 0;
  for (int y = 0; y < got.rows; ++y)
    for (int x = 0; x < got.cols; ++x)
      if (got.at<cv::Vec3b>(y, x) != bg.at<cv::Vec3b>(y, x) && rgba.at<cv::Vec4b>(y, x)[3] == 0)
        ++touched_transparent;
  CHECK(touched_transparent == 0);
}

TEST_CASE("the composed photo equals a reference blend of the real sign within one level",
          "[photo][overlay]") {
  auto sign = pb::test::sign_frame();
  pb::photo::Composer composer(sign, pb::photo::Aspect::k4x5, nullptr);
  const cv::Mat cam = pb::test::camera_frame();
  auto photo = composer.compose(cam, {});
  REQUIRE(photo.is_ok());
  // The same crop and scale without the sign, then the textbook blend of the placed sign.
  const cv::Rect crop = pb::photo::crop_rect(cam.size(), {1080, 1350}, std::nullopt);
  CHECK(photo->crop == crop);
  cv::Mat plain;
  cv::resize(cam(crop), plain, {1080, 1350}, 0, 0, cv::INTER_LINEAR);
  const auto placed = pb::photo::place_sign(sign->impl(), {1080, 1350});
  const cv::Mat expected = reference_blend(plain, placed.rgba, placed.at);
  CHECK(cv::norm(photo->bgr, expected, cv::NORM_INF) <= 1);
  // Above the sign the photo is untouched camera.
  const cv::Rect above(0, 0, 1080, placed.at.y);
  CHECK(cv::norm(photo->bgr(above), plain(above), cv::NORM_INF) == 0);
}
