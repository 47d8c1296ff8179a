// SPDX-License-Identifier: Apache-2.0
// Composing: golden images in English and Korean, text placement, the three aspects and the
// mirrored ARGB preview.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>

#include "photo_fixture.h"
#include "sign_impl.h"

using pb::photo::Aspect;
using pb::photo::Composer;
using pb::photo::SignText;

namespace {

// Where two images differ visibly (text ink), as a mask.
cv::Mat ink_mask(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d, grey;
  cv::absdiff(a, b, d);
  cv::cvtColor(d, grey, cv::COLOR_BGR2GRAY);
  return grey > 8;
}

// The same as a bounding rect (empty when none).
cv::Rect changed_area(const cv::Mat& a, const cv::Mat& b) {
  std::vector<cv::Point> pts;
  cv::findNonZero(ink_mask(a, b), pts);
  return pts.empty() ? cv::Rect() : cv::boundingRect(pts);
}

// A layout box on the photo: sign pixels scaled and moved to where the sign sits.
cv::Rect on_photo(cv::Rect box, const pb::photo::PlacedSign& p) {
  return {p.at.x + static_cast<int>(box.x * p.scale), p.at.y + static_cast<int>(box.y * p.scale),
          static_cast<int>(box.width * p.scale) + 2, static_cast<int>(box.height * p.scale) + 2};
}

bool inside(cv::Rect inner, cv::Rect outer) {
  return (inner & outer) == inner;
}

}  // namespace

TEST_CASE("compose matches the golden photo with an English name and answer",
          "[photo][compose][golden]") {
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  auto p = c.compose(pb::test::camera_frame(), {"Daniel", "for my daughter", ""});
  REQUIRE(p.is_ok());
  CHECK(p->bgr.size() == cv::Size(1080, 1350));
  CHECK(p->crop == cv::Rect(352, 0, 576, 720));  // centred: no face finder
  pb::test::check_golden(p->bgr, "compose_en");
}

TEST_CASE("compose matches the golden photo with a Korean name and answer",
          "[photo][compose][golden]") {
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  auto p = c.compose(pb::test::camera_frame(), {"민준", "우리 딸을 위해", ""});
  REQUIRE(p.is_ok());
  pb::test::check_golden(p->bgr, "compose_ko");
}

TEST_CASE("compose matches the golden square photo with a long name that shrinks",
          "[photo][compose][golden]") {
  Composer c(pb::test::sign_frame(), Aspect::k1x1, nullptr);
  auto p = c.compose(pb::test::camera_frame(), {"Maximilian-Alexander Wolfeschlegelsteinhausen",
                                                "because everyone deserves the same chances", ""});
  REQUIRE(p.is_ok());
  CHECK(p->bgr.size() == cv::Size(1080, 1080));
  pb::test::check_golden(p->bgr, "compose_long_1x1");
}

TEST_CASE("the name and the answer land inside their boxes on the sign", "[photo][compose]") {
  auto sign = pb::test::sign_frame();
  Composer c(sign, Aspect::k4x5, nullptr);
  const cv::Mat cam = pb::test::camera_frame();
  const auto plain = c.compose(cam, {});
  REQUIRE(plain.is_ok());
  const auto placed = pb::photo::place_sign(sign->impl(), {1080, 1350});
  const auto& layout = sign->impl().layout;
  const cv::Rect name_box = on_photo(layout.name.box, placed);
  const cv::Rect answer_box = on_photo(layout.answer.box, placed);
  const cv::Rect both = on_photo(layout.name.box | layout.answer.box, placed);

  for (const SignText& t : {SignText{"Daniel", "", ""}, SignText{"민준", "", ""},
                            SignText{std::string(80, 'W'), "", ""}}) {
    INFO("name " << t.name);
    const auto p = c.compose(cam, t);
    const cv::Rect ink = changed_area(p->bgr, plain->bgr);
    CHECK(ink.area() > 0);
    CHECK(inside(ink, both));
  }
  // With both: the name's ink in the name box, the answer's in the answer box, none elsewhere.
  const auto p = c.compose(cam, {"Daniel", "for my sister and my mother and my friends", ""});
  const cv::Mat ink = ink_mask(p->bgr, plain->bgr);
  cv::Mat boxes(ink.size(), CV_8UC1, cv::Scalar(0));
  boxes(name_box).setTo(255);
  boxes(answer_box).setTo(255);
  CHECK(cv::countNonZero(ink(name_box)) > 500);
  CHECK(cv::countNonZero(ink(answer_box)) > 500);
  CHECK(cv::countNonZero(ink & ~boxes) == 0);
}

