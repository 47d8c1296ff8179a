// SPDX-License-Identifier: Apache-2.0
// Screens: one draw function per BoothMachine screen. A screen only draws the state it is
// given and lists its touch targets (Hit) for the input adapter and scripts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "back_office.h"
#include "painter.h"
#include "pb/booth_machine.h"
#include "pb/config.h"
#include "pb/i18n.h"
#include "pb/tally_counts.h"
#include "touch_input.h"

namespace pb::kiosk {

// A named touch target; long_press targets only answer a long press (the admin corner).
// primary: the screen's primary action (a Style::kPrimary button), focused on entry by keys.
struct Hit {
  std::string target;
  Rect rect;
  bool long_press = false;
  bool primary = false;
  std::string label{};  // what a button says (audio mode speaks it); "" for other targets
};

struct CameraInfo {
  bool ok = false;
  double fps = 0;
  std::string source;
  std::string error;
};

// Everything a screen may draw, for one frame.
struct View {
  const BoothMachine& machine;
  Millis now;
  const Strings& strings;
  const config::Config& config;
  const BoothStatus& status;
  CameraInfo camera;
  SDL_Texture* preview = nullptr;            // live mirrored preview with the sign (4:5), or null
  SDL_Texture* review = nullptr;             // the composed photo, or null while it is being made
  SDL_Texture* qr = nullptr;                 // THANKS' QR code, or null
  std::optional<PointerInput> held;          // a press in progress (pressed look)
  SDL_Texture* last_pledge_thumb = nullptr;  // ADMIN: the photo "Delete last pledge" deletes
  SDL_Texture* found_thumb = nullptr;        // ADMIN_DELETE_REF: the photo of the pledge found
  std::string speech_problem{};              // ADMIN: why audio mode cannot be heard ("" = it can)

  const BoothState& s() const { return machine.state(); }
  // In the language of this screen: the participant's, or the volunteer's on the console.
  const std::string& tr(const std::string& key) const {
    return strings.get(machine.shown_locale(), key);
  }
  std::string tr(const std::string& key,
                 const std::vector<std::pair<std::string, std::string>>& args) const {
    return strings.format(machine.shown_locale(), key, args);
  }
  // A count as the participant's language writes it ("1,284").
  std::string num(std::int64_t n) const { return strings.number(s().session.locale, n); }
};

// The campaign-wide figure ATTRACT or THANKS shows now (nullopt: the booth's own count, or
// another screen).
std::optional<store::CampaignFigure> shown_campaign(const View& v);
// ATTRACT's counter: the campaign-wide count when a fresh one with two booths or more is
// known (BoothStatus::campaign), else this booth's own ("" while the ledger is not open).
std::string attract_counter(const View& v);
// THANKS's line about his pledge, the same way ("" while nothing is saved).
std::string thanks_counter(const View& v);

// Draws the current screen and fills hits (later entries lie on top of earlier ones).
void draw_screen(Painter& p, const View& v, std::vector<Hit>& hits);
// The topmost target at a point (nullptr when none). long_press selects which kind.
const Hit* hit_at(const std::vector<Hit>& hits, float x, float y, bool long_press);

}  // namespace pb::kiosk
