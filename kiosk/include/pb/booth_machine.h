// SPDX-License-Identifier: Apache-2.0
// The booth's flow as a pure state machine: input events plus the current time in, the
// next state plus commands for the app out. No SDL, OpenCV or disk, so every transition
// and timeout is unit-tested with a fake clock (tests/kiosk/booth_machine_test.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "pb/config.h"
#include "pb/hangul.h"
#include "pb/keyboard.h"
#include "pb/screen.h"

namespace pb::kiosk {

using Millis = std::int64_t;  // a monotonic clock in milliseconds (steady, not wall time)

// The quick picks for "Why does gender equality matter to you?"; i18n key "answer.<id>".
const std::vector<std::string>& answer_picks();

struct MachineOptions {
  // The [booth] and [event] keys below take their defaults from the declarations in
  // config/src/keys.cpp, never from here: MachineOptions() is what an empty booth.toml gives
  // (except the admin corner, open here for tests); the kiosk passes its Config.
  MachineOptions();
  MachineOptions(const config::BoothConfig& booth, const config::EventConfig& event);

  // From the config ([booth] idle_timeout_s, thanks_timeout_s, countdown_s, max_retakes,
  // default_locale, admin_pin_hash; [event] min_age, consent_version):
  Millis idle_timeout_ms;    // no touch this long → ATTRACT, nothing kept
  Millis thanks_timeout_ms;  // THANKS stays this long
  int countdown_s;           // 3-2-1
  int max_retakes;           // retakes allowed in REVIEW
  // [event] min_age: > 0 asks "I am {min_age} or older" after PLEDGE; a younger participant's
  // pledge counts without a photo, name or words. 0 = not asked.
  int min_age;
  std::string default_locale;  // one of languages
  int consent_version;         // recorded with a consent given
  bool admin_enabled = true;   // false when no PIN hash is configured