TEST_CASE("a long name is drawn smaller than a short one and never leaves the sign",
          "[photo][compose]") {
  auto sign = pb::test::sign_frame();
  Composer c(sign, Aspect::k4x5, nullptr);
  const cv::Mat cam = pb::test::camera_frame();
  const auto plain = c.compose(cam, {});
  const cv::Rect short_ink = changed_area(c.compose(cam, {"Tom", "", ""})->bgr, plain->bgr);
  const cv::Rect long_ink = changed_area(
      c.compose(cam, {"Bartholomew-Maximilian Featherstonehaugh", "", ""})->bgr, plain->bgr);
  // Cap height of "T" vs the long name's letters: the long one is shrunk.
  CHECK(long_ink.height < short_ink.height);
  CHECK(long_ink.width > short_ink.width);
  const auto placed = pb::photo::place_sign(sign->impl(), {1080, 1350});
  const cv::Rect sign_area(placed.at, placed.rgba.size());
  for (const std::string& name : {std::string(300, 'M'), std::string("김") + std::string(200, 'A'),
                                  std::string(40, ' ') + "민준" + std::string(40, ' ')}) {
    INFO(name);
    const cv::Rect ink =
        changed_area(c.compose(cam, {name, std::string(500, 'x'), ""})->bgr, plain->bgr);
    CHECK(inside(ink, sign_area));
  }
}

TEST_CASE("the blank line shows when there is neither name nor answer", "[photo][compose]") {
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  const cv::Mat cam = pb::test::camera_frame();
  const auto plain = c.compose(cam, {});
  const auto blank = c.compose(cam, {"", "", "I'm in."});
  CHECK(changed_area(blank->bgr, plain->bgr).area() > 0);
}

TEST_CASE("every aspect gives its output size and keeps the sign at the bottom",
          "[photo][compose]") {
  for (auto [aspect, size] : {std::pair{Aspect::k4x5, cv::Size(1080, 1350)},
                              std::pair{Aspect::k1x1, cv::Size(1080, 1080)},
                              std::pair{Aspect::k9x16, cv::Size(1080, 1920)}}) {
    Composer c(pb::test::sign_frame(), aspect, nullptr);
    auto p = c.compose(pb::test::camera_frame(), {"Daniel", "", ""});
    REQUIRE(p.is_ok());
    CHECK(p->bgr.size() == size);
    CHECK(pb::photo::output_size(aspect) == size);
    // The crop has the output's shape and lies inside the camera frame.
    CHECK(std::abs(p->crop.width * size.height - p->crop.height * size.width) <= size.height);
    CHECK(inside(p->crop, {0, 0, 1280, 720}));
  }
  CHECK(pb::photo::parse_aspect("9:16").value() == Aspect::k9x16);
  CHECK_FALSE(pb::photo::parse_aspect("16:9").is_ok());
  CHECK(pb::photo::preview_size(Aspect::k4x5, {1920, 1080}) == cv::Size(864, 1080));
  CHECK(pb::photo::preview_size(Aspect::k9x16, {720, 1280}) == cv::Size(720, 1280));
}

TEST_CASE("compose refuses an empty or non-BGR image", "[photo][compose]") {
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  CHECK(c.compose(cv::Mat(), {}).status().code() == pb::Status::Code::kInvalid);
  CHECK(c.compose(cv::Mat(10, 10, CV_8UC1), {}).status().code() == pb::Status::Code::kInvalid);
}

