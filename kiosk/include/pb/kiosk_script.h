// SPDX-License-Identifier: Apache-2.0
// Scripted runs (`pledgebooth kiosk --script FILE`): timed taps on named targets or x,y
// points, long presses, waits for a screen, extra screenshots and lockdown probes.
//
//   # a comment
//   wait 1.5              seconds before the next step
//   tap attract:start     the centre of a named target on the current screen (the names:
//                         pb/booth_machine.h, Tap)
//   tap 960,540           a point in design coordinates (1920x1080)
//   touch pledge:agree    like tap, but as a finger (touchscreen) event
//   hold admin:open 3     press a target (or x,y) for 3 s: a long press
//   expect thanks 10      wait until that screen shows (fails after 10 s)
//   settle 10             wait until nothing is in flight: no PIN check, compose or save
//                         (fails after 10 s; the default)
//   campaign 10           wait until the screen shows the campaign-wide count, read from
//                         the other booths' tally documents (fails after 10 s; the default)
//   shot details-typed    save a screenshot now as <NN>-details-typed.png
//   quit                  send a quit request (the booth must ignore it)
//   key return            send a key, one per frame: return, space, tab, shift+tab, up, down,
//                         left, right, escape (keys instead of touch, focus.h), or alt+f4,
//                         alt+tab (the locked-down booth must ignore them), kp-star (audio
//                         mode), kp-plus, kp-minus (speech volume)
//   focus review:use 5    wait until the keys' focus is on that target (fails after 5 s;
//                         10 s when not given)
//   stall                 hang the UI loop until SIGTERM (tests the service watchdog)
//   await-file PATH 60    wait until PATH exists: a test's signal that it changed the world
//                         (freed a disk); fails after 60 s (10 s when not given)
#pragma once

#include <string>
#include <vector>

#include "pb/status.h"

namespace pb::kiosk {

struct ScriptStep {
  enum class Kind {
    kWait,
    kTap,
    kTouch,
    kHold,
    kExpect,
    kSettle,
    kCampaign,
    kShot,
    kQuit,
    kKey,
    kFocus,
    kStall,
    kAwaitFile
  } kind = Kind::kWait;
  std::string target;  // named target, screen, shot name or key; "" when x,y is used
  float x = 0, y = 0;  // design coordinates when target is ""
  double seconds = 0;  // wait / hold / expect timeout
  int line = 0;        // in the script, for messages
};

// The keys a `key` step may send.
inline constexpr const char* kScriptKeys[] = {
    "return", "space",  "tab",    "shift+tab", "up",      "down",    "left",
    "right",  "escape", "alt+f4", "alt+tab",   "kp-star", "kp-plus", "kp-minus"};

// Parses a script; kInvalid with "name:line: what is wrong".
Result<std::vector<ScriptStep>> parse_script(const std::string& text, const std::string& name);

}  // namespace pb::kiosk
