// SPDX-License-Identifier: Apache-2.0
// The booth's colours in one place: the #HeForShe palette the screens draw with, the ink of
// buttons and keyboard keys, the focus ring, and the table of every text/background pair the
// screens put on screen, which tests/kiosk/theme_test.cpp holds to WCAG 2.x contrast (4.5:1,
// 3:1 for large text). A new colour or a new place for text gets a row in text_pairs().
#pragma once

#include <string>
#include <vector>

#include "painter.h"

namespace pb::kiosk {

// The palette of one theme. The screens draw with the names below (kWhite, kMagenta, …),
// which are the colours of the theme set last (set_theme).
struct Palette {
  Color purple_deep, purple, plum, magenta, magenta_dark, pink;
  Color pink_light;  // pink for text under large text's size
  Color white, soft, ink, warn, danger, danger_down;
  Color placeholder;       // an empty field's hint while the field has the focus (on white)
  Color photo_wait;        // the photo slot while the photo is on its way
  Color panel, card_dark;  // dark boxes on the page: ADMIN's status panel, OUT_OF_SERVICE's card
  Color focus_ring, focus_edge;  // the focus ring (focus.h): a bright ring on a dark edge
};

// The booth's themes: the #HeForShe look, and high contrast (black page, white text, yellow
// accents, dark blue and red controls) with large text for a participant who chose it (#26).
enum class Theme { kStandard, kHighContrast };
inline constexpr Theme kThemes[] = {Theme::kStandard, Theme::kHighContrast};
const char* to_string(Theme t);
const Palette& palette_of(Theme t);
// Makes `t` the theme the names below stand for (UI thread, between frames).
void set_theme(Theme t);
Theme current_theme();
// How much larger text is drawn in high contrast (EN 301 549 5.1.4; the layout holds it).
inline constexpr float kLargeTextScale = 1.25f;

// The current theme's colours, by the names the screens use.
const Palette& active_palette();
inline const Color& kPurpleDeep = active_palette().purple_deep;
inline const Color& kPurple = active_palette().purple;
inline const Color& kPlum = active_palette().plum;
inline const Color& kMagenta = active_palette().magenta;
inline const Color& kMagentaDark = active_palette().magenta_dark;
inline const Color& kPink = active_palette().pink;
inline const Color& kPinkLight = active_palette().pink_light;
inline const Color& kWhite = active_palette().white;
inline const Color& kSoft = active_palette().soft;
inline const Color& kInk = active_palette().ink;
inline const Color& kWarn = active_palette().warn;
inline const Color& kDanger = active_palette().danger;
inline const Color& kDangerDown = active_palette().danger_down;
inline const Color& kPlaceholder = active_palette().placeholder;
inline const Color& kPhotoWait = active_palette().photo_wait;
inline const Color& kPanel = active_palette().panel;
inline const Color& kCardDark = active_palette().card_dark;
inline const Color& kFocusRing = active_palette().focus_ring;
inline const Color& kFocusEdge = active_palette().focus_edge;

enum class Style { kPrimary, kSecondary, kLight, kDanger, kDisabled };

// A control's fill and the colour of its label.
struct Ink {
  Color fill, text;
};
// A button of this style, pressed (down) or not.
Ink button_ink(Style style, bool down);
// A key of the on-screen keyboard: a letter, or a special key (shift, back, mode, space),
// "done", shift while it is on (active), pressed (down) or not.
Ink key_ink(bool special, bool done, bool active, bool down);

// --- contrast (WCAG 2.x) -----------------------------------------------------------------

// `top` (with its alpha) painted over the opaque `bottom`.
Color over(Color top, Color bottom);
// sRGB relative luminance, 0 (black) to 1 (white).
double luminance(Color c);
// (L1 + 0.05) / (L2 + 0.05) of two opaque colours, 1 to 21.
double contrast(Color a, Color b);

// One place where text of a colour sits on a background. `layers` are painted bottom first;
// when the first one is not opaque the stack sits on the page (each of page_colours()).
struct TextPair {
  std::string where;
  Color text;
  std::vector<Color> layers;
  float size;  // design pixels (1920x1080), the smallest the screens use for it
  bool bold;
};
// Of the current theme.
const std::vector<TextPair>& text_pairs();
// The page under everything: the gradient's colours and the magenta glow over its corner
// (of the current theme).
const std::vector<Color>& page_colours();

// The smallest screen the booth is laid out for is 1280x720: a design pixel is 2/3 of a
// screen pixel there, and WCAG's large text (>= 24 px bold, >= 32 px) is judged at that size.
inline constexpr double kSmallestScale = 720.0 / 1080.0;
bool large_text(const TextPair& t);
// The least contrast `t` needs: 3:1 for large text, else 4.5:1.
double required_contrast(const TextPair& t);
// The worst contrast of `t` over every page colour it may sit on.
double worst_contrast(const TextPair& t);

}  // namespace pb::kiosk
