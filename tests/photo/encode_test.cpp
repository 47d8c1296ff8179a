// SPDX-License-Identifier: Apache-2.0
// Encoding: JPEG (libjpeg-turbo) and PNG (stb_image_write) round trips, and thumbnails.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include "photo_fixture.h"

TEST_CASE("a JPEG decodes to the same picture and quality trades size", "[photo][encode]") {
  const cv::Mat img = pb::test::camera_frame();
  auto hi = pb::photo::encode_jpeg(img, 95);
  auto lo = pb::photo::encode_jpeg(img, 30);
  REQUIRE(hi.is_ok());
  REQUIRE(lo.is_ok());
  CHECK((*hi)[0] == 0xFF);
  CHECK((*hi)[1] == 0xD8);  // SOI marker
  CHECK(lo->size() < hi->size());
  const cv::Mat back = cv::imdecode(*hi, cv::IMREAD_COLOR);
  REQUIRE(back.size() == img.size());
  CHECK(cv::PSNR(back, img) > 35);
  // A non-contiguous view (a crop) encodes too.
  CHECK(pb::photo::encode_jpeg(img(cv::Rect(100, 50, 301, 203)), 90).is_ok());
  CHECK(pb::photo::encode_jpeg(cv::Mat(), 90).status().code() == pb::Status::Code::kInvalid);
}

TEST_CASE("a PNG round-trips every pixel", "[photo][encode]") {
  const cv::Mat img = pb::test::camera_frame()(cv::Rect(10, 20, 333, 211));
  auto png = pb::photo::encode_png(img);
  REQUIRE(png.is_ok());
  const cv::Mat back = cv::imdecode(*png, cv::IMREAD_COLOR);
  REQUIRE(back.size() == img.size());
  CHECK(cv::norm(back, img, cv::NORM_INF) == 0);
}

TEST_CASE("a thumbnail keeps the aspect with its longer side at the limit", "[photo][encode]") {
  const cv::Mat img(1350, 1080, CV_8UC3, cv::Scalar(10, 20, 30));
  const cv::Mat t = pb::photo::thumbnail(img, 320);
  CHECK(t.size() == cv::Size(256, 320));
  CHECK(t.at<cv::Vec3b>(100, 100) == cv::Vec3b(10, 20, 30));
  CHECK(pb::photo::thumbnail(t, 1000).size() == t.size());
}
