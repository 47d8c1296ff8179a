// The booth's screens in the #HeForShe look: deep purple to magenta, white type, big
// rounded touch targets. Layout in design units (1920x1080).
#include "screens.h"

#include <algorithm>
#include <cmath>

#include "pb/keyboard.h"
#include "pb/ledger.h"
#include "pb/photo.h"

namespace pb::kiosk {
namespace {

// Palette.
constexpr Color kPurpleDeep{42, 8, 66, 255};
constexpr Color kPurple{74, 20, 110, 255};
constexpr Color kPlum{110, 22, 112, 255};
constexpr Color kMagenta{230, 0, 126, 255};
constexpr Color kMagentaDark{176, 0, 98, 255};
constexpr Color kPink{255, 122, 190, 255};
constexpr Color kWhite{255, 255, 255, 255};
constexpr Color kSoft{236, 222, 245, 255};
constexpr Color kInk{44, 10, 66, 255};
constexpr Color kWarn{255, 196, 84, 255};
constexpr Color kDanger{214, 48, 72, 255};

enum class Style { kPrimary, kSecondary, kLight, kDanger, kDisabled };

bool pressed(const View& v, const Rect& r) {
  return v.held && r.contains(v.held->x, v.held->y);
}

void background(Painter& p) {
  p.layer("background", [&p] {
    p.fill({0, 0, kDesignW, kDesignH}, kPurpleDeep);
    p.gradient({0, 0, kDesignW, kDesignH}, kPurpleDeep, kPurple, kPurple, kPlum);
    // A soft magenta glow in the lower right corner.
    p.circle(1780, 1020, 420, kMagenta.with_alpha(28));
    p.circle(1820, 1060, 260, kMagenta.with_alpha(30));
  });
}

void button(Painter& p, const View& v, std::vector<Hit>& hits, const std::string& target,
            const Rect& r, const std::string& label, Style style, float size = 48) {
  const bool down = pressed(v, r) && style != Style::kDisabled;
  Color fill = kMagenta, text = kWhite;
  switch (style) {
    case Style::kPrimary:
      fill = down ? kMagentaDark : kMagenta;
      break;
    case Style::kSecondary:
      fill = kWhite.with_alpha(down ? 70 : 36);
      break;
    case Style::kLight:
      fill = down ? kSoft : kWhite;
      text = kInk;
      break;
    case Style::kDanger:
      fill = down ? Color{170, 30, 50, 255} : kDanger;
      break;
    case Style::kDisabled:
      fill = kWhite.with_alpha(16);
      text = kWhite.with_alpha(110);
      break;
  }
  if (style == Style::kPrimary)
    p.rounded({r.x, r.y + 8, r.w, r.h}, r.h / 2.6f, Color{20, 0, 30, 70});
  p.rounded(r, r.h / 2.6f, fill);
  if (style == Style::kSecondary) p.rounded_outline(r, r.h / 2.6f, 3, kWhite.with_alpha(150));
  const float fs = p.fit(label, Face::kBold, size, r.w - 48);
  p.text(label, Face::kBold, fs, text, r, Align::kCenter);
  if (style != Style::kDisabled) hits.push_back({target, r, false});
}

void lang_toggle(Painter& p, const View& v, std::vector<Hit>& hits, float right = 1860,
                 float y = 40) {
  const Rect ko{right - 190, y, 190, 76};
  const Rect en{right - 190 - 12 - 130, y, 130, 76};
  for (const auto& [rect, loc] :
       {std::pair{en, std::string("en")}, std::pair{ko, std::string("ko")}}) {
    const bool active = v.s().locale == loc;
    p.rounded(rect, 38, active ? kWhite : kWhite.with_alpha(pressed(v, rect) ? 70 : 30));
    if (!active) p.rounded_outline(rect, 38, 2, kWhite.with_alpha(130));
    p.text(v.strings.get(loc, "lang." + loc), Face::kBold, 34, active ? kInk : kWhite, rect,
           Align::kCenter);
    hits.push_back({"lang_" + loc, rect, false});
  }
}

void wordmark(Painter& p, float x, float y, float size = 44) {
  const Rect a = p.text("#HeFor", Face::kTitle, size, kWhite, {x, y, 0, 0});
  p.text("She", Face::kTitle, size, kPink, {a.right(), y, 0, 0});
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
    p.fill(r, Color{30, 6, 45, 255});
    p.paragraph(waiting, Face::kBold, 40, kSoft, {r.x + 40, r.cy() - 30, r.w - 80, 100},
                Align::kCenter);
  }
}

void admin_corner(std::vector<Hit>& hits) {
  hits.push_back({"admin", {0, 0, 170, 170}, true});
}

// --- ATTRACT -------------------------------------------------------------------------
void attract(Painter& p, const View& v, std::vector<Hit>& hits) {
  hits.push_back({"start", {0, 0, kDesignW, kDesignH}, false});
  photo_box(p, v, {110, 90, 720, 900}, v.preview, "");
  wordmark(p, 920, 60, 48);
  float y = 210;
  y += p.paragraph(v.tr("attract.title"), Face::kTitle, 96, kWhite, {920, y, 900, 400});
  y += 30;
  y += p.paragraph(v.tr("attract.subtitle"), Face::kBody, 42, kSoft, {920, y, 880, 200});
  if (v.status.ledger_open) {
    const std::int64_t n = v.status.pledges;
    const std::string count =
        n == 0   ? v.tr("attract.counter_zero", {{"event", v.config.event.name}})
        : n == 1 ? v.tr("attract.counter_one", {{"event", v.config.event.name}})
                 : v.tr("attract.counter",
                        {{"count", std::to_string(n)}, {"event", v.config.event.name}});
    const Rect card{920, 640, 900, 130};
    p.rounded(card, 30, kWhite.with_alpha(26));
    p.circle(card.x + 65, card.cy(), 34, kMagenta);
    p.text("\u2665", Face::kTitle, 40, kWhite, {card.x + 31, card.y, 68, card.h}, Align::kCenter);
    const float fs = p.fit(count, Face::kBold, 44, card.w - 150);
    p.text(count, Face::kBold, fs, kWhite, {card.x + 125, card.y, card.w - 150, card.h});
  }
  const Rect start{920, 830, 900, 160};
  button(p, v, hits, "start", start, v.tr("attract.start"), Style::kPrimary, 60);
  lang_toggle(p, v, hits);  // on top of the full-screen start target
}

// --- PLEDGE --------------------------------------------------------------------------
void pledge(Painter& p, const View& v, std::vector<Hit>& hits) {
  photo_box(p, v, {110, 90, 720, 900}, v.preview, "");
  wordmark(p, 920, 60, 48);
  lang_toggle(p, v, hits);
  p.paragraph(v.tr("pledge.title"), Face::kTitle, 70, kWhite, {920, 180, 900, 120});
  std::string text = v.tr("pledge.text");
  if (auto it = v.config.event.pledge_text.find(v.s().locale);
      it != v.config.event.pledge_text.end() && !it->second.empty())
    text = it->second;
  const Rect card{920, 300, 900, 470};
  p.rounded(card, 30, kWhite.with_alpha(24));
  p.rounded({card.x, card.y + 30, 10, card.h - 60}, 5, kPink);
  const float size = text.size() > 420 ? 36 : 42;
  p.paragraph(text, Face::kBody, size, kWhite,
              {card.x + 50, card.y + 40, card.w - 90, card.h - 60});
  button(p, v, hits, "agree", {920, 830, 560, 160}, v.tr("pledge.agree"), Style::kPrimary, 60);
  button(p, v, hits, "not_now", {1510, 830, 310, 160}, v.tr("pledge.not_now"), Style::kSecondary,
         40);
}

// --- DETAILS -------------------------------------------------------------------------
void field(Painter& p, const View& v, std::vector<Hit>& hits, const std::string& target,
           const Rect& r, const std::string& value, const std::string& placeholder, bool focused) {
  p.rounded(r, 24, focused ? kWhite : kWhite.with_alpha(pressed(v, r) ? 70 : 40));
  if (focused) p.rounded_outline(r.inset(-6), 30, 6, kPink);
  const bool empty = value.empty();
  const std::string shown = empty ? placeholder : value;
  const Color c = focused ? (empty ? Color{120, 90, 140, 255} : kInk) : (empty ? kSoft : kWhite);
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
  const auto& rows = keyboard_rows(v.s().keyboard);
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
  const bool hangul =
      v.s().keyboard == KeyboardMode::kHangul || v.s().keyboard == KeyboardMode::kHangulShift;
  const bool shifted =
      v.s().keyboard == KeyboardMode::kLatinShift || v.s().keyboard == KeyboardMode::kHangulShift;
  float y = area.y;
  for (const auto& row : rows) {
    float units = 0;
    for (const auto& k : row) units += k.width;
    float x = area.x + (area.w - (units * unit - gap)) / 2;
    for (const auto& k : row) {
      const Rect r{x, y, k.width * unit - gap, row_h};
      std::string label = k.label;
      if (k.id == "mode") label = hangul ? v.tr("keyboard.to_latin") : v.tr("keyboard.to_hangul");
      if (k.id == "space") label = v.tr("keyboard.space");
      if (k.id == "done") label = v.tr("keyboard.done");
      const bool special = k.id.size() > 3 || k.id == "mode";
      const bool active = k.id == "shift" && shifted;
      Color fill = special ? kWhite.with_alpha(70) : kWhite;
      if (k.id == "done") fill = kMagenta;
      if (active) fill = kPink;
      if (pressed(v, r)) fill = kSoft.with_alpha(200);
      p.rounded(r, 16, fill);
      const Color tc = special || k.id == "done" ? kWhite : kInk;
      p.text(label, special ? Face::kBold : Face::kBody, special ? 34 : 44, tc, r, Align::kCenter);
      hits.push_back({"key:" + k.id, r, false});
      x += k.width * unit;
    }
    y += row_h + gap;
  }
}

void details(Painter& p, const View& v, std::vector<Hit>& hits) {
  const BoothState& s = v.s();
  p.text(v.tr("details.title"), Face::kTitle, 62, kWhite, {60, 36, 0, 0});
  p.text(v.tr("details.subtitle"), Face::kBody, 34, kSoft, {62, 116, 0, 0});
  button(p, v, hits, "details_back", {1300, 40, 200, 76}, v.tr("details.back"), Style::kSecondary,
         34);
  lang_toggle(p, v, hits);
  p.text(v.tr("details.name_label"), Face::kBold, 32, kSoft, {62, 172, 0, 0});
  field(p, v, hits, "field:name", {60, 214, 1180, 92}, s.first_name.text(),
        v.tr("details.name_placeholder"), s.focus == BoothState::Focus::kName);
  p.text(v.tr("details.why_label"), Face::kBold, 32, kSoft, {62, 326, 0, 0});
  const auto& picks = answer_picks();
  for (std::size_t i = 0; i < picks.size(); ++i) {
    const Rect r{60 + static_cast<float>(i % 3) * 400, 370 + static_cast<float>(i / 3) * 96, 380,
                 82};
    const bool on = s.answer_pick == picks[i];
    p.rounded(r, 41, on ? kMagenta : kWhite.with_alpha(pressed(v, r) ? 70 : 34));
    if (!on) p.rounded_outline(r, 41, 2, kWhite.with_alpha(120));
    const std::string label = v.tr("answer." + picks[i]);
    p.text(label, Face::kBold, p.fit(label, Face::kBold, 36, r.w - 40), kWhite, r, Align::kCenter);
    hits.push_back({"pick:" + picks[i], r, false});
  }
  field(p, v, hits, "field:words", {60, 566, 1180, 86}, s.answer_words.text(),
        v.tr("details.words_placeholder"), s.focus == BoothState::Focus::kWords);
  if (s.focus != BoothState::Focus::kNone) keyboard(p, v, hits, {60, 676, 1180, 380});
  // The sign as it will look, live.
  photo_box(p, v, {1300, 150, 560, 700}, v.preview, "");
  button(p, v, hits, "details_next", {1290, 880, 580, 110}, v.tr("details.next"), Style::kPrimary,
         46);
  const Rect skip{1290, 1000, 580, 66};
  p.text(v.tr("details.skip"), Face::kBold, 34, pressed(v, skip) ? kPink : kSoft, skip,
         Align::kCenter);
  hits.push_back({"details_skip", skip, false});
}

// --- COUNTDOWN -----------------------------------------------------------------------
void countdown(Painter& p, const View& v, std::vector<Hit>&) {
  const Rect box{560, 40, 800, 1000};
  photo_box(p, v, box, v.preview, "");
  p.paragraph(v.tr("countdown.title"), Face::kTitle, 58, kWhite, {50, 400, 460, 400},
              Align::kCenter);
  const int digit = v.machine.countdown_digit(v.now);
  if (digit > 0) {
    // Beside the face, never over it; the digit shrinks a little through each second.
    const float phase = static_cast<float>((v.s().shutter_ms - v.now) % 1000) / 1000.f;
    const float r = 150 + 30 * phase;
    const float cx = 1640, cy = 540;
    p.circle(cx, cy + 10, r, Color{20, 0, 30, 80});
    p.circle(cx, cy, r, kMagenta);
    p.text(std::to_string(digit), Face::kTitle, 190 + 50 * phase, kWhite,
           {cx - r, cy - r, 2 * r, 2 * r}, Align::kCenter);
  }
  if (v.machine.flashing(v.now) || (v.s().waiting_for_still && digit == 0)) {
    const float t = static_cast<float>(v.now - v.s().shutter_ms) /
                    static_cast<float>(v.machine.options().flash_ms);
    const auto a = static_cast<std::uint8_t>(255 * std::clamp(1.0f - t, 0.0f, 1.0f));
    p.fill({0, 0, kDesignW, kDesignH}, kWhite.with_alpha(a));
  }
}

// --- REVIEW --------------------------------------------------------------------------
void check_mark(Painter& p, const Rect& r, Color c) {
  // Two thick strokes as quads (the fonts have no check mark).
  auto stroke = [&](float x0, float y0, float x1, float y1) {
    const int steps = 12;
    for (int i = 0; i <= steps; ++i) {
      const float t = static_cast<float>(i) / steps;
      p.circle(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, r.w * 0.07f, c);
    }
  };
  stroke(r.x + r.w * 0.22f, r.y + r.h * 0.52f, r.x + r.w * 0.42f, r.y + r.h * 0.72f);
  stroke(r.x + r.w * 0.42f, r.y + r.h * 0.72f, r.x + r.w * 0.78f, r.y + r.h * 0.30f);
}

void review(Painter& p, const View& v, std::vector<Hit>& hits) {
  photo_box(p, v, {110, 90, 720, 900}, v.review, v.tr("review.preparing"));
  lang_toggle(p, v, hits);
  p.text(v.tr("review.title"), Face::kTitle, 66, kWhite, {920, 140, 0, 0});
  // Consent: opt-in, off by default, worded per event.
  const Rect row{920, 250, 900, 220};
  const bool on = v.s().share_consent;
  p.rounded(row, 30, kWhite.with_alpha(pressed(v, row) ? 60 : 26));
  const Rect box{row.x + 34, row.y + 65, 90, 90};
  p.rounded(box, 18, on ? kMagenta : kWhite);
  if (on) check_mark(p, box, kWhite);
  std::string consent = v.tr("review.consent_default");
  if (auto it = v.config.event.consent_text.find(v.s().locale);
      it != v.config.event.consent_text.end() && !it->second.empty())
    consent = it->second;
  const float used =
      p.paragraph(consent, Face::kBold, 36, kWhite, {row.x + 160, row.y + 28, row.w - 190, 110});
  p.paragraph(v.tr("review.consent_note"), Face::kBody, 28, kSoft,
              {row.x + 160, row.y + 40 + used, row.w - 190, 80});
  hits.push_back({"consent", row, false});
  button(p, v, hits, "use_photo", {920, 505, 900, 150}, v.tr("review.use"), Style::kPrimary, 56);
  const int left = v.machine.retakes_left();
  if (left > 0)
    button(p, v, hits, "retake", {920, 695, 900, 115},
           v.tr("review.retake", {{"left", std::to_string(left)}}), Style::kSecondary, 42);
  else
    button(p, v, hits, "retake", {920, 695, 900, 115}, v.tr("review.retake_none"), Style::kDisabled,
           36);
  button(p, v, hits, "no_photo", {920, 835, 900, 115}, v.tr("review.no_photo"), Style::kSecondary,
         42);
}

// --- THANKS --------------------------------------------------------------------------
void thanks(Painter& p, const View& v, std::vector<Hit>& hits) {
  const BoothState& s = v.s();
  if (s.with_photo && v.review) {
    photo_box(p, v, {110, 90, 720, 900}, v.review, "");
  } else {
    const Rect card{110, 90, 720, 900};
    p.rounded(card, 34, kWhite.with_alpha(22));
    p.circle(card.cx(), 420, 170, kMagenta);
    p.text("\u2665", Face::kTitle, 190, kWhite, {card.x, 250, card.w, 340}, Align::kCenter);
    wordmark(p, card.x + 175, 680, 80);
  }
  const std::string name = s.first_name.text();
  const std::string title =
      name.empty() ? v.tr("thanks.title") : v.tr("thanks.title_named", {{"name", name}});
  p.paragraph(title, Face::kTitle, p.fit(title, Face::kTitle, 88, 900), kWhite,
              {920, 110, 900, 200});
  if (s.saved) {
    p.paragraph(v.tr("thanks.supporter", {{"number", std::to_string(s.saved->supporter_number)},
                                          {"event", v.config.event.name}}),
                Face::kBold, 50, kPink, {920, 250, 900, 160});
  } else if (s.save_failed) {
    p.paragraph(v.tr("thanks.not_saved"), Face::kBold, 50, kWarn, {920, 250, 900, 160});
  } else {
    p.text(v.tr("thanks.saving"), Face::kBold, 44, kSoft, {920, 260, 0, 0});
  }
  if (v.qr && s.saved) {
    const Rect card{920, 450, 380, 380};
    p.rounded(card, 28, kWhite);
    p.image(v.qr, card.inset(26));
    const bool photo_link = s.saved->qr_url != v.config.event.page_url;
    p.paragraph(v.tr(photo_link ? "thanks.qr_photo" : "thanks.qr_page"), Face::kBold, 38, kWhite,
                {1340, 480, 480, 320});
  }
  button(p, v, hits, "thanks_done", {920, 880, 420, 120}, v.tr("thanks.done"), Style::kLight, 46);
  // Only the button ends THANKS: a finger near the QR code must not take it away.
}

// --- OUT OF SERVICE ------------------------------------------------------------------
void out_of_service(Painter& p, const View& v, std::vector<Hit>&) {
  wordmark(p, 80, 60, 48);
  p.paragraph(v.tr("oos.title"), Face::kTitle, 84, kWhite, {260, 220, 1400, 200}, Align::kCenter);
  p.paragraph(v.tr("oos.subtitle"), Face::kBody, 46, kSoft, {260, 420, 1400, 100}, Align::kCenter);
  const Rect card{360, 560, 1200, 360};
  p.rounded(card, 30, Color{20, 0, 30, 120});
  p.text(v.tr("oos.volunteer"), Face::kBold, 36, kWarn, {card.x + 50, card.y + 40, 0, 0});
  float y = card.y + 110;
  const auto& o = v.s().oos;
  auto reason = [&](const std::string& text) {
    p.circle(card.x + 66, y + 24, 9, kWarn);
    y += p.paragraph(text, Face::kBody, 34, kWhite, {card.x + 100, y, card.w - 150, 200}) + 24;
  };
  if (o.camera_lost) reason(v.tr("oos.camera"));
  if (o.storage_problem) reason(v.tr(o.storage_message, o.storage_args));
  if (o.paused) reason(v.tr("oos.paused"));
}

// --- ADMIN PIN -----------------------------------------------------------------------
void admin_pin(Painter& p, const View& v, std::vector<Hit>& hits) {
  const BoothState& s = v.s();
  p.text(v.tr("pin.title"), Face::kTitle, 64, kWhite, {0, 70, kDesignW, 0}, Align::kCenter);
  p.text(v.tr("pin.prompt"), Face::kBody, 38, kSoft, {0, 160, kDesignW, 0}, Align::kCenter);
  const int n = static_cast<int>(s.pin.size());
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
    const auto secs = (s.pin_locked_until - v.now + 999) / 1000;
    msg = v.tr("pin.locked", {{"seconds", std::to_string(secs)}});
  } else if (s.pin_checking) {
    msg = v.tr("pin.checking");
    mc = kSoft;
  } else if (s.pin_failed_last) {
    msg = v.tr("pin.wrong",
               {{"left", std::to_string(v.machine.options().pin_max_tries - s.pin_wrong)}});
  }
  if (!msg.empty()) p.text(msg, Face::kBold, 38, mc, {0, 900, kDesignW, 0}, Align::kCenter);
  button(p, v, hits, "pin:cancel", {1580, 50, 280, 100}, v.tr("pin.cancel"), Style::kSecondary, 40);
}

