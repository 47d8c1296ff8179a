// SPDX-License-Identifier: Apache-2.0
// Text on the sign: UTF-8, Hangul coverage, shrinking, wrapping and cutting; layout files.
#include <catch2/catch.hpp>

#include "photo_fixture.h"
#include "sign_impl.h"
#include "text.h"

using pb::decode_utf8;
using pb::photo::fit_text;
using pb::photo::Font;

namespace {
const Font& font() {
  static auto f = Font::open(pb::photo::kDefaultFont);
  REQUIRE(f.is_ok());
  return **f;
}
}  // namespace

TEST_CASE("utf8 decoding keeps Hangul and replaces malformed bytes", "[photo][text]") {
  CHECK(decode_utf8("민준 A") == U"민준 A");
  CHECK(decode_utf8("a\xff"
                    "b") == U"a\uFFFDb");
  CHECK(decode_utf8("\xe2\x82") == U"\uFFFD\uFFFD");  // truncated sequence
  CHECK(pb::encode_utf8(U"우리 딸…") == "우리 딸…");
}

TEST_CASE("the Nanum font has glyphs for Korean answers and draws them", "[photo][text]") {
  CHECK(font().covers(U"우리 딸을 위해 민준 김서연"));
  CHECK(font().covers(U"for my daughter #HeForShe"));
  CHECK_FALSE(font().covers(U"\uE000"));  // a private-use code point: no glyph
  const cv::Mat hangul = font().render(U"민준", 40);
  const cv::Mat tofu = font().render(U"\uE000\uE001", 40);
  CHECK(cv::countNonZero(hangul) > 200);
  CHECK(hangul.rows == font().line_height(40));
  CHECK((hangul.size() != tofu.size() || cv::norm(hangul, tofu, cv::NORM_L1) > 0));
}

TEST_CASE("short text gets the largest size and long text shrinks to fit", "[photo][text]") {
  const cv::Size box(600, 120);
  const auto short_fit = fit_text(font(), U"Tom", box, 80, 30, 1);
  CHECK(short_fit.px == 80);
  CHECK_FALSE(short_fit.cut);
  const auto long_fit = fit_text(font(), U"Bartholomew Featherstonehaugh", box, 80, 30, 1);
  CHECK(long_fit.px < 80);
  CHECK(long_fit.px >= 30);
  REQUIRE(long_fit.lines.size() == 1);
  CHECK(font().width(long_fit.lines[0], long_fit.px) <= box.width);
  // One size larger would not have fitted.
  CHECK(font().width(long_fit.lines[0], long_fit.px + 1) > box.width);
}

TEST_CASE("an answer wraps onto two lines at spaces before shrinking further", "[photo][text]") {
  const cv::Size box(500, 120);
  const auto f =
      fit_text(font(), U"because everyone deserves the same chances in life", box, 50, 20, 2);
  REQUIRE(f.lines.size() == 2);
  CHECK_FALSE(f.cut);
  for (const auto& l : f.lines) CHECK(font().width(l, f.px) <= box.width);
  CHECK(f.lines.size() * font().line_height(f.px) <= static_cast<std::size_t>(box.height));
  const auto ko =
      fit_text(font(), U"우리 딸과 아들이 같은 기회를 누리는 세상을 위해서", box, 50, 20, 2);
  CHECK(ko.lines.size() <= 2);
  for (const auto& l : ko.lines) CHECK(font().width(l, ko.px) <= box.width);
}

TEST_CASE("text too long even at the minimum size is cut with an ellipsis", "[photo][text]") {
  const cv::Size box(300, 40);
  const auto f = fit_text(font(), std::u32string(200, U'W'), box, 40, 20, 1);
  CHECK(f.cut);
  CHECK(f.px == 20);
  REQUIRE(f.lines.size() == 1);
  CHECK(f.lines[0].back() == U'\u2026');
  CHECK(font().width(f.lines[0], f.px) <= box.width);
  const auto two =
      fit_text(font(), U"one two three four five six seven eight nine ten eleven twelve",
               {160, 200}, 30, 24, 2);
  CHECK(two.cut);
  CHECK(two.lines.size() == 2);
  for (const auto& l : two.lines) CHECK(font().width(l, two.px) <= 160);
  CHECK(fit_text(font(), U"   ", box, 40, 20, 1).lines.empty());
}

