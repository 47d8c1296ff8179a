// SPDX-License-Identifier: Apache-2.0
// Painter: design-space drawing on an SDL_Renderer with cached SDL_ttf text.
#include "painter.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <vector>

namespace pb::kiosk {
namespace {

constexpr std::size_t kMaxCachedTexts = 400;

const char* font_file(Face face) {
  switch (face) {
    case Face::kTitle:
      return "NanumSquareRoundB.ttf";
    case Face::kBold:
      return "NanumBarunGothicBold.ttf";
    case Face::kBody:
      return "NanumBarunGothic.ttf";
  }
  return "NanumBarunGothic.ttf";
}

// Where a face lacks a letter (Nanum Barun and Square have no á, é, ñ …): NanumGothic,
// which covers Latin-1 and Hangul alike.
const char* fallback_file(Face face) {
  return face == Face::kBody ? "NanumGothic.ttf" : "NanumGothicBold.ttf";
}
constexpr int kFallback = 16;  // font_files_ key offset of a face's fallback

// The next code point of UTF-8 text at i (advancing i); U+FFFD for a broken sequence.
char32_t next_code_point(const std::string& s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  int more = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  char32_t c = more == 3 ? b & 0x07u : more == 2 ? b & 0x0Fu : more == 1 ? b & 0x1Fu : b;
  if (b >= 0x80 && more == 0) return 0xFFFD;
  for (; more > 0; --more) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    c = (c << 6) | (static_cast<unsigned char>(s[i++]) & 0x3Fu);
  }
  return c;
}

SDL_Color sdl(Color c) {
  return SDL_Color{c.r, c.g, c.b, c.a};
}

// The rim of a rounded rectangle: `seg` segments a corner (0: as many as its radius needs).
std::vector<SDL_FPoint> rounded_rim(SDL_Rect r, float radius, int seg = 0) {
  std::vector<SDL_FPoint> pts;
  radius = std::min({radius, r.w / 2.0f, r.h / 2.0f});
  if (seg <= 0) seg = radius < 6 ? 2 : 8;
  const float x0 = static_cast<float>(r.x), y0 = static_cast<float>(r.y);
  const float x1 = x0 + static_cast<float>(r.w), y1 = y0 + static_cast<float>(r.h);
  const struct {
    float cx, cy, start;
  } corners[] = {{x1 - radius, y0 + radius, -90.f},
                 {x1 - radius, y1 - radius, 0.f},
                 {x0 + radius, y1 - radius, 90.f},
                 {x0 + radius, y0 + radius, 180.f}};
  for (const auto& c : corners)
    for (int i = 0; i <= seg; ++i) {
      const float a = (c.start + 90.f * static_cast<float>(i) / static_cast<float>(seg)) *
                      static_cast<float>(M_PI) / 180.f;
      pts.push_back({c.cx + radius * std::cos(a), c.cy + radius * std::sin(a)});
    }
  return pts;
}

}  // namespace

Painter::Painter(SDL_Renderer* renderer, const std::string& font_dir) : renderer_(renderer) {
  SDL_SetRenderDrawBlendMode(renderer_, SDL_BLENDMODE_BLEND);
  for (Face face : {Face::kTitle, Face::kBold, Face::kBody}) {
    for (const char* file : {font_file(face), "NanumGothic.ttf"}) {
      std::ifstream in(font_dir + "/" + file, std::ios::binary);
      std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
      if (!bytes.empty()) {
        font_files_[static_cast<int>(face)] = std::move(bytes);
        break;
      }
    }
    std::ifstream in(font_dir + "/" + fallback_file(face), std::ios::binary);
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    if (!bytes.empty()) font_files_[static_cast<int>(face) + kFallback] = std::move(bytes);
  }
}

void Painter::begin_frame() {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  scale_ = std::min(static_cast<float>(w) / kDesignW, static_cast<float>(h) / kDesignH);
  ox_ = (static_cast<float>(w) - kDesignW * scale_) / 2;
  oy_ = (static_cast<float>(h) - kDesignH * scale_) / 2;
}