// --- ADMIN ---------------------------------------------------------------------------
void admin(Painter& p, const View& v, std::vector<Hit>& hits) {
  const BoothStatus& st = v.status;
  p.text(v.tr("admin.title"), Face::kTitle, 64, kWhite, {80, 50, 0, 0});
  const Rect panel{80, 150, 1100, 800};
  p.rounded(panel, 30, Color{20, 0, 30, 110});
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
  row(v.tr("admin.last_error"), st.last_error.empty() ? none : st.last_error,
      st.last_error.empty() ? kWhite : kWarn);
  char fps[32];
  std::snprintf(fps, sizeof fps, "%.1f", v.camera.fps);
  row(v.tr("admin.camera"),
      v.camera.ok ? v.tr("admin.camera_ok", {{"fps", fps}, {"source", v.camera.source}})
                  : v.tr("admin.camera_lost", {{"error", v.camera.error}}),
      v.camera.ok ? kWhite : kWarn);
  row(v.tr("admin.disk"),
      v.tr("admin.disk_value", {{"mb", std::to_string(st.free_mb)},
                                {"min", std::to_string(v.config.storage.min_free_mb)}}),
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
  std::string notice = v.s().admin_notice.empty() ? "" : v.tr(v.s().admin_notice);
  if (!st.delete_error.empty()) notice = st.delete_error;
  if (!notice.empty()) p.paragraph(notice, Face::kBold, 32, kPink, {80, 975, 1100, 90});

  const float bx = 1260, bw = 600, bh = 120;
  button(p, v, hits, "admin:pause", {bx, 150, bw, bh},
         v.s().oos.paused ? v.tr("admin.resume") : v.tr("admin.pause"), Style::kLight, 42);
  button(p, v, hits, "admin:upload", {bx, 290, bw, bh}, v.tr("admin.upload"),
         st.upload_enabled ? Style::kSecondary : Style::kDisabled, 42);
  button(p, v, hits, "admin:delete", {bx, 430, bw, bh},
         v.s().confirm_delete ? v.tr("admin.delete_confirm") : v.tr("admin.delete"),
         v.s().confirm_delete ? Style::kDanger : Style::kSecondary, 42);
  button(p, v, hits, "admin:close", {bx, 570, bw, bh}, v.tr("admin.close"), Style::kPrimary, 42);
  button(p, v, hits, "admin:exit", {bx, 830, bw, bh}, v.tr("admin.exit"), Style::kDanger, 42);
}

}  // namespace

bool shows_preview(Screen s) {
  return s == Screen::kAttract || s == Screen::kPledge || s == Screen::kDetails ||
         s == Screen::kCountdown;
}

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
    case Screen::kDetails:
      details(p, v, hits);
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
  }
  admin_corner(hits);
}

const Hit* hit_at(const std::vector<Hit>& hits, float x, float y, bool long_press) {
  for (auto it = hits.rbegin(); it != hits.rend(); ++it)
    if (it->long_press == long_press && it->rect.contains(x, y)) return &*it;
  return nullptr;
}

}  // namespace pb::kiosk