  // The machine's own:
  // The last part of idle_timeout_ms shows "Still there?" with a countdown (at most half
  // of the timeout); any touch cancels it. WCAG 2.2 2.2.1 asks for at least 20 s to answer
  // (kLeastWarningMs): a shorter setting is raised to it where the timeout has room.
  Millis idle_warning_ms = 20'000;
  Millis thanks_more_ms = 30'000;  // "More time" on THANKS adds this much
  // The languages, in the toggle's order (the app passes those of assets/i18n, see
  // Strings::languages); a tap on "lang:<code>" switches to one of them.
  std::vector<Language> languages = {{"en", {{}, {}, "ko", "ABC"}}, {"ko", {{}, {}, "en", "한글"}}};
  // From the config as a whole (data_uses in pb/consent_text.h), filled in by kiosk_app.cpp:
  // the uses REVIEW asks about, each only when this booth's config makes it possible:
  // (a) campaign use, (b) the projector wall, (c) a link.
  bool offer_campaign = false;
  bool offer_wall = false;
  bool offer_link = false;
  int pin_max_tries = 5;        // wrong PINs in a row before the pad locks
  Millis pin_lock_ms = 60'000;  // how long it stays locked
  Millis flash_ms = 350;        // white flash after the shutter
  // The booth's two camera rules, both here and nowhere else:
  // - no camera for this long after the start is not yet "camera lost": a USB camera
  //   takes a few seconds to send its first picture;
  Millis camera_startup_ms = 5000;
  // - a camera gap this short while a participant is at the booth (traits in_session)
  //   holds his session: the shutter waits for the camera, and only a longer gap is lost.
  Millis camera_grace_ms = 3000;
  std::size_t name_max_chars = 16;
  std::size_t words_max_chars = 60;
  // The volunteer's console (ADMIN, its PIN pad, OUT_OF_SERVICE):
  // - how long the admin corner (top left) is held to open the PIN pad (the volunteer card
  //   on OUT_OF_SERVICE says so);
  Millis admin_hold_ms = 3000;
  // - a service manager runs the booth and starts it again whenever it stops (the appliance's
  //   pledgebooth-booth.service, Restart=always): ADMIN offers "Restart the booth" and "Shut
  //   down safely" instead of "Exit booth", which would not keep it closed.
  bool run_by_service = false;
  // Accessibility (#26), from [booth] high_contrast and speech_volume: the booth's defaults,
  // which ADMIN changes while the booth runs.
  bool high_contrast;  // every participant starts with high contrast and large text
  int speech_volume;   // 0..kMaxVolume
};

// Accessibility (#26): the least time "Still there?" gives to answer, the speech volume's top.
inline constexpr Millis kLeastWarningMs = 20'000;
inline constexpr int kMaxVolume = 10;

// --- events -------------------------------------------------------------------------
// A tap target's name is "group:item", in lower case with words joined by '-':
//   group  the screen it is on ("attract", "pledge", "age", "details", "photo-choice",
//          "countdown", "review", "thanks", "admin"), the panel over a screen ("no-photo",
//          "about-data", "idle": "Still there?"), or a widget used on several ("lang", "field",
//          "pick", "key", "pin"); ADMIN_DELETE_REF has "delete-ref" and its keypad "ref";
//   item   the action ("attract:start", "review:no-photo", "thanks:more-time") or the
//          widget's value ("lang:ko", "field:name", "pick:sister", "key:ㄱ", "key:shift",
//          "pin:7", "pin:ok").
// Scripts tap the same names (`tap review:use`), so a new target is one string here and
// one in screens.cpp.
struct Tap {
  std::string target;
};
struct LongPress {
  std::string target;  // "admin:open" (the hidden corner)
};
struct Tick {};         // time passed (every frame)
struct StillTaken {};   // the camera delivered the still for the shutter
struct StillFailed {};  // no fresh frame at the shutter: the camera is gone
struct SaveDone {
  std::string pledge_id;
  std::int64_t supporter_number = 0;  // pledges at this event, this one included
  std::string qr_url;                 // what THANKS links to
};
// A message for the volunteer: an i18n key ("oos.disk_low") and its {placeholders}.
using MessageArgs = std::vector<std::pair<std::string, std::string>>;
struct SaveFailed {
  std::string message;  // i18n key of the volunteer's message ("oos.disk_full", …)
  MessageArgs args;
  std::string detail;  // the technical cause, for the booth's log only (never on screen)
};
struct CameraState {
  bool ok = true;
};
struct StorageState {
  bool ok = true;
  std::string message;  // i18n key of why not ok ("" when ok)
  MessageArgs args;
};
struct PinChecked {
  bool ok = false;
};
// The back office looked up a pledge reference typed on ADMIN_DELETE_REF (FindPledge).
struct PledgeLookedUp {
  std::string ref;  // as asked ("7F3A-9C21")
  int matches = 0;  // pledges with it: 1 can be deleted; 0 or several cannot here
  std::string pledge_id, first_name;
  std::int64_t created_ms = 0;
  bool photo = false;  // its thumbnail comes beside this (FoundPledge::thumb)
  std::string error;   // the ledger could not be read ("" = it could)
};
// A key moved the focus (Tab, an arrow): no tap, but the participant is at the booth, so the
// idle timer starts again as it does for a touch. Enter or Space on a control is a Tap.
struct KeyMoved {};
using Event = std::variant<Tap, LongPress, Tick, StillTaken, StillFailed, SaveDone, SaveFailed,
                           CameraState, StorageState, PinChecked, KeyMoved, PledgeLookedUp>;

// --- commands ------------------------------------------------------------------------
struct TakeStill {};    // grab the still closest to now; answer StillTaken / StillFailed
struct ComposeReview {  // compose the still with the sign for REVIEW
  std::string first_name;
  std::string answer_pick;   // "" or an id of answer_picks()
  std::string answer_words;  // own words ("" = none)
  std::string locale;
};
struct DiscardPhoto {};  // drop the still and any composed photo now (privacy)
// A participant's choices on REVIEW, one per use, each off until he ticks it.
struct Choices {
  bool campaign = false;  // (a) photo, first name and words sent to the organiser
  bool wall = false;      // (b) on this event's projector wall
  bool link = false;      // (c) a link for me: THANKS' QR opens my own photo
  bool any() const { return campaign || wall || link; }
};
struct SavePledge {
  std::string locale;
  std::string first_name;
  std::string answer_pick;
  std::string answer_words;
  bool with_photo = false;
  Choices choices;          // only uses offered, only with a photo
  int consent_version = 0;  // of the choices shown with the photo (0 = none)
};
struct VerifyPin {
  std::string pin;  // answer with PinChecked
};
struct DeleteLastPledge {};
struct FindPledge {  // answer with PledgeLookedUp
  std::string ref;
};
struct DeletePledge {  // the one ADMIN_DELETE_REF showed: here, on the targets, on the wall
  std::string pledge_id;
};
struct UploadNow {};
struct ExitBooth {};
// The volunteer's console: drop the undelivered uploads of targets no longer in the config
// (what `pledgebooth upload --forget-target` does); close the booth so that the service starts
// it again; close it and power the box off once the ledger is closed.
struct ForgetStranded {};
struct RestartBooth {};
struct ShutDown {};
using Command = std::variant<TakeStill, ComposeReview, DiscardPhoto, SavePledge, VerifyPin,
                             DeleteLastPledge, UploadNow, ExitBooth, FindPledge, DeletePledge,
                             ForgetStranded, RestartBooth, ShutDown>;

// Why the booth is out of service (several may hold at once).
struct OutOfService {
  bool camera_lost = false;
  bool storage_problem = false;
  std::string storage_message;  // i18n key
  MessageArgs storage_args;
  bool paused = false;
  Millis camera_gap_since = -1;  // the camera went missing in a session (-1 = no gap)
  bool any() const { return camera_lost || storage_problem || paused; }
};

// Everything of one participant: what he chose and entered and where his photo is, from
// the first tap to THANKS. Back at ATTRACT it is replaced by a fresh one in one assignment,
// so nothing of his is kept (privacy) and a new field cannot be forgotten in the reset.
struct Session {
  std::string locale = "en";  // his language (a fresh session has the booth's default)
  // AGE_CHECK: he said he is younger than min_age; his pledge keeps no photo, name or words.
  bool younger = false;
  // DETAILS
  TextField first_name{16};
  TextField answer_words{60};
  std::string answer_pick;
  enum class Focus { kNone, kName, kWords } focus = Focus::kName;
  struct Keyboard {
    std::string layout;  // the language whose layout shows (his own, or its switch_to)
    bool shifted = false;
  } keyboard;
  // COUNTDOWN / REVIEW
  Millis shutter_ms = 0;  // when the still is taken
  bool waiting_for_still = false;
  bool have_still = false;    // a still is held (not yet saved or discarded)
  bool review_ready = false;  // the composed photo has arrived (set by the app)
  int retakes_used = 0;
  Choices choices;                // off on every arrival at REVIEW
  bool confirm_no_photo = false;  // "count me without a photo" waits for a confirmation
  bool about_data = false;        // the "About your data" panel is open over REVIEW
  // Accessibility (#26), chosen on ATTRACT for this participant: audio mode (every screen
  // spoken, time limits doubled), and high contrast with large text.
  bool audio = false;
  bool high_contrast = false;
  // THANKS
  Millis thanks_until_ms = 0;  // THANKS returns to ATTRACT at this time
  bool saving = false;
  bool with_photo = false;
  std::optional<SaveDone> saved;
  bool save_failed = false;  // "not saved, ask a volunteer" shows, then OUT_OF_SERVICE
  // The SavePledge last sent. After it failed, "Try again" on THANKS sends it once more (its
  // photo is still in the back office's memory: have_still is set again until it is saved or
  // discarded).
  std::optional<SavePledge> last_save;
};

// The PIN pad and ADMIN as the volunteer left them; a fresh one each time ADMIN closes.
struct AdminPanel {
  std::string pin;  // digits typed on the pad
  bool pin_checking = false;
  bool pin_failed_last = false;  // show "wrong PIN" under the pad
  bool confirm_delete = false;   // "delete last pledge" waits for a second tap
  bool confirm_exit = false;     // "exit booth" waits for a second tap
  std::string notice;            // key of a one-line notice ("admin.notice_paused", …)
  // ADMIN_DELETE_REF: the reference's hex digits typed (at most 8), the lookup under way,
  // and what it found (shown with the thumbnail before "Delete" is offered).
  std::string ref;
  bool ref_looking = false;
  std::optional<PledgeLookedUp> ref_found;
  // The console's actions that wait for a second tap: "admin:forget", "admin:restart",
  // "admin:shutdown" ("" = none).
  std::string confirming;
};

// Wrong PINs in a row and the lock they cause; kept when the pad closes, so walking away
// and coming back does not unlock it.
struct PinLock {
  int wrong = 0;
  Millis until = 0;
};

// Accessibility (#26) settings of the booth, changed in ADMIN (and the volume keys); kept
// across sessions until the booth restarts.
struct AccessSettings {
  bool high_contrast = false;  // the default of each new participant
  // No time limits for the next participant (an assisted session): back on when he leaves.
  bool limits_off = false;
  int volume = 7;  // speech, 0..kMaxVolume
};

// What the screens draw: the screen and its clocks, and one part per concern.
struct BoothState {
  Screen screen = Screen::kAttract;
  Millis entered_ms = 0;     // when this screen was entered
  Millis last_touch_ms = 0;  // for the idle timeout
  Session session;
  AdminPanel admin;
  PinLock pin_lock;
  OutOfService oos;
  // The volunteer's language on ADMIN, its PIN pad and OUT_OF_SERVICE, switched there by its
  // own pills; not the last participant's.
  std::string console_locale = "en";
  AccessSettings access;
};

class BoothMachine {
 public:
  BoothMachine(MachineOptions options, Millis now);

