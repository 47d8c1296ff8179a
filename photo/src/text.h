// SPDX-License-Identifier: Apache-2.0
// Text on the sign (internal): a FreeType font, fitting UTF-8 into a box, drawing it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "pb/status.h"
#include "pb/utf8.h"

namespace pb::photo {

// UTF-8 → code points; malformed bytes become U+FFFD.

// One TrueType face with its own FreeType library, so no state is shared with SDL_ttf or
// other threads. Calls are serialised by an internal mutex.
class Font {
 public:
  static Result<std::unique_ptr<Font>> open(const std::string& path);
  ~Font();
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;

  // True when the face has a glyph for every code point (no tofu boxes).
  bool covers(std::u32string_view text) const;
  // Advance width of one line at pixel size px.
  int width(std::u32string_view text, int px) const;
  // Distance between baselines and the ascent at pixel size px.
  int line_height(int px) const;
  int ascent(int px) const;
  // Coverage of one line: CV_8UC1, width(text) x line_height, baseline at ascent().
  cv::Mat render(std::u32string_view text, int px) const;

 private:
  struct Impl;
  explicit Font(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// How a text fits a box: its lines and the pixel size they are drawn at.
struct FittedText {
  std::vector<std::u32string> lines;
  int px = 0;
  bool cut = false;  // shortened with an ellipsis because even min_px did not fit
};

// The largest size in [min_px, max_px] at which text, wrapped at spaces into at most
// max_lines lines, fits `box`; at min_px the last line is cut with "…" so it still fits.
FittedText fit_text(const Font& font, std::u32string_view text, cv::Size box, int max_px,
                    int min_px, int max_lines);

// Draws fitted text centred in box (in rgba's pixels) in colour rgb over an RGBA image,
// compositing ink over what is there (alpha rises where ink lands).
void draw_text(const Font& font, const FittedText& text, cv::Rect box, cv::Vec3b rgb,
               cv::Mat& rgba);

}  // namespace pb::photo