TEST_CASE("a broken layout file is refused with the file and line", "[photo][text]") {
  const cv::Size sign(1000, 470);
  const std::string good =
      "[name]\nbox = [60, 250, 880, 100]\ncolour = \"#8C1E8C\"\n[answer]\nbox = [60, 350, 880, "
      "70]\n";
  REQUIRE(pb::photo::parse_layout(good, "x.layout", sign).is_ok());
  auto syntax = pb::photo::parse_layout("[name\nbox = 1\n", "x.layout", sign);
  REQUIRE_FALSE(syntax.is_ok());
  CHECK(syntax.status().message().rfind("x.layout:1:", 0) == 0);
  auto outside = pb::photo::parse_layout(
      "[name]\nbox = [900, 250, 880, 100]\n[answer]\nbox = [60, 350, 880, 70]\n", "x.layout", sign);
  CHECK(outside.status().message().find("outside the sign") != std::string::npos);
  auto colour = pb::photo::parse_layout(
      "[name]\nbox = [60, 250, 880, 100]\ncolour = \"purple\"\n[answer]\nbox = [60, 350, 880, "
      "70]\n",
      "x.layout", sign);
  CHECK(colour.status().code() == pb::Status::Code::kInvalid);
  CHECK_FALSE(
      pb::photo::parse_layout("[answer]\nbox = [60, 350, 880, 70]\n", "x.layout", sign).is_ok());
}

TEST_CASE("loading a sign frame reports missing files", "[photo][text]") {
  pb::test::TempDir dir("sign");
  auto none = pb::photo::SignFrame::load(dir / "nothing.png");
  CHECK(none.status().code() == pb::Status::Code::kNotFound);
  // The PNG without its layout file.
  cv::imwrite(dir / "frame.png", cv::Mat(10, 10, CV_8UC4, cv::Scalar(0, 0, 0, 255)));
  auto no_layout = pb::photo::SignFrame::load(dir / "frame.png");
  CHECK(no_layout.status().code() == pb::Status::Code::kNotFound);
  CHECK(no_layout.status().message().find("frame.layout") != std::string::npos);
  // Opaque RGB (no alpha) is refused: the sign must be see-through around the placard.
  cv::imwrite(dir / "rgb.png", cv::Mat(10, 10, CV_8UC3, cv::Scalar(0, 0, 0)));
  CHECK(pb::photo::SignFrame::load(dir / "rgb.png").status().code() == pb::Status::Code::kInvalid);
  auto bad_font = pb::photo::SignFrame::load(pb::test::source_dir() + "/assets/frames/heforshe.png",
                                             dir / "nofont.ttf");
  CHECK(bad_font.status().code() == pb::Status::Code::kNotFound);
}

TEST_CASE("the shipped sign frame is a placard with transparent surroundings", "[photo][text]") {
  auto sign = pb::test::sign_frame();
  const cv::Mat& rgba = sign->rgba();
  CHECK(rgba.type() == CV_8UC4);
  CHECK(rgba.at<cv::Vec4b>(0, 0)[3] == 0);                            // corner outside the card
  CHECK(rgba.at<cv::Vec4b>(rgba.rows / 2, rgba.cols / 2)[3] == 255);  // the card itself
  // The heading band is HeForShe magenta-purple.
  const cv::Vec4b band = rgba.at<cv::Vec4b>(30, 40);
  CHECK(band[0] > 110);
  CHECK(band[1] < 60);
  CHECK(band[2] > 110);
}