  // Feeds one event at time `now` (monotonic ms, never decreasing). Returns the commands
  // the app runs, in order. Never throws for any input: unknown targets are ignored.
  std::vector<Command> handle(const Event& event, Millis now);

  const BoothState& state() const { return s_; }
  const MachineOptions& options() const { return options_; }
  // The countdown digit to show (3, 2, 1), or 0 once the shutter has fired.
  int countdown_digit(Millis now) const;
  bool flashing(Millis now) const;
  int retakes_left() const { return options_.max_retakes - s_.session.retakes_used; }
  // While "Still there?" shows: the ms left before the idle reset; 0 when no warning shows.
  Millis idle_warning_left(Millis now) const;
  // How long "Still there?" shows in all (at least kLeastWarningMs where the idle timeout is
  // twice that, and never more than half of it), doubled in audio mode.
  Millis idle_warning_ms() const;
  // The idle timeout now: doubled in audio mode; none (-1) while ADMIN switched limits off.
  Millis idle_timeout_ms() const;
  // ms left on THANKS (0 elsewhere) and the whole span they count down from.
  Millis thanks_left(Millis now) const;
  Millis thanks_span() const { return s_.session.thanks_until_ms - s_.entered_ms; }
  // The reference typed on ADMIN_DELETE_REF as THANKS shows one: "7F3A-9C", "".
  std::string typed_reference() const;
  // COUNTDOWN before the shutter: "Cancel" shows and goes back to PHOTO? (no photo taken).
  bool countdown_cancellable(Millis now) const;
  // Whether DETAILS holds anything typed or picked (then "Skip" is not offered).
  bool details_entered() const;
  bool pin_locked(Millis now) const { return now < s_.pin_lock.until; }
  // A registered language's keyboard (nullptr for another code).
  const KeyboardLayout* layout(const std::string& code) const;
  // The language whose layout the mode key switches to now ("" = no mode key).
  std::string keyboard_switch() const;
  // Something this screen shows is still on its way: the still, the composed photo on
  // REVIEW, the save's result on THANKS, the PIN check, a reference's lookup.
  bool awaiting() const;
  // The language this screen speaks: the volunteer's on the console screens (ADMIN, its PIN
  // pad, OUT_OF_SERVICE), the participant's elsewhere.
  const std::string& shown_locale() const;
  static bool console_screen(Screen s);
  // The app reports that the composed REVIEW photo is on screen.
  void set_review_ready() { s_.session.review_ready = true; }