SDL_Rect Painter::pixels(const Rect& r) const {
  const int x0 = static_cast<int>(std::lround(ox_ + r.x * scale_));
  const int y0 = static_cast<int>(std::lround(oy_ + r.y * scale_));
  const int x1 = static_cast<int>(std::lround(ox_ + (r.x + r.w) * scale_));
  const int y1 = static_cast<int>(std::lround(oy_ + (r.y + r.h) * scale_));
  return SDL_Rect{x0, y0, x1 - x0, y1 - y0};
}

void Painter::clear(Color c) {
  SDL_SetRenderDrawColor(renderer_, c.r, c.g, c.b, c.a);
  SDL_RenderClear(renderer_);
}

void Painter::fill(const Rect& r, Color c) {
  const SDL_Rect p = pixels(r);
  SDL_SetRenderDrawColor(renderer_, c.r, c.g, c.b, c.a);
  SDL_RenderFillRect(renderer_, &p);
}

void Painter::gradient(const Rect& r, Color tl, Color tr, Color bl, Color br) {
  const SDL_Rect p = pixels(r);
  auto v = [](float x, float y, Color c) { return SDL_Vertex{{x, y}, sdl(c), {0, 0}}; };
  const float x0 = static_cast<float>(p.x), y0 = static_cast<float>(p.y);
  const float x1 = x0 + static_cast<float>(p.w), y1 = y0 + static_cast<float>(p.h);
  const SDL_Vertex verts[] = {v(x0, y0, tl), v(x1, y0, tr), v(x0, y1, bl), v(x1, y1, br)};
  const int idx[] = {0, 1, 2, 1, 3, 2};
  SDL_RenderGeometry(renderer_, nullptr, verts, 4, idx, 6);
}

void Painter::fan(float cx, float cy, const std::vector<SDL_FPoint>& rim, Color c) {
  std::vector<SDL_Vertex> verts;
  verts.reserve(rim.size() + 1);
  verts.push_back({{cx, cy}, sdl(c), {0, 0}});
  for (const auto& p : rim) verts.push_back({p, sdl(c), {0, 0}});
  std::vector<int> idx;
  const int n = static_cast<int>(rim.size());
  for (int i = 0; i < n; ++i) {
    idx.push_back(0);
    idx.push_back(1 + i);
    idx.push_back(1 + (i + 1) % n);
  }
  SDL_RenderGeometry(renderer_, nullptr, verts.data(), static_cast<int>(verts.size()), idx.data(),
                     static_cast<int>(idx.size()));
}

void Painter::rounded(const Rect& r, float radius, Color c) {
  const SDL_Rect p = pixels(r);
  if (p.w <= 0 || p.h <= 0) return;
  fan(static_cast<float>(p.x) + static_cast<float>(p.w) / 2,
      static_cast<float>(p.y) + static_cast<float>(p.h) / 2, rounded_rim(p, radius * scale_), c);
}

void Painter::rounded_outline(const Rect& r, float radius, float width, Color c) {
  const SDL_Rect outer = pixels(r);
  const SDL_Rect inner = pixels(r.inset(width));
  const auto a = rounded_rim(outer, radius * scale_);
  // The inner rim has as many points as the outer one, which the strip pairs up: a smaller
  // window once gave it fewer (its radius under 6 px) and the strip read past its end.
  const int seg = static_cast<int>(a.size() / 4) - 1;
  const auto b = rounded_rim(inner, std::max(0.f, (radius - width) * scale_), seg);
  std::vector<SDL_Vertex> verts;
  for (std::size_t i = 0; i < a.size(); ++i) {
    verts.push_back({a[i], sdl(c), {0, 0}});
    verts.push_back({b[i], sdl(c), {0, 0}});
  }
  std::vector<int> idx;
  const int n = static_cast<int>(a.size());
  for (int i = 0; i < n; ++i) {
    const int j = (i + 1) % n;
    idx.insert(idx.end(), {2 * i, 2 * j, 2 * i + 1, 2 * j, 2 * j + 1, 2 * i + 1});
  }
  SDL_RenderGeometry(renderer_, nullptr, verts.data(), static_cast<int>(verts.size()), idx.data(),
                     static_cast<int>(idx.size()));
}

void Painter::circle(float cx, float cy, float radius, Color c) {
  std::vector<SDL_FPoint> rim;
  const float px = ox_ + cx * scale_, py = oy_ + cy * scale_, pr = radius * scale_;
  for (int i = 0; i < 48; ++i) {
    const float a = static_cast<float>(i) * 2.f * static_cast<float>(M_PI) / 48.f;
    rim.push_back({px + pr * std::cos(a), py + pr * std::sin(a)});
  }
  fan(px, py, rim, c);
}

