// SPDX-License-Identifier: Apache-2.0
// BoothMachine: every transition of the participant flow, ADMIN and OUT_OF_SERVICE.
#include "pb/booth_machine.h"

#include <algorithm>

namespace pb::kiosk {

const std::vector<std::string>& answer_picks() {
  static const std::vector<std::string> picks = {"daughter", "sister", "mother",
                                                 "friends",  "myself", "everyone"};
  return picks;
}

BoothMachine::BoothMachine(MachineOptions options, Millis now) : options_(std::move(options)) {
  s_.first_name = TextField(options_.name_max_chars);
  s_.answer_words = TextField(options_.words_max_chars);
  s_.locale = options_.default_locale;
  s_.entered_ms = now;
  s_.last_touch_ms = now;
}

int BoothMachine::countdown_digit(Millis now) const {
  if (s_.screen != Screen::kCountdown || now >= s_.shutter_ms) return 0;
  const Millis left = s_.shutter_ms - now;
  return static_cast<int>((left + 999) / 1000);
}

bool BoothMachine::flashing(Millis now) const {
  return s_.screen == Screen::kCountdown && now >= s_.shutter_ms &&
         now < s_.shutter_ms + options_.flash_ms;
}

Millis BoothMachine::idle_warning_ms() const {
  return std::min(options_.idle_warning_ms, options_.idle_timeout_ms / 2);
}

Millis BoothMachine::idle_warning_left(Millis now) const {
  if (traits(s_.screen).idle != Idle::kToAttract) return 0;
  const Millis left = s_.last_touch_ms + options_.idle_timeout_ms - now;
  return left > 0 && left <= idle_warning_ms() ? left : 0;
}

Millis BoothMachine::thanks_left(Millis now) const {
  if (s_.screen != Screen::kThanks) return 0;
  return std::max<Millis>(0, s_.thanks_until_ms - now);
}

bool BoothMachine::details_entered() const {
  return s_.first_name.length() > 0 || s_.answer_words.length() > 0 || !s_.answer_pick.empty();
}

bool BoothMachine::awaiting() const {
  return s_.pin_checking || s_.saving || s_.waiting_for_still ||
         (s_.screen == Screen::kReview && !s_.review_ready);
}

void BoothMachine::enter_thanks(Millis now, std::vector<Command>& out) {
  s_.confirm_no_photo = false;
  s_.about_data = false;
  enter(Screen::kThanks, now, out);
  s_.thanks_until_ms = now + options_.thanks_timeout_ms;
}

KeyboardMode BoothMachine::base_mode() const {
  for (const Language& l : options_.languages)
    if (l.code == s_.locale) return l.keyboard;
  return KeyboardMode::kLatin;
}

bool BoothMachine::is_language_target(const std::string& target) const {
  if (target.rfind("lang_", 0) != 0) return false;
  for (const Language& l : options_.languages)
    if (target.compare(5, std::string::npos, l.code) == 0) return true;
  return false;
}

TextField* BoothMachine::focused_field() {
  switch (s_.focus) {
    case BoothState::Focus::kName:
      return &s_.first_name;
    case BoothState::Focus::kWords:
      return &s_.answer_words;
    case BoothState::Focus::kNone:
      return nullptr;
  }
  return nullptr;
}

std::vector<Command> BoothMachine::handle(const Event& event, Millis now) {
  std::vector<Command> out;
  if (const auto* tap = std::get_if<Tap>(&event)) {
    s_.last_touch_ms = now;
    on_tap(tap->target, now, out);
  } else if (const auto* lp = std::get_if<LongPress>(&event)) {
    s_.last_touch_ms = now;
    if (lp->target == "admin" && options_.admin_enabled && traits(s_.screen).admin_corner) {
      if (traits(s_.screen).holds_photo) out.push_back(DiscardPhoto{});
      s_.pin.clear();
      s_.pin_failed_last = false;
      s_.pin_checking = false;
      enter(Screen::kAdminPin, now, out);
    }
  } else if (std::holds_alternative<Tick>(event)) {
    on_tick(now, out);
  } else if (std::holds_alternative<StillTaken>(event)) {
    if (s_.screen == Screen::kCountdown && s_.waiting_for_still) {
      s_.waiting_for_still = false;
      s_.have_still = true;
      on_tick(now, out);
    }
  } else if (std::holds_alternative<StillFailed>(event)) {
    if (s_.screen == Screen::kCountdown && s_.waiting_for_still) {
      // Within the grace period the next tick asks for the still again.
      s_.waiting_for_still = false;
      camera_gap(now, out);
    }
  } else if (const auto* done = std::get_if<SaveDone>(&event)) {
    if (s_.screen == Screen::kThanks && s_.saving) {
      s_.saving = false;
      s_.saved = *done;
    }
  } else if (const auto* failed = std::get_if<SaveFailed>(&event)) {
    const bool told_saving = s_.screen == Screen::kThanks && s_.saving;
    s_.saving = false;
    s_.oos.storage_problem = true;
    s_.oos.storage_message = failed->message;
    s_.oos.storage_args = failed->args;
    if (told_saving) {
      // He saw "saving…": THANKS now tells him it was not saved (for as long as a thank
      // you shows), and OUT_OF_SERVICE follows when he leaves it.
      s_.save_failed = true;
      s_.saved.reset();
      enter_thanks(now, out);  // a whole thank-you's time to read it, from now
    } else {
      check_service(now, out);
    }
  } else if (const auto* cam = std::get_if<CameraState>(&event)) {
    if (cam->ok) {
      s_.camera_gap_since = -1;
      if (s_.oos.camera_lost) {
        s_.oos.camera_lost = false;
        check_service(now, out);
      }
    } else if (!s_.oos.camera_lost) {
      camera_gap(now, out);
    }
  } else if (const auto* st = std::get_if<StorageState>(&event)) {
    if (s_.oos.storage_problem != !st->ok || s_.oos.storage_message != st->message ||
        s_.oos.storage_args != st->args) {
      s_.oos.storage_problem = !st->ok;
      s_.oos.storage_message = st->ok ? "" : st->message;
      s_.oos.storage_args = st->ok ? MessageArgs{} : st->args;
      check_service(now, out);
    }
  } else if (const auto* pin = std::get_if<PinChecked>(&event)) {
    if (s_.screen == Screen::kAdminPin && s_.pin_checking) {
      s_.pin_checking = false;
      s_.pin.clear();
      if (pin->ok) {
        s_.pin_wrong = 0;
        s_.pin_failed_last = false;
        s_.confirm_delete = false;
        s_.admin_notice.clear();
        enter(Screen::kAdmin, now, out);
      } else {
        s_.pin_failed_last = true;
        if (++s_.pin_wrong >= options_.pin_max_tries) {
          s_.pin_wrong = 0;
          s_.pin_locked_until = now + options_.pin_lock_ms;
        }
      }
    }
  }
  return out;
}

void BoothMachine::enter(Screen screen, Millis now, std::vector<Command>& out) {
  (void)out;
  s_.screen = screen;
  s_.entered_ms = now;
  s_.last_touch_ms = now;
}

void BoothMachine::to_attract(Millis now, std::vector<Command>& out) {
  if (s_.have_still || s_.waiting_for_still) out.push_back(DiscardPhoto{});
  s_.first_name.clear();
  s_.answer_words.clear();
  s_.answer_pick.clear();
  s_.focus = BoothState::Focus::kName;
  s_.waiting_for_still = false;
  s_.have_still = false;
  s_.review_ready = false;
  s_.retakes_used = 0;
  s_.share_consent = false;
  s_.confirm_no_photo = false;
  s_.about_data = false;
  s_.saving = false;
  s_.with_photo = false;
  s_.saved.reset();
  s_.save_failed = false;
  s_.locale = options_.default_locale;
  enter(Screen::kAttract, now, out);
}

void BoothMachine::check_service(Millis now, std::vector<Command>& out) {
  switch (traits(s_.screen).interrupt) {
    case Interrupt::kLater:
      return;  // the volunteer is busy, or the participant is being thanked: later
    case Interrupt::kNone:
      if (!s_.oos.any()) enter(Screen::kAttract, now, out);
      return;
    case Interrupt::kAtOnce:
      if (s_.oos.any()) {
        to_attract(now, out);
        enter(Screen::kOutOfService, now, out);
      }
      return;
  }
}

void BoothMachine::camera_gap(Millis now, std::vector<Command>& out) {
  const bool in_session = traits(s_.screen).in_session;
  if (in_session && s_.camera_gap_since < 0) s_.camera_gap_since = now;
  if (in_session && now - s_.camera_gap_since < options_.camera_grace_ms) return;
  s_.camera_gap_since = -1;
  s_.oos.camera_lost = true;
  check_service(now, out);
}

void BoothMachine::leave_admin(Millis now, std::vector<Command>& out) {
  s_.pin.clear();
  s_.confirm_delete = false;
  s_.confirm_exit = false;
  to_attract(now, out);
  if (s_.oos.any()) enter(Screen::kOutOfService, now, out);
}

void BoothMachine::start_countdown(Millis now, std::vector<Command>& out) {
  s_.first_name.commit();
  s_.answer_words.commit();
  s_.have_still = false;
  s_.waiting_for_still = false;
  s_.review_ready = false;
  enter(Screen::kCountdown, now, out);
  s_.shutter_ms = now + static_cast<Millis>(options_.countdown_s) * 1000;
}

void BoothMachine::on_tick(Millis now, std::vector<Command>& out) {
  if (s_.camera_gap_since >= 0 && !s_.oos.camera_lost &&
      now - s_.camera_gap_since >= options_.camera_grace_ms) {
    camera_gap(now, out);
    if (s_.screen == Screen::kOutOfService) return;
  }
  if (now - s_.last_touch_ms >= options_.idle_timeout_ms) {
    switch (traits(s_.screen).idle) {
      case Idle::kToAttract:
        return to_attract(now, out);
      case Idle::kCloseAdmin:
        return leave_admin(now, out);
      case Idle::kStays:
        break;
    }
  }
  switch (s_.screen) {
    case Screen::kPledge:
    case Screen::kDetails:
    case Screen::kReview:
    case Screen::kAdminPin:
    case Screen::kAdmin:
      break;
    case Screen::kThanks:
      if (now >= s_.thanks_until_ms) {
        to_attract(now, out);
        check_service(now, out);
      }
      break;
    case Screen::kCountdown:
      if (now >= s_.shutter_ms && !s_.waiting_for_still && !s_.have_still) {
        s_.waiting_for_still = true;
        out.push_back(TakeStill{});
      } else if (s_.have_still && now >= s_.shutter_ms + options_.flash_ms) {
        enter(Screen::kReview, now, out);
        s_.share_consent = false;
        out.push_back(
            ComposeReview{s_.first_name.text(), s_.answer_pick, s_.answer_words.text(), s_.locale});
      }
      break;
    case Screen::kAttract:
    case Screen::kOutOfService:
      break;
  }
}

void BoothMachine::on_key(const std::string& id) {
  if (id == "shift") {
    s_.keyboard = toggle_shift(s_.keyboard);
    return;
  }
  if (id == "mode") {  // Hangul ↔ the language's own Latin layout (plain QWERTY for Korean)
    if (auto* f = focused_field()) f->commit();
    const KeyboardMode own = base_mode();
    if (!is_hangul(s_.keyboard))
      s_.keyboard = KeyboardMode::kHangul;
    else
      s_.keyboard = is_hangul(own) ? KeyboardMode::kLatin : own;
    return;
  }
  if (id == "done") {
    if (auto* f = focused_field()) f->commit();
    s_.focus = BoothState::Focus::kNone;
    return;
  }
  TextField* field = focused_field();
  if (!field) return;
  if (id == "back") {
    field->backspace();
    return;
  }
  const std::u32string chars = id == "space" ? std::u32string(U" ") : decode_utf8(id);
  if (chars.size() != 1) return;
  if (field == &s_.answer_words) s_.answer_pick.clear();  // own words replace a quick pick
  field->type(chars[0]);
  // Shift is one-shot, like a phone keyboard.
  s_.keyboard = unshifted(s_.keyboard);
}

void BoothMachine::on_pin_key(const std::string& target, Millis now, std::vector<Command>& out) {
  if (target == "pin:cancel") {
    leave_admin(now, out);
    return;
  }
  if (pin_locked(now) || s_.pin_checking) return;
  if (target == "pin:back") {
    if (!s_.pin.empty()) s_.pin.pop_back();
  } else if (target == "pin:ok") {
    if (s_.pin.size() >= 4) {
      s_.pin_checking = true;
      out.push_back(VerifyPin{s_.pin});
    }
  } else if (target.size() == 5 && target.rfind("pin:", 0) == 0 && target[4] >= '0' &&
             target[4] <= '9') {
    s_.pin_failed_last = false;
    if (s_.pin.size() < 8) s_.pin.push_back(target[4]);
  }
}

void BoothMachine::on_admin(const std::string& target, Millis now, std::vector<Command>& out) {
  if (target != "admin:delete") s_.confirm_delete = false;
  if (target != "admin:exit") s_.confirm_exit = false;
  if (target == "admin:pause") {
    s_.oos.paused = !s_.oos.paused;
    s_.admin_notice = s_.oos.paused ? "admin.notice_paused" : "admin.notice_resumed";
  } else if (target == "admin:upload") {
    out.push_back(UploadNow{});
    s_.admin_notice = "admin.notice_upload";
  } else if (target == "admin:delete") {
    if (s_.confirm_delete) {
      s_.confirm_delete = false;
      out.push_back(DeleteLastPledge{});
      s_.admin_notice = "admin.notice_deleting";
    } else {
      s_.confirm_delete = true;
    }
  } else if (target == "admin:close") {
    leave_admin(now, out);
  } else if (target == "admin:exit") {
    // Leaving ends the booth for the day: a second tap, as for delete.
    if (s_.confirm_exit) {
      s_.confirm_exit = false;
      out.push_back(ExitBooth{});
    } else {
      s_.confirm_exit = true;
    }
  }
}

void BoothMachine::on_tap(const std::string& target, Millis now, std::vector<Command>& out) {
  const Screen sc = s_.screen;
  if (is_language_target(target) && traits(sc).language_toggle) {
    s_.locale = target.substr(5);
    if (sc == Screen::kDetails) {
      if (auto* f = focused_field()) f->commit();
      s_.keyboard = base_mode();
    }
    return;
  }
  switch (sc) {
    case Screen::kAttract:
      if (target == "start") enter(Screen::kPledge, now, out);
      break;
    case Screen::kPledge:
      if (target == "agree") {
        s_.focus = BoothState::Focus::kName;
        s_.keyboard = base_mode();
        enter(Screen::kDetails, now, out);
      } else if (target == "not_now") {
        to_attract(now, out);
      }
      break;
    case Screen::kDetails:
      if (target == "field:name" || target == "field:words") {
        if (auto* f = focused_field()) f->commit();
        s_.focus = target == "field:name" ? BoothState::Focus::kName : BoothState::Focus::kWords;
        s_.keyboard = base_mode();
      } else if (target.rfind("pick:", 0) == 0) {
        const std::string id = target.substr(5);
        if (std::find(answer_picks().begin(), answer_picks().end(), id) == answer_picks().end())
          break;
        s_.answer_pick = s_.answer_pick == id ? "" : id;
        if (!s_.answer_pick.empty()) s_.answer_words.clear();
        if (s_.focus == BoothState::Focus::kWords) s_.focus = BoothState::Focus::kNone;
      } else if (target.rfind("key:", 0) == 0) {
        on_key(target.substr(4));
      } else if (target == "details_next") {
        start_countdown(now, out);
      } else if (target == "details_skip") {
        s_.first_name.clear();
        s_.answer_words.clear();
        s_.answer_pick.clear();
        start_countdown(now, out);
      } else if (target == "details_back") {
        enter(Screen::kPledge, now, out);
      }
      break;
    case Screen::kCountdown:
      break;  // hands off: the camera is about to fire
    case Screen::kReview:
      if (s_.about_data) {  // the panel covers the screen: only its close button answers
        if (target == "about_close") s_.about_data = false;
        break;
      }
      if (s_.confirm_no_photo && target != "no_photo_confirm") {
        s_.confirm_no_photo = false;  // "keep my photo", or a tap beside the question
        break;
      }
      if (target == "about_data") {
        s_.about_data = true;
      } else if (target == "consent") {
        s_.share_consent = !s_.share_consent;
      } else if (target == "use_photo") {
        SavePledge save{
            s_.locale, s_.first_name.text(), s_.answer_pick,          s_.answer_words.text(),
            true,      s_.share_consent,     options_.consent_version};
        s_.have_still = false;  // the saver owns the photo now
        s_.with_photo = true;
        s_.saving = true;
        s_.saved.reset();
        s_.save_failed = false;
        enter_thanks(now, out);
        out.push_back(std::move(save));
      } else if (target == "retake") {
        if (retakes_left() > 0) {
          ++s_.retakes_used;
          out.push_back(DiscardPhoto{});
          start_countdown(now, out);
        }
      } else if (target == "no_photo") {
        s_.confirm_no_photo = true;  // the photo goes for good: ask once
      } else if (target == "no_photo_confirm") {
        out.push_back(DiscardPhoto{});
        s_.have_still = false;
        s_.share_consent = false;
        s_.with_photo = false;
        s_.saving = true;
        s_.saved.reset();
        s_.save_failed = false;
        enter_thanks(now, out);
        out.push_back(SavePledge{s_.locale, s_.first_name.text(), s_.answer_pick,
                                 s_.answer_words.text(), false, false, 0});
      }
      break;
    case Screen::kThanks:
      if (target == "thanks_done") {
        to_attract(now, out);
        check_service(now, out);
      } else if (target == "thanks_more") {
        // Never more than one extension ahead: a stuck finger cannot hold the booth.
        s_.thanks_until_ms = std::min(std::max(s_.thanks_until_ms, now) + options_.thanks_more_ms,
                                      now + options_.thanks_more_ms + options_.thanks_timeout_ms);
      }
      break;
    case Screen::kOutOfService:
      break;
    case Screen::kAdminPin:
      on_pin_key(target, now, out);
      break;
    case Screen::kAdmin:
      on_admin(target, now, out);
      break;
  }
}

}  // namespace pb::kiosk
