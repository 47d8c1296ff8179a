// SPDX-License-Identifier: Apache-2.0
// Audio mode (#26): what the narrator says on each screen and state change, in the
// participant's language, and the speech engine (espeak-ng) reaching the audio device.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "pb/booth_machine.h"
#include "pb/config.h"
#include "pb/i18n.h"
#include "pb/sound.h"
#include "speech.h"
#include "test_support.h"

using namespace pb::kiosk;

namespace {

const Strings& strings() {
  static const Strings s = [] {
    auto loaded = Strings::load(pb::config::assets_dir() + "/i18n");
    REQUIRE(loaded);
    return *loaded;
  }();
  return s;
}

bool has(const std::optional<Utterance>& u, const std::string& words) {
  return u && u->text.find(words) != std::string::npos;
}

// The machine, a View of it and a narrator, with the controls a test says are on screen.
struct Narrated {
  Narrated() : m(options(), 0) {}
  static MachineOptions options() {
    MachineOptions o;
    o.languages = strings().languages();
    o.countdown_s = 3;
    o.offer_campaign = true;  // REVIEW asks for campaign use
    return o;
  }
  BoothMachine m;
  pb::config::Config config;
  BoothStatus status;
  Narrator narrator;
  Millis now = 0;
  std::vector<Focusable> items;
  std::size_t focus = 0;

  void feed(const Event& e) { m.handle(e, now); }
  void tap(const std::string& t) { feed(Tap{t}); }
  void wait(Millis ms) {
    for (Millis end = now + ms; now < end;) {
      now = std::min(end, now + 100);
      feed(Tick{});
    }
  }
  std::optional<Utterance> frame() {
    const View v{m,       now,     strings(), config,      status, CameraInfo{},
                 nullptr, nullptr, nullptr,   std::nullopt};
    return narrator.update(v, items, items.empty() ? nullptr : &items[focus]);
  }
};

}  // namespace

TEST_CASE("audio mode says nothing until it is turned on, then the screen and its choices",
          "[kiosk][speech]") {
  Narrated n;
  n.items = {{"attract:start", {}, true, "Tap to start"},
             {"access:audio", {}, false, "Audio guide"},
             {"lang:ko", {}, false, ""}};
  CHECK_FALSE(n.frame());
  n.tap("access:audio");
  const auto u = n.frame();
  REQUIRE(u);
  CHECK(u->locale == "en");
  CHECK(has(u, "Audio guide on."));
  CHECK(has(u, "Take the #HeForShe pledge"));
  CHECK(has(u, "Choices: Tap to start, Audio guide."));  // the languages are reached, not listed
  CHECK(u->text.rfind("Tap to start") > u->text.find("Choices"));  // then the focused control
  CHECK_FALSE(n.frame());                                          // nothing new
  n.focus = 2;
  const auto moved = n.frame();
  REQUIRE(moved);
  CHECK(moved->text == "한국어");  // the focus moved: only the control is said
}

TEST_CASE("audio mode speaks in the participant's language and reads the pledge itself",
          "[kiosk][speech]") {
  Narrated n;
  n.tap("access:audio");
  n.tap("lang:ko");
  n.frame();
  n.tap("attract:start");
  n.items = {{"pledge:agree", {}, true, strings().get("ko", "pledge.agree")}};
  const auto u = n.frame();
  REQUIRE(u);
  CHECK(u->locale == "ko");
  CHECK(has(u, strings().get("ko", "pledge.title")));
  CHECK(has(u, strings().get("ko", "pledge.text")));
  CHECK(has(u, strings().get("ko", "speech.choices").substr(0, 6)));
  n.tap("lang:es");
  const auto es = n.frame();  // a new language says the screen again in it
  REQUIRE(es);
  CHECK(es->locale == "es");
  CHECK(has(es, strings().get("es", "pledge.title")));
}

