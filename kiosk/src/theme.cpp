// SPDX-License-Identifier: Apache-2.0
// The colours of controls, the WCAG contrast arithmetic and the table of text/background
// pairs (theme.h).
#include "theme.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace pb::kiosk {

namespace {

Theme g_theme = Theme::kStandard;

Palette& mutable_palette() {
  static Palette active = palette_of(Theme::kStandard);
  return active;
}

}  // namespace

const char* to_string(Theme t) {
  return t == Theme::kHighContrast ? "high-contrast" : "standard";
}

const Palette& palette_of(Theme t) {
  static const Palette standard{
      {42, 8, 66, 255},     {74, 20, 110, 255},   {110, 22, 112, 255},  {230, 0, 126, 255},
      {176, 0, 98, 255},    {255, 122, 190, 255}, {255, 170, 215, 255}, {255, 255, 255, 255},
      {236, 222, 245, 255}, {44, 10, 66, 255},    {255, 196, 84, 255},  {214, 48, 72, 255},
      {170, 30, 50, 255},   {120, 90, 140, 255},  {30, 6, 45, 255},     {20, 0, 30, 110},
      {20, 0, 30, 120},     {255, 221, 0, 255},   {20, 0, 30, 255}};
  // Black page, white text, yellow where the standard look is pink, controls dark blue (the
  // primary action), red (danger) or grey; the ring is cyan so it is not taken for text.
  static const Palette high_contrast{
      {0, 0, 0, 255},       {0, 0, 0, 255},      {0, 0, 0, 255},      {0, 56, 168, 255},
      {0, 32, 110, 255},    {255, 232, 64, 255}, {255, 232, 64, 255}, {255, 255, 255, 255},
      {240, 240, 240, 255}, {0, 0, 0, 255},      {255, 200, 0, 255},  {190, 0, 20, 255},
      {128, 0, 12, 255},    {70, 70, 70, 255},   {0, 0, 0, 255},      {0, 0, 0, 220},
      {0, 0, 0, 220},       {0, 229, 255, 255},  {0, 0, 0, 255}};
  return t == Theme::kHighContrast ? high_contrast : standard;
}

const Palette& active_palette() {
  return mutable_palette();
}

void set_theme(Theme t) {
  if (t == g_theme) return;
  g_theme = t;
  mutable_palette() = palette_of(t);
}

Theme current_theme() {
  return g_theme;
}

Ink button_ink(Style style, bool down) {
  switch (style) {
    case Style::kPrimary:
      return {down ? kMagentaDark : kMagenta, kWhite};
    case Style::kSecondary:
      return {kWhite.with_alpha(down ? 70 : 36), kWhite};
    case Style::kLight:
      return {down ? kSoft : kWhite, kInk};
    case Style::kDanger:
      return {down ? kDangerDown : kDanger, kWhite};
    case Style::kDisabled:
      return {kWhite.with_alpha(16), kWhite.with_alpha(160)};  // muted, still 3:1
  }
  return {kMagenta, kWhite};
}

Ink key_ink(bool special, bool done, bool active, bool down) {
  Ink ink{special ? kWhite.with_alpha(70) : kWhite, special || done ? kWhite : kInk};
  if (done) ink.fill = kMagenta;
  // Shift while on and a pressed key are light: their labels are dark.
  if (active) ink = {kPink, kInk};
  if (down) ink = {kSoft.with_alpha(200), kInk};
  return ink;
}

Color over(Color top, Color bottom) {
  const double a = top.a / 255.0;
  auto mix = [a](std::uint8_t t, std::uint8_t b) {
    return static_cast<std::uint8_t>(std::lround(t * a + b * (1 - a)));
  };
  return {mix(top.r, bottom.r), mix(top.g, bottom.g), mix(top.b, bottom.b), 255};
}

