// SPDX-License-Identifier: Apache-2.0
// Draws the #HeForShe sign frame (assets/frames/heforshe.png) and its layout file.
// Usage: pb_make_frame OUT.png [FONT.ttf]   (scripts/make-frame builds and runs it)
#include <cstdio>
#include <fstream>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "text.h"

namespace {

constexpr int kW = 1000, kH = 470;       // the sign, pixels
const cv::Rect kCard(20, 10, 960, 430);  // the placard inside (room for its shadow)
constexpr int kRadius = 34;              // corner radius
constexpr int kBand = 230;               // height of the coloured heading band
const cv::Vec3b kPurple(140, 30, 140);   // HeForShe magenta-purple, R,G,B
const cv::Vec3b kInk(52, 52, 58);        // answer text
constexpr int kSuper = 4;                // supersampling for smooth edges

// Coverage (CV_32F 0..1) of a rounded rect, antialiased by supersampling.
cv::Mat rounded(cv::Rect r, int radius, bool round_bottom = true) {
  cv::Mat big(kH * kSuper, kW * kSuper, CV_8UC1, cv::Scalar(0));
  const cv::Rect b(r.x * kSuper, r.y * kSuper, r.width * kSuper, r.height * kSuper);
  const int rad = radius * kSuper;
  cv::rectangle(big, cv::Rect(b.x + rad, b.y, b.width - 2 * rad, b.height), 255, cv::FILLED);
  cv::rectangle(big, cv::Rect(b.x, b.y + rad, b.width, b.height - (round_bottom ? 2 : 1) * rad),
                255, cv::FILLED);
  cv::circle(big, {b.x + rad, b.y + rad}, rad, 255, cv::FILLED);
  cv::circle(big, {b.x + b.width - rad - 1, b.y + rad}, rad, 255, cv::FILLED);
  if (round_bottom) {
    cv::circle(big, {b.x + rad, b.y + b.height - rad - 1}, rad, 255, cv::FILLED);
    cv::circle(big, {b.x + b.width - rad - 1, b.y + b.height - rad - 1}, rad, 255, cv::FILLED);
  } else {
    cv::rectangle(big, cv::Rect(b.x, b.y + b.height - rad, b.width, rad), 255, cv::FILLED);
  }
  cv::Mat small;
  cv::resize(big, small, {kW, kH}, 0, 0, cv::INTER_AREA);
  small.convertTo(small, CV_32F, 1.0 / 255);
  return small;
}

// Paints colour with coverage over a straight-alpha RGBA float image (0..1).
void over(cv::Mat& rgba, const cv::Mat& cover, cv::Vec3b rgb, float opacity = 1.f) {
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; ++x) {
      const float a = cover.at<float>(y, x) * opacity;
      if (a <= 0) continue;
      cv::Vec4f& d = rgba.at<cv::Vec4f>(y, x);
      const float oa = a + d[3] * (1 - a);
      for (int k = 0; k < 3; ++k) d[k] = (rgb[k] / 255.f * a + d[k] * d[3] * (1 - a)) / oa;
      d[3] = oa;
    }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.png [FONT.ttf]\n", argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  const std::string font_path =
      argc > 2 ? argv[2] : "/usr/share/fonts/truetype/nanum/NanumSquareB.ttf";
  auto font = pb::photo::Font::open(font_path);
  if (!font) {
    std::fprintf(stderr, "%s\n", font.status().message().c_str());
    return 1;
  }
  cv::Mat rgba(kH, kW, CV_32FC4, cv::Scalar(0, 0, 0, 0));
  // A soft shadow under the card so it reads as a held placard on any background.
  cv::Mat shadow = rounded(kCard + cv::Point(0, 8), kRadius);
  cv::GaussianBlur(shadow, shadow, {0, 0}, 7);
  over(rgba, shadow, {0, 0, 0}, 0.35f);
  over(rgba, rounded(kCard, kRadius), {255, 255, 255});
  over(rgba, rounded({kCard.x, kCard.y, kCard.width, kBand}, kRadius, false), kPurple);

  // The heading, as large as the band allows.
  const std::u32string heading = U"#HeForShe";
  const cv::Rect box(kCard.x + 40, kCard.y + 22, kCard.width - 80, kBand - 44);
  const auto fitted = pb::photo::fit_text(**font, heading, box.size(), 170, 60, 1);
  cv::Mat text(kH, kW, CV_8UC4, cv::Scalar(0, 0, 0, 0));
  pb::photo::draw_text(**font, fitted, box, {255, 255, 255}, text);
  std::vector<cv::Mat> ch;
  cv::split(text, ch);
  cv::Mat cover;
  ch[3].convertTo(cover, CV_32F, 1.0 / 255);
  over(rgba, cover, {255, 255, 255});

  cv::Mat png(kH, kW, CV_8UC4);
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; ++x) {
      const cv::Vec4f& s = rgba.at<cv::Vec4f>(y, x);
      const auto q = [](float v) { return cv::saturate_cast<uchar>(v * 255.f + 0.5f); };
      png.at<cv::Vec4b>(y, x) = {q(s[2]), q(s[1]), q(s[0]), q(s[3])};  // B,G,R,A for imwrite
    }
  if (!cv::imwrite(out, png, {cv::IMWRITE_PNG_COMPRESSION, 9})) {
    std::fprintf(stderr, "cannot write %s\n", out.c_str());
    return 1;
  }
  std::string layout = out.substr(0, out.size() - 4) + ".layout";
  std::ofstream l(layout);
  l << "# Layout of heforshe.png, written by scripts/make-frame: where the sign sits on the\n"
       "# photo and where the participant's name and answer go (pixels of the PNG).\n"
       "[placement]\n"
       "width = 0.84          # sign width as a fraction of the photo width\n"
       "bottom_margin = 0.03  # gap under the sign as a fraction of the photo height\n\n"
       "[name]\n"
       "box = ["
    << kCard.x + 40 << ", " << kCard.y + kBand + 14 << ", " << kCard.width - 80
    << ", 104]\n"
       "colour = \"#8C1E8C\"\n"
       "max_px = 86\n"
       "min_px = 34\n"
       "lines = 1\n\n"
       "[answer]\n"
       "box = ["
    << kCard.x + 40 << ", " << kCard.y + kBand + 118 << ", " << kCard.width - 80
    << ", 66]\n"
       "colour = \"#34343A\"\n"
       "max_px = 44\n"
       "min_px = 24\n"
       "lines = 2\n";
  if (!l) {
    std::fprintf(stderr, "cannot write %s\n", layout.c_str());
    return 1;
  }
  std::printf("wrote %s and %s\n", out.c_str(), layout.c_str());
  return 0;
}
