// SPDX-License-Identifier: Apache-2.0
// Drawing for the screens in design coordinates (1920x1080), scaled to the window: text
// rendered at the real pixel size (SDL_ttf, cached textures), rounded rectangles and
// gradients (SDL_RenderGeometry), images. UI thread only.
#pragma once

#include <SDL.h>
#include <SDL_ttf.h>

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace pb::kiosk {

inline constexpr float kDesignW = 1920.0f;
inline constexpr float kDesignH = 1080.0f;

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  bool contains(float px, float py) const { return px >= x && py >= y && px < x + w && py < y + h; }
  float cx() const { return x + w / 2; }
  float cy() const { return y + h / 2; }
  float right() const { return x + w; }
  float bottom() const { return y + h; }
  Rect inset(float d) const { return {x + d, y + d, w - 2 * d, h - 2 * d}; }
};

struct Color {
  std::uint8_t r = 255, g = 255, b = 255, a = 255;
  Color with_alpha(std::uint8_t alpha) const { return {r, g, b, alpha}; }
};

enum class Face { kTitle, kBody, kBold };
enum class Align { kLeft, kCenter, kRight };

struct SdlTextureDeleter {
  void operator()(SDL_Texture* t) const { SDL_DestroyTexture(t); }
};
using TexturePtr = std::unique_ptr<SDL_Texture, SdlTextureDeleter>;
struct TtfFontDeleter {
  void operator()(TTF_Font* f) const { TTF_CloseFont(f); }
};
using FontPtr = std::unique_ptr<TTF_Font, TtfFontDeleter>;

class Painter {
 public:
  // font_dir holds the Nanum fonts. The files are read once, here (start-up); each pixel
  // size then opens from memory, so drawing never touches the disk.
  Painter(SDL_Renderer* renderer, const std::string& font_dir);
  // Recomputes the design→pixel transform for the renderer's output size.
  void begin_frame();
  float scale() const { return scale_; }
  // Design → window pixels (for input mapping, the inverse).
  float to_design_x(float px) const { return (px - ox_) / scale_; }
  float to_design_y(float py) const { return (py - oy_) / scale_; }
  SDL_Rect pixels(const Rect& r) const;

  void clear(Color c);
  void fill(const Rect& r, Color c);
  void gradient(const Rect& r, Color top_left, Color top_right, Color bottom_left,
                Color bottom_right);
  void rounded(const Rect& r, float radius, Color c);
  void rounded_outline(const Rect& r, float radius, float width, Color c);
  void circle(float cx, float cy, float radius, Color c);
  // Single-line text; returns its size in design units. `box` aligns it horizontally and
  // centres it vertically when h > 0; otherwise (x,y) is the top-left.
  Rect text(const std::string& s, Face face, float size, Color c, const Rect& box,
            Align align = Align::kLeft);
  // Wrapped text inside box.w; returns the height used.
  float paragraph(const std::string& s, Face face, float size, Color c, const Rect& box,
                  Align align = Align::kLeft);
  // Size of a single line in design units.
  Rect measure(const std::string& s, Face face, float size);
  // Size of s wrapped at width, in design units (what paragraph() would use).
  Rect measure_paragraph(const std::string& s, Face face, float size, float width,
                         Align align = Align::kLeft);
  // The largest size <= size at which s fits in width on one line.
  float fit(const std::string& s, Face face, float size, float width);
  void image(SDL_Texture* tex, const Rect& r);
  // Draws what `draw` paints once into a cached full-window texture and then only copies
  // it (static backgrounds cost one blit per frame, also on software renderers).
  void layer(const std::string& name, const std::function<void()>& draw);

  SDL_Renderer* renderer() const { return renderer_; }
  // Large text (#26): text is drawn and measured up to `scale` times its size (titles, at
  // 60 design pixels and more, stay as they are). A new scale
  // or theme (`look`, any number that changes with it) drops the cached text and layers.
  void set_look(int look, float text_scale);
  float text_scale() const { return text_scale_; }

 private:
  // The face's font, or its fallback when the face lacks a letter of s.
  TTF_Font* font_for(const std::string& s, Face face, int px);
  TTF_Font* font(int file, int px);  // file: a key of font_files_
  float text_factor(int px) const;   // large text: how much larger a font of px pixels opens
  SDL_Texture* cached(const std::string& s, Face face, int px, Color c, int wrap_px, Align align,
                      int* w, int* h);
  void fan(float cx, float cy, const std::vector<SDL_FPoint>& rim, Color c);

  SDL_Renderer* renderer_;
  std::map<int, std::vector<unsigned char>> font_files_;  // Face (+kFallback) → .ttf bytes
  std::unordered_map<std::string, float> fit_cache_;
  std::map<std::string, std::pair<TexturePtr, std::pair<int, int>>>
      layers_;  // name → (texture, size)
  float scale_ = 1, ox_ = 0, oy_ = 0;
  int look_ = 0;
  float text_scale_ = 1;
  std::map<std::pair<int, int>, FontPtr> fonts_;
  struct Cached {
    TexturePtr tex;
    int w = 0, h = 0;
    std::list<std::string>::iterator age;
  };
  std::unordered_map<std::string, Cached> text_cache_;
  std::list<std::string> lru_;
};

}  // namespace pb::kiosk
