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

// Palette.
inline constexpr Color kPurpleDeep{42, 8, 66, 255};
inline constexpr Color kPurple{74, 20, 110, 255};
inline constexpr Color kPlum{110, 22, 112, 255};
inline constexpr Color kMagenta{230, 0, 126, 255};
inline constexpr Color kMagentaDark{176, 0, 98, 255};
inline constexpr Color kPink{255, 122, 190, 255};
inline constexpr Color kPinkLight{255, 170, 215, 255};  // pink for text under large text's size
inline constexpr Color kWhite{255, 255, 255, 255};
inline constexpr Color kSoft{236, 222, 245, 255};
inline constexpr Color kInk{44, 10, 66, 255};
inline constexpr Color kWarn{255, 196, 84, 255};
inline constexpr Color kDanger{214, 48, 72, 255};
inline constexpr Color kDangerDown{170, 30, 50, 255};
// An empty field's hint while the field has the focus (on white).
inline constexpr Color kPlaceholder{120, 90, 140, 255};
// The photo slot while the photo is on its way.
inline constexpr Color kPhotoWait{30, 6, 45, 255};
// Dark boxes on the page: ADMIN's status panel, OUT_OF_SERVICE's card.
inline constexpr Color kPanel{20, 0, 30, 110};
inline constexpr Color kCardDark{20, 0, 30, 120};
// The focus ring (focus.h): a bright ring on a dark edge.
inline constexpr Color kFocusRing{255, 221, 0, 255};
inline constexpr Color kFocusEdge{20, 0, 30, 255};

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
const std::vector<TextPair>& text_pairs();
// The page under everything: the gradient's colours and the magenta glow over its corner.
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
