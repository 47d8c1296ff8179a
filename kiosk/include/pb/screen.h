// SPDX-License-Identifier: Apache-2.0
// The booth's screens and, in one table, what each one is: part of a participant's session
// or not, what happens when nobody touches it, whether it shows the live preview, the sign
// text, the language toggle. The machine, the screens and the app ask traits(screen) instead
// of listing screens, so a new screen is one enumerator and one row here (see "Where a change
// goes" in docs/ARCHITECTURE.md). The compiler checks both: the switch below has no default
// (a screen without a row does not build) and each row names every trait (a row that forgets
// one does not build).
#pragma once

#include <cstddef>
#include <iterator>

namespace pb::kiosk {

enum class Screen {
  kAttract,
  kPledge,
  kAgeCheck,  // "I am {min_age} or older" / "I am younger" ([event] min_age > 0 only)
  kDetails,
  kPhotoChoice,  // PHOTO?: "Take my photo" or "Pledge without a photo"; nothing else starts
                 // the camera's countdown
  kCountdown,    // POSE/COUNTDOWN: 3-2-1, flash, still; Cancel goes back to PHOTO?
  kReview,
  kThanks,
  kOutOfService,
  kAdminPin,  // the PIN pad in front of ADMIN
  kAdmin,
  kAdminDeleteRef,  // ADMIN's "Delete a pledge by reference": keypad, then the pledge shown
};

// What happens on a screen when nobody touches it for [booth] idle_timeout_s.
enum class Idle {
  kStays,       // nothing: no participant (ATTRACT, OUT_OF_SERVICE) or a timer of its own
                // (COUNTDOWN fires the shutter, THANKS counts down)
  kToAttract,   // "Still there?", then ATTRACT with nothing kept
  kCloseAdmin,  // the volunteer walked away: ADMIN (or its PIN pad) closes
};

// What a new reason to be out of service (camera lost, disk full, paused) does here.
enum class Interrupt {
  kAtOnce,  // the participant's session ends and OUT_OF_SERVICE shows
  kLater,   // after this screen (the volunteer is busy, or a participant is being thanked)
  kNone,    // this is OUT_OF_SERVICE: it stays until no reason is left
};

struct ScreenTraits {
  Screen screen;
  const char* name;  // in screenshot names, scripts (`expect review`) and frame times
  // A participant is at the booth: a short camera gap (camera_grace_ms) holds his session.
  bool in_session;
  Idle idle;
  Interrupt interrupt;
  // The admin corner's long press opens the PIN pad from here (not from ADMIN itself).
  bool admin_corner;
  // A still or a composed photo may be held here; leaving for ADMIN discards it.
  bool holds_photo;
  // Arriving here forgets the last participant: his photo, link and face leave memory.
  bool forgets_participant;
  bool live_preview;     // shows the mirrored camera preview inside the sign
  bool sign_text;        // that sign carries what he entered (name, answer)
  bool language_toggle;  // the language pills show and switch the language
  bool review_photo;     // shows the composed photo (REVIEW, THANKS)
  // The volunteer's console: speaks the volunteer's language (switched by its own pills),
  // not the last participant's.
  bool console;
};

// The row of each screen. One case per screen and no default: a new Screen without its
// row is a compile error (-Werror=switch), and so is a row without a trait
// (-Werror=missing-field-initializers).
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"
#pragma GCC diagnostic error "-Wmissing-field-initializers"
constexpr ScreenTraits traits(Screen s) {
  switch (s) {
    case Screen::kAttract:
      return {.screen = s,
              .name = "attract",
              .in_session = false,
              .idle = Idle::kStays,
              .interrupt = Interrupt::kAtOnce,
              .admin_corner = true,
              .holds_photo = false,
              .forgets_participant = true,
              .live_preview = true,
              .sign_text = false,
              .language_toggle = true,
              .review_photo = false,
              .console = false};
    case Screen::kPledge:
      return {.screen = s,
              .name = "pledge",
              .in_session = true,
              .idle = Idle::kToAttract,
              .interrupt = Interrupt::kAtOnce,
              .admin_corner = true,
              .holds_photo = false,
              .forgets_participant = false,
              .live_preview = true,
              .sign_text = false,
              .language_toggle = true,
              .review_photo = false,
              .console = false};
    case Screen::kAgeCheck:
      return {.screen = s,
              .name = "age-check",
              .in_session = true,
              .idle = Idle::kToAttract,
              .interrupt = Interrupt::kAtOnce,
              .admin_corner = true,
              .holds_photo = false,
              .forgets_participant = false,
              .live_preview = true,
              .sign_text = false,
              .language_toggle = true,
              .review_photo = false,
              .console = false};
    case Screen::kDetails:
      return {.screen = s,
              .name = "details",
              .in_session = true,
              .idle = Idle::kToAttract,
              .interrupt = Interrupt::kAtOnce,
              .admin_corner = true,
              .holds_photo = false,
              .forgets_participant = false,
              .live_preview = true,
              .sign_text = true,
              .language_toggle = true,
              .review_photo = false,
              .console = false};
    case Screen::kPhotoChoice:
      return {.screen = s,
              .name = "photo-choice",
              .in_session = true,
              .idle = Idle::kToAttract,
              .interrupt = Interrupt::kAtOnce,
              .admin_corner = true,
              .holds_photo = false,
              .forgets_participant = false,
              .live_preview = true,
              .sign_text = true,
              .language_toggle = true,
              .review_photo = false,
              .console = false};
    case Screen::kCountdown:
      return {.screen = s,
              .name = "countdown",
              .in_session = true,
              .idle = Idle::kStays,
              .interrupt = Interrupt::kAtOnce,
              .admin_corner = true,
              .holds_photo = true,
              .forgets_participant = false,
              .live_preview = true,
              .sign_text = true,
              .language_toggle = false,
              .review_photo = false,
              .console = false};
    case Screen::kReview:
      return {.screen = s,
              .name = "review",
              .in_session = true,
              .idle = Idle::kToAttract,
              .interrupt = Interrupt::kAtOnce,
              .admin_corner = true,
              .holds_photo = true,
              .forgets_participant = false,
              .live_preview = false,
              .sign_text = false,
              .language_toggle = true,
              .review_photo = true,
              .console = false};
    case Screen::kThanks:
      return {.screen = s,
              .name = "thanks",
              .in_session = false,
              .idle = Idle::kStays,
              .interrupt = Interrupt::kLater,
              .admin_corner = true,
              .holds_photo = false,
              .forgets_participant = false,
              .live_preview = false,
              .sign_text = false,
              .language_toggle = false,
              .review_photo = true,
              .console = false};
    case Screen::kOutOfService:
      return {.screen = s,
              .name = "out-of-service",
              .in_session = false,
              .idle = Idle::kStays,
              .interrupt = Interrupt::kNone,
              .admin_corner = true,
              .holds_photo = false,
              .forgets_participant = true,
              .live_preview = false,
              .sign_text = false,
              .language_toggle = false,
              .review_photo = false,
              .console = true};
    case Screen::kAdminPin:
      return {.screen = s,
              .name = "admin-pin",
              .in_session = false,
              .idle = Idle::kCloseAdmin,
              .interrupt = Interrupt::kLater,
              .admin_corner = false,
              .holds_photo = false,
              .forgets_participant = false,
              .live_preview = false,
              .sign_text = false,
              .language_toggle = false,
              .review_photo = false,
              .console = true};
    case Screen::kAdmin:
      return {.screen = s,
              .name = "admin",
              .in_session = false,
              .idle = Idle::kCloseAdmin,
              .interrupt = Interrupt::kLater,
              .admin_corner = false,
              .holds_photo = false,
              .forgets_participant = false,
              .live_preview = false,
              .sign_text = false,
              .language_toggle = false,
              .review_photo = false,
              .console = true};
    case Screen::kAdminDeleteRef:
      return {.screen = s,
              .name = "admin-delete-ref",
              .in_session = false,
              .idle = Idle::kCloseAdmin,
              .interrupt = Interrupt::kLater,
              .admin_corner = false,
              .holds_photo = false,
              .forgets_participant = false,
              .live_preview = false,
              .sign_text = false,
              .language_toggle = false,
              .review_photo = false,
              .console = true};
  }
  return {};  // not reached for a valid Screen
}
#pragma GCC diagnostic pop

// Every screen, in the enum's order (for tests and tools that go through all of them).
inline constexpr Screen kScreens[] = {
    Screen::kAttract,      Screen::kPledge,    Screen::kAgeCheck, Screen::kDetails,
    Screen::kPhotoChoice,  Screen::kCountdown, Screen::kReview,   Screen::kThanks,
    Screen::kOutOfService, Screen::kAdminPin,  Screen::kAdmin,    Screen::kAdminDeleteRef,
};
// kScreens is in the enum's order and complete: the value after its last one has no row.
constexpr bool all_screens_listed() {
  for (std::size_t i = 0; i < std::size(kScreens); ++i)
    if (kScreens[i] != static_cast<Screen>(i) || traits(kScreens[i]).screen != kScreens[i])
      return false;
  return traits(static_cast<Screen>(std::size(kScreens))).name == nullptr;
}
static_assert(all_screens_listed(), "add the new screen to kScreens, in the enum's order");

// Rows that contradict themselves do not build either.
constexpr bool traits_agree() {
  for (Screen s : kScreens) {
    const ScreenTraits t = traits(s);
    if (t.sign_text && !t.live_preview) return false;  // the text is drawn on the preview
    if (t.idle == Idle::kToAttract && !t.in_session) return false;  // only he is reset
    if (t.holds_photo && !t.in_session) return false;               // a photo belongs to a session
    if (t.forgets_participant && t.in_session) return false;
    if (!t.admin_corner && t.idle != Idle::kCloseAdmin) return false;  // volunteer screens
  }
  return true;
}
static_assert(traits_agree(), "a screen's traits contradict each other (see traits_agree)");

// "attract", "pledge", … "admin-pin", "admin": traits(s).name.
constexpr const char* to_string(Screen s) {
  return traits(s).name;
}

}  // namespace pb::kiosk
