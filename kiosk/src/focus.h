// SPDX-License-Identifier: Apache-2.0
// Keys instead of touch: the focus model. What a key can reach on a screen, and in which
// order, is derived from the tap targets (Hit) the screen lays out, so every screen (one
// added later too) works with Tab / Shift+Tab / arrows / Enter / Space / Escape without code
// of its own. Enter or Space taps the focused target by its name, the same Tap a finger
// sends; Escape taps the screen's back or cancel target where it has one. No SDL state here
// but the key mapping (nav_key), so the model is unit-tested without a window.
#pragma once

#include <SDL.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "painter.h"
#include "pb/screen.h"
#include "screens.h"

namespace pb::kiosk {

// What a key asks for. Arrows move spatially; Tab / Shift+Tab in the screen's order.
enum class NavKey { kNext, kPrevious, kUp, kDown, kLeft, kRight, kActivate, kBack };

// The booth's keys: Tab, Shift+Tab, the arrows (keypad ones too), Enter (keypad too), Space,
// Escape. A key held with Alt, Ctrl or the system key is none of them (alt+tab, alt+f4 stay
// the lockdown's to ignore), and a held Enter or Space does not repeat a tap.
std::optional<NavKey> nav_key(const SDL_KeyboardEvent& key);

// Accessibility keys (#26), on any screen: the keypad's * turns audio mode on or off
// ("access:audio"), the keypad's + and - (and a keyboard's volume keys) change the speech
// volume ("access:volume-up", "access:volume-down"). The target they tap, or nothing.
std::optional<std::string> access_key(const SDL_KeyboardEvent& key);

// One control a key can reach: a tap target as the screen drew it.
struct Focusable {
  std::string target;
  Rect rect;
  bool primary = false;  // drawn as the screen's primary action
  std::string label{};   // a button's words (Hit::label)
};

// The controls a key can reach on a screen drawn with `hits`, in Tab order. A target that
// covers the whole screen (ATTRACT's start, a panel's backdrop, "Still there?") hides what
// was drawn before it; it is reached through the button drawn with the same name, or itself
// when there is none. Long-press targets (the admin corner) are never reachable by keys.
// Each target name is one stop, at its first place in the drawing order.
std::vector<Focusable> focusables(const std::vector<Hit>& hits);

// The target Escape taps: the last reachable one named back, cancel, close or not-now
// ("details:back", "pin:cancel", "about-data:close", "pledge:not-now"); the keys that delete
// a character ("key:back", "pin:back") are not one. "" when the screen has none.
std::string back_target(const std::vector<Focusable>& items);

// The focus on the screen drawn last.
class KeyFocus {
 public:
  // After each draw: the screen's targets. On a new screen or a panel opening or closing over
  // it, the focus goes to the primary action (a panel without one: its backdrop's target,
  // what tapping beside it does; else the first control); back on a screen after a panel,
  // to where it was. Otherwise it stays on the same target, or when that is gone (a key of a
  // layout that changed) on the control nearest to where it was.
  void update(Screen screen, const std::vector<Hit>& hits);

  struct Outcome {
    bool moved = false;  // the focus moved (or the ring appeared): the participant is there
    std::optional<std::string> tap;  // the target to tap, as a finger would
  };
  // One key. The first arrow or Tab after a touch only shows the ring where the focus is;
  // Enter, Space and Escape act at once. After a tap, keys wait for the next update (the
  // screen it leads to), so a fast second key never acts on a screen that is gone.
  Outcome on_key(NavKey key);
  // A touch or click: the ring hides until the next key.
  void on_pointer() { visible_ = false; }
  // Audio mode: the ring shows all the time.
  void show() { visible_ = true; }

  // The focused control (nullptr on a screen with nothing to reach).
  const Focusable* focused() const;
  std::string focused_target() const { return focused() ? focused()->target : ""; }
  // What keys reach on the screen drawn last, in order (audio mode reads them out).
  const std::vector<Focusable>& items() const { return items_; }
  bool visible() const { return visible_; }

 private:
  void focus_entry();
  std::optional<std::size_t> spatial(NavKey key) const;

  Screen screen_ = Screen::kAttract;
  bool started_ = false;
  std::string context_;  // the screen, and the backdrop of the panel over it
  std::map<std::string, std::string> remembered_;  // this screen: context → focused target
  std::vector<Focusable> items_;
  std::size_t index_ = 0;
  Rect last_rect_;
  bool visible_ = false;
  bool stale_ = false;  // a tap was sent; the screen has not been drawn since
};

// The focus ring: thick and in two colours (a dark edge and a bright ring), so it shows on
// the purple background, on white buttons and on magenta ones alike.
void draw_focus_ring(Painter& p, const Rect& r);

}  // namespace pb::kiosk
