// SPDX-License-Identifier: Apache-2.0
// ScriptPlayer: plays a `--script` (pb/kiosk_script.h) one step per frame, injecting taps,
// keys and quit requests as real SDL events so they travel the same path as a finger.
#pragma once

#include <SDL.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pb/booth_machine.h"
#include "pb/kiosk_script.h"
#include "screens.h"

namespace pb::kiosk {

class Painter;

// The SDL key and modifiers a script's `key NAME` sends (SDLK_UNKNOWN for a name not in
// kScriptKeys).
struct ScriptKey {
  SDL_Keycode sym;
  SDL_Keymod mod;
};
ScriptKey script_key(const std::string& name);

class ScriptPlayer {
 public:
  // Reads and parses the script at path; on failure logs why ("kiosk: ...") and returns
  // nullopt. terminate ends a `stall` step (SIGTERM); it must outlive the player.
  static std::optional<ScriptPlayer> load(const std::string& path,
                                          const std::atomic<bool>& terminate);
  ScriptPlayer(std::vector<ScriptStep> steps, std::string name, const std::atomic<bool>& terminate);

  bool done() const { return i_ >= steps_.size() || failed_; }
  bool failed() const { return failed_; }

  // What the player sees of the booth this frame.
  struct Env {
    SDL_Window* window;
    Painter& painter;
    const std::vector<Hit>& hits;
    Screen screen;
    Millis now;
    std::function<void(const std::string&)> shot;
    bool settled;         // nothing in flight: no PIN check, compose or save, no sign text drawing
    bool campaign;        // the screen shows the campaign-wide count
    std::string focused;  // the target the keys' focus is on ("" = none)
  };
  // Runs the steps that are due; returns when one has to wait for a later frame.
  void step(const Env& env);

 private:
  static const Hit* find(const std::vector<Hit>& hits, const std::string& target, bool long_press);
  void press(const Env& env, float x, float y, bool down, bool finger);
  void fail(const ScriptStep& s, const std::string& what);

  std::vector<ScriptStep> steps_;
  std::string name_;
  const std::atomic<bool>* terminate_;
  std::size_t i_ = 0;
  Millis started_ = -1;
  int phase_ = 0;
  Millis pressed_at_ = 0;     // the frame that pressed
  Uint32 pressed_ticks_ = 0;  // SDL_GetTicks() when the press was pushed
  float px_ = 0, py_ = 0;
  bool failed_ = false;
};

}  // namespace pb::kiosk
