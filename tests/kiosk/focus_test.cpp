// SPDX-License-Identifier: Apache-2.0
// Keys instead of touch: the focus model (kiosk/src/focus.h) on hand-made screens of tap
// targets, the SDL key mapping, and the script's `key` and `focus` steps.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "focus.h"
#include "offscreen_renderer.h"
#include "pb/kiosk_script.h"
#include "script_player.h"
#include "theme.h"

using namespace pb::kiosk;

namespace {

constexpr Rect kWhole{0, 0, kDesignW, kDesignH};

Hit button(const std::string& target, float x, float y, float w = 300, float h = 100,
           bool primary = false) {
  return {target, {x, y, w, h}, false, primary};
}

// PLEDGE as screens.cpp lays it out: the pills, then agree (primary) and not now.
std::vector<Hit> pledge_screen() {
  return {button("lang:en", 1400, 40, 150, 76),
          button("lang:ko", 1560, 40, 150, 76),
          button("pledge:agree", 920, 830, 560, 160, true),
          button("pledge:not-now", 1510, 830, 310, 160),
          {"admin:open", {0, 0, 170, 170}, true, false}};
}

SDL_KeyboardEvent key_event(SDL_Keycode sym, Uint16 mod = KMOD_NONE, Uint8 repeat = 0) {
  SDL_KeyboardEvent k{};
  k.type = SDL_KEYDOWN;
  k.state = SDL_PRESSED;
  k.repeat = repeat;
  k.keysym.sym = sym;
  k.keysym.mod = mod;
  return k;
}

}  // namespace

TEST_CASE("focusables come from the tap targets in drawing order without the admin corner",
          "[kiosk][focus]") {
  const auto items = focusables(pledge_screen());
  REQUIRE(items.size() == 4);
  CHECK(items[0].target == "lang:en");
  CHECK(items[1].target == "lang:ko");
  CHECK(items[2].target == "pledge:agree");
  CHECK(items[2].primary);
  CHECK(items[3].target == "pledge:not-now");
}

TEST_CASE("a full-screen target hides what lies under it and is reached by its own button",
          "[kiosk][focus]") {
  // ATTRACT: the whole screen starts, a button says so; the pills lie on top.
  std::vector<Hit> attract = {{"attract:start", kWhole, false, false},
                              button("attract:start", 920, 840, 900, 150, true),
                              button("lang:en", 1400, 40),
                              {"admin:open", {0, 0, 170, 170}, true}};
  auto items = focusables(attract);
  REQUIRE(items.size() == 2);
  CHECK(items[0].target == "attract:start");
  CHECK(items[0].rect.y == 840);  // the button, not the whole screen
  CHECK(items[0].primary);
  // A panel over REVIEW: its backdrop cancels; only the panel's buttons are reachable.
  std::vector<Hit> review = {button("review:campaign", 920, 200),
                             button("review:use", 920, 500, 900, 124, true),
                             {"no-photo:cancel", kWhole, false, false},
                             button("no-photo:confirm", 470, 640),
                             button("no-photo:cancel", 980, 640)};
  items = focusables(review);
  REQUIRE(items.size() == 2);
  CHECK(items[0].target == "no-photo:cancel");
  CHECK(items[0].rect.x == 980);
  CHECK(items[1].target == "no-photo:confirm");
}

TEST_CASE("a screen opens with its primary action focused, a panel with its safe way out",
          "[kiosk][focus]") {
  KeyFocus f;
  f.update(Screen::kPledge, pledge_screen());
  CHECK(f.focused_target() == "pledge:agree");
  CHECK_FALSE(f.visible());
  // A panel without a primary: the target its backdrop taps (cancel), not the first button.
  std::vector<Hit> review = {button("review:use", 920, 500, 900, 124, true),
                             {"no-photo:cancel", kWhole, false, false},
                             button("no-photo:confirm", 470, 640),
                             button("no-photo:cancel", 980, 640)};
  f.update(Screen::kReview, {review[0]});
  CHECK(f.focused_target() == "review:use");
  f.on_key(NavKey::kNext);  // shows the ring
  f.update(Screen::kReview, review);
  CHECK(f.focused_target() == "no-photo:cancel");
  // The panel closes: back where the focus was.
  f.update(Screen::kReview, {review[0]});
  CHECK(f.focused_target() == "review:use");
  // A screen without a primary: the first control.
  f.update(Screen::kThanks,
           {button("thanks:done", 920, 880), button("thanks:more-time", 1370, 880)});
  CHECK(f.focused_target() == "thanks:done");
}