 private:
  using Out = std::vector<Command>;
  void enter(Screen screen, Millis now);
  void to_attract(Millis now, Out& out);  // a fresh session: nothing of the participant kept
  Session fresh_session() const;
  void on_tap(const std::string& target, Millis now, Out& out);
  void on_tick(Millis now, Out& out);
  // One handler per screen for a tap on one of its targets (the language pills aside).
  void tap_attract(const std::string& target, Millis now);
  void tap_pledge(const std::string& target, Millis now, Out& out);
  void tap_age(const std::string& target, Millis now, Out& out);
  void tap_details(const std::string& target, Millis now, Out& out);
  void tap_photo_choice(const std::string& target, Millis now, Out& out);
  void tap_countdown(const std::string& target, Millis now);
  void tap_review(const std::string& target, Millis now, Out& out);
  void tap_thanks(const std::string& target, Millis now, Out& out);
  void tap_admin_pin(const std::string& target, Millis now, Out& out);
  void tap_admin(const std::string& target, Millis now, Out& out);
  void tap_admin_delete_ref(const std::string& target, Millis now, Out& out);
  bool tap_console(const std::string& target, Out& out);  // the console's own actions
  // "access:*": the audio mode and look toggles (ATTRACT, the audio key anywhere in a
  // session), the volume keys, ADMIN's settings. True when the target was one.
  bool tap_access(const std::string& target);
  Millis limit_factor() const { return s_.session.audio ? 2 : 1; }
  // The screens with a timer of their own.
  void tick_countdown(Millis now, Out& out);
  void tick_thanks(Millis now, Out& out);
  void on_key(const std::string& id);
  bool switch_language(const std::string& target);  // true for "lang:<code>" of a language
  void open_admin_pin(Millis now, Out& out);
  void on_pin_checked(bool ok, Millis now);
  void save_pledge(bool with_photo, Millis now, Out& out);
  void start_countdown(Millis now);
  void enter_details(Millis now);
  void to_photo_choice(Millis now);  // DETAILS' text committed, then PHOTO?
  void enter_thanks(Millis now);
  void leave_admin(Millis now, Out& out);
  void check_service(Millis now, Out& out);
  // A camera gap: held for camera_grace_ms while a participant is in session, then lost.
  void camera_gap(Millis now, Out& out);
  TextField* focused_field();
  Session::Keyboard own_keyboard() const;  // the participant's language's layout, unshifted

  MachineOptions options_;
  Millis started_ms_;  // for camera_startup_ms
  BoothState s_;
};

}  // namespace pb::kiosk