TEST_CASE("audio mode says the countdown, the photo taken, the consent box and saved",
          "[kiosk][speech]") {
  Narrated n;
  n.tap("access:audio");
  n.tap("attract:start");
  n.tap("pledge:agree");
  n.tap("details:skip");
  n.frame();
  n.tap("photo-choice:take");
  n.items = {{"countdown:cancel", {}, false, "Cancel"}};
  auto u = n.frame();
  CHECK(has(u, "Look up at the camera and smile!"));
  CHECK(has(u, "3"));
  n.wait(1000);
  CHECK(n.frame()->text == "2");
  n.wait(1000);
  CHECK(n.frame()->text == "1");
  n.wait(1000);
  n.feed(StillTaken{});
  CHECK(has(n.frame(), "Photo taken."));
  n.wait(1000);
  REQUIRE(n.m.state().screen == Screen::kReview);
  n.items = {{"review:campaign", {}, false, "Share my photo"},
             {"review:use", {}, true, "Use this photo"}};
  n.focus = 0;
  u = n.frame();
  CHECK(has(u, "How does it look?"));
  CHECK(has(u, "Share my photo, not ticked"));
  n.tap("review:campaign");  // Space on the box: same control, new state
  CHECK(n.frame()->text == "Share my photo, ticked");
  n.tap("review:use");
  n.items = {{"thanks:done", {}, false, "Done"}};
  n.focus = 0;
  u = n.frame();
  CHECK(has(u, "Thank you!"));
  CHECK(has(u, "Saving your pledge"));
  n.feed(SaveDone{"0123456789abcdef", 7, "https://example.org"});
  u = n.frame();
  CHECK(has(u, "Saved."));
  CHECK(has(u, "#7"));
}

TEST_CASE("audio mode says the idle warning with the time left, and goes off when turned off",
          "[kiosk][speech]") {
  Narrated n;
  n.tap("attract:start");
  n.tap("access:audio");
  n.items = {{"pledge:agree", {}, true, "I agree"}};
  n.frame();
  n.wait(50'500);  // the warning: doubled in audio mode, 40 s before the 90 s timeout
  n.items = {{"idle:still-here", {}, true, "I'm still here"}};
  auto u = n.frame();
  CHECK(has(u, "Still there?"));
  n.wait(30'000);
  CHECK(has(n.frame(), "10 seconds left."));
  n.tap("idle:still-here");
  n.tap("access:audio");
  CHECK(n.frame()->text == "Audio guide off.");
  CHECK_FALSE(n.frame());
  n.tap("access:volume-down");
  CHECK(n.frame()->text == "Volume 6.");  // heard at its new level, audio mode or not
}

TEST_CASE("the speech engine logs each utterance and its voices reach the audio device",
          "[kiosk][speech]") {
  pb::test::TempDir dir("speech");
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  {
    Sound sound(false);  // the beeps off: speech still plays
    REQUIRE(sound.active());
    Speech speech(sound, dir / "said.log");
    CHECK(speech.problem().empty());
    for (const char* locale : {"en", "ko", "es", "fr"}) {
      speech.say({locale, strings().get(locale, "attract.title"), 5});
      INFO(locale);
      CHECK(pb::test::eventually([&] { return speech.heard().has_value(); },
                                 pb::test::scaled(std::chrono::seconds(10))));
    }
  }
  const std::string log = pb::test::read_file(dir / "said.log");
  CHECK(log.find("en\tTake the #HeForShe pledge\n") != std::string::npos);
  CHECK(log.find("ko\t" + strings().get("ko", "attract.title") + "\n") != std::string::npos);
  ::unsetenv("SDL_AUDIODRIVER");
}

TEST_CASE("without an audio device speech is logged, silent, and says why", "[kiosk][speech]") {
  pb::test::TempDir dir("speech-none");
  ::setenv("SDL_AUDIODRIVER", "no-such-driver", 1);
  {
    Sound sound(true);
    REQUIRE_FALSE(sound.active());
    Speech speech(sound, dir / "said.log");
    CHECK(speech.problem() == "speech.problem_device");
    speech.say({"en", "Still there?", 7});
    CHECK_FALSE(speech.heard());
  }
  CHECK(pb::test::read_file(dir / "said.log") == "en\tStill there?\n");
  ::unsetenv("SDL_AUDIODRIVER");
}