TEST_CASE("tab and shift tab go round the screen's order and wrap at both ends", "[kiosk][focus]") {
  KeyFocus f;
  f.update(Screen::kPledge, pledge_screen());
  // The first key shows the ring where the focus is; it does not move it.
  auto out = f.on_key(NavKey::kNext);
  CHECK(out.moved);
  CHECK_FALSE(out.tap);
  CHECK(f.visible());
  CHECK(f.focused_target() == "pledge:agree");
  f.on_key(NavKey::kNext);
  CHECK(f.focused_target() == "pledge:not-now");
  f.on_key(NavKey::kNext);  // wraps to the first
  CHECK(f.focused_target() == "lang:en");
  f.on_key(NavKey::kPrevious);  // and back round the other way
  CHECK(f.focused_target() == "pledge:not-now");
  f.on_key(NavKey::kPrevious);
  f.on_key(NavKey::kPrevious);
  f.on_key(NavKey::kPrevious);
  CHECK(f.focused_target() == "lang:en");
  f.on_key(NavKey::kPrevious);
  CHECK(f.focused_target() == "pledge:not-now");
  // A redraw of the same screen keeps the focus where it is.
  f.update(Screen::kPledge, pledge_screen());
  CHECK(f.focused_target() == "pledge:not-now");
  // A touch hides the ring until the next key.
  f.on_pointer();
  CHECK_FALSE(f.visible());
}

TEST_CASE("arrows move to the nearest control that way and go on in order at the edge",
          "[kiosk][focus]") {
  // A 3x2 grid of keys and a wide button under it.
  std::vector<Hit> grid;
  for (int row = 0; row < 2; ++row)
    for (int col = 0; col < 3; ++col)
      grid.push_back(button("key:" + std::to_string(row * 3 + col), 100 + col * 110.0f,
                            600 + row * 110.0f, 100, 100));
  grid.push_back(button("details:next", 100, 840, 320, 100, true));
  KeyFocus f;
  f.update(Screen::kDetails, grid);
  CHECK(f.focused_target() == "details:next");
  f.on_key(NavKey::kUp);  // shows the ring
  CHECK(f.focused_target() == "details:next");
  f.on_key(NavKey::kUp);  // the row above: the key straight over the button's centre
  CHECK(f.focused_target() == "key:4");
  f.on_key(NavKey::kRight);
  CHECK(f.focused_target() == "key:5");
  f.on_key(NavKey::kUp);
  CHECK(f.focused_target() == "key:2");
  f.on_key(NavKey::kRight);  // nothing further right: on in order, to the next row's first
  CHECK(f.focused_target() == "key:3");
  f.on_key(NavKey::kDown);
  CHECK(f.focused_target() == "details:next");
  f.on_key(NavKey::kDown);  // nothing below: on in order, wrapping to the first
  CHECK(f.focused_target() == "key:0");
  f.on_key(NavKey::kLeft);  // nothing to the left: back in order, wrapping to the last
  CHECK(f.focused_target() == "details:next");
}

TEST_CASE("enter and space tap the focused target by its name and escape taps back",
          "[kiosk][focus]") {
  KeyFocus f;
  f.update(Screen::kPledge, pledge_screen());
  auto out = f.on_key(NavKey::kActivate);  // at once, even before the ring showed
  REQUIRE(out.tap);
  CHECK(*out.tap == "pledge:agree");
  CHECK(f.visible());
  // Until the screen is drawn again, keys wait (the tap may have changed the screen).
  CHECK_FALSE(f.on_key(NavKey::kActivate).tap);
  CHECK_FALSE(f.on_key(NavKey::kNext).moved);
  f.update(Screen::kPledge, pledge_screen());
  out = f.on_key(NavKey::kBack);
  REQUIRE(out.tap);
  CHECK(*out.tap == "pledge:not-now");
  CHECK(f.focused_target() == "pledge:agree");  // escape does not move the focus
  // A screen without a way back: escape does nothing.
  f.update(Screen::kAttract, {button("attract:start", 920, 840, 900, 150, true)});
  CHECK_FALSE(f.on_key(NavKey::kBack).tap);
}

