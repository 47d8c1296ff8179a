// SPDX-License-Identifier: Apache-2.0
// TouchAdapter: SDL mouse/finger events → taps and long presses in design coordinates.
#include "touch_input.h"

#include <algorithm>

#include "painter.h"

namespace pb::kiosk {
namespace {

// Window points → renderer pixels → design units.
void to_design(const Painter& painter, SDL_Window* window, float wx, float wy, float& x, float& y) {
  int ww = 1, wh = 1, pw = 1, ph = 1;
  SDL_GetWindowSize(window, &ww, &wh);
  if (SDL_Renderer* r = SDL_GetRenderer(window)) SDL_GetRendererOutputSize(r, &pw, &ph);
  x = painter.to_design_x(wx * static_cast<float>(pw) / static_cast<float>(ww));
  y = painter.to_design_y(wy * static_cast<float>(ph) / static_cast<float>(wh));
}

}  // namespace

std::optional<PointerInput> TouchAdapter::press_started(float x, float y, std::uint32_t now_ms) {
  down_ = true;
  long_fired_ = false;
  x_ = x;
  y_ = y;
  since_ = now_ms;
  return std::nullopt;
}

std::optional<PointerInput> TouchAdapter::press_ended(std::uint32_t at_ms) {
  if (!down_) return std::nullopt;
  down_ = false;
  finger_ = -1;
  if (long_fired_) return std::nullopt;
  // Held long enough, though no frame polled while it was (both events came in one slow
  // frame): it was a long press all the same.
  const bool held_long = at_ms >= since_ && at_ms - since_ >= long_press_ms_;
  return PointerInput{held_long ? PointerInput::Kind::kLongPress : PointerInput::Kind::kTap, x_,
                      y_};
}

std::optional<PointerInput> TouchAdapter::feed(const SDL_Event& e, const Painter& painter,
                                               SDL_Window* window, std::uint32_t now_ms) {
  float x = 0, y = 0;
  // A press starts when the finger went down (the event's time), not when a frame got to
  // it: after a slow frame a hold would otherwise come out shorter and turn into a tap.
  const bool stamped = e.common.timestamp != 0 && e.common.timestamp <= now_ms;
  const std::uint32_t at = stamped ? e.common.timestamp : now_ms;
  // A release with no usable time was read from the system by this frame's event pump (SDL
  // stamps input when it reads it): it happened at the earliest after the last frame's
  // poll. So a tap whose release waited out a slow frame (a tablet under emulation: seconds
  // a frame) stays a tap, and a real hold is still seen held at a frame boundary by poll().
  const std::uint32_t released_at = stamped ? at : std::max(since_, last_poll_ms_);
  switch (e.type) {
    case SDL_MOUSEBUTTONDOWN:
      if (e.button.which == SDL_TOUCH_MOUSEID || e.button.button != SDL_BUTTON_LEFT) break;
      to_design(painter, window, static_cast<float>(e.button.x), static_cast<float>(e.button.y), x,
                y);
      finger_ = -1;
      return press_started(x, y, at);
    case SDL_MOUSEBUTTONUP:
      if (e.button.which == SDL_TOUCH_MOUSEID || e.button.button != SDL_BUTTON_LEFT) break;
      if (finger_ != -1) break;
      return press_ended(released_at);
    case SDL_FINGERDOWN: {
      if (down_) break;  // one finger at a time: the first one wins
      int ww = 1, wh = 1;
      SDL_GetWindowSize(window, &ww, &wh);
      to_design(painter, window, e.tfinger.x * static_cast<float>(ww),
                e.tfinger.y * static_cast<float>(wh), x, y);
      press_started(x, y, at);
      finger_ = static_cast<std::int64_t>(e.tfinger.fingerId);
      return std::nullopt;
    }
    case SDL_FINGERUP:
      if (!down_ || finger_ != static_cast<std::int64_t>(e.tfinger.fingerId)) break;
      return press_ended(released_at);
    default:
      break;
  }
  return std::nullopt;
}

std::optional<PointerInput> TouchAdapter::poll(std::uint32_t now_ms) {
  last_poll_ms_ = now_ms;
  if (down_ && !long_fired_ && now_ms - since_ >= long_press_ms_) {
    long_fired_ = true;
    return PointerInput{PointerInput::Kind::kLongPress, x_, y_};
  }
  return std::nullopt;
}

std::optional<PointerInput> TouchAdapter::held() const {
  if (!down_ || long_fired_) return std::nullopt;
  return PointerInput{PointerInput::Kind::kTap, x_, y_};
}

}  // namespace pb::kiosk
