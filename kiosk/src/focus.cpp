// SPDX-License-Identifier: Apache-2.0
// The focus model (focus.h): focusable controls from a screen's tap targets, Tab order,
// spatial arrows, the primary action on entry, and the ring.
#include "focus.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "theme.h"

namespace pb::kiosk {
namespace {

bool covers_screen(const Rect& r) {
  return r.x <= 0 && r.y <= 0 && r.right() >= kDesignW && r.bottom() >= kDesignH;
}

std::string item_of(const std::string& target) {
  const auto colon = target.find(':');
  return colon == std::string::npos ? target : target.substr(colon + 1);
}

std::string group_of(const std::string& target) {
  return target.substr(0, target.find(':'));
}

// The name of the last full-screen target (the panel on top), or "".
std::string top_backdrop(const std::vector<Hit>& hits) {
  for (auto it = hits.rbegin(); it != hits.rend(); ++it)
    if (!it->long_press && covers_screen(it->rect)) return it->target;
  return "";
}

}  // namespace

std::optional<NavKey> nav_key(const SDL_KeyboardEvent& key) {
  const Uint16 mod = key.keysym.mod;
  if (mod & (KMOD_ALT | KMOD_CTRL | KMOD_GUI)) return std::nullopt;
  const bool shift = (mod & KMOD_SHIFT) != 0;
  std::optional<NavKey> k;
  switch (key.keysym.sym) {
    case SDLK_TAB:
      k = shift ? NavKey::kPrevious : NavKey::kNext;
      break;
    case SDLK_UP:
    case SDLK_KP_8:
      k = NavKey::kUp;
      break;
    case SDLK_DOWN:
    case SDLK_KP_2:
      k = NavKey::kDown;
      break;
    case SDLK_LEFT:
    case SDLK_KP_4:
      k = NavKey::kLeft;
      break;
    case SDLK_RIGHT:
    case SDLK_KP_6:
      k = NavKey::kRight;
      break;
    case SDLK_RETURN:
    case SDLK_RETURN2:
    case SDLK_KP_ENTER:
    case SDLK_SPACE:
    case SDLK_KP_5:
      k = NavKey::kActivate;
      break;
    case SDLK_ESCAPE:
      k = NavKey::kBack;
      break;
    default:
      return std::nullopt;
  }
  // Holding Enter, Space or Escape taps once: only moving repeats.
  if (key.repeat && (*k == NavKey::kActivate || *k == NavKey::kBack)) return std::nullopt;
  return k;
}

std::optional<std::string> access_key(const SDL_KeyboardEvent& key) {
  if (key.keysym.mod & (KMOD_ALT | KMOD_CTRL | KMOD_GUI)) return std::nullopt;
  switch (key.keysym.sym) {
    case SDLK_KP_MULTIPLY:
      if (key.repeat) return std::nullopt;  // held, it toggles once
      return "access:audio";
    case SDLK_KP_PLUS:
    case SDLK_VOLUMEUP:
      return "access:volume-up";
    case SDLK_KP_MINUS:
    case SDLK_VOLUMEDOWN:
      return "access:volume-down";
    default:
      return std::nullopt;
  }
}

std::vector<Focusable> focusables(const std::vector<Hit>& hits) {
  std::size_t first = 0;  // what the last full-screen target hides lies before it
  for (std::size_t i = 0; i < hits.size(); ++i)
    if (!hits[i].long_press && covers_screen(hits[i].rect)) first = i;
  std::vector<Focusable> out;
  for (std::size_t i = first; i < hits.size(); ++i) {
    const Hit& h = hits[i];
    if (h.long_press) continue;
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const Focusable& f) { return f.target == h.target; });
    if (same == out.end()) {
      out.push_back({h.target, h.rect, h.primary, h.label});
    } else if (covers_screen(same->rect)) {
      // The button with the backdrop's name is the stop, where the backdrop was.
      same->rect = h.rect;
      same->primary = same->primary || h.primary;
      if (same->label.empty()) same->label = h.label;
    }
  }
  return out;
}

std::string back_target(const std::vector<Focusable>& items) {
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    const std::string item = item_of(it->target), group = group_of(it->target);
    if (item == "cancel" || item == "close" || item == "not-now") return it->target;
    if (item == "back" && group != "key" && group != "pin") return it->target;
  }
  return "";
}