TEST_CASE("the back target is a screen's or panel's back or cancel, never a delete key",
          "[kiosk][focus]") {
  auto back = [](std::vector<Hit> hits) { return back_target(focusables(hits)); };
  CHECK(back({button("details:back", 0, 0), button("key:back", 0, 200),
              button("details:next", 0, 400)}) == "details:back");
  CHECK(back({button("pin:1", 0, 0), button("pin:back", 0, 200), button("pin:cancel", 0, 400)}) ==
        "pin:cancel");
  CHECK(back({button("pin:back", 0, 200), button("pin:ok", 0, 400)}).empty());
  CHECK(back({button("review:use", 0, 0),
              {"about-data:close", kWhole, false, false},
              button("about-data:close", 0, 400)}) == "about-data:close");
}

TEST_CASE("a focused key that goes away passes the focus to the nearest control",
          "[kiosk][focus]") {
  KeyFocus f;
  std::vector<Hit> before = {button("key:a", 100, 600, 100, 100),
                             button("key:b", 210, 600, 100, 100),
                             button("details:next", 1290, 870, 580, 110, true)};
  f.update(Screen::kDetails, before);
  f.on_key(NavKey::kNext);
  f.on_key(NavKey::kPrevious);
  CHECK(f.focused_target() == "key:b");
  // Shift: the keys are named by what they type now.
  std::vector<Hit> after = {button("key:A", 100, 600, 100, 100),
                            button("key:B", 210, 600, 100, 100),
                            button("details:next", 1290, 870, 580, 110, true)};
  f.update(Screen::kDetails, after);
  CHECK(f.focused_target() == "key:B");
  // A screen with nothing to reach has no focus, and keys do nothing there.
  f.update(Screen::kCountdown, {{"admin:open", {0, 0, 170, 170}, true, false}});
  CHECK(f.focused() == nullptr);
  CHECK_FALSE(f.on_key(NavKey::kActivate).tap);
}

TEST_CASE("the booth's keys map to moves and taps and alt or ctrl keys are left alone",
          "[kiosk][focus]") {
  CHECK(nav_key(key_event(SDLK_TAB)) == NavKey::kNext);
  CHECK(nav_key(key_event(SDLK_TAB, KMOD_LSHIFT)) == NavKey::kPrevious);
  CHECK(nav_key(key_event(SDLK_UP)) == NavKey::kUp);
  CHECK(nav_key(key_event(SDLK_DOWN)) == NavKey::kDown);
  CHECK(nav_key(key_event(SDLK_LEFT)) == NavKey::kLeft);
  CHECK(nav_key(key_event(SDLK_RIGHT)) == NavKey::kRight);
  CHECK(nav_key(key_event(SDLK_RETURN)) == NavKey::kActivate);
  CHECK(nav_key(key_event(SDLK_KP_ENTER)) == NavKey::kActivate);
  CHECK(nav_key(key_event(SDLK_SPACE)) == NavKey::kActivate);
  CHECK(nav_key(key_event(SDLK_ESCAPE)) == NavKey::kBack);
  CHECK_FALSE(nav_key(key_event(SDLK_TAB, KMOD_LALT)));  // alt+tab: the lockdown's
  CHECK_FALSE(nav_key(key_event(SDLK_F4, KMOD_LALT)));
  CHECK_FALSE(nav_key(key_event(SDLK_RETURN, KMOD_LCTRL)));
  CHECK_FALSE(nav_key(key_event(SDLK_a)));
  // A held arrow moves on; a held Enter taps once.
  CHECK(nav_key(key_event(SDLK_DOWN, KMOD_NONE, 1)) == NavKey::kDown);
  CHECK_FALSE(nav_key(key_event(SDLK_RETURN, KMOD_NONE, 1)));
}

