// SPDX-License-Identifier: Apache-2.0
// `pledgebooth snap`: a composed still through the configured camera, written to a folder.
#include <filesystem>

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include "test_support.h"

namespace fs = std::filesystem;

TEST_CASE("snap writes a composed photo from the synthetic camera", "[camera][cli]") {
  pb::test::TempDir dir("snap");
  pb::test::write_file(dir / "booth.toml",
                       "[camera]\nsource = \"synthetic\"\n[photo]\naspect = \"1:1\"\n");
  const auto r = pb::test::run_pledgebooth(
      {"--config", dir / "booth.toml", "snap", "--out", dir / "out", "--name", "Minho", "--png"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::string jpg, png;
  for (const auto& e : fs::directory_iterator(dir / "out")) {
    if (e.path().extension() == ".jpg") jpg = e.path();
    if (e.path().extension() == ".png") png = e.path();
  }
  REQUIRE_FALSE(jpg.empty());
  REQUIRE_FALSE(png.empty());
  const cv::Mat img = cv::imread(jpg);
  CHECK(img.size() == cv::Size(1080, 1080));
  CHECK(cv::imread(png).size() == cv::Size(1080, 1080));
  CHECK(r.output.find("synthetic counter") != std::string::npos);
}

TEST_CASE("snap with a camera that is not there exits 1 and names the problem", "[camera][cli]") {
  pb::test::TempDir dir("snapbad");
  pb::test::write_file(dir / "booth.toml", "[camera]\nsource = \"synthetic\"\n");
  // A config that validates but names a camera that is not there.
  pb::test::write_file(dir / "gone.toml",
                       "[camera]\nsource = \"file:" + (dir / "missing.avi") + "\"\n");
  const auto r = pb::test::run_pledgebooth(
      {"--config", dir / "gone.toml", "snap", "--out", dir / "out", "--timeout", "1"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("no frame from camera") != std::string::npos);
  CHECK(r.output.find("missing.avi") != std::string::npos);
}