float Painter::text_factor(int px) const {
  // Large text grows what is read (body text, labels) and leaves titles, already large, as
  // they are: text_scale_ up to kLargest design pixels, never past it.
  constexpr float kLargest = 60;
  const float design = static_cast<float>(px) / scale_;
  if (text_scale_ == 1 || design >= kLargest) return 1;
  return std::min(text_scale_, kLargest / design);
}

void Painter::set_look(int look, float text_scale) {
  if (look == look_ && text_scale == text_scale_) return;
  look_ = look;
  text_scale_ = text_scale;
  fonts_.clear();
  text_cache_.clear();
  lru_.clear();
  fit_cache_.clear();
  layers_.clear();
}

TTF_Font* Painter::font_for(const std::string& s, Face face, int px) {
  TTF_Font* primary = font(static_cast<int>(face), px);
  if (!primary) return nullptr;
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = next_code_point(s, i);
    if (c >= 0x20 && !TTF_GlyphIsProvided32(primary, c)) {
      TTF_Font* fallback = font(static_cast<int>(face) + kFallback, px);
      return fallback ? fallback : primary;
    }
  }
  return primary;
}

TTF_Font* Painter::font(int file, int px) {
  const auto key = std::make_pair(file, px);
  auto it = fonts_.find(key);
  if (it != fonts_.end()) return it->second.get();
  FontPtr f;
  if (auto bytes = font_files_.find(file); bytes != font_files_.end()) {
    SDL_RWops* rw =
        SDL_RWFromConstMem(bytes->second.data(), static_cast<int>(bytes->second.size()));
    f.reset(TTF_OpenFontRW(rw, 1, static_cast<int>(std::lround(px * text_factor(px)))));
  }
  TTF_Font* raw = f.get();
  fonts_[key] = std::move(f);
  return raw;
}

SDL_Texture* Painter::cached(const std::string& s, Face face, int px, Color c, int wrap_px,
                             Align align, int* w, int* h) {
  std::string key = std::to_string(static_cast<int>(face)) + "|" + std::to_string(px) + "|" +
                    std::to_string(c.r) + "," + std::to_string(c.g) + "," + std::to_string(c.b) +
                    "," + std::to_string(c.a) + "|" + std::to_string(wrap_px) + "|" +
                    std::to_string(static_cast<int>(align)) + "|" + s;
  if (auto it = text_cache_.find(key); it != text_cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.age);
    *w = it->second.w;
    *h = it->second.h;
    return it->second.tex.get();
  }
  TTF_Font* f = font_for(s, face, px);
  if (!f || s.empty()) return nullptr;
  SDL_Surface* surf = nullptr;
  SDL_Color col{c.r, c.g, c.b, 255};
  if (wrap_px > 0) {
    TTF_SetFontWrappedAlign(f, align == Align::kCenter  ? TTF_WRAPPED_ALIGN_CENTER
                               : align == Align::kRight ? TTF_WRAPPED_ALIGN_RIGHT
                                                        : TTF_WRAPPED_ALIGN_LEFT);
    surf = TTF_RenderUTF8_Blended_Wrapped(f, s.c_str(), col, static_cast<Uint32>(wrap_px));
  } else {
    surf = TTF_RenderUTF8_Blended(f, s.c_str(), col);
  }
  if (!surf) return nullptr;
  TexturePtr tex(SDL_CreateTextureFromSurface(renderer_, surf));
  *w = surf->w;
  *h = surf->h;
  SDL_FreeSurface(surf);
  if (!tex) return nullptr;
  SDL_SetTextureAlphaMod(tex.get(), c.a);
  SDL_SetTextureBlendMode(tex.get(), SDL_BLENDMODE_BLEND);
  if (text_cache_.size() >= kMaxCachedTexts) {
    text_cache_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  SDL_Texture* raw = tex.get();
  text_cache_[key] = Cached{std::move(tex), *w, *h, lru_.begin()};
  return raw;
}