TEST_CASE("the preview is the same overlay mirrored into an ARGB8888 buffer", "[photo][preview]") {
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  const cv::Size size(432, 540);
  const int pitch = size.width * 4 + 64;  // a padded pitch, as SDL may hand out
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(pitch) * size.height, 0xAB);

  // Left half red, right half blue: mirrored, red must end up on the right.
  cv::Mat cam(720, 1280, CV_8UC3, cv::Scalar(255, 0, 0));
  cam(cv::Rect(0, 0, 640, 720)).setTo(cv::Scalar(0, 0, 255));
  const SignText text{"Daniel", "for my sister", ""};
  c.preview(cam, text, buf.data(), pitch, size);
  const cv::Mat argb(size, CV_8UC4, buf.data(), static_cast<std::size_t>(pitch));
  CHECK(argb.at<cv::Vec4b>(10, 10) == cv::Vec4b(255, 0, 0, 255));               // blue on the left
  CHECK(argb.at<cv::Vec4b>(10, size.width - 10) == cv::Vec4b(0, 0, 255, 255));  // red on the right
  for (int y = 0; y < size.height; ++y)                                         // padding untouched
    for (int x = size.width * 4; x < pitch; ++x)
      REQUIRE(buf[static_cast<std::size_t>(y) * pitch + x] == 0xAB);

  // With a uniform camera mirroring changes nothing, so the preview at output size must equal
  // the composed photo: the same sign, text and placement, not mirrored.
  const cv::Size out(1080, 1350);
  std::vector<std::uint8_t> big(static_cast<std::size_t>(out.width) * 4 * out.height);
  const cv::Mat grey(720, 1280, CV_8UC3, cv::Scalar(90, 120, 150));
  c.preview(grey, text, big.data(), out.width * 4, out);
  cv::Mat bgr;
  cv::cvtColor(cv::Mat(out, CV_8UC4, big.data()), bgr, cv::COLOR_BGRA2BGR);
  CHECK(cv::norm(bgr, c.compose(grey, text)->bgr, cv::NORM_INF) <= 1);
  std::vector<cv::Mat> ch;
  cv::split(cv::Mat(out, CV_8UC4, big.data()), ch);
  CHECK(cv::countNonZero(ch[3] != 255) == 0);
}

TEST_CASE("copy_to_argb writes the photo unmirrored with opaque alpha", "[photo][preview]") {
  cv::Mat img(4, 3, CV_8UC3, cv::Scalar(1, 2, 3));
  img.at<cv::Vec3b>(0, 0) = {10, 20, 30};
  std::vector<std::uint8_t> buf(4 * 16);
  pb::photo::copy_to_argb(img, buf.data(), 16);
  CHECK(buf[0] == 10);
  CHECK(buf[1] == 20);
  CHECK(buf[2] == 30);
  CHECK(buf[3] == 255);
  CHECK(buf[4] == 1);
}

TEST_CASE("compose and preview may run on two threads at once", "[photo][compose]") {
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  const cv::Mat cam = pb::test::camera_frame();
  const auto expected = c.compose(cam, {"Daniel", "for everyone", ""});
  std::atomic<int> mismatches{0};
  std::thread saver([&] {
    for (int i = 0; i < 6; ++i)
      if (cv::norm(c.compose(cam, {"Daniel", "for everyone", ""})->bgr, expected->bgr,
                   cv::NORM_INF) != 0)
        ++mismatches;
  });
  std::vector<std::uint8_t> buf(540 * 4 * 675);
  for (int i = 0; i < 20; ++i)
    c.preview(cam, {i % 2 ? "Dan" : "Daniel", "", ""}, buf.data(), 540 * 4, {540, 675});
  saver.join();
  CHECK(mismatches == 0);
}