TEST_CASE("the script's key and focus steps parse and every key name sends a booth key",
          "[kiosk][focus][script]") {
  auto steps =
      parse_script("key return\nkey shift+tab\nkey down\nfocus review:use 5\nfocus x\n", "s.txt");
  REQUIRE(steps);
  REQUIRE(steps->size() == 5);
  CHECK((*steps)[0].kind == ScriptStep::Kind::kKey);
  CHECK((*steps)[1].target == "shift+tab");
  CHECK((*steps)[3].kind == ScriptStep::Kind::kFocus);
  CHECK((*steps)[3].target == "review:use");
  CHECK((*steps)[3].seconds == Approx(5));
  CHECK((*steps)[4].seconds == Approx(10));
  CHECK_FALSE(parse_script("key ctrl+alt+del\n", "s.txt"));
  CHECK_FALSE(parse_script("focus\n", "s.txt"));
  CHECK_FALSE(parse_script("focus a b c\n", "s.txt"));
  // Each key a script may send is one the booth reads as intended: a navigation key, an
  // accessibility key (kp-…), or (alt+…) one the lockdown ignores.
  for (const char* name : kScriptKeys) {
    INFO(name);
    const ScriptKey k = script_key(name);
    REQUIRE(k.sym != SDLK_UNKNOWN);
    const std::string n = name;
    const SDL_KeyboardEvent e = key_event(k.sym, static_cast<Uint16>(k.mod));
    const bool access = n.rfind("kp-", 0) == 0, ignored = n.rfind("alt+", 0) == 0;
    CHECK(nav_key(e).has_value() == (!access && !ignored));
    CHECK(access_key(e).has_value() == access);
  }
  CHECK(nav_key(key_event(script_key("shift+tab").sym,
                          static_cast<Uint16>(script_key("shift+tab").mod))) == NavKey::kPrevious);
  CHECK(script_key("nonsense").sym == SDLK_UNKNOWN);
}

TEST_CASE("outlines and the focus ring draw at any window size, their rims paired point for point",
          "[kiosk][focus]") {
  // 1024x768 (the offscreen driver's full screen): REVIEW's empty checkbox (radius 16, frame 7)
  // had an inner corner under 6 px and fewer rim points than its outer one; the outline read
  // past the inner rim's end (AddressSanitizer: heap-buffer-overflow in rounded_outline).
  const pb::test::OffscreenRenderer screen(1024, 768);
  SDL_Renderer* renderer = screen.renderer();
  REQUIRE(renderer);
  {
    Painter painter(renderer, "/nonexistent");  // no text drawn
    painter.begin_frame();
    painter.clear(kPurple);
    painter.rounded_outline({950, 236, 92, 92}, 16, 7, kWhite);
    painter.rounded_outline({100, 100, 40, 40}, 30, 20, kWhite);
    draw_focus_ring(painter, {920, 830, 560, 160});
    draw_focus_ring(painter, {1200, 880, 93, 85});         // a key of the on-screen keyboard
    draw_focus_ring(painter, {0, 0, kDesignW, kDesignH});  // a control as big as the screen
    // The ring is there: its yellow at the middle of the primary button's top edge.
    const SDL_Rect at = painter.pixels({1200, 820, 1, 1});
    Uint32 pixel = 0;
    REQUIRE(SDL_RenderReadPixels(renderer, &at, SDL_PIXELFORMAT_ARGB8888, &pixel, 4) == 0);
    CHECK(((pixel >> 16) & 0xFF) == kFocusRing.r);
    CHECK(((pixel >> 8) & 0xFF) == kFocusRing.g);
  }
}

TEST_CASE("the keypad's star turns audio mode on and off and plus and minus set the volume",
          "[kiosk][focus][speech]") {
  CHECK(access_key(key_event(SDLK_KP_MULTIPLY, KMOD_NONE)) == "access:audio");
  CHECK(access_key(key_event(SDLK_KP_PLUS, KMOD_NONE)) == "access:volume-up");
  CHECK(access_key(key_event(SDLK_VOLUMEUP, KMOD_NONE)) == "access:volume-up");
  CHECK(access_key(key_event(SDLK_KP_MINUS, KMOD_NONE)) == "access:volume-down");
  CHECK_FALSE(access_key(key_event(SDLK_KP_MULTIPLY, KMOD_LALT)));  // the lockdown's
  CHECK_FALSE(access_key(key_event(SDLK_KP_5, KMOD_NONE)));         // a navigation key
  SDL_KeyboardEvent held = key_event(SDLK_KP_MULTIPLY, KMOD_NONE);
  held.repeat = 1;
  CHECK_FALSE(access_key(held));  // held down, it toggles once
  held.keysym.sym = SDLK_KP_PLUS;
  CHECK(access_key(held) == "access:volume-up");  // the volume repeats while held
}