Rect Painter::measure(const std::string& s, Face face, float size) {
  TTF_Font* f = font_for(s, face, std::max(4, static_cast<int>(std::lround(size * scale_))));
  int w = 0, h = 0;
  if (f && !s.empty()) TTF_SizeUTF8(f, s.c_str(), &w, &h);
  return {0, 0, static_cast<float>(w) / scale_, static_cast<float>(h) / scale_};
}

float Painter::fit(const std::string& s, Face face, float size, float width) {
  const std::string key = std::to_string(static_cast<int>(face)) + "|" + std::to_string(size) +
                          "|" + std::to_string(width) + "|" + std::to_string(scale_) + "|" + s;
  if (auto it = fit_cache_.find(key); it != fit_cache_.end()) return it->second;
  while (size > 14 && measure(s, face, size).w > width) size *= 0.92f;
  if (fit_cache_.size() > 2000) fit_cache_.clear();
  fit_cache_[key] = size;
  return size;
}

Rect Painter::text(const std::string& s, Face face, float size, Color c, const Rect& box,
                   Align align) {
  int w = 0, h = 0;
  const int px = std::max(4, static_cast<int>(std::lround(size * scale_)));
  SDL_Texture* tex = cached(s, face, px, c, 0, align, &w, &h);
  if (!tex) return {box.x, box.y, 0, 0};
  const float dw = static_cast<float>(w) / scale_, dh = static_cast<float>(h) / scale_;
  float x = box.x;
  if (align == Align::kCenter) x = box.x + (box.w - dw) / 2;
  if (align == Align::kRight) x = box.x + box.w - dw;
  const float y = box.h > 0 ? box.y + (box.h - dh) / 2 : box.y;
  const SDL_FRect dst{ox_ + x * scale_, oy_ + y * scale_, static_cast<float>(w),
                      static_cast<float>(h)};
  SDL_RenderCopyF(renderer_, tex, nullptr, &dst);
  return {x, y, dw, dh};
}

float Painter::paragraph(const std::string& s, Face face, float size, Color c, const Rect& box,
                         Align align) {
  int w = 0, h = 0;
  const int px = std::max(4, static_cast<int>(std::lround(size * scale_)));
  const int wrap = std::max(1, static_cast<int>(box.w * scale_));
  SDL_Texture* tex = cached(s, face, px, c, wrap, align, &w, &h);
  if (!tex) return 0;
  float x = box.x;
  const float dw = static_cast<float>(w) / scale_;
  if (align == Align::kCenter) x = box.x + (box.w - dw) / 2;
  if (align == Align::kRight) x = box.x + box.w - dw;
  const SDL_FRect dst{ox_ + x * scale_, oy_ + box.y * scale_, static_cast<float>(w),
                      static_cast<float>(h)};
  SDL_RenderCopyF(renderer_, tex, nullptr, &dst);
  return static_cast<float>(h) / scale_;
}

Rect Painter::measure_paragraph(const std::string& s, Face face, float size, float width,
                                Align align) {
  int w = 0, h = 0;
  const int px = std::max(4, static_cast<int>(std::lround(size * scale_)));
  const int wrap = std::max(1, static_cast<int>(width * scale_));
  // The texture is cached: the paragraph() that usually follows reuses it.
  if (!cached(s, face, px, Color{255, 255, 255, 255}, wrap, align, &w, &h)) return {};
  return {0, 0, static_cast<float>(w) / scale_, static_cast<float>(h) / scale_};
}

void Painter::image(SDL_Texture* tex, const Rect& r) {
  if (!tex) return;
  const SDL_Rect p = pixels(r);
  SDL_RenderCopy(renderer_, tex, nullptr, &p);
}

}  // namespace pb::kiosk

namespace pb::kiosk {

void Painter::layer(const std::string& name, const std::function<void()>& draw) {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  auto& [tex, size] = layers_[name];
  if (!tex || size != std::make_pair(w, h)) {
    tex.reset(
        SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h));
    size = {w, h};
    if (!tex || SDL_SetRenderTarget(renderer_, tex.get()) != 0) {
      tex.reset();
      draw();  // no render targets here: draw it every frame
      return;
    }
    SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 255);
    SDL_RenderClear(renderer_);
    draw();
    SDL_SetRenderTarget(renderer_, nullptr);
  }
  SDL_RenderCopy(renderer_, tex.get(), nullptr, nullptr);
}

}  // namespace pb::kiosk
