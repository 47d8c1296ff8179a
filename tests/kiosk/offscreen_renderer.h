// SPDX-License-Identifier: Apache-2.0
// A hidden window with SDL's software renderer on the offscreen driver, for kiosk tests that
// draw or map input without a display. A plain memory framebuffer: no GL driver is loaded (and
// unloaded with leaks LeakSanitizer cannot attribute).
#pragma once

#include <SDL.h>

#include <cstdlib>

namespace pb::test {

class OffscreenRenderer {
 public:
  OffscreenRenderer(int w, int h) {
    ::setenv("SDL_VIDEODRIVER", "offscreen", 0);
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    video_ = SDL_InitSubSystem(SDL_INIT_VIDEO) == 0;
    if (video_) window_ = SDL_CreateWindow("test", 0, 0, w, h, SDL_WINDOW_HIDDEN);
    if (window_) renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_SOFTWARE);
  }
  ~OffscreenRenderer() {
    if (renderer_) SDL_DestroyRenderer(renderer_);
    if (window_) SDL_DestroyWindow(window_);
    if (video_) SDL_QuitSubSystem(SDL_INIT_VIDEO);
  }
  OffscreenRenderer(const OffscreenRenderer&) = delete;
  OffscreenRenderer& operator=(const OffscreenRenderer&) = delete;

  SDL_Window* window() const { return window_; }
  SDL_Renderer* renderer() const { return renderer_; }  // null when SDL could not open one

 private:
  bool video_ = false;
  SDL_Window* window_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
};

}  // namespace pb::test
