// SPDX-License-Identifier: Apache-2.0
// BoothMachine: every transition of the participant flow, ADMIN and OUT_OF_SERVICE. What a
// screen is (in session, idle rule, language toggle, …) comes from traits() in pb/screen.h;
// what a tap does on it, from that screen's handler below.
#include "pb/booth_machine.h"

#include <algorithm>

namespace pb::kiosk {

const std::vector<std::string>& answer_picks() {
  static const std::vector<std::string> picks = {"daughter", "sister", "mother",
                                                 "friends",  "myself", "everyone"};
  return picks;
}

MachineOptions::MachineOptions() : MachineOptions(config::BoothConfig(), config::EventConfig()) {
  admin_enabled = true;  // tests reach ADMIN without a PIN hash
}

MachineOptions::MachineOptions(const config::BoothConfig& booth, const config::EventConfig& event)
    : idle_timeout_ms(static_cast<Millis>(booth.idle_timeout_s) * 1000),
      thanks_timeout_ms(static_cast<Millis>(booth.thanks_timeout_s) * 1000),
      countdown_s(booth.countdown_s),
      max_retakes(booth.max_retakes),
      min_age(event.min_age),
      default_locale(booth.default_locale),
      consent_version(event.consent_version),
      admin_enabled(!booth.admin_pin_hash.empty()) {
  high_contrast = booth.high_contrast;
  speech_volume = booth.speech_volume;
}

BoothMachine::BoothMachine(MachineOptions options, Millis now)
    : options_(std::move(options)), started_ms_(now) {
  s_.access.high_contrast = options_.high_contrast;
  s_.access.volume = std::clamp(options_.speech_volume, 0, kMaxVolume);
  s_.session = fresh_session();
  s_.console_locale = options_.default_locale;
  s_.entered_ms = now;
  s_.last_touch_ms = now;
}

Session BoothMachine::fresh_session() const {
  Session fresh;
  fresh.locale = options_.default_locale;
  fresh.first_name = TextField(options_.name_max_chars);
  fresh.answer_words = TextField(options_.words_max_chars);
  fresh.high_contrast = s_.access.high_contrast;
  return fresh;
}

// --- what the screens ask ----------------------------------------------------------------

int BoothMachine::countdown_digit(Millis now) const {
  if (s_.screen != Screen::kCountdown || now >= s_.session.shutter_ms) return 0;
  const Millis left = s_.session.shutter_ms - now;
  return static_cast<int>((left + 999) / 1000);
}

bool BoothMachine::countdown_cancellable(Millis now) const {
  return s_.screen == Screen::kCountdown && now < s_.session.shutter_ms &&
         !s_.session.waiting_for_still && !s_.session.have_still;
}

bool BoothMachine::flashing(Millis now) const {
  return s_.screen == Screen::kCountdown && now >= s_.session.shutter_ms &&
         now < s_.session.shutter_ms + options_.flash_ms;
}

Millis BoothMachine::idle_warning_ms() const {
  const Millis warning = std::max(options_.idle_warning_ms, kLeastWarningMs);
  return std::min(warning, options_.idle_timeout_ms / 2) * limit_factor();
}

Millis BoothMachine::idle_timeout_ms() const {
  if (s_.access.limits_off) return -1;
  return options_.idle_timeout_ms * limit_factor();
}

Millis BoothMachine::idle_warning_left(Millis now) const {
  if (traits(s_.screen).idle != Idle::kToAttract || idle_timeout_ms() < 0) return 0;
  const Millis left = s_.last_touch_ms + idle_timeout_ms() - now;
  return left > 0 && left <= idle_warning_ms() ? left : 0;
}

Millis BoothMachine::thanks_left(Millis now) const {
  if (s_.screen != Screen::kThanks) return 0;
  if (s_.access.limits_off) return thanks_span();  // stays until "Done"
  return std::max<Millis>(0, s_.session.thanks_until_ms - now);
}

bool BoothMachine::details_entered() const {
  const Session& p = s_.session;
  return p.first_name.length() > 0 || p.answer_words.length() > 0 || !p.answer_pick.empty();
}

bool BoothMachine::console_screen(Screen s) {
  return traits(s).console;
}

const std::string& BoothMachine::shown_locale() const {
  return console_screen(s_.screen) ? s_.console_locale : s_.session.locale;
}

bool BoothMachine::awaiting() const {
  const Session& p = s_.session;
  return s_.admin.pin_checking || s_.admin.ref_looking || p.saving || p.waiting_for_still ||
         (s_.screen == Screen::kReview && !p.review_ready);
}

// --- events ------------------------------------------------------------------------------

std::vector<Command> BoothMachine::handle(const Event& event, Millis now) {
  Out out;
  Session& p = s_.session;
  if (const auto* tap = std::get_if<Tap>(&event)) {
    s_.last_touch_ms = now;
    on_tap(tap->target, now, out);
  } else if (const auto* lp = std::get_if<LongPress>(&event)) {
    s_.last_touch_ms = now;
    if (lp->target == "admin:open" && options_.admin_enabled && traits(s_.screen).admin_corner)
      open_admin_pin(now, out);
  } else if (std::holds_alternative<Tick>(event)) {
    on_tick(now, out);
  } else if (std::holds_alternative<StillTaken>(event)) {
    if (s_.screen == Screen::kCountdown && p.waiting_for_still) {
      p.waiting_for_still = false;
      p.have_still = true;
      on_tick(now, out);
    }
  } else if (std::holds_alternative<StillFailed>(event)) {
    if (s_.screen == Screen::kCountdown && p.waiting_for_still) {
      // Within the grace period the next tick asks for the still again.
      p.waiting_for_still = false;
      camera_gap(now, out);
    }
  } else if (const auto* done = std::get_if<SaveDone>(&event)) {
    if (s_.screen == Screen::kThanks && p.saving) {
      p.saving = false;
      p.saved = *done;
    }
  } else if (const auto* failed = std::get_if<SaveFailed>(&event)) {
    const bool told_saving = s_.screen == Screen::kThanks && p.saving;
    p.saving = false;
    s_.oos.storage_problem = true;
    s_.oos.storage_message = failed->message;
    s_.oos.storage_args = failed->args;
    if (told_saving) {
      // He saw "saving…": THANKS now tells him it was not saved (for as long as a thank
      // you shows) and offers "Try again"; OUT_OF_SERVICE follows when he leaves it. His
      // photo stays in the back office's memory for the retry, until he leaves.
      p.save_failed = true;
      p.have_still = p.last_save && p.last_save->with_photo;
      p.saved.reset();
      enter_thanks(now);  // a whole thank-you's time to read it, from now
    } else {
      check_service(now, out);
    }
  } else if (const auto* cam = std::get_if<CameraState>(&event)) {
    if (cam->ok) {
      s_.oos.camera_gap_since = -1;
      if (s_.oos.camera_lost) {
        s_.oos.camera_lost = false;
        check_service(now, out);
      }
    } else if (!s_.oos.camera_lost && now - started_ms_ >= options_.camera_startup_ms) {
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
    if (s_.screen == Screen::kAdminPin && s_.admin.pin_checking) on_pin_checked(pin->ok, now);
  } else if (const auto* found = std::get_if<PledgeLookedUp>(&event)) {
    if (s_.screen == Screen::kAdminDeleteRef && s_.admin.ref_looking &&
        found->ref == typed_reference()) {
      s_.admin.ref_looking = false;
      s_.admin.ref_found = *found;
    }
  } else if (std::holds_alternative<KeyMoved>(event)) {
    s_.last_touch_ms = now;  // he is there, as with a touch ("Still there?" goes away)
  }
  return out;
}

void BoothMachine::on_tap(const std::string& target, Millis now, Out& out) {
  if (tap_access(target)) return;
  if (traits(s_.screen).language_toggle && switch_language(target)) return;
  // ADMIN and OUT_OF_SERVICE have the volunteer's own language pills.
  if ((s_.screen == Screen::kAdmin || s_.screen == Screen::kOutOfService) &&
      target.rfind("lang:", 0) == 0) {
    if (layout(target.substr(5))) s_.console_locale = target.substr(5);
    return;
  }
  switch (s_.screen) {
    case Screen::kAttract:
      return tap_attract(target, now);
    case Screen::kPledge:
      return tap_pledge(target, now, out);
    case Screen::kAgeCheck:
      return tap_age(target, now, out);
    case Screen::kDetails:
      return tap_details(target, now, out);
    case Screen::kPhotoChoice:
      return tap_photo_choice(target, now, out);
    case Screen::kCountdown:
      return tap_countdown(target, now);
    case Screen::kReview:
      return tap_review(target, now, out);
    case Screen::kThanks:
      return tap_thanks(target, now, out);
    case Screen::kOutOfService:
      return;  // nothing to tap: only a volunteer (the admin corner) or recovery moves on
    case Screen::kAdminPin:
      return tap_admin_pin(target, now, out);
    case Screen::kAdmin:
      return tap_admin(target, now, out);
    case Screen::kAdminDeleteRef:
      return tap_admin_delete_ref(target, now, out);
  }
}

void BoothMachine::on_tick(Millis now, Out& out) {
  if (s_.oos.camera_gap_since >= 0 && !s_.oos.camera_lost &&
      now - s_.oos.camera_gap_since >= options_.camera_grace_ms) {
    camera_gap(now, out);
    if (s_.screen == Screen::kOutOfService) return;
  }
  // ADMIN closes after the configured time whatever the participant's limits are.
  const Millis timeout =
      traits(s_.screen).idle == Idle::kCloseAdmin ? options_.idle_timeout_ms : idle_timeout_ms();
  if (timeout >= 0 && now - s_.last_touch_ms >= timeout) {
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
    case Screen::kCountdown:
      return tick_countdown(now, out);
    case Screen::kThanks:
      return tick_thanks(now, out);
    case Screen::kAttract:
    case Screen::kPledge:
    case Screen::kAgeCheck:
    case Screen::kDetails:
    case Screen::kPhotoChoice:
    case Screen::kReview:
    case Screen::kOutOfService:
    case Screen::kAdminPin:
    case Screen::kAdmin:
    case Screen::kAdminDeleteRef:
      return;  // no timer but the idle rule
  }
}

// --- moving between screens --------------------------------------------------------------

void BoothMachine::enter(Screen screen, Millis now) {
  s_.screen = screen;
  s_.entered_ms = now;
  s_.last_touch_ms = now;
}

void BoothMachine::to_attract(Millis now, Out& out) {
  if (s_.session.have_still || s_.session.waiting_for_still) out.push_back(DiscardPhoto{});
  // A participant's session ends here: an assisted session's "no time limits" ends with it.
  if (s_.screen != Screen::kAttract && s_.screen != Screen::kAdmin &&
      s_.screen != Screen::kAdminPin && s_.screen != Screen::kOutOfService)
    s_.access.limits_off = false;
  s_.session = fresh_session();
  enter(Screen::kAttract, now);
}

void BoothMachine::check_service(Millis now, Out& out) {
  switch (traits(s_.screen).interrupt) {
    case Interrupt::kLater:
      return;  // the volunteer is busy, or the participant is being thanked: later
    case Interrupt::kNone:
      if (!s_.oos.any()) enter(Screen::kAttract, now);
      return;
    case Interrupt::kAtOnce:
      if (s_.oos.any()) {
        to_attract(now, out);
        enter(Screen::kOutOfService, now);
      }
      return;
  }
}

void BoothMachine::camera_gap(Millis now, Out& out) {
  const bool in_session = traits(s_.screen).in_session;
  if (in_session && s_.oos.camera_gap_since < 0) s_.oos.camera_gap_since = now;
  if (in_session && now - s_.oos.camera_gap_since < options_.camera_grace_ms) return;
  s_.oos.camera_gap_since = -1;
  s_.oos.camera_lost = true;
  check_service(now, out);
}

bool BoothMachine::switch_language(const std::string& target) {
  if (target.rfind("lang:", 0) != 0) return false;
  const std::string code = target.substr(5);
  const auto& langs = options_.languages;
  if (std::none_of(langs.begin(), langs.end(), [&](const Language& l) { return l.code == code; }))
    return false;
  s_.session.locale = code;
  if (s_.screen == Screen::kDetails) {
    if (auto* f = focused_field()) f->commit();
    s_.session.keyboard = own_keyboard();
  }
  return true;
}

// --- ATTRACT, PLEDGE ----------------------------------------------------------------------

void BoothMachine::tap_attract(const std::string& target, Millis now) {
  if (target == "attract:start") enter(Screen::kPledge, now);
}

void BoothMachine::tap_pledge(const std::string& target, Millis now, Out& out) {
  if (target == "pledge:agree") {
    if (options_.min_age > 0)
      enter(Screen::kAgeCheck, now);  // before any name, words or photo is asked for
    else
      enter_details(now);
  } else if (target == "pledge:not-now") {
    to_attract(now, out);
  }
}

// --- AGE_CHECK ----------------------------------------------------------------------------

void BoothMachine::tap_age(const std::string& target, Millis now, Out& out) {
  if (target == "age:old-enough") {
    enter_details(now);
  } else if (target == "age:younger") {
    // His pledge counts; the booth keeps no photo, name or words of his (nothing was asked).
    s_.session.younger = true;
    save_pledge(false, now, out);
  }
}

// --- DETAILS ------------------------------------------------------------------------------

void BoothMachine::enter_details(Millis now) {
  s_.session.focus = Session::Focus::kName;
  s_.session.keyboard = own_keyboard();
  enter(Screen::kDetails, now);
}

const KeyboardLayout* BoothMachine::layout(const std::string& code) const {
  for (const Language& l : options_.languages)
    if (l.code == code) return &l.keyboard;
  return nullptr;
}

Session::Keyboard BoothMachine::own_keyboard() const {
  return {s_.session.locale, false};
}

std::string BoothMachine::keyboard_switch() const {
  const Session::Keyboard& k = s_.session.keyboard;
  if (k.layout != s_.session.locale) return s_.session.locale;  // back to his own
  const KeyboardLayout* own = layout(k.layout);
  return own && layout(own->switch_to) ? own->switch_to : "";
}

TextField* BoothMachine::focused_field() {
  switch (s_.session.focus) {
    case Session::Focus::kName:
      return &s_.session.first_name;
    case Session::Focus::kWords:
      return &s_.session.answer_words;
    case Session::Focus::kNone:
      return nullptr;
  }
  return nullptr;
}

void BoothMachine::tap_details(const std::string& target, Millis now, Out&) {
  Session& p = s_.session;
  if (target == "field:name" || target == "field:words") {
    if (auto* f = focused_field()) f->commit();
    p.focus = target == "field:name" ? Session::Focus::kName : Session::Focus::kWords;
    p.keyboard = own_keyboard();
  } else if (target.rfind("pick:", 0) == 0) {
    const std::string id = target.substr(5);
    if (std::find(answer_picks().begin(), answer_picks().end(), id) == answer_picks().end()) return;
    p.answer_pick = p.answer_pick == id ? "" : id;
    if (!p.answer_pick.empty()) p.answer_words.clear();
    if (p.focus == Session::Focus::kWords) p.focus = Session::Focus::kNone;
  } else if (target.rfind("key:", 0) == 0) {
    on_key(target.substr(4));
  } else if (target == "details:next") {
    to_photo_choice(now);
  } else if (target == "details:skip") {
    p.first_name.clear();
    p.answer_words.clear();
    p.answer_pick.clear();
    to_photo_choice(now);
  } else if (target == "details:back") {
    enter(Screen::kPledge, now);
  }
}

void BoothMachine::on_key(const std::string& id) {
  Session& p = s_.session;
  if (id == "shift") {
    p.keyboard.shifted = !p.keyboard.shifted;
    return;
  }
  if (id ==
      "mode") {  // his own layout ↔ the one it names (Hangul from English, QWERTY from Korean)
    const std::string to = keyboard_switch();
    if (to.empty()) return;
    if (auto* f = focused_field()) f->commit();
    p.keyboard = {to, false};
    return;
  }
  if (id == "done") {
    if (auto* f = focused_field()) f->commit();
    p.focus = Session::Focus::kNone;
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
  if (field == &p.answer_words) p.answer_pick.clear();  // own words replace a quick pick
  field->type(chars[0]);
  // Shift is one-shot, like a phone keyboard.
  p.keyboard.shifted = false;
}

// --- PHOTO_CHOICE -------------------------------------------------------------------------

void BoothMachine::to_photo_choice(Millis now) {
  s_.session.first_name.commit();
  s_.session.answer_words.commit();
  enter(Screen::kPhotoChoice, now);
}

void BoothMachine::tap_photo_choice(const std::string& target, Millis now, Out& out) {
  if (target == "photo-choice:take") {
    start_countdown(now);  // the only way to the camera
  } else if (target == "photo-choice:none") {
    save_pledge(false, now, out);  // no still was taken: there is nothing to discard
  } else if (target == "photo-choice:back") {
    s_.session.focus = Session::Focus::kNone;  // what he entered shows, without the keyboard
    s_.session.keyboard = own_keyboard();
    enter(Screen::kDetails, now);
  }
}

// --- COUNTDOWN ----------------------------------------------------------------------------

void BoothMachine::tap_countdown(const std::string& target, Millis now) {
  // Until the shutter he may change his mind; after it, REVIEW offers "without a photo".
  if (target == "countdown:cancel" && countdown_cancellable(now)) enter(Screen::kPhotoChoice, now);
}

void BoothMachine::start_countdown(Millis now) {
  Session& p = s_.session;
  p.first_name.commit();
  p.answer_words.commit();
  p.have_still = false;
  p.waiting_for_still = false;
  p.review_ready = false;
  enter(Screen::kCountdown, now);
  p.shutter_ms = now + static_cast<Millis>(options_.countdown_s) * 1000;
}

void BoothMachine::tick_countdown(Millis now, Out& out) {
  Session& p = s_.session;
  if (now >= p.shutter_ms && !p.waiting_for_still && !p.have_still) {
    p.waiting_for_still = true;
    out.push_back(TakeStill{});
  } else if (p.have_still && now >= p.shutter_ms + options_.flash_ms) {
    enter(Screen::kReview, now);
    p.choices = {};
    out.push_back(
        ComposeReview{p.first_name.text(), p.answer_pick, p.answer_words.text(), p.locale});
  }
}

// --- REVIEW -------------------------------------------------------------------------------

void BoothMachine::tap_review(const std::string& target, Millis now, Out& out) {
  Session& p = s_.session;
  if (p.about_data) {  // the panel covers the screen: only its close button answers
    if (target == "about-data:close") p.about_data = false;
    return;
  }
  if (p.confirm_no_photo && target != "no-photo:confirm") {
    p.confirm_no_photo = false;  // "keep my photo", or a tap beside the question
    return;
  }
  if (target == "review:about-data") {
    p.about_data = true;
  } else if (target == "review:campaign" && options_.offer_campaign) {
    p.choices.campaign = !p.choices.campaign;
  } else if (target == "review:wall" && options_.offer_wall) {
    p.choices.wall = !p.choices.wall;
  } else if (target == "review:link" && options_.offer_link) {
    p.choices.link = !p.choices.link;
  } else if (target == "review:use") {
    save_pledge(true, now, out);
  } else if (target == "review:retake") {
    if (retakes_left() > 0) {
      ++p.retakes_used;
      out.push_back(DiscardPhoto{});
      start_countdown(now);
    }
  } else if (target == "review:no-photo") {
    p.confirm_no_photo = true;  // the photo goes for good: ask once
  } else if (target == "no-photo:confirm") {
    out.push_back(DiscardPhoto{});
    p.choices = {};
    save_pledge(false, now, out);
  }
}

// THANKS, saying "saving…" until the back office answers SaveDone or SaveFailed.
void BoothMachine::save_pledge(bool with_photo, Millis now, Out& out) {
  Session& p = s_.session;
  if (p.younger) {  // under [event] min_age: the pledge counts, nothing personal is kept
    with_photo = false;
    p.first_name.clear();
    p.answer_words.clear();
    p.answer_pick.clear();
  }
  // Choices are asked with a photo only, and only those offered count.
  Choices chosen;
  if (with_photo) {
    chosen.campaign = p.choices.campaign && options_.offer_campaign;
    chosen.wall = p.choices.wall && options_.offer_wall;
    chosen.link = p.choices.link && options_.offer_link;
  }
  SavePledge save{p.locale,
                  p.first_name.text(),
                  p.answer_pick,
                  p.answer_words.text(),
                  with_photo,
                  chosen,
                  with_photo ? options_.consent_version : 0};
  p.have_still = false;  // the saver owns the photo now, or it was discarded
  p.with_photo = with_photo;
  p.saving = true;
  p.saved.reset();
  p.save_failed = false;
  p.last_save = save;
  enter_thanks(now);
  out.push_back(std::move(save));
}

// --- THANKS -------------------------------------------------------------------------------

void BoothMachine::enter_thanks(Millis now) {
  s_.session.confirm_no_photo = false;
  s_.session.about_data = false;
  enter(Screen::kThanks, now);
  s_.session.thanks_until_ms = now + options_.thanks_timeout_ms * limit_factor();
}

void BoothMachine::tap_thanks(const std::string& target, Millis now, Out& out) {
  if (target == "thanks:done") {
    to_attract(now, out);
    check_service(now, out);
  } else if (target == "thanks:retry") {
    Session& p = s_.session;
    if (!p.save_failed || p.saving || !p.last_save) return;
    // The same pledge again, with the photo the back office kept: "saving…", then the
    // normal THANKS with his reference, or "not saved" once more.
    p.save_failed = false;
    p.have_still = false;
    p.saving = true;
    enter_thanks(now);
    out.push_back(*p.last_save);
  } else if (target == "thanks:more-time" && !s_.session.save_failed) {
    // Never more than one extension ahead: a stuck finger cannot hold the booth.
    Millis& until = s_.session.thanks_until_ms;
    until = std::min(std::max(until, now) + options_.thanks_more_ms,
                     now + options_.thanks_more_ms + options_.thanks_timeout_ms);
  }
}

void BoothMachine::tick_thanks(Millis now, Out& out) {
  if (now < s_.session.thanks_until_ms || s_.access.limits_off) return;
  to_attract(now, out);
  check_service(now, out);
}

// --- ADMIN_PIN, ADMIN ---------------------------------------------------------------------

void BoothMachine::open_admin_pin(Millis now, Out& out) {
  if (traits(s_.screen).holds_photo) out.push_back(DiscardPhoto{});
  s_.admin = AdminPanel{};
  enter(Screen::kAdminPin, now);
}

void BoothMachine::leave_admin(Millis now, Out& out) {
  s_.admin = AdminPanel{};
  to_attract(now, out);
  if (s_.oos.any()) enter(Screen::kOutOfService, now);
}

void BoothMachine::tap_admin_pin(const std::string& target, Millis now, Out& out) {
  AdminPanel& a = s_.admin;
  if (target == "pin:cancel") {
    leave_admin(now, out);
    return;
  }
  if (pin_locked(now) || a.pin_checking) return;
  if (target == "pin:back") {
    if (!a.pin.empty()) a.pin.pop_back();
  } else if (target == "pin:ok") {
    if (a.pin.size() >= 4) {
      a.pin_checking = true;
      out.push_back(VerifyPin{a.pin});
    }
  } else if (target.size() == 5 && target.rfind("pin:", 0) == 0 && target[4] >= '0' &&
             target[4] <= '9') {
    a.pin_failed_last = false;
    if (a.pin.size() < 8) a.pin.push_back(target[4]);
  }
}

void BoothMachine::on_pin_checked(bool ok, Millis now) {
  s_.admin.pin_checking = false;
  s_.admin.pin.clear();
  if (ok) {
    s_.pin_lock.wrong = 0;
    s_.admin = AdminPanel{};
    enter(Screen::kAdmin, now);
    return;
  }
  s_.admin.pin_failed_last = true;
  if (++s_.pin_lock.wrong >= options_.pin_max_tries) {
    s_.pin_lock.wrong = 0;
    s_.pin_lock.until = now + options_.pin_lock_ms;
  }
}

void BoothMachine::tap_admin(const std::string& target, Millis now, Out& out) {
  AdminPanel& a = s_.admin;
  if (target != "admin:delete") a.confirm_delete = false;
  if (target != "admin:exit") a.confirm_exit = false;
  if (tap_console(target, out)) return;
  if (target == "admin:pause") {
    s_.oos.paused = !s_.oos.paused;
    a.notice = s_.oos.paused ? "admin.notice_paused" : "admin.notice_resumed";
  } else if (target == "admin:upload") {
    out.push_back(UploadNow{});
    a.notice = "admin.notice_upload";
  } else if (target == "admin:delete") {
    if (a.confirm_delete) {
      a.confirm_delete = false;
      out.push_back(DeleteLastPledge{});
      a.notice = "admin.notice_deleting";
    } else {
      a.confirm_delete = true;
    }
  } else if (target == "admin:delete-ref") {
    a.ref.clear();
    a.ref_looking = false;
    a.ref_found.reset();
    a.notice.clear();
    enter(Screen::kAdminDeleteRef, now);
  } else if (target == "admin:close") {
    leave_admin(now, out);
  } else if (target == "admin:exit" && !options_.run_by_service) {
    // Leaving ends the booth for the day: a second tap, as for delete.
    if (a.confirm_exit) {
      a.confirm_exit = false;
      out.push_back(ExitBooth{});
    } else {
      a.confirm_exit = true;
    }
  }
}

// --- ADMIN_DELETE_REF ----------------------------------------------------------------------

std::string BoothMachine::typed_reference() const {
  std::string out;
  for (char c : s_.admin.ref) {
    if (out.size() == 4) out += '-';
    out += static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
  }
  return out;
}

// The keypad types the reference's hex digits; "Find" asks the back office for the pledge,
// which then shows (thumbnail, name, time) with "Delete"; "Back to admin" leaves unchanged.
void BoothMachine::tap_admin_delete_ref(const std::string& target, Millis now, Out& out) {
  AdminPanel& a = s_.admin;
  if (target == "delete-ref:cancel") {
    a.ref.clear();
    a.ref_looking = false;
    a.ref_found.reset();
    enter(Screen::kAdmin, now);
    return;
  }
  if (target == "delete-ref:confirm") {
    if (a.ref_found && a.ref_found->matches == 1 && a.ref_found->error.empty()) {
      out.push_back(DeletePledge{a.ref_found->pledge_id});
      a.notice = "delete_ref.deleting";
      a.ref.clear();
      a.ref_found.reset();
      enter(Screen::kAdmin, now);
    }
    return;
  }
  if (a.ref_looking) return;  // the keys wait for the answer
  if (target == "delete-ref:find") {
    if (a.ref.size() == 8) {
      a.ref_looking = true;
      a.ref_found.reset();
      out.push_back(FindPledge{typed_reference()});
    }
    return;
  }
  if (target == "ref:back") {
    if (!a.ref.empty()) a.ref.pop_back();
    a.ref_found.reset();
    return;
  }
  if (target.size() == 5 && target.rfind("ref:", 0) == 0) {
    const char c = target[4];
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      if (a.ref.size() < 8) a.ref.push_back(c);
      a.ref_found.reset();
    }
  }
}

// The console's actions, each asking once before it acts (the confirmation says what it does).
bool BoothMachine::tap_console(const std::string& target, Out& out) {
  AdminPanel& a = s_.admin;
  const bool mine =
      target == "admin:forget" ||
      (options_.run_by_service && (target == "admin:restart" || target == "admin:shutdown"));
  if (!mine) {
    a.confirming.clear();
    return false;
  }
  if (a.confirming != target) {
    a.confirming = target;
    return true;
  }
  a.confirming.clear();
  if (target == "admin:forget") {
    out.push_back(ForgetStranded{});
    a.notice = "admin.notice_forgetting";
  } else if (target == "admin:restart") {
    out.push_back(RestartBooth{});
  } else {
    out.push_back(ShutDown{});
  }
  return true;
}

}  // namespace pb::kiosk

namespace pb::kiosk {

// --- accessibility (#26) ------------------------------------------------------------------

bool BoothMachine::tap_access(const std::string& target) {
  if (target.rfind("access:", 0) != 0) return false;
  const std::string what = target.substr(7);
  Session& p = s_.session;
  AccessSettings& a = s_.access;
  const bool participant =
      s_.screen == Screen::kAttract || traits(s_.screen).in_session || s_.screen == Screen::kThanks;
  const bool admin = s_.screen == Screen::kAdmin;
  if (what == "audio" && participant) {
    p.audio = !p.audio;
  } else if (what == "contrast" && participant) {
    p.high_contrast = !p.high_contrast;
  } else if (what == "volume-up") {
    a.volume = std::min(kMaxVolume, a.volume + 1);
  } else if (what == "volume-down") {
    a.volume = std::max(0, a.volume - 1);
  } else if (what == "default-contrast" && admin) {
    a.high_contrast = !a.high_contrast;
    p.high_contrast = a.high_contrast;  // the volunteer sees what he chose at once
  } else if (what == "limits" && admin) {
    a.limits_off = !a.limits_off;
  }
  return true;
}

}  // namespace pb::kiosk
