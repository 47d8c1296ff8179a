// SPDX-License-Identifier: Apache-2.0
// The booth's screens in the #HeForShe look: deep purple to magenta, white type, big
// rounded touch targets. Layout in design units (1920x1080).
#include "screens.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "pb/consent_text.h"
#include "pb/keyboard.h"
#include "pb/ledger.h"
#include "pb/photo.h"
#include "pb/tally_counts.h"
#include "pb/thanks_info.h"
#include "theme.h"

namespace pb::kiosk {
namespace {

// The palette, the ink of buttons and keys and Style are in theme.h (its contrast is tested).

// The smallest text a participant must read: ~28 px on a 1280x720 screen, 1-2 m away.
// Longer text wraps instead of shrinking below it.
constexpr float kMinRead = 42;

// The layout's boxes, in design units, named once. The participant's screens have two
// columns: the photo or the live preview on the left, words and buttons on the right.
constexpr Rect kScreen{0, 0, kDesignW, kDesignH};
constexpr Rect kPhotoSlot{110, 90, 720, 900};  // ATTRACT, PLEDGE, REVIEW, THANKS
constexpr float kColumnX = 920;                // the right-hand column
constexpr float kColumnW = 900;
constexpr float kColumnRight = kColumnX + kColumnW;
constexpr float kWordmarkY = 60;                     // "#HeForShe" above the column
constexpr float kToggleRight = 1860, kToggleY = 40;  // the language pills, top right,
constexpr float kToggleMaxW = 760;                   // at most this wide
constexpr Rect kAdminCorner{0, 0, 170, 170};         // the hidden long press, top left
constexpr Rect kAccessRow{110, 870, 720, 120};       // ATTRACT's accessibility toggles

bool pressed(const View& v, const Rect& r) {
  return v.held && r.contains(v.held->x, v.held->y);
}

void background(Painter& p) {
  p.layer("background", [&p] {
    p.fill(kScreen, kPurpleDeep);
    p.gradient(kScreen, kPurpleDeep, kPurple, kPurple, kPlum);
    // A soft magenta glow in the lower right corner.
    p.circle(1780, 1020, 420, kMagenta.with_alpha(28));
    p.circle(1820, 1060, 260, kMagenta.with_alpha(30));
  });
}

void button(Painter& p, const View& v, std::vector<Hit>& hits, const std::string& target,
            const Rect& r, const std::string& label, Style style, float size = 48) {
  const bool down = pressed(v, r) && style != Style::kDisabled;
  const auto [fill, text] = button_ink(style, down);
  if (style == Style::kPrimary)
    p.rounded({r.x, r.y + 8, r.w, r.h}, r.h / 2.6f, Color{20, 0, 30, 70});
  p.rounded(r, r.h / 2.6f, fill);
  if (style == Style::kSecondary) p.rounded_outline(r, r.h / 2.6f, 3, kWhite.with_alpha(150));
  const float fs = p.fit(label, Face::kBold, size, r.w - 48);
  const float least = std::min(size, std::max(kMinRead, size * 0.8f));
  if (fs >= least) {
    p.text(label, Face::kBold, fs, text, r, Align::kCenter);
  } else {  // too long for one line: wrap at a readable size
    const Rect m = p.measure_paragraph(label, Face::kBold, least, r.w - 48, Align::kCenter);
    p.paragraph(label, Face::kBold, least, text, {r.x + 24, r.cy() - m.h / 2, r.w - 48, m.h},
                Align::kCenter);
  }
  if (style != Style::kDisabled)
    hits.push_back({target, r, false, style == Style::kPrimary, label});
}

// "#HeForShe" with its top left at (x, y); returns its right edge.
float wordmark(Painter& p, float x, float y, float size = 44) {
  const Rect a = p.text("#HeFor", Face::kTitle, size, kWhite, {x, y, 0, 0});
  return p.text("She", Face::kTitle, size, kPink, {a.right(), y, 0, 0}).right();
}

// One pill per language the machine knows, each named in its own language and as wide as
// its name, right-aligned at `right` and never left of `min_left` (on ATTRACT and PLEDGE the
// end of the wordmark beside it). Many languages first take padding from the pills, then
// their names shrink to fit (fit() below). Returns the left edge, for what sits beside it.
float lang_toggle(Painter& p, const View& v, std::vector<Hit>& hits,
                  float min_left = kToggleRight - kToggleMaxW, float right = kToggleRight,
                  float y = kToggleY) {
  const auto& languages = v.machine.options().languages;
  constexpr float kGap = 12, kPad = 32, kLeastPad = 14, kMinW = 130;
  std::vector<float> names;
  for (const Language& l : languages)
    names.push_back(p.measure(v.strings.get(l.code, "language.name"), Face::kBold, kMinRead).w);
  auto width = [&](std::size_t i, float pad) { return std::max(kMinW, names[i] + 2 * pad); };
  auto total = [&](float pad) {
    float all = kGap * static_cast<float>(names.size() - 1);
    for (std::size_t i = 0; i < names.size(); ++i) all += width(i, pad);
    return all;
  };
  const float room = right - min_left;
  float pad = kPad;
  while (pad > kLeastPad && total(pad) > room) pad -= 2;
  const float all = total(pad);
  const float squeeze = all > room ? room / all : 1;
  float x = right - all * squeeze;
  const float left = x;
  for (std::size_t i = 0; i < languages.size(); ++i) {
    const std::string& loc = languages[i].code;
    const Rect rect{x, y, width(i, pad) * squeeze, 76};
    const bool active = v.machine.shown_locale() == loc;
    p.rounded(rect, 38, active ? kWhite : kWhite.with_alpha(pressed(v, rect) ? 70 : 30));
    if (!active) p.rounded_outline(rect, 38, 2, kWhite.with_alpha(130));
    const std::string& name = v.strings.get(loc, "language.name");
    p.text(name, Face::kBold, p.fit(name, Face::kBold, kMinRead, rect.w - 24),
           active ? kInk : kWhite, rect, Align::kCenter);
    hits.push_back({"lang:" + loc, rect, false});
    x += rect.w + kGap * squeeze;
  }
  return left;
}

// The photo's shape (photo.aspect in booth.toml), centred in a 4:5 slot of the layout: a 1:1 or
// 9:16 photo and its preview are shown as they are, never stretched.
void photo_box(Painter& p, const View& v, const Rect& slot, SDL_Texture* tex,
               const std::string& waiting) {
  cv::Size shape = photo::output_size(photo::Aspect::k4x5);
  if (auto a = photo::parse_aspect(v.config.photo.aspect)) shape = photo::output_size(*a);
  Rect r = slot;
  if (slot.w * static_cast<float>(shape.height) > slot.h * static_cast<float>(shape.width))
    r.w = slot.h * static_cast<float>(shape.width) / static_cast<float>(shape.height);
  else
    r.h = slot.w * static_cast<float>(shape.height) / static_cast<float>(shape.width);
  r.x = slot.cx() - r.w / 2;
  r.y = slot.cy() - r.h / 2;
  p.rounded({r.x - 10, r.y - 10 + 14, r.w + 20, r.h + 20}, 34, Color{15, 0, 25, 90});
  p.rounded({r.x - 10, r.y - 10, r.w + 20, r.h + 20}, 34, kWhite);
  if (tex) {
    p.image(tex, r);
  } else {
    p.fill(r, kPhotoWait);
    p.paragraph(waiting, Face::kBold, 40, kSoft, {r.x + 40, r.cy() - 30, r.w - 80, 100},
                Align::kCenter);
  }
}

void admin_corner(std::vector<Hit>& hits) {
  hits.push_back({"admin:open", kAdminCorner, true});
}

std::optional<store::CampaignFigure> campaign_of(const View& v, std::int64_t own) {
  if (!v.status.campaign) return std::nullopt;
  return store::campaign_figure(*v.status.campaign, own);
}

}  // namespace

std::optional<store::CampaignFigure> shown_campaign(const View& v) {
  if (v.s().screen == Screen::kAttract && v.status.ledger_open)
    return campaign_of(v, v.status.pledges);
  if (v.s().screen == Screen::kThanks && v.s().session.saved)
    return campaign_of(v, v.s().session.saved->supporter_number);
  return std::nullopt;
}

std::string attract_counter(const View& v) {
  if (!v.status.ledger_open) return "";
  const std::int64_t n = v.status.pledges;
  const std::string& event = v.config.event.name;
  if (auto c = campaign_of(v, n))
    return v.tr("attract.counter_campaign",
                {{"count", v.num(c->pledges)}, {"booths", v.num(c->booths)}, {"event", event}});
  return n == 0   ? v.tr("attract.counter_zero", {{"event", event}})
         : n == 1 ? v.tr("attract.counter_one", {{"event", event}})
                  : v.tr("attract.counter", {{"count", v.num(n)}, {"event", event}});
}

std::string thanks_counter(const View& v) {
  const BoothState& s = v.s();
  if (!s.session.saved) return "";
  const std::int64_t n = s.session.saved->supporter_number;
  const std::string& event = v.config.event.name;
  if (auto c = campaign_of(v, n))
    return v.tr("thanks.supporter_campaign",
                {{"count", v.num(c->pledges)}, {"booths", v.num(c->booths)}, {"event", event}});
  return v.tr(n == 1 ? "thanks.supporter_first" : "thanks.supporter",
              {{"number", v.num(n)}, {"event", event}});
}

namespace {

// --- accessibility (#26) --------------------------------------------------------------
// The participant's toggles (ATTRACT): audio mode, and high contrast with large text. A
// toggle that is on is drawn light, and its words say so.
void access_toggles(Painter& p, const View& v, std::vector<Hit>& hits, const Rect& row) {
  const Session& s = v.s().session;
  const float w = (row.w - 20) / 2;
  button(p, v, hits, "access:audio", {row.x, row.y, w, row.h},
         v.tr(s.audio ? "access.audio_on" : "access.audio"),
         s.audio ? Style::kLight : Style::kSecondary, 42);
  button(p, v, hits, "access:contrast", {row.x + w + 20, row.y, w, row.h},
         v.tr(s.high_contrast ? "access.contrast_on" : "access.contrast"),
         s.high_contrast ? Style::kLight : Style::kSecondary, 42);
}

// ADMIN's settings for the booth (top right, beside the title): high contrast for every
// participant, no time limits for an assisted session, the speech volume.
void access_settings(Painter& p, const View& v, std::vector<Hit>& hits) {
  const AccessSettings& a = v.s().access;
  const float y = 36, h = 96;
  button(p, v, hits, "access:default-contrast", {620, y, 400, h},
         v.tr(a.high_contrast ? "access.default_contrast_on" : "access.default_contrast_off"),
         a.high_contrast ? Style::kLight : Style::kSecondary, 34);
  button(p, v, hits, "access:limits", {1040, y, 400, h},
         v.tr(a.limits_off ? "access.limits_off" : "access.limits_on"),
         a.limits_off ? Style::kLight : Style::kSecondary, 34);
  button(p, v, hits, "access:volume-down", {1460, y, 110, h}, "-", Style::kSecondary, 56);
  p.text(v.tr("access.volume", {{"level", std::to_string(a.volume)}}), Face::kBold, 32, kWhite,
         {1570, y, 180, h}, Align::kCenter);
  button(p, v, hits, "access:volume-up", {1750, y, 110, h}, "+", Style::kSecondary, 48);
}

// --- ATTRACT -------------------------------------------------------------------------
void attract(Painter& p, const View& v, std::vector<Hit>& hits) {
  hits.push_back({"attract:start", kScreen, false});
  // The preview leaves the bottom of its column to the accessibility toggles (low, in reach).
  photo_box(p, v, {kPhotoSlot.x, kPhotoSlot.y, kPhotoSlot.w, kAccessRow.y - 30 - kPhotoSlot.y},
            v.preview, v.tr("camera.warming"));
  access_toggles(p, v, hits, kAccessRow);
  const float wordmark_end = wordmark(p, kColumnX, kWordmarkY, 48);
  float y = 210;
  y += p.paragraph(v.tr("attract.title"), Face::kTitle, 96, kWhite, {kColumnX, y, kColumnW, 400});
  y += 30;
  y += p.paragraph(v.tr("attract.subtitle"), Face::kBody, 42, kSoft,
                   {kColumnX, y, kColumnW - 20, 200});
  if (v.status.ledger_open) {
    const std::string count = attract_counter(v);
    // The campaign-wide line with a long event name wraps to more lines: the card grows
    // upwards from the start button, never over the subtitle.
    const Rect m = p.measure_paragraph(count, Face::kBold, 44, kColumnW - 160);
    const float h = std::clamp(m.h + 40, 160.0f, std::max(160.0f, 800 - y - 20));
    const Rect card{kColumnX, 800 - h, kColumnW, h};
    p.rounded(card, 30, kWhite.with_alpha(26));
    p.circle(card.x + 65, card.cy(), 34, kMagenta);
    p.text("\u2665", Face::kTitle, 40, kWhite, {card.x + 31, card.y, 68, card.h}, Align::kCenter);
    p.paragraph(count, Face::kBold, 44, kWhite,
                {card.x + 125, card.cy() - m.h / 2, card.w - 160, m.h});
  }
  const Rect start{kColumnX, 840, kColumnW, 150};
  button(p, v, hits, "attract:start", start, v.tr("attract.start"), Style::kPrimary, 60);
  lang_toggle(p, v, hits, wordmark_end + 30);  // on top of the full-screen start target
}

// --- PLEDGE --------------------------------------------------------------------------
void pledge(Painter& p, const View& v, std::vector<Hit>& hits) {
  photo_box(p, v, kPhotoSlot, v.preview, v.tr("camera.warming"));
  lang_toggle(p, v, hits, wordmark(p, kColumnX, kWordmarkY, 48) + 30);
  p.paragraph(v.tr("pledge.title"), Face::kTitle, 70, kWhite, {kColumnX, 180, kColumnW, 120});
  std::string text = v.tr("pledge.text");
  if (auto it = v.config.event.pledge_text.find(v.s().session.locale);
      it != v.config.event.pledge_text.end() && !it->second.empty())
    text = it->second;
  const Rect card{kColumnX, 300, kColumnW, 470};
  p.rounded(card, 30, kWhite.with_alpha(24));
  p.rounded({card.x, card.y + 30, 10, card.h - 60}, 5, kPink);
  // Readable first: a long pledge text wraps at the smallest readable size.
  float size = text.size() > 300 ? kMinRead : 46;
  const Rect area{card.x + 50, card.y + 40, card.w - 90, card.h - 60};
  // Large text (#26): as large as the card holds, never below the usual smallest size.
  while (size > kMinRead / p.text_scale() &&
         p.measure_paragraph(text, Face::kBody, size, area.w).h > area.h)
    size -= 2;
  p.paragraph(text, Face::kBody, size, kWhite, area);
  button(p, v, hits, "pledge:agree", {kColumnX, 830, 560, 160}, v.tr("pledge.agree"),
         Style::kPrimary, 60);
  button(p, v, hits, "pledge:not-now", {kColumnRight - 310, 830, 310, 160}, v.tr("pledge.not_now"),
         Style::kSecondary, 46);
}

// --- AGE_CHECK -----------------------------------------------------------------------
// Asked before any name, words or photo: one tap either way, the consequence said plainly.
void age_check(Painter& p, const View& v, std::vector<Hit>& hits) {
  photo_box(p, v, kPhotoSlot, v.preview, v.tr("camera.warming"));
  lang_toggle(p, v, hits, wordmark(p, kColumnX, kWordmarkY, 48) + 30);
  const std::string age = std::to_string(v.machine.options().min_age);
  float y = 200;
  y += p.paragraph(v.tr("age.title"), Face::kTitle, 70, kWhite, {kColumnX, y, kColumnW, 200});
  y += 40;
  button(p, v, hits, "age:old-enough", {kColumnX, y, kColumnW, 150},
         v.tr("age.old_enough", {{"age", age}}), Style::kPrimary, 56);
  y += 150 + 30;
  button(p, v, hits, "age:younger", {kColumnX, y, kColumnW, 130},
         v.tr("age.younger", {{"age", age}}), Style::kSecondary, 48);
  y += 130 + 50;
  p.paragraph(v.tr("age.text", {{"age", age}}), Face::kBody, kMinRead, kSoft,
              {kColumnX, y, kColumnW, 1040 - y});
}

// --- DETAILS -------------------------------------------------------------------------
void field(Painter& p, const View& v, std::vector<Hit>& hits, const std::string& target,
           const Rect& r, const std::string& value, const std::string& placeholder, bool focused) {
  p.rounded(r, 24, focused ? kWhite : kWhite.with_alpha(pressed(v, r) ? 70 : 40));
  if (focused) p.rounded_outline(r.inset(-6), 30, 6, kPink);
  const bool empty = value.empty();
  const std::string shown = empty ? placeholder : value;
  // An empty field's hint is white too, in the regular face (lavender was too faint on a
  // pressed field: 3.7:1, theme_test.cpp).
  const Color c = focused ? (empty ? kPlaceholder : kInk) : kWhite;
  const float fs = p.fit(shown, empty ? Face::kBody : Face::kBold, 44, r.w - 70);
  const Rect t =
      p.text(shown, empty ? Face::kBody : Face::kBold, fs, c, {r.x + 32, r.y, r.w - 64, r.h});
  if (focused && (static_cast<long long>(v.now) / 530) % 2 == 0) {
    const float cx = empty ? r.x + 32 : t.right() + 4;
    p.fill({cx, r.y + 22, 4, r.h - 44}, kMagenta);
  }
  hits.push_back({target, r, false});
}

void keyboard(Painter& p, const View& v, std::vector<Hit>& hits, const Rect& area) {
  const Session::Keyboard& kb = v.s().session.keyboard;
  const KeyboardLayout* shown = v.machine.layout(kb.layout);
  if (!shown) return;
  // The mode key shows the label of the layout it switches to, and only when there is one.
  const KeyboardLayout* next = v.machine.layout(v.machine.keyboard_switch());
  KeyRows rows = kb.shifted ? shown->shifted : shown->rows;
  for (auto& row : rows)
    row.erase(std::remove_if(row.begin(), row.end(),
                             [next](const Key& k) { return k.id == "mode" && !next; }),
              row.end());
  const float gap = 10;
  const float row_h =
      (area.h - gap * (static_cast<float>(rows.size()) - 1)) / static_cast<float>(rows.size());
  float widest = 0;
  for (const auto& row : rows) {
    float units = 0;
    for (const auto& k : row) units += k.width;
    widest = std::max(widest, units);
  }
  const float unit = (area.w + gap) / widest;
  float y = area.y;
  for (const auto& row : rows) {
    float units = 0;
    for (const auto& k : row) units += k.width;
    float x = area.x + (area.w - (units * unit - gap)) / 2;
    for (const auto& k : row) {
      const Rect r{x, y, k.width * unit - gap, row_h};
      std::string label = k.label;
      if (k.id == "mode") label = next->label;
      if (k.id == "space") label = v.tr("keyboard.space");
      if (k.id == "done") label = v.tr("keyboard.done");
      const bool special = k.id.size() > 3 || k.id == "mode";
      const bool active = k.id == "shift" && kb.shifted;
      const auto [fill, tc] = key_ink(special, k.id == "done", active, pressed(v, r));
      p.rounded(r, 16, fill);
      const float ks = special ? p.fit(label, Face::kBold, kMinRead, r.w - 16) : 44;
      p.text(label, special ? Face::kBold : Face::kBody, ks, tc, r, Align::kCenter);
      hits.push_back({"key:" + k.id, r, false});
      x += k.width * unit;
    }
    y += row_h + gap;
  }
}

void details(Painter& p, const View& v, std::vector<Hit>& hits) {
  const BoothState& s = v.s();
  p.text(v.tr("details.title"), Face::kTitle, 62, kWhite, {60, 28, 0, 0});
  p.text(v.tr("details.subtitle"), Face::kBody, kMinRead, kSoft, {62, 104, 0, 0});
  const float toggle_left = lang_toggle(p, v, hits);
  button(p, v, hits, "details:back", {std::min(1300.f, toggle_left - 224), 40, 200, 76},
         v.tr("details.back"), Style::kSecondary, kMinRead);
  p.text(v.tr("details.name_label"), Face::kBold, kMinRead, kSoft, {62, 164, 0, 0});
  field(p, v, hits, "field:name", {60, 220, 1180, 82}, s.session.first_name.text(),
        v.tr("details.name_placeholder"), s.session.focus == Session::Focus::kName);
  p.text(v.tr("details.why_label"), Face::kBold, kMinRead, kSoft, {62, 312, 0, 0});
  // Two columns: the longest picks ("누나·여동생을 위해") stay whole at a readable size.
  const auto& picks = answer_picks();
  for (std::size_t i = 0; i < picks.size(); ++i) {
    const Rect r{60 + static_cast<float>(i % 2) * 595, 366 + static_cast<float>(i / 2) * 76, 585,
                 68};
    const bool on = s.session.answer_pick == picks[i];
    p.rounded(r, 34, on ? kMagenta : kWhite.with_alpha(pressed(v, r) ? 70 : 34));
    if (!on) p.rounded_outline(r, 34, 2, kWhite.with_alpha(120));
    const std::string label = v.tr("answer." + picks[i]);
    p.text(label, Face::kBold, p.fit(label, Face::kBold, kMinRead, r.w - 40), kWhite, r,
           Align::kCenter);
    hits.push_back({"pick:" + picks[i], r, false});
  }
  field(p, v, hits, "field:words", {60, 596, 1180, 76}, s.session.answer_words.text(),
        v.tr("details.words_placeholder"), s.session.focus == Session::Focus::kWords);
  if (s.session.focus != Session::Focus::kNone) keyboard(p, v, hits, {60, 690, 1180, 370});
  // The sign as it will look, live.
  photo_box(p, v, {1300, 140, 560, 700}, v.preview, v.tr("camera.warming"));
  button(p, v, hits, "details:next", {1290, 870, 580, 110}, v.tr("details.next"), Style::kPrimary,
         46);
  // "Skip" would throw away what was typed: it is offered only while nothing is.
  if (!v.machine.details_entered()) {
    const Rect skip{1290, 992, 580, 76};
    p.text(v.tr("details.skip"), Face::kBold, kMinRead, pressed(v, skip) ? kPink : kSoft, skip,
           Align::kCenter);
    hits.push_back({"details:skip", skip, false});
  }
}

// --- PHOTO_CHOICE --------------------------------------------------------------------
// Photo or not, before the camera: the sign as it would look, and two equal ways on.
void photo_choice(Painter& p, const View& v, std::vector<Hit>& hits) {
  photo_box(p, v, kPhotoSlot, v.preview, v.tr("camera.warming"));
  // "Back" where the wordmark would be: the pills share the rest of the row.
  button(p, v, hits, "photo-choice:back", {kColumnX, kToggleY, 200, 76}, v.tr("photo_choice.back"),
         Style::kSecondary, kMinRead);
  lang_toggle(p, v, hits, kColumnX + 224);
  float y = 180;
  y += p.paragraph(v.tr("photo_choice.title"), Face::kTitle, 70, kWhite,
                   {kColumnX, y, kColumnW, 200});
  y += 20;
  y += p.paragraph(
      v.tr("photo_choice.text", {{"seconds", std::to_string(v.machine.options().countdown_s)}}),
      Face::kBody, 44, kSoft, {kColumnX, y, kColumnW, 240});
  y += 60;
  button(p, v, hits, "photo-choice:take", {kColumnX, y, kColumnW, 150}, v.tr("photo_choice.take"),
         Style::kPrimary, 60);
  y += 150 + 30;
  button(p, v, hits, "photo-choice:none", {kColumnX, y, kColumnW, 130}, v.tr("photo_choice.none"),
         Style::kSecondary, 48);
  y += 130 + 16;
  p.paragraph(v.tr("photo_choice.none_note"), Face::kBody, kMinRead, kSoft,
              {kColumnX, y, kColumnW, 1060 - y}, Align::kCenter);
}

// A thick line as a row of dots (the fonts have no check mark or arrow).
void stroke(Painter& p, float x0, float y0, float x1, float y1, float half_width, Color c) {
  const int steps = std::max(2, static_cast<int>(std::hypot(x1 - x0, y1 - y0) / half_width));
  for (int i = 0; i <= steps; ++i) {
    const float t = static_cast<float>(i) / static_cast<float>(steps);
    p.circle(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, half_width, c);
  }
}

// An upward chevron centred at (x, y): "look up here".
void chevron_up(Painter& p, float x, float y, float size, Color c) {
  stroke(p, x - size, y + size * 0.6f, x, y - size * 0.4f, size * 0.16f, c);
  stroke(p, x, y - size * 0.4f, x + size, y + size * 0.6f, size * 0.16f, c);
}

// --- COUNTDOWN -----------------------------------------------------------------------
void countdown(Painter& p, const View& v, std::vector<Hit>& hits) {
  // The digit sits top-centre, right under the camera, so eyes go to the lens; the
  // preview moves down to make room.
  const Rect box{560, 300, 800, 760};
  photo_box(p, v, box, v.preview, v.tr("camera.warming"));
  p.paragraph(v.tr("countdown.title"), Face::kTitle, 58, kWhite, {40, 420, 480, 400},
              Align::kCenter);
  const int digit = v.machine.countdown_digit(v.now);
  const float cx = 960, cy = 150;
  if (digit > 0) {
    // The digit shrinks a little through each second.
    const float phase = static_cast<float>((v.s().session.shutter_ms - v.now) % 1000) / 1000.f;
    const float r = 118 + 16 * phase;
    p.circle(cx, cy + 8, r, Color{20, 0, 30, 80});
    p.circle(cx, cy, r, kMagenta);
    p.text(std::to_string(digit), Face::kTitle, 170 + 40 * phase, kWhite,
           {cx - r, cy - r, 2 * r, 2 * r}, Align::kCenter);
    // "Look up" on both sides of the digit, pointing at the camera above the screen.
    for (const float side : {-1.0f, 1.0f}) {
      chevron_up(p, cx + side * 250, 95, 36, kPink);
      chevron_up(p, cx + side * 250, 150, 36, kPink.with_alpha(150));
    }
    p.text(v.tr("countdown.look_up"), Face::kBold, 46, kWhite, {cx + 300, cy - 40, 0, 0});
    const Rect m = p.measure(v.tr("countdown.look_up"), Face::kBold, 46);
    p.text(v.tr("countdown.look_up"), Face::kBold, 46, kWhite, {cx - 300 - m.w, cy - 40, 0, 0});
  }
  // Until the shutter he can still say no: back to the choice, nothing taken.
  if (v.machine.countdown_cancellable(v.now))
    button(p, v, hits, "countdown:cancel", {1440, 900, 420, 120}, v.tr("photo_choice.cancel"),
           Style::kSecondary, 48);
  if (v.machine.flashing(v.now) || (v.s().session.waiting_for_still && digit == 0)) {
    const float t = static_cast<float>(v.now - v.s().session.shutter_ms) /
                    static_cast<float>(v.machine.options().flash_ms);
    const auto a = static_cast<std::uint8_t>(255 * std::clamp(1.0f - t, 0.0f, 1.0f));
    p.fill(kScreen, kWhite.with_alpha(a));
  }
}

// --- REVIEW --------------------------------------------------------------------------
void check_mark(Painter& p, const Rect& r, Color c) {
  const float w = r.w * 0.07f;
  stroke(p, r.x + r.w * 0.22f, r.y + r.h * 0.52f, r.x + r.w * 0.42f, r.y + r.h * 0.72f, w, c);
  stroke(p, r.x + r.w * 0.42f, r.y + r.h * 0.72f, r.x + r.w * 0.78f, r.y + r.h * 0.30f, w, c);
}

// Dims the screen under a card that has to be answered.
void backdrop(Painter& p) {
  p.fill(kScreen, Color{16, 0, 28, 200});
}

void card(Painter& p, const Rect& r) {
  p.rounded({r.x, r.y + 14, r.w, r.h}, 36, Color{10, 0, 20, 120});
  p.rounded(r, 36, kPurple);
  p.rounded_outline(r, 36, 3, kPink.with_alpha(160));
}

// A real checkbox: an empty square with a thick frame, or filled with a tick.
void checkbox(Painter& p, const Rect& box, bool on) {
  if (on) {
    p.rounded(box, 16, kMagenta);
    check_mark(p, box, kWhite);
  } else {
    p.rounded(box, 16, kPurpleDeep);
    p.rounded_outline(box, 16, 7, kWhite);
  }
}

void confirm_no_photo(Painter& p, const View& v, std::vector<Hit>& hits) {
  backdrop(p);
  hits.push_back({"no-photo:cancel", kScreen, false});
  const Rect c{410, 250, 1100, 580};
  card(p, c);
  float y = c.y + 60;
  y += p.paragraph(v.tr("review.no_photo_title"), Face::kTitle, 62, kWhite,
                   {c.x + 60, y, c.w - 120, 200}, Align::kCenter);
  y += 20;
  p.paragraph(v.tr("review.no_photo_text"), Face::kBody, 44, kSoft, {c.x + 60, y, c.w - 120, 200},
              Align::kCenter);
  button(p, v, hits, "no-photo:confirm", {c.x + 60, c.bottom() - 190, 470, 130},
         v.tr("review.no_photo_yes"), Style::kDanger, 44);
  button(p, v, hits, "no-photo:cancel", {c.right() - 530, c.bottom() - 190, 470, 130},
         v.tr("review.no_photo_keep"), Style::kLight, 44);
}

// "About your data": every sentence from what this booth's config does (consent_text.h), in
// two columns: what leaves the booth and for how long; what it keeps and how to take it back.
void about_data(Painter& p, const View& v, std::vector<Hit>& hits) {
  backdrop(p);
  hits.push_back({"about-data:close", kScreen, false});
  const Rect c{60, 24, 1800, 1032};
  card(p, c);
  p.paragraph(v.tr("data.title"), Face::kTitle, 58, kWhite, {c.x + 60, c.y + 34, 1200, 90});
  button(p, v, hits, "about-data:close", {c.right() - 380, c.y + 28, 320, 92}, v.tr("data.close"),
         Style::kLight, 44);
  const std::vector<PanelSection> panel =
      about_data_panel(v.config, v.strings, v.s().session.locale);
  const float top = c.y + 150, colw = (c.w - 180) / 2;
  float y[2] = {top, top};
  for (std::size_t i = 0; i < panel.size(); ++i) {
    const int col = panel[i].column == 0 ? 0 : 1;
    const float x = c.x + 60 + col * (colw + 60);
    y[col] += p.paragraph(panel[i].title, Face::kBold, kMinRead, kPink, {x, y[col], colw, 80}) + 4;
    for (const std::string& line : panel[i].lines)
      y[col] += p.paragraph(line, Face::kBody, kMinRead, kWhite, {x, y[col], colw, 400}) + 8;
    y[col] += 18;
  }
}

// One choice of REVIEW: a checkbox and its sentence, the whole row a tap target. Returns
// the row's height.
float choice_row(Painter& p, const View& v, std::vector<Hit>& hits, const std::string& use, bool on,
                 float y) {
  const std::string text = choice_text(v.config, v.strings, v.s().session.locale, use);
  const float tx = kColumnX + 110, tw = kColumnW - 130;
  const float h = p.measure_paragraph(text, Face::kBold, kMinRead, tw).h;
  const Rect row{kColumnX, y, kColumnW, std::max(100.0f, h + 30)};
  p.rounded(row, 26, kWhite.with_alpha(pressed(v, row) ? 44 : 26));
  checkbox(p, {row.x + 22, row.cy() - 36, 72, 72}, on);
  p.paragraph(text, Face::kBold, kMinRead, kWhite, {tx, row.cy() - h / 2, tw, h});
  hits.push_back({"review:" + use, row, false, false, text});  // audio mode speaks the text
  return row.h;
}

void review(Painter& p, const View& v, std::vector<Hit>& hits) {
  photo_box(p, v, kPhotoSlot, v.review, v.tr("review.preparing"));
  lang_toggle(p, v, hits);
  p.text(v.tr("review.title"), Face::kTitle, 66, kWhite, {kColumnX, 110, 0, 0});
  // One choice per use this booth can honour, each off until ticked; none at all: the
  // participant is told his photo is not kept.
  const Choices& on = v.s().session.choices;
  const DataUses uses = data_uses(v.config);
  float y = 198;
  if (uses.campaign) y += choice_row(p, v, hits, "campaign", on.campaign, y) + 10;
  if (uses.wall) y += choice_row(p, v, hits, "wall", on.wall, y) + 10;
  if (uses.link) y += choice_row(p, v, hits, "link", on.link, y) + 10;
  const std::string note = v.tr(uses.any_choice() ? "consent.note" : "consent.none");
  y += p.paragraph(note, Face::kBody, kMinRead, kSoft, {kColumnX + 10, y, kColumnW - 20, 200});
  y += 14;
  const float bottom = 1066;
  // Use / retake / without a photo / about your data share what is left below the choices.
  const float use_h = 112, small_h = 92, link_h = 64, gap = 12;
  const float extra = std::max(0.0f, bottom - y - (use_h + 2 * small_h + link_h + 3 * gap));
  y += extra / 2;
  button(p, v, hits, "review:use", {kColumnX, y, kColumnW, use_h}, v.tr("review.use"),
         Style::kPrimary, 56);
  y += use_h + gap;
  const int left = v.machine.retakes_left();
  if (left > 0)
    button(p, v, hits, "review:retake", {kColumnX, y, 440, small_h},
           v.tr("review.retake", {{"left", std::to_string(left)}}), Style::kSecondary, 44);
  else
    button(p, v, hits, "review:retake", {kColumnX, y, 440, small_h}, v.tr("review.retake_none"),
           Style::kDisabled, kMinRead);
  button(p, v, hits, "review:no-photo", {kColumnRight - 440, y, 440, small_h},
         v.tr("review.no_photo"), Style::kSecondary, 44);
  y += small_h + gap;
  const Rect link{kColumnX, y, kColumnW, link_h};
  const Color lc = pressed(v, link) ? kPink : kWhite;
  const Rect m = p.measure(v.tr("review.about_data"), Face::kBold, 44);
  const float lx = link.cx() - (m.w + 70) / 2;
  p.rounded_outline({lx, link.cy() - 26, 52, 52}, 26, 4, lc);
  p.text("i", Face::kBold, 38, lc, {lx, link.cy() - 26, 52, 52}, Align::kCenter);
  p.text(v.tr("review.about_data"), Face::kBold, 44, lc, {lx + 70, link.y, m.w + 10, link.h});
  hits.push_back({"review:about-data", link, false});
  if (v.s().session.confirm_no_photo) confirm_no_photo(p, v, hits);
  if (v.s().session.about_data) about_data(p, v, hits);
}

// --- THANKS --------------------------------------------------------------------------
void thanks(Painter& p, const View& v, std::vector<Hit>& hits) {
  const BoothState& s = v.s();
  if (s.session.with_photo && v.review) {
    photo_box(p, v, kPhotoSlot, v.review, "");
  } else {
    const Rect c = kPhotoSlot;
    p.rounded(c, 34, kWhite.with_alpha(22));
    p.circle(c.cx(), 420, 170, kMagenta);
    p.text("\u2665", Face::kTitle, 190, kWhite, {c.x, 250, c.w, 340}, Align::kCenter);
    wordmark(p, c.x + 175, 680, 80);
  }
  const std::string name = s.session.first_name.text();
  // A failed save is not thanked for: the participant must not leave believing he pledged.
  const std::string title = s.session.save_failed ? v.tr("thanks.title_not_saved")
                            : name.empty()        ? v.tr("thanks.title")
                                                  : v.tr("thanks.title_named", {{"name", name}});
  p.paragraph(title, Face::kTitle, p.fit(title, Face::kTitle, 88, kColumnW), kWhite,
              {kColumnX, 90, kColumnW, 200});
  float y = 220;  // below the lines under the title: where the QR code may start
  if (s.session.saved) {
    // The campaign-wide line is longer (three lines): a little smaller, still readable.
    const float size = shown_campaign(v) ? 44 : 50;
    y += p.paragraph(thanks_counter(v), Face::kBold, size, kPink, {kColumnX, y, kColumnW, 260});
    const Rect ref =
        p.text(v.tr("thanks.reference", {{"ref", pledge_reference(s.session.saved->pledge_id)}}),
               Face::kBold, 44, kWhite, {kColumnX, y + 14, 0, 0});
    y += 14 + ref.h;
  } else if (s.session.save_failed) {
    p.paragraph(v.tr("thanks.not_saved"), Face::kBold, 50, kWarn, {kColumnX, 250, kColumnW, 160});
  } else {
    // Saving: a few hundred ms, longer on a slow card; it must not look stuck.
    const int dots = static_cast<int>((v.now / 300) % 4);
    p.text(v.tr("thanks.saving"), Face::kBold, 56, kSoft, {kColumnX, 260, 0, 0});
    for (int i = 0; i < 3; ++i)
      p.circle(kColumnX + 20 + static_cast<float>(i) * 40, 380, 12,
               i < dots ? kPink : kWhite.with_alpha(60));
  }
  if (v.qr && s.session.saved) {
    // Below the lines above, and smaller when they took more room (still over 300 design
    // pixels: a phone reads it from arm's length).
    const float top = std::max(420.0f, y + 24);
    const float side = std::min(380.0f, 816 - top);
    const Rect qc{kColumnX, top, side, side};
    p.rounded(qc, 28, kWhite);
    p.image(v.qr, qc.inset(26));
    const bool photo_link = s.session.saved->qr_url != v.config.event.page_url;
    const char* key = !photo_link       ? "thanks.qr_page"
                      : v.status.online ? "thanks.qr_photo"
                                        : "thanks.qr_photo_offline";
    const float tx = qc.x + side + 30;
    p.paragraph(v.tr(key), Face::kBold, kMinRead, kWhite,
                {tx, top + 10, kColumnRight + 10 - tx, 800 - top});
  }
  // The time left before the booth starts over, as a bar that empties.
  const Millis span = std::max<Millis>(1, v.machine.thanks_span());
  const float frac = std::clamp(
      static_cast<float>(v.machine.thanks_left(v.now)) / static_cast<float>(span), 0.f, 1.f);
  const Rect bar{kColumnX, 836, kColumnW, 18};
  p.rounded(bar, 9, kWhite.with_alpha(40));
  if (frac > 0) p.rounded({bar.x, bar.y, std::max(18.0f, bar.w * frac), bar.h}, 9, kPink);
  button(p, v, hits, "thanks:done", {kColumnX, 880, 420, 120}, v.tr("thanks.done"), Style::kLight,
         46);
  if (s.session.save_failed)  // his pledge (and photo) are still in memory: one more try
    button(p, v, hits, "thanks:retry", {kColumnRight - 450, 880, 450, 120}, v.tr("thanks.retry"),
           Style::kPrimary, 46);
  else
    button(p, v, hits, "thanks:more-time", {kColumnRight - 450, 880, 450, 120},
           v.tr("thanks.more_time"), Style::kSecondary, 46);
  // Only the buttons act on THANKS: a finger near the QR code must not take it away.
}

// "Still there?" before an idle reset: a countdown ring and one big button.
void still_there(Painter& p, const View& v, std::vector<Hit>& hits, Millis left) {
  backdrop(p);
  hits.push_back({"idle:still-here", kScreen, false});
  const Rect c{460, 170, 1000, 740};
  card(p, c);
  p.paragraph(v.tr("idle.title"), Face::kTitle, 76, kWhite, {c.x + 60, c.y + 50, c.w - 120, 100},
              Align::kCenter);
  p.paragraph(v.tr("idle.text"), Face::kBody, 44, kSoft, {c.x + 60, c.y + 150, c.w - 120, 120},
              Align::kCenter);
  const float cx = c.cx(), cy = c.y + 380, r = 105;
  const float frac = static_cast<float>(left) /
                     static_cast<float>(std::max<Millis>(1, v.machine.idle_warning_ms()));
  const int dots = 48;
  for (int i = 0; i < dots; ++i) {
    const float a = static_cast<float>(i) / dots * 6.2831853f;
    const bool lit = static_cast<float>(i) / dots < std::min(1.0f, frac);
    p.circle(cx + r * std::sin(a), cy - r * std::cos(a), 8, lit ? kPink : kWhite.with_alpha(50));
  }
  p.text(std::to_string((left + 999) / 1000), Face::kTitle, 110, kWhite,
         {cx - r, cy - r, 2 * r, 2 * r}, Align::kCenter);
  button(p, v, hits, "idle:still-here", {c.cx() - 330, c.bottom() - 190, 660, 130},
         v.tr("idle.still_here"), Style::kPrimary, 54);
}

// A size for a volunteer: "68.8 GB", "950 MB".
std::string size_text(std::int64_t mb) {
  char buf[32];
  if (mb >= 1024)
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(mb) / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%lld MB", static_cast<long long>(mb));
  return buf;
}

// --- OUT OF SERVICE ------------------------------------------------------------------
void out_of_service(Painter& p, const View& v, std::vector<Hit>& hits) {
  wordmark(p, 80, 60, 48);
  lang_toggle(p, v, hits);  // the volunteer's language, not the last participant's
  p.paragraph(v.tr("oos.title"), Face::kTitle, 84, kWhite, {260, 220, 1400, 200}, Align::kCenter);
  // A disk or ledger problem needs a volunteer: "come back in a few minutes" would be untrue.
  const bool ask = v.s().oos.storage_problem;
  p.paragraph(v.tr(ask ? "oos.subtitle_ask" : "oos.subtitle"), Face::kBody, 46, kSoft,
              {260, 420, 1400, 100}, Align::kCenter);
  const Rect card{360, 545, 1200, 440};
  p.rounded(card, 30, kCardDark);
  p.text(v.tr("oos.volunteer"), Face::kBold, 36, kWarn, {card.x + 50, card.y + 40, 0, 0});
  float y = card.y + 110;
  const auto& o = v.s().oos;
  auto reason = [&](const std::string& text) {
    p.circle(card.x + 66, y + 24, 9, kWarn);
    y += p.paragraph(text, Face::kBody, 34, kWhite, {card.x + 100, y, card.w - 150, 200}) + 24;
  };
  if (o.camera_lost) reason(v.tr("oos.camera"));
  if (o.storage_problem) {
    // Sizes in MB from the back office read better as "68.8 GB".
    MessageArgs args = o.storage_args;
    for (auto& [key, value] : args)
      if ((key == "free" || key == "min") && !value.empty() && value.size() < 15 &&
          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        value = size_text(std::stoll(value));
    reason(v.tr(o.storage_message, args));
  }
  if (o.paused) reason(v.tr("oos.paused"));
  // Where the console is: the admin corner's long press (kAdminCorner, top left).
  if (v.machine.options().admin_enabled)
    p.paragraph(
        v.tr("oos.open_admin",
             {{"seconds", std::to_string((v.machine.options().admin_hold_ms + 999) / 1000)}}),
        Face::kBody, 32, kSoft, {card.x + 50, card.bottom() - 84, card.w - 100, 74});
}

// --- ADMIN PIN -----------------------------------------------------------------------
void admin_pin(Painter& p, const View& v, std::vector<Hit>& hits) {
  const BoothState& s = v.s();
  p.text(v.tr("pin.title"), Face::kTitle, 64, kWhite, {0, 70, kDesignW, 0}, Align::kCenter);
  p.text(v.tr("pin.prompt"), Face::kBody, 38, kSoft, {0, 160, kDesignW, 0}, Align::kCenter);
  const int n = static_cast<int>(s.admin.pin.size());
  const int slots = std::max(4, n);
  for (int i = 0; i < slots; ++i) {
    const float cx =
        kDesignW / 2 + (static_cast<float>(i) - (static_cast<float>(slots) - 1) / 2) * 60;
    p.circle(cx, 255, 18, i < n ? kWhite : kWhite.with_alpha(60));
  }
  const bool locked = v.machine.pin_locked(v.now);
  const float kw = 180, kh = 118, gap = 20;
  const float x0 = kDesignW / 2 - (3 * kw + 2 * gap) / 2;
  const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "ok"};
  for (int i = 0; i < 12; ++i) {
    const Rect r{x0 + static_cast<float>(i % 3) * (kw + gap),
                 320 + static_cast<float>(i / 3) * (kh + gap), kw, kh};
    const std::string k = keys[i];
    const std::string label = k == "back" ? std::string("\u2190") : k == "ok" ? v.tr("pin.ok") : k;
    button(p, v, hits, "pin:" + k, r, label,
           locked      ? Style::kDisabled
           : k == "ok" ? Style::kPrimary
                       : Style::kSecondary,
           52);
  }
  std::string msg;
  Color mc = kWarn;
  if (locked) {
    const auto secs = (s.pin_lock.until - v.now + 999) / 1000;
    msg = v.tr("pin.locked", {{"seconds", std::to_string(secs)}});
  } else if (s.admin.pin_checking) {
    msg = v.tr("pin.checking");
    mc = kSoft;
  } else if (s.admin.pin_failed_last) {
    msg = v.tr("pin.wrong",
               {{"left", std::to_string(v.machine.options().pin_max_tries - s.pin_lock.wrong)}});
  }
  if (!msg.empty()) p.text(msg, Face::kBold, 38, mc, {0, 900, kDesignW, 0}, Align::kCenter);
  button(p, v, hits, "pin:cancel", {1580, 50, 280, 100}, v.tr("pin.cancel"), Style::kSecondary, 40);
}

// --- ADMIN ---------------------------------------------------------------------------
// A UTC time as the booth's local clock: "14:32", or "12-01 14:32" on another day.
std::string clock_text(std::int64_t utc_ms) {
  const std::time_t t = static_cast<std::time_t>(utc_ms / 1000);
  const std::time_t now = std::time(nullptr);
  std::tm tm{}, today{};
  localtime_r(&t, &tm);
  localtime_r(&now, &today);
  char buf[32];
  const bool same_day = tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday;
  std::strftime(buf, sizeof buf, same_day ? "%H:%M" : "%m-%d %H:%M", &tm);
  return buf;
}

// What the second tap on a console action does, said before it does it.
std::string console_confirmation(const View& v, const std::string& action) {
  const BoothStatus& st = v.status;
  if (action == "admin:forget") {
    std::string targets;
    std::int64_t count = 0;
    for (const auto& [target, rows] : st.stranded) {
      targets += (targets.empty() ? "“" : "”, “") + target;
      count += rows;
    }
    return v.tr("admin.forget_which",
                {{"count", std::to_string(count)}, {"target", targets + "”"}});
  }
  return v.tr(action == "admin:restart" ? "admin.restart_notice" : "admin.shutdown_notice");
}

void admin(Painter& p, const View& v, std::vector<Hit>& hits) {
  const BoothStatus& st = v.status;
  p.text(v.tr("admin.title"), Face::kTitle, 64, kWhite, {80, 50, 0, 0});
  access_settings(p, v, hits);
  const Rect panel{80, 150, 1100, 800};
  p.rounded(panel, 30, kPanel);
  float y = panel.y + 36;
  auto row = [&](const std::string& label, const std::string& value, Color c = kWhite) {
    p.text(label, Face::kBold, 32, kSoft, {panel.x + 40, y, 0, 0});
    y += p.paragraph(value, Face::kBody, 34, c, {panel.x + 420, y, panel.w - 460, 120}) + 26;
  };
  const std::string none = v.tr("admin.none");
  row(v.tr("admin.event"),
      v.config.event.name + "  (" + v.config.event.id + " / " + v.config.booth.id + ")");
  row(v.tr("admin.pledges"), std::to_string(st.pledges) + "   ·   " + v.tr("admin.photos") + " " +
                                 std::to_string(st.photos) + "   ·   " + v.tr("admin.shared") +
                                 " " + std::to_string(st.shared));
  std::string queue = (st.upload_enabled ? std::string() : v.tr("admin.queue_off") + "\n") +
                      v.tr("admin.queue_counts", {{"pending", std::to_string(st.pending)},
                                                  {"failed", std::to_string(st.failed)},
                                                  {"done", std::to_string(st.done)}});
  if (!st.stranded.empty())  // the first one: the row has room for one more line
    queue += "\n" + v.tr("admin.stranded", {{"count", std::to_string(st.stranded[0].second)},
                                            {"target", st.stranded[0].first}});
  row(v.tr("admin.queue"), queue, st.failed > 0 || !st.stranded.empty() ? kWarn : kWhite);
  if (!st.last_upload.empty()) {
    std::string last;
    for (const auto& [target, ms] : st.last_upload)
      last += (last.empty() ? "" : "\n") +
              (ms > 0 ? v.tr("admin.last_upload_at", {{"target", target}, {"time", clock_text(ms)}})
                      : v.tr("admin.last_upload_never", {{"target", target}}));
    row(v.tr("admin.last_upload"), last);
  }
  // The error's own text (a server's reply, in English) is in the booth's log, not here.
  row(v.tr("admin.last_error"),
      st.last_error.empty() ? none
                            : v.tr("admin.upload_failing", {{"target", st.last_error_target}}),
      st.last_error.empty() ? kWhite : kWarn);
  char fps[32];
  std::snprintf(fps, sizeof fps, "%.1f", v.camera.fps);
  row(v.tr("admin.camera"),
      v.camera.ok ? v.tr("admin.camera_ok", {{"fps", fps}, {"source", v.camera.source}})
                  : v.tr("admin.camera_lost"),
      v.camera.ok ? kWhite : kWarn);
  row(v.tr("admin.disk"),
      v.tr("admin.disk_value", {{"free", st.free_mb < 0 ? "?" : size_text(st.free_mb)},
                                {"min", size_text(v.config.storage.min_free_mb)}}),
      st.free_mb >= 0 && st.free_mb < v.config.storage.min_free_mb ? kWarn : kWhite);
  row(v.tr("admin.network"), st.online ? v.tr("admin.online") : v.tr("admin.offline"),
      st.online ? kWhite : kWarn);
  if (auto c = store::check_clock(store::now_ms(), st.clock_high_ms); c != store::ClockState::kOk)
    row(v.tr("admin.clock"),
        v.tr(c == store::ClockState::kBeforeBuild ? "admin.clock_before_build"
                                                  : "admin.clock_behind",
             {{"now", store::utc_timestamp(store::now_ms()).substr(0, 16)},
              {"newest", store::utc_timestamp(st.clock_high_ms).substr(0, 16)}}),
        kWarn);
  if (st.wall_hidden_unreadable)
    row(v.tr("admin.wall"), v.tr("admin.wall_hidden_unreadable"), kWarn);
  if (st.expiring_undelivered > 0 || !st.retention_error.empty())
    row(v.tr("retention.title"),
        st.retention_error.empty()
            ? v.tr("retention.expiring", {{"count", std::to_string(st.expiring_undelivered)}})
            : st.retention_error,
        kWarn);
  if (!v.speech_problem.empty()) row(v.tr("access.speech"), v.speech_problem, kWarn);
  std::string notice = v.s().admin.notice.empty() ? "" : v.tr(v.s().admin.notice);
  if (!st.delete_error.empty()) notice = v.tr(st.delete_error);
  // Before deleting or exiting, say exactly what the second tap does.
  if (v.s().admin.confirm_delete)
    notice = st.last_pledge_id.empty()
                 ? v.tr("admin.no_pledge")
                 : v.tr("admin.delete_which",
                        {{"time", clock_text(st.last_pledge_ms)},
                         {"name", st.last_pledge_name.empty() ? v.tr("admin.no_name")
                                                              : st.last_pledge_name},
                         {"photo", v.tr(st.last_pledge_photo ? "admin.with_photo"
                                                             : "admin.without_photo")}});
  // The photo itself too, so the volunteer deletes the right man's pledge.
  if (v.s().admin.confirm_delete && !st.last_pledge_id.empty() && st.last_pledge_photo &&
      v.last_pledge_thumb) {
    int tw = 0, th = 0;
    SDL_QueryTexture(v.last_pledge_thumb, nullptr, nullptr, &tw, &th);
    const Rect box{990, 725, 160, 200};  // bottom right of the status panel
    p.image(v.last_pledge_thumb, {box.x + (box.w - static_cast<float>(tw)) / 2,
                                  box.y + (box.h - static_cast<float>(th)) / 2,
                                  static_cast<float>(tw), static_cast<float>(th)});
  }
  if (v.s().admin.confirm_exit) notice = v.tr("admin.exit_notice");
  if (const std::string& c = v.s().admin.confirming; !c.empty())
    notice = console_confirmation(v, c);
  if (!notice.empty()) p.paragraph(notice, Face::kBold, 32, kPinkLight, {80, 975, 1100, 90});

  // The volunteer's language pills, above the buttons and below the booth's settings row
  // (access_settings, top right).
  lang_toggle(p, v, hits, 1260, kToggleRight, 150);
  const float bx = 1260, bw = 600, bh = 80, gap = 10;
  float by = 246;
  auto next = [&](const std::string& target, const std::string& label, Style style) {
    button(p, v, hits, target, {bx, by, bw, bh}, label, style, 40);
    by += bh + gap;
  };
  const std::string& confirming = v.s().admin.confirming;
  next("admin:pause", v.s().oos.paused ? v.tr("admin.resume") : v.tr("admin.pause"), Style::kLight);
  next("admin:upload", v.tr("admin.upload"),
       st.upload_enabled ? Style::kSecondary : Style::kDisabled);
  if (!st.upload_enabled) {  // a greyed button says why
    p.paragraph(v.tr("admin.upload_off"), Face::kBody, 28, kSoft, {bx, by - gap + 2, bw, 60},
                Align::kCenter);
    by += 64;
  }
  if (!st.stranded.empty())
    next("admin:forget",
         v.tr(confirming == "admin:forget" ? "admin.forget_confirm" : "admin.forget"),
         confirming == "admin:forget" ? Style::kDanger : Style::kSecondary);
  next("admin:delete",
       v.s().admin.confirm_delete ? v.tr("admin.delete_confirm") : v.tr("admin.delete"),
       v.s().admin.confirm_delete ? Style::kDanger : Style::kSecondary);
  next("admin:delete-ref", v.tr("delete_ref.open"), Style::kSecondary);
  next("admin:close", v.tr("admin.close"), Style::kPrimary);
  // The two that end the booth, at the bottom, always in the same place: a button that comes
  // or goes above ("Forget removed target") never moves them under the volunteer's finger.
  by = 1060 - 2 * bh - gap;
  if (v.machine.options().run_by_service) {
    // The service starts a closed booth again: "Exit" would be "Restart".
    next("admin:restart",
         v.tr(confirming == "admin:restart" ? "admin.restart_confirm" : "admin.restart"),
         Style::kDanger);
    next("admin:shutdown",
         v.tr(confirming == "admin:shutdown" ? "admin.shutdown_confirm" : "admin.shutdown"),
         Style::kDanger);
  } else {
    by += bh + gap;
    next("admin:exit", v.s().admin.confirm_exit ? v.tr("admin.exit_confirm") : v.tr("admin.exit"),
         Style::kDanger);
  }
}

// --- ADMIN_DELETE_REF ----------------------------------------------------------------
// The reference keypad: its 16 hex digits and ←, four keys a row, as big as the PIN pad's.
constexpr float kRefKeyW = 150, kRefKeyH = 112, kRefKeyGap = 16;
constexpr float kRefPadX = 110, kRefPadY = 330;
constexpr Rect kRefResult{860, 300, 980, 640};  // what the reference found

void admin_delete_ref(Painter& p, const View& v, std::vector<Hit>& hits) {
  const AdminPanel& a = v.s().admin;
  p.text(v.tr("delete_ref.title"), Face::kTitle, 60, kWhite, {80, 50, 0, 0});
  p.paragraph(v.tr("delete_ref.prompt"), Face::kBody, 34, kSoft, {80, 140, 1460, 100});
  // The reference as typed, its 8 places shown: "7F3A-9C__".
  std::string shown = v.machine.typed_reference();
  for (std::size_t i = a.ref.size(); i < 8; ++i) shown += (i == 4 ? "-_" : "_");
  p.text(shown, Face::kBold, 64, kWhite, {kRefPadX, 240, 4 * kRefKeyW + 3 * kRefKeyGap, 0},
         Align::kCenter);
  const char* keys[] = {"1", "2", "3", "a", "4", "5", "6", "b",    "7",
                        "8", "9", "c", "0", "d", "e", "f", "back", "find"};
  for (int i = 0; i < 18; ++i) {
    const std::string k = keys[i];
    const bool find = k == "find";
    const Rect r{kRefPadX + static_cast<float>(i % 4) * (kRefKeyW + kRefKeyGap),
                 kRefPadY + static_cast<float>(i / 4) * (kRefKeyH + kRefKeyGap),
                 find ? 3 * kRefKeyW + 2 * kRefKeyGap : kRefKeyW, kRefKeyH};
    std::string label = k == "back" ? std::string("\u2190") : find ? v.tr("delete_ref.find") : k;
    if (k.size() == 1 && k[0] >= 'a') label[0] = static_cast<char>(k[0] - 'a' + 'A');
    const Style style = a.ref_looking              ? Style::kDisabled
                        : find && a.ref.size() < 8 ? Style::kDisabled
                        : find                     ? Style::kPrimary
                                                   : Style::kSecondary;
    button(p, v, hits, find ? "delete-ref:find" : "ref:" + k, r, label, style, find ? 44 : 52);
  }
  button(p, v, hits, "delete-ref:cancel", {1560, 50, 300, 100}, v.tr("delete_ref.back"),
         Style::kSecondary, 36);

  const Rect c = kRefResult;
  if (a.ref_looking) {
    p.text(v.tr("delete_ref.looking"), Face::kBold, 40, kSoft, {c.x, c.y, c.w, 0});
    return;
  }
  if (!a.ref_found) return;
  const PledgeLookedUp& f = *a.ref_found;
  p.rounded(c, 30, kPanel);
  const Rect text{c.x + 40, c.y + 40, c.w - 80, c.h - 80};
  if (!f.error.empty() || f.matches != 1) {
    const std::string msg =
        !f.error.empty() ? f.error
        : f.matches == 0
            ? v.tr("delete_ref.none", {{"ref", f.ref}})
            : v.tr("delete_ref.several", {{"ref", f.ref}, {"count", std::to_string(f.matches)}});
    p.paragraph(msg, Face::kBold, 38, kWarn, text);
    return;
  }
  // The pledge itself: his photo, name and time, so the volunteer deletes the right one.
  const Rect thumb{c.x + 40, c.y + 40, 240, 300};
  if (v.found_thumb) {
    int tw = 0, th = 0;
    SDL_QueryTexture(v.found_thumb, nullptr, nullptr, &tw, &th);
    const float scale = std::min(thumb.w / static_cast<float>(std::max(tw, 1)),
                                 thumb.h / static_cast<float>(std::max(th, 1)));
    const float w = static_cast<float>(tw) * scale, h = static_cast<float>(th) * scale;
    p.image(v.found_thumb, {thumb.x + (thumb.w - w) / 2, thumb.y + (thumb.h - h) / 2, w, h});
  }
  const float tx = thumb.right() + 40, tw = c.right() - 40 - tx;
  float y = thumb.y;
  y += p.paragraph(f.ref, Face::kTitle, 56, kWhite, {tx, y, tw, 80}) + 16;
  y += p.paragraph(f.first_name.empty() ? v.tr("admin.no_name") : f.first_name, Face::kBold, 44,
                   kWhite, {tx, y, tw, 120}) +
       16;
  p.paragraph(v.tr("delete_ref.found",
                   {{"time", clock_text(f.created_ms)},
                    {"photo", v.tr(f.photo ? "admin.with_photo" : "admin.without_photo")}}),
              Face::kBody, 32, kSoft, {tx, y, tw, 120});
  const bool uploads = v.config.upload.enabled && !v.config.upload.targets.empty();
  p.paragraph(v.tr(uploads ? "delete_ref.what_uploads" : "delete_ref.what"), Face::kBody, 32,
              kWhite, {c.x + 40, thumb.bottom() + 30, c.w - 80, 130});
  button(p, v, hits, "delete-ref:confirm", {c.x + 40, c.bottom() - 150, c.w - 80, 110},
         v.tr("delete_ref.confirm"), Style::kDanger, 44);
}

}  // namespace

void draw_screen(Painter& p, const View& v, std::vector<Hit>& hits) {
  hits.clear();
  background(p);
  switch (v.s().screen) {
    case Screen::kAttract:
      attract(p, v, hits);
      break;
    case Screen::kPledge:
      pledge(p, v, hits);
      break;
    case Screen::kAgeCheck:
      age_check(p, v, hits);
      break;
    case Screen::kDetails:
      details(p, v, hits);
      break;
    case Screen::kPhotoChoice:
      photo_choice(p, v, hits);
      break;
    case Screen::kCountdown:
      countdown(p, v, hits);
      break;
    case Screen::kReview:
      review(p, v, hits);
      break;
    case Screen::kThanks:
      thanks(p, v, hits);
      break;
    case Screen::kOutOfService:
      out_of_service(p, v, hits);
      break;
    case Screen::kAdminPin:
      admin_pin(p, v, hits);
      break;
    case Screen::kAdmin:
      admin(p, v, hits);
      break;
    case Screen::kAdminDeleteRef:
      admin_delete_ref(p, v, hits);
      break;
  }
  if (const Millis left = v.machine.idle_warning_left(v.now); left > 0)
    still_there(p, v, hits, left);
  admin_corner(hits);
}

const Hit* hit_at(const std::vector<Hit>& hits, float x, float y, bool long_press) {
  for (auto it = hits.rbegin(); it != hits.rend(); ++it)
    if (it->long_press == long_press && it->rect.contains(x, y)) return &*it;
  return nullptr;
}

}  // namespace pb::kiosk
