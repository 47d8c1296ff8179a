// SPDX-License-Identifier: Apache-2.0
// Internals shared by the photo sources and their tests: the sign's layout, SignFrame's
// insides, the crop rule and overlay building.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "overlay.h"
#include "pb/photo.h"
#include "text.h"

namespace pb::photo {

// Where one piece of text goes, in pixels of the sign PNG.
struct TextSlot {
  cv::Rect box;
  cv::Vec3b rgb{0, 0, 0};
  int max_px = 48;
  int min_px = 20;
  int lines = 1;
};

// The layout file beside the PNG (TOML).
struct SignLayout {
  double width_fraction = 0.84;  // sign width / photo width
  double bottom_margin = 0.035;  // gap under the sign / photo height
  TextSlot name;
  TextSlot answer;
};

// Parses layout TOML; `name` names the file in messages. Checks boxes lie inside `sign`.
Result<SignLayout> parse_layout(const std::string& toml_text, const std::string& name,
                                cv::Size sign);

struct SignFrame::Impl {
  cv::Mat rgba;  // straight alpha, R,G,B,A
  SignLayout layout;
  std::unique_ptr<Font> font;
};

// The largest rect of aspect out (w:h) inside src, centred on the face when given (the face
// centre at 2/5 of the height from the top), else centred; always inside src.
cv::Rect crop_rect(cv::Size src, cv::Size out, const std::optional<cv::Rect>& face);

// The sign scaled for an image of size `target` (straight-alpha RGBA) and where it goes.
struct PlacedSign {
  cv::Mat rgba;
  cv::Point at;
  double scale = 1.0;  // sign pixels → target pixels
};
PlacedSign place_sign(const SignFrame::Impl& sign, cv::Size target);
// Draws the text of `text` on a placed sign (in place).
void draw_sign_text(const SignFrame::Impl& sign, const SignText& text, PlacedSign& placed);

}  // namespace pb::photo
