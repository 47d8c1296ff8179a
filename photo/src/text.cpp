// SPDX-License-Identifier: Apache-2.0
// FreeType text for the sign: UTF-8 decoding, measuring, wrapping, shrinking and drawing.
#include "text.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>

namespace pb::photo {

struct Font::Impl {
  FT_Library library = nullptr;
  FT_Face face = nullptr;
  mutable std::mutex mu;
  mutable int current_px = -1;

  ~Impl() {
    if (face) FT_Done_Face(face);
    if (library) FT_Done_FreeType(library);
  }
  void size(int px) const {
    if (px != current_px) {
      FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(px));
      current_px = px;
    }
  }
  // Calls f(glyph slot, pen x) for each code point; returns the advance width.
  template <typename F>
  int walk(std::u32string_view text, int px, bool render, F&& f) const {
    size(px);
    int pen = 0;
    FT_UInt prev = 0;
    for (char32_t c : text) {
      FT_UInt gi = FT_Get_Char_Index(face, c);
      if (prev && gi && FT_HAS_KERNING(face)) {
        FT_Vector k;
        if (FT_Get_Kerning(face, prev, gi, FT_KERNING_DEFAULT, &k) == 0) pen += k.x >> 6;
      }
      if (FT_Load_Glyph(face, gi, render ? FT_LOAD_RENDER : FT_LOAD_DEFAULT) != 0) continue;
      f(face->glyph, pen);
      pen += static_cast<int>(face->glyph->advance.x >> 6);
      prev = gi;
    }
    return pen;
  }
};

Font::Font(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Font::~Font() = default;

Result<std::unique_ptr<Font>> Font::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  if (FT_Init_FreeType(&impl->library) != 0) {
    impl->library = nullptr;
    return Status::error(Status::Code::kInternal, "FreeType would not start");
  }
  if (FT_New_Face(impl->library, path.c_str(), 0, &impl->face) != 0) {
    impl->face = nullptr;
    return Status::error(Status::Code::kNotFound,
                         "cannot load font " + path + " (Debian package fonts-nanum)");
  }
  return std::unique_ptr<Font>(new Font(std::move(impl)));
}

bool Font::covers(std::u32string_view text) const {
  std::lock_guard lock(impl_->mu);
  return std::all_of(text.begin(), text.end(), [&](char32_t c) {
    return c == U' ' || FT_Get_Char_Index(impl_->face, c) != 0;
  });
}

int Font::width(std::u32string_view text, int px) const {
  std::lock_guard lock(impl_->mu);
  return impl_->walk(text, px, false, [](FT_GlyphSlot, int) {});
}

int Font::line_height(int px) const {
  std::lock_guard lock(impl_->mu);
  impl_->size(px);
  return static_cast<int>(
      (impl_->face->size->metrics.ascender - impl_->face->size->metrics.descender) >> 6);
}

int Font::ascent(int px) const {
  std::lock_guard lock(impl_->mu);
  impl_->size(px);
  return static_cast<int>(impl_->face->size->metrics.ascender >> 6);
}

cv::Mat Font::render(std::u32string_view text, int px) const {
  const int w = width(text, px), h = line_height(px), asc = ascent(px);
  cv::Mat mask(h, std::max(w, 1), CV_8UC1, cv::Scalar(0));
  std::lock_guard lock(impl_->mu);
  impl_->walk(text, px, true, [&](FT_GlyphSlot g, int pen) {
    const FT_Bitmap& bm = g->bitmap;
    const int x0 = pen + g->bitmap_left, y0 = asc - g->bitmap_top;
    for (unsigned r = 0; r < bm.rows; ++r) {
      const int y = y0 + static_cast<int>(r);
      if (y < 0 || y >= h) continue;
      const unsigned char* src = bm.buffer + static_cast<std::ptrdiff_t>(r) * bm.pitch;
      uchar* dst = mask.ptr<uchar>(y);
      for (unsigned c = 0; c < bm.width; ++c) {
        const int x = x0 + static_cast<int>(c);
        if (x >= 0 && x < mask.cols) dst[x] = std::max(dst[x], src[c]);
      }
    }
  });
  return mask;
}

