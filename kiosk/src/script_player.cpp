// SPDX-License-Identifier: Apache-2.0
// ScriptPlayer: one script step per frame, taps and keys pushed as SDL events.
#include "script_player.h"
#include "pb/log.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "painter.h"

namespace pb::kiosk {

std::optional<ScriptPlayer> ScriptPlayer::load(const std::string& path,
                                               const std::atomic<bool>& terminate) {
  std::ifstream in(path);
  if (!in) {
    pb::log::warn(pb::log::cat("kiosk: cannot read the script ", path));
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto steps = parse_script(text.str(), path);
  if (!steps) {
    pb::log::info(pb::log::cat("kiosk: ", steps.status().message()));
    return std::nullopt;
  }
  return ScriptPlayer(std::move(*steps), path, terminate);
}

ScriptPlayer::ScriptPlayer(std::vector<ScriptStep> steps, std::string name,
                           const std::atomic<bool>& terminate)
    : steps_(std::move(steps)), name_(std::move(name)), terminate_(&terminate) {}

void ScriptPlayer::step(const Env& env) {
  while (!done()) {
    ScriptStep& s = steps_[i_];
    if (started_ < 0) started_ = env.now;
    const Millis elapsed = env.now - started_;
    switch (s.kind) {
      case ScriptStep::Kind::kWait:
        if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
        break;
      case ScriptStep::Kind::kTap:
      case ScriptStep::Kind::kTouch:
      case ScriptStep::Kind::kHold: {
        if (phase_ == 0) {
          float x = s.x, y = s.y;
          if (!s.target.empty()) {
            const Hit* h = find(env.hits, s.target, s.kind == ScriptStep::Kind::kHold);
            if (!h) {
              if (elapsed < 5000) return;  // the screen may still be changing
              return fail(s, "no target `" + s.target + "` on screen " + to_string(env.screen));
            }
            x = h->rect.cx();
            y = h->rect.cy();
          }
          press(env, x, y, true, s.kind == ScriptStep::Kind::kTouch);
          px_ = x;
          py_ = y;
          phase_ = 1;
          pressed_at_ = env.now;
          pressed_ticks_ = SDL_GetTicks();  // what SDL stamped the press with
          return;
        }
        const Millis hold =
            s.kind == ScriptStep::Kind::kHold ? static_cast<Millis>(s.seconds * 1000) : 0;
        // Held for `hold` as the booth times presses (the events' stamps), not from the
        // frame's start: a frame slower than the hold's margin would shorten it otherwise.
        if (SDL_GetTicks() - pressed_ticks_ < static_cast<Uint32>(hold) || env.now == pressed_at_)
          return;
        press(env, px_, py_, false, s.kind == ScriptStep::Kind::kTouch);
        phase_ = 0;
        break;
      }
      case ScriptStep::Kind::kExpect:
        if (s.target != to_string(env.screen)) {
          if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
          return fail(s, std::string("expected screen `") + s.target + "`, still on `" +
                             to_string(env.screen) + "`");
        }
        break;
      case ScriptStep::Kind::kSettle:
        // Judged from the next frame on, once the taps just sent have been handled.
        if (elapsed == 0 || !env.settled) {
          if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
          return fail(s, "still busy (a PIN check, compose, save or sign text) after " +
                             std::to_string(s.seconds) + " s");
        }
        break;
      case ScriptStep::Kind::kCampaign:
        if (!env.campaign) {
          if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
          return fail(s, "the campaign-wide count is still not shown after " +
                             std::to_string(s.seconds) + " s");
        }
        break;
      case ScriptStep::Kind::kAwaitFile:
        if (std::error_code ec; !std::filesystem::exists(s.target, ec)) {
          if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
          return fail(s, "no file " + s.target + " after " + std::to_string(s.seconds) + " s");
        }
        break;
      case ScriptStep::Kind::kShot:
        env.shot(s.target);
        ++i_;  // the shot is taken next frame: nothing else may happen before it
        started_ = -1;
        return;
      case ScriptStep::Kind::kQuit: {
        SDL_Event e{};
        e.type = SDL_QUIT;
        SDL_PushEvent(&e);
        SDL_Event w{};
        w.type = SDL_WINDOWEVENT;
        w.window.event = SDL_WINDOWEVENT_CLOSE;
        w.window.windowID = SDL_GetWindowID(env.window);
        SDL_PushEvent(&w);
        break;
      }
      case ScriptStep::Kind::kKey: {
        const ScriptKey k = script_key(s.target);
        SDL_Event e{};
        e.type = SDL_KEYDOWN;
        e.key.windowID = SDL_GetWindowID(env.window);
        e.key.state = SDL_PRESSED;
        e.key.keysym.sym = k.sym;
        e.key.keysym.scancode = SDL_GetScancodeFromKey(k.sym);
        e.key.keysym.mod = k.mod;
        SDL_PushEvent(&e);
        e.type = SDL_KEYUP;
        e.key.state = SDL_RELEASED;
        SDL_PushEvent(&e);
        // One key a frame: the next one acts on the screen this one leads to, drawn first.
        ++i_;
        started_ = -1;
        return;
      }
      case ScriptStep::Kind::kFocus:
        if (s.target != env.focused) {
          if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
          return fail(s, "expected the focus on `" + s.target + "`, it is on `" + env.focused +
                             "` on screen " + to_string(env.screen));
        }
        break;
      case ScriptStep::Kind::kStall:  // a hung UI thread: no frames, no watchdog pings
        pb::log::info("kiosk: script: stalling the UI loop");
        while (!*terminate_) SDL_Delay(20);
        break;
    }
    ++i_;
    started_ = -1;
  }
}

ScriptKey script_key(const std::string& name) {
  const struct {
    const char* name;
    ScriptKey key;
  } table[] = {{"return", {SDLK_RETURN, KMOD_NONE}},   {"space", {SDLK_SPACE, KMOD_NONE}},
               {"tab", {SDLK_TAB, KMOD_NONE}},         {"shift+tab", {SDLK_TAB, KMOD_LSHIFT}},
               {"up", {SDLK_UP, KMOD_NONE}},           {"down", {SDLK_DOWN, KMOD_NONE}},
               {"left", {SDLK_LEFT, KMOD_NONE}},       {"right", {SDLK_RIGHT, KMOD_NONE}},
               {"escape", {SDLK_ESCAPE, KMOD_NONE}},   {"alt+f4", {SDLK_F4, KMOD_LALT}},
               {"alt+tab", {SDLK_TAB, KMOD_LALT}},     {"kp-star", {SDLK_KP_MULTIPLY, KMOD_NONE}},
               {"kp-plus", {SDLK_KP_PLUS, KMOD_NONE}}, {"kp-minus", {SDLK_KP_MINUS, KMOD_NONE}}};
  for (const auto& row : table)
    if (name == row.name) return row.key;
  return {SDLK_UNKNOWN, KMOD_NONE};
}

const Hit* ScriptPlayer::find(const std::vector<Hit>& hits, const std::string& target,
                              bool long_press) {
  for (auto it = hits.rbegin(); it != hits.rend(); ++it)
    if (it->target == target && (it->long_press == long_press || !long_press)) return &*it;
  return nullptr;
}

void ScriptPlayer::press(const Env& env, float x, float y, bool down, bool finger) {
  const SDL_Rect p = env.painter.pixels({x, y, 0, 0});
  int ww = 1, wh = 1, pw = 1, ph = 1;
  SDL_GetWindowSize(env.window, &ww, &wh);
  SDL_GetRendererOutputSize(SDL_GetRenderer(env.window), &pw, &ph);
  const float wx = static_cast<float>(p.x) * static_cast<float>(ww) / static_cast<float>(pw);
  const float wy = static_cast<float>(p.y) * static_cast<float>(wh) / static_cast<float>(ph);
  SDL_Event e{};
  if (finger) {
    e.type = down ? SDL_FINGERDOWN : SDL_FINGERUP;
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = 7;
    e.tfinger.x = wx / static_cast<float>(ww);
    e.tfinger.y = wy / static_cast<float>(wh);
    e.tfinger.pressure = 1;
  } else {
    e.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
    e.button.windowID = SDL_GetWindowID(env.window);
    e.button.which = 0;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.state = down ? SDL_PRESSED : SDL_RELEASED;
    e.button.clicks = 1;
    e.button.x = static_cast<int>(wx);
    e.button.y = static_cast<int>(wy);
  }
  SDL_PushEvent(&e);
}

void ScriptPlayer::fail(const ScriptStep& s, const std::string& what) {
  pb::log::info(pb::log::cat("script ", name_, ":", s.line, ": ", what));
  failed_ = true;
}

}  // namespace pb::kiosk