double luminance(Color c) {
  auto linear = [](std::uint8_t v) {
    const double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double contrast(Color a, Color b) {
  const double la = luminance(a), lb = luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

const std::vector<Color>& page_colours() {
  // screens.cpp background(): the gradient's corners, and its glow (two magenta circles).
  static std::map<Theme, std::vector<Color>> pages;
  auto it = pages.find(g_theme);
  if (it == pages.end())
    it = pages
             .emplace(g_theme, std::vector<Color>{kPurpleDeep, kPurple, kPlum,
                                                  over(kMagenta.with_alpha(30),
                                                       over(kMagenta.with_alpha(28), kPlum))})
             .first;
  return it->second;
}

namespace {

constexpr Color kBackdrop{16, 0, 28, 200};  // screens.cpp backdrop(): under a panel's card

std::vector<TextPair> make_pairs() {
  std::vector<TextPair> t = {
      // On the page.
      {"titles (white on the page)", kWhite, {}, 58, true},
      {"subtitles, labels, PIN prompt (soft on the page)", kSoft, {}, 38, false},
      {"\"Skip\" (soft on the page)", kSoft, {}, 42, true},
      {"\"Skip\" pressed (pink on the page)", kPink, {}, 42, true},
      {"REVIEW: the choices' note (soft on the page)", kSoft, {}, 42, false},
      {"\"About your data\" link (white on the page)", kWhite, {}, 44, true},
      {"\"About your data\" link pressed (pink on the page)", kPink, {}, 44, true},
      {"wordmark \"She\", THANKS' count (pink on the page)", kPink, {}, 44, true},
      {"THANKS: not saved, PIN: wrong or locked (amber on the page)", kWarn, {}, 38, true},
      {"THANKS: QR text, reference (white on the page)", kWhite, {}, 42, true},
      {"ADMIN: notice (light pink on the page)", kPinkLight, {}, 32, true},
      {"ADMIN: why upload is off (soft on the page)", kSoft, {}, 30, false},
      // On cards and panels that let the page through.
      {"ATTRACT: the count (white on its card)", kWhite, {kWhite.with_alpha(26)}, 44, true},
      {"PLEDGE: the pledge (white on its card)", kWhite, {kWhite.with_alpha(24)}, 42, false},
      {"REVIEW: a choice (white on its row, pressed)", kWhite, {kWhite.with_alpha(44)}, 42, true},
      {"DETAILS: empty field's hint (white on the field, pressed)",
       kWhite,
       {kWhite.with_alpha(70)},
       44,
       false},
      {"DETAILS: typed text (white on the field)", kWhite, {kWhite.with_alpha(70)}, 44, true},
      {"DETAILS: answer chip (white on it)", kWhite, {kWhite.with_alpha(70)}, 42, true},
      {"language pill (white on it)", kWhite, {kWhite.with_alpha(70)}, 42, true},
      {"ADMIN: labels (soft on the status panel)", kSoft, {kPanel}, 32, true},
      {"ADMIN: values (white on the status panel)", kWhite, {kPanel}, 34, false},
      {"ADMIN: warnings (amber on the status panel)", kWarn, {kPanel}, 34, false},
      {"OUT OF SERVICE: reasons (white on its card)", kWhite, {kCardDark}, 34, false},
      {"OUT OF SERVICE: for the volunteer (amber on its card)", kWarn, {kCardDark}, 36, true},
      // Opaque backgrounds.
      {"DETAILS: focused empty field's hint", kPlaceholder, {kWhite}, 44, false},
      {"DETAILS: focused field's text", kInk, {kWhite}, 44, true},
      {"DETAILS: chosen answer chip", kWhite, {kMagenta}, 42, true},
      {"language pill, chosen", kInk, {kWhite}, 42, true},
      {"REVIEW: waiting for the photo", kSoft, {kPhotoWait}, 40, true},
      {"COUNTDOWN: the digit", kWhite, {kMagenta}, 170, true},
      {"panels: text (soft on the card)", kSoft, {kBackdrop, kPurple}, 44, false},
      {"panels: headings (pink on the card)", kPink, {kBackdrop, kPurple}, 44, true},
      {"panels: body (white on the card)", kWhite, {kBackdrop, kPurple}, 42, false},
  };
  // Every button style, pressed and not, at the smallest label size the screens give it.
  const std::pair<Style, const char*> styles[] = {{Style::kPrimary, "primary"},
                                                  {Style::kSecondary, "secondary"},
                                                  {Style::kLight, "light"},
                                                  {Style::kDanger, "danger"},
                                                  {Style::kDisabled, "disabled"}};
  for (const auto& [style, name] : styles)
    for (const bool down : {false, true}) {
      if (style == Style::kDisabled && down) continue;  // a disabled button never looks pressed
      const Ink ink = button_ink(style, down);
      t.push_back({std::string("button, ") + name + (down ? ", pressed" : ""),
                   ink.text,
                   {ink.fill},
                   40,
                   true});
    }
  // Every kind of key of the on-screen keyboard, pressed and not.
  const struct {
    bool special, done, active;
    const char* name;
  } keys[] = {{false, false, false, "letter"},
              {true, false, false, "shift, back, mode, space"},
              {true, false, true, "shift while on"},
              {true, true, false, "done"}};
  for (const auto& k : keys)
    for (const bool down : {false, true}) {
      const Ink ink = key_ink(k.special, k.done, k.active, down);
      // Letters are 44 regular; the special keys' labels are fitted from kMinRead (42) bold.
      t.push_back({std::string("keyboard: ") + k.name + (down ? ", pressed" : ""),
                   ink.text,
                   {ink.fill},
                   k.special ? 42.0f : 44.0f,
                   k.special});
    }
  return t;
}

}  // namespace

const std::vector<TextPair>& text_pairs() {
  static std::map<Theme, std::vector<TextPair>> pairs;
  auto it = pairs.find(g_theme);
  if (it == pairs.end()) it = pairs.emplace(g_theme, make_pairs()).first;
  return it->second;
}

bool large_text(const TextPair& t) {
  const double px = t.size * kSmallestScale;
  return (t.bold && px >= 24) || px >= 32;
}

double required_contrast(const TextPair& t) {
  return large_text(t) ? 3.0 : 4.5;
}

double worst_contrast(const TextPair& t) {
  const bool on_page = t.layers.empty() || t.layers.front().a != 255;
  double worst = 21;
  for (const Color& page : on_page ? page_colours() : std::vector<Color>{t.layers.front()}) {
    Color bg = page;
    for (const Color& layer : t.layers) bg = over(layer, bg);
    worst = std::min(worst, contrast(over(t.text, bg), bg));
  }
  return worst;
}

}  // namespace pb::kiosk