namespace {

// Waits (up to a minute: sanitizer builds on a busy machine) for the composer's thread to
// have drawn the overlay for (size, text).
bool wait_ready(const Composer& c, cv::Size size, const SignText& text) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!c.preview_ready(size, text)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace

TEST_CASE("the booth's preview keeps the text before a key until the new text is drawn",
          "[photo][preview]") {
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  const cv::Size size(432, 540);
  const std::size_t bytes = static_cast<std::size_t>(size.width) * 4 * size.height;
  const cv::Mat cam = pb::test::camera_frame();
  std::vector<std::uint8_t> shown(bytes), want(bytes);
  auto same = [&] { return shown == want; };
  const SignText dan{"Dan", "", ""}, daniel{"Daniel", "", ""}, plain{"", "", "Your name here"};

  // Nothing shown at this size yet: the first text is drawn at once.
  CHECK_FALSE(c.preview_ready(size, dan));
  CHECK(c.preview_latest(cam, dan, shown.data(), size.width * 4, size));
  c.preview(cam, dan, want.data(), size.width * 4, size);
  CHECK(same());

  // A new text: this frame shows the one before it, and the composer's thread draws it.
  CHECK_FALSE(c.preview_latest(cam, daniel, shown.data(), size.width * 4, size));
  CHECK(same());
  REQUIRE(wait_ready(c, size, daniel));
  CHECK(c.preview_latest(cam, daniel, shown.data(), size.width * 4, size));
  c.preview(cam, daniel, want.data(), size.width * 4, size);
  CHECK(same());

  // The plain sign never shows somebody's name in its place: drawn at once.
  CHECK_FALSE(c.preview_ready(size, plain));
  CHECK(c.preview_latest(cam, plain, shown.data(), size.width * 4, size));
  c.preview(cam, plain, want.data(), size.width * 4, size);
  CHECK(same());
  // ...and stays drawn however many names come after it.
  for (const char* name : {"A", "Bo", "Cy", "Di", "Ed", "Flo"})
    c.preview(cam, {name, "", ""}, want.data(), size.width * 4, size);
  CHECK(c.preview_ready(size, plain));
  CHECK_FALSE(c.preview_ready(size, dan));  // names are not kept forever

  // Keys typed faster than the text is drawn: the last one is drawn in the end.
  for (const char* name : {"J", "Ji", "Jih", "Jiho"})
    c.preview_latest(cam, {name, "", ""}, shown.data(), size.width * 4, size);
  REQUIRE(wait_ready(c, size, {"Jiho", "", ""}));
  CHECK(c.preview_latest(cam, {"Jiho", "", ""}, shown.data(), size.width * 4, size));
}

TEST_CASE("the plain sign is drawn ahead on request and a composer drawing can be destroyed",
          "[photo][preview]") {
  const cv::Size size(216, 270);
  const SignText plain{"", "", "Your name here"};
  {
    Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
    c.prepare(size, plain);
    REQUIRE(wait_ready(c, size, plain));
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(size.width) * 4 * size.height);
    CHECK(c.preview_latest(pb::test::camera_frame(), plain, buf.data(), size.width * 4, size));
  }
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  c.prepare(size, {"Daniel", "for my sister", ""});  // destroyed while its thread draws
}

TEST_CASE("the preview without a camera frame is opaque black behind the sign",
          "[photo][preview]") {
  Composer c(pb::test::sign_frame(), Aspect::k4x5, nullptr);
  const cv::Size size(216, 270);
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(size.width) * 4 * size.height, 7);
  c.preview(cv::Mat(), {"Daniel", "", ""}, buf.data(), size.width * 4, size);
  const cv::Mat argb(size, CV_8UC4, buf.data());
  CHECK(argb.at<cv::Vec4b>(5, 5) == cv::Vec4b(0, 0, 0, 255));
  std::vector<cv::Mat> ch;
  cv::split(argb, ch);
  CHECK(cv::countNonZero(ch[3] != 255) == 0);
  CHECK(cv::countNonZero(ch[1]) > 1000);  // the sign is drawn
}

TEST_CASE("scripts make-frame reproduces the committed sign frame", "[photo][compose]") {
  pb::test::TempDir dir("frame");
  const auto r = pb::test::run(
      {PB_MAKE_FRAME, dir / "heforshe.png", "/usr/share/fonts/truetype/nanum/NanumSquareB.ttf"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const cv::Mat made = cv::imread(dir / "heforshe.png", cv::IMREAD_UNCHANGED);
  const cv::Mat shipped =
      cv::imread(pb::test::source_dir() + "/assets/frames/heforshe.png", cv::IMREAD_UNCHANGED);
  REQUIRE(made.size() == shipped.size());
  CHECK(cv::norm(made, shipped, cv::NORM_INF) <= 2);
  CHECK(pb::test::read_file(dir / "heforshe.layout") ==
        pb::test::read_file(pb::test::source_dir() + "/assets/frames/heforshe.layout"));
}