void KeyFocus::update(Screen screen, const std::vector<Hit>& hits) {
  const std::string keep = focused_target();
  const bool new_screen = !started_ || screen != screen_;
  if (new_screen) remembered_.clear();
  const std::string context = std::string(to_string(screen)) + "|" + top_backdrop(hits);
  const bool new_context = new_screen || context != context_;
  if (new_context && !new_screen && !keep.empty()) remembered_[context_] = keep;
  started_ = true;
  screen_ = screen;
  context_ = context;
  items_ = focusables(hits);
  stale_ = false;
  if (items_.empty()) {
    index_ = 0;
    return;
  }
  std::string want = keep;
  if (new_context) {
    const auto it = remembered_.find(context_);
    want = it == remembered_.end() ? "" : it->second;
  }
  if (!want.empty()) {
    for (std::size_t i = 0; i < items_.size(); ++i)
      if (items_[i].target == want) {
        index_ = i;
        last_rect_ = items_[i].rect;
        return;
      }
  }
  if (new_context) return focus_entry();
  // The focused control is gone: the one nearest to where it was.
  float best = std::numeric_limits<float>::max();
  for (std::size_t i = 0; i < items_.size(); ++i) {
    const float d =
        std::hypot(items_[i].rect.cx() - last_rect_.cx(), items_[i].rect.cy() - last_rect_.cy());
    if (d < best) {
      best = d;
      index_ = i;
    }
  }
  last_rect_ = items_[index_].rect;
}

void KeyFocus::focus_entry() {
  index_ = 0;
  const std::string backdrop = context_.substr(context_.find('|') + 1);
  auto find = [&](auto pred) {
    const auto it = std::find_if(items_.begin(), items_.end(), pred);
    return it == items_.end() ? std::nullopt
                              : std::optional<std::size_t>(
                                    static_cast<std::size_t>(std::distance(items_.begin(), it)));
  };
  if (auto i = find([](const Focusable& f) { return f.primary; }))
    index_ = *i;
  else if (auto j = find([&](const Focusable& f) { return f.target == backdrop; }))
    index_ = *j;
  last_rect_ = items_[index_].rect;
}

const Focusable* KeyFocus::focused() const {
  return index_ < items_.size() ? &items_[index_] : nullptr;
}

std::optional<std::size_t> KeyFocus::spatial(NavKey key) const {
  const Rect& from = items_[index_].rect;
  const bool horizontal = key == NavKey::kLeft || key == NavKey::kRight;
  const float sign = key == NavKey::kRight || key == NavKey::kDown ? 1.0f : -1.0f;
  // Controls in the arrow's beam (overlapping the focused one across it: the same row for
  // left and right, the same column for up and down) come first, the nearest of them; only
  // when there is none, the nearest of the rest.
  std::optional<std::size_t> best;
  bool best_in_beam = false;
  float best_score = std::numeric_limits<float>::max();
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (i == index_) continue;
    const Rect& to = items_[i].rect;
    // How far along the arrow (centre to centre) and how far off its beam (edge to edge).
    const float along = sign * (horizontal ? to.cx() - from.cx() : to.cy() - from.cy());
    if (along <= 1) continue;
    const float off = horizontal ? std::max({0.0f, to.y - from.bottom(), from.y - to.bottom()})
                                 : std::max({0.0f, to.x - from.right(), from.x - to.right()});
    const float drift = std::fabs(horizontal ? to.cy() - from.cy() : to.cx() - from.cx());
    const bool in_beam = off <= 0;
    if (best_in_beam && !in_beam) continue;
    const float score = along + 4 * off + 0.25f * drift;
    if ((in_beam && !best_in_beam) || score < best_score) {
      best_score = score;
      best = i;
      best_in_beam = in_beam;
    }
  }
  return best;
}

KeyFocus::Outcome KeyFocus::on_key(NavKey key) {
  Outcome out;
  if (stale_ || items_.empty()) return out;
  if (key == NavKey::kActivate) {
    visible_ = true;
    out.tap = items_[index_].target;
  } else if (key == NavKey::kBack) {
    const std::string back = back_target(items_);
    if (back.empty()) return out;
    visible_ = true;
    out.tap = back;
  } else if (!visible_) {
    visible_ = true;  // first show where the focus is
    out.moved = true;
    return out;
  } else {
    const std::size_t n = items_.size();
    const bool forward = key == NavKey::kNext || key == NavKey::kRight || key == NavKey::kDown;
    std::optional<std::size_t> next;
    if (key != NavKey::kNext && key != NavKey::kPrevious) next = spatial(key);
    // Tab, and an arrow with nothing that way, go round in order (wrapping at the ends).
    if (!next) next = forward ? (index_ + 1) % n : (index_ + n - 1) % n;
    index_ = *next;
    last_rect_ = items_[index_].rect;
    out.moved = true;
    return out;
  }
  stale_ = true;
  return out;
}

void draw_focus_ring(Painter& p, const Rect& r) {
  // Outside the control, so nothing of it is hidden: a dark edge, then the bright ring; a
  // control as big as the screen gets it just inside the screen's edge.
  const Rect box = covers_screen(r) ? r.inset(24) : r.inset(-18);
  const float radius = std::min(box.h / 2.0f, 58.0f);
  p.rounded_outline(box, radius, 16, kFocusEdge);
  p.rounded_outline(box.inset(4), radius - 4, 9, kFocusRing);
}

}  // namespace pb::kiosk