namespace {

// Greedy wrap at spaces into lines no wider than max_w; a word wider than a line is kept
// whole on its own line (the caller then shrinks or cuts).
std::vector<std::u32string> wrap(const Font& font, std::u32string_view text, int px, int max_w) {
  std::vector<std::u32string> words;
  std::u32string cur;
  for (char32_t c : text) {
    if (c == U' ' || c == U'\n') {
      if (!cur.empty()) words.push_back(std::move(cur)), cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  std::vector<std::u32string> lines;
  for (auto& w : words) {
    if (!lines.empty()) {
      std::u32string joined = lines.back() + U" " + w;
      if (font.width(joined, px) <= max_w) {
        lines.back() = std::move(joined);
        continue;
      }
    }
    lines.push_back(std::move(w));
  }
  return lines;
}

bool fits(const Font& font, const std::vector<std::u32string>& lines, int px, cv::Size box,
          int max_lines) {
  if (static_cast<int>(lines.size()) > max_lines) return false;
  if (font.line_height(px) * static_cast<int>(lines.size()) > box.height) return false;
  return std::all_of(lines.begin(), lines.end(),
                     [&](const std::u32string& l) { return font.width(l, px) <= box.width; });
}

}  // namespace

FittedText fit_text(const Font& font, std::u32string_view text, cv::Size box, int max_px,
                    int min_px, int max_lines) {
  FittedText out;
  min_px = std::max(4, std::min(min_px, max_px));
  max_lines = std::max(1, max_lines);
  // Trim surrounding spaces: they would only shift the centring.
  while (!text.empty() && text.front() == U' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == U' ') text.remove_suffix(1);
  if (text.empty()) return out;
  // The largest size that fits: sizes fit monotonically, so bisect.
  int lo = min_px, hi = max_px, best = -1;
  while (lo <= hi) {
    const int mid = (lo + hi) / 2;
    if (fits(font, wrap(font, text, mid, box.width), mid, box, max_lines)) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (best > 0) {
    out.px = best;
    out.lines = wrap(font, text, best, box.width);
    return out;
  }
  // Even min_px overflows: keep the lines that fit and cut the last with an ellipsis.
  out.px = min_px;
  out.cut = true;
  const int rows =
      std::max(1, std::min(max_lines, box.height / std::max(1, font.line_height(min_px))));
  auto lines = wrap(font, text, min_px, box.width);
  const bool more = static_cast<int>(lines.size()) > rows;
  lines.resize(std::min<std::size_t>(lines.size(), rows));
  const std::u32string ellipsis = font.covers(U"\u2026") ? U"\u2026" : U"...";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::u32string& l = lines[i];
    const bool last = i + 1 == lines.size();
    if (!last && font.width(l, min_px) <= box.width) continue;
    bool cut_here = more && last;
    while (!l.empty() && font.width(l, min_px) > box.width) l.pop_back(), cut_here = true;
    if (cut_here) {
      while (!l.empty() && font.width(l + ellipsis, min_px) > box.width) l.pop_back();
      while (!l.empty() && l.back() == U' ') l.pop_back();
      l += ellipsis;
    }
  }
  out.lines = std::move(lines);
  return out;
}

void draw_text(const Font& font, const FittedText& text, cv::Rect box, cv::Vec3b rgb,
               cv::Mat& rgba) {
  if (text.lines.empty() || text.px <= 0) return;
  const int lh = font.line_height(text.px);
  const int total = lh * static_cast<int>(text.lines.size());
  int y = box.y + (box.height - total) / 2;
  for (const auto& line : text.lines) {
    const cv::Mat mask = font.render(line, text.px);
    const int x = box.x + (box.width - mask.cols) / 2;
    for (int r = 0; r < mask.rows; ++r) {
      const int yy = y + r;
      if (yy < 0 || yy >= rgba.rows) continue;
      const uchar* m = mask.ptr<uchar>(r);
      auto* dst = rgba.ptr<cv::Vec4b>(yy);
      for (int c = 0; c < mask.cols; ++c) {
        const int xx = x + c;
        const int a = m[c];
        if (a == 0 || xx < 0 || xx >= rgba.cols) continue;
        cv::Vec4b& d = dst[xx];
        // Ink (straight alpha a) over the existing straight-alpha pixel.
        const int da = d[3];
        const int out_a = a + da * (255 - a) / 255;
        for (int k = 0; k < 3; ++k) {
          const int num = rgb[k] * a * 255 + d[k] * da * (255 - a);
          d[k] = static_cast<uchar>(out_a ? (num / 255 + out_a / 2) / out_a : 0);
        }
        d[3] = static_cast<uchar>(out_a);
      }
    }
    y += lh;
  }
}

}  // namespace pb::photo
