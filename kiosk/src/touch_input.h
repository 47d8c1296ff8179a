// SPDX-License-Identifier: Apache-2.0
// The one adapter from SDL input to the booth's own: mouse and finger events alike become
// taps and long presses at a point in design coordinates. Nothing else reads SDL input.
#pragma once

#include <SDL.h>

#include <cstdint>
#include <optional>

namespace pb::kiosk {

class Painter;

struct PointerInput {
  enum class Kind { kTap, kLongPress } kind = Kind::kTap;
  float x = 0, y = 0;  // design coordinates (1920x1080)
};

class TouchAdapter {
 public:
  explicit TouchAdapter(std::uint32_t long_press_ms = 3000) : long_press_ms_(long_press_ms) {}
  // Feeds one SDL event; a tap comes out when a press ends, or a long press when it ended
  // the long-press time after it started and poll() had no frame in between. Presses are
  // timed by the events' own timestamps, so a slow frame neither shortens nor lengthens a
  // hold. An event with no time or one after now_ms (read from the system during this
  // frame) is timed by the frame: a press from now_ms, a release from the last poll() (the
  // earliest it can have happened), so a quick tap read across a slow frame stays a tap.
  std::optional<PointerInput> feed(const SDL_Event& e, const Painter& painter, SDL_Window* window,
                                   std::uint32_t now_ms);
  // Once a frame, after its events: a long press comes out while the press is still held.
  std::optional<PointerInput> poll(std::uint32_t now_ms);
  // Where a press is being held (for the pressed look of a button), if any.
  std::optional<PointerInput> held() const;

 private:
  std::optional<PointerInput> press_started(float x, float y, std::uint32_t now_ms);
  std::optional<PointerInput> press_ended(std::uint32_t at_ms);

  std::uint32_t long_press_ms_;
  bool down_ = false;
  bool long_fired_ = false;
  std::int64_t finger_ = -1;  // the finger being tracked (-1 = the mouse)
  float x_ = 0, y_ = 0;
  std::uint32_t since_ = 0;
  std::uint32_t last_poll_ms_ = 0;  // now_ms of the last poll(): the frame before this one
};

}  // namespace pb::kiosk
