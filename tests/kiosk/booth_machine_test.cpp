// SPDX-License-Identifier: Apache-2.0
// BoothMachine: every transition and timeout, stepped with a fake clock (no SDL, no sleep).
#include <catch2/catch.hpp>

#include <iterator>
#include <set>
#include <string>

#include "pb/booth_machine.h"

using namespace pb::kiosk;

namespace {

// A machine with a clock the test moves by hand, and the commands it gave so far. Its camera
// is up from the start (camera_startup_ms 0) unless a test gives other options.
// REVIEW offers campaign use (a), as a booth with an upload target does.
MachineOptions camera_up() {
  MachineOptions o;
  o.camera_startup_ms = 0;
  o.offer_campaign = true;
  return o;
}

struct Booth {
  explicit Booth(MachineOptions o = camera_up()) : m(std::move(o), 1000) {}
  BoothMachine m;
  Millis now = 1000;
  std::vector<Command> cmds;

  std::vector<Command> feed(const Event& e) {
    auto out = m.handle(e, now);
    cmds.insert(cmds.end(), out.begin(), out.end());
    return out;
  }
  std::vector<Command> tap(const std::string& t) { return feed(Tap{t}); }
  // Advances the clock in 100 ms frames, ticking each one.
  void wait(Millis ms) {
    for (Millis end = now + ms; now < end;) {
      now = std::min(end, now + 100);
      feed(Tick{});
    }
  }
  Screen screen() const { return m.state().screen; }
  // The keyboard shows this language's layout, shifted or not.
  bool keyboard_is(const std::string& layout, bool shifted) const {
    return m.state().session.keyboard.layout == layout &&
           m.state().session.keyboard.shifted == shifted;
  }
  template <typename C>
  int count() const {
    int n = 0;
    for (const auto& c : cmds) n += std::holds_alternative<C>(c) ? 1 : 0;
    return n;
  }
  template <typename C>
  const C* last() const {
    for (auto it = cmds.rbegin(); it != cmds.rend(); ++it)
      if (const auto* c = std::get_if<C>(&*it)) return c;
    return nullptr;
  }
  // The admin corner, the PIN and its check: ADMIN.
  void to_admin() {
    feed(LongPress{"admin:open"});
    for (const char* k : {"pin:1", "pin:2", "pin:3", "pin:4", "pin:ok"}) tap(k);
    feed(PinChecked{true});
    REQUIRE(screen() == Screen::kAdmin);
  }
  // ATTRACT → … → REVIEW with a still taken.
  void to_review() {
    tap("attract:start");
    tap("pledge:agree");
    tap("details:next");
    tap("photo-choice:take");
    wait(3000);
    REQUIRE(count<TakeStill>() > 0);
    feed(StillTaken{});
    wait(500);
    REQUIRE(screen() == Screen::kReview);
  }
};

}  // namespace

TEST_CASE("the flow goes attract pledge details photo-choice countdown review thanks attract",
          "[kiosk][machine]") {
  Booth b;
  CHECK(b.screen() == Screen::kAttract);
  b.tap("attract:start");
  CHECK(b.screen() == Screen::kPledge);
  b.tap("pledge:agree");
  CHECK(b.screen() == Screen::kDetails);
  for (const char* k : {"key:A", "key:l", "key:e", "key:x"}) b.tap(k);
  b.tap("pick:sister");
  b.tap("details:next");
  CHECK(b.screen() == Screen::kPhotoChoice);  // the camera waits for his answer
  b.wait(5'000);
  CHECK(b.count<TakeStill>() == 0);
  b.tap("photo-choice:take");
  CHECK(b.screen() == Screen::kCountdown);
  CHECK(b.m.countdown_digit(b.now) == 3);
  b.wait(1000);
  CHECK(b.m.countdown_digit(b.now) == 2);
  b.wait(1000);
  CHECK(b.m.countdown_digit(b.now) == 1);
  CHECK(b.count<TakeStill>() == 0);
  b.wait(1000);
  CHECK(b.count<TakeStill>() == 1);
  CHECK(b.m.flashing(b.now));
  b.feed(StillTaken{});
  CHECK(b.screen() == Screen::kCountdown);  // the flash finishes first
  b.wait(400);
  CHECK(b.screen() == Screen::kReview);
  const auto* compose = b.last<ComposeReview>();
  REQUIRE(compose);
  CHECK(compose->first_name == "Alex");
  CHECK(compose->answer_pick == "sister");
  b.tap("review:campaign");
  b.tap("review:use");
  CHECK(b.screen() == Screen::kThanks);
  const auto* save = b.last<SavePledge>();
  REQUIRE(save);
  CHECK(save->with_photo);
  CHECK(save->choices.campaign);
  CHECK(save->consent_version == 1);
  CHECK(save->first_name == "Alex");
  CHECK(save->locale == "en");
  CHECK(b.count<DiscardPhoto>() == 0);
  b.feed(SaveDone{"id-1", 143, "https://x/y.jpg"});
  REQUIRE(b.m.state().session.saved);
  CHECK(b.m.state().session.saved->supporter_number == 143);
  b.wait(11'900);
  CHECK(b.screen() == Screen::kThanks);
  b.wait(200);
  CHECK(b.screen() == Screen::kAttract);
  CHECK(b.m.state().session.first_name.text().empty());
  CHECK(b.m.state().session.answer_pick.empty());
}

TEST_CASE("every screen has a name of its own for scripts and screenshots", "[kiosk][machine]") {
  std::set<std::string> names;
  for (Screen s : kScreens) {
    INFO(static_cast<int>(s));
    REQUIRE(to_string(s) != nullptr);
    CHECK(std::string(to_string(s)).find_first_not_of("abcdefghijklmnopqrstuvwxyz-") ==
          std::string::npos);
    CHECK(names.insert(to_string(s)).second);
  }
  CHECK(names.size() == std::size(kScreens));
  CHECK(std::string(to_string(Screen::kOutOfService)) == "out-of-service");
}

TEST_CASE("the idle rule and the language pills follow the screen's row", "[kiosk][machine]") {
  for (Screen s : kScreens) {
    INFO(to_string(s));
    // "Still there?" shows exactly on the screens whose idle reset ends a session.
    CHECK((traits(s).idle == Idle::kToAttract) ==
          (s == Screen::kPledge || s == Screen::kAgeCheck || s == Screen::kDetails ||
           s == Screen::kPhotoChoice || s == Screen::kReview));
  }
  Booth b;
  b.tap("attract:start");
  b.wait(45'000 - 10'000);
  CHECK(b.m.idle_warning_left(b.now) > 0);  // PLEDGE: kToAttract
  b.tap("pledge:agree");
  b.tap("details:next");
  b.tap("photo-choice:take");
  b.tap("lang:ko");  // COUNTDOWN has no language pills: ignored
  CHECK(b.m.state().session.locale == "en");
}

TEST_CASE("not now on the pledge goes back to attract", "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:not-now");
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("consent is opt in and defaults to not shared", "[kiosk][machine]") {
  Booth b;
  b.to_review();
  CHECK_FALSE(b.m.state().session.choices.campaign);
  b.tap("review:campaign");
  b.tap("review:campaign");
  b.tap("review:use");
  const auto* save = b.last<SavePledge>();
  REQUIRE(save);
  CHECK(save->with_photo);
  CHECK_FALSE(save->choices.campaign);
  CHECK(save->consent_version == 1);  // the text shown is recorded either way
}

TEST_CASE("each use is a choice of its own off by default and only an offered one counts",
          "[kiosk][machine][consent]") {
  MachineOptions o = camera_up();
  o.offer_wall = true;
  o.consent_version = 7;
  {
    Booth b(o);  // campaign and wall offered, no public link
    b.to_review();
    const Choices& c = b.m.state().session.choices;
    CHECK_FALSE(c.campaign);
    CHECK_FALSE(c.wall);
    CHECK_FALSE(c.link);
    b.tap("review:wall");
    b.tap("review:link");  // not offered on this booth: no effect
    CHECK(c.wall);
    CHECK_FALSE(c.link);
    b.tap("review:use");
    const auto* save = b.last<SavePledge>();
    REQUIRE(save);
    CHECK_FALSE(save->choices.campaign);
    CHECK(save->choices.wall);
    CHECK_FALSE(save->choices.link);
    CHECK(save->consent_version == 7);
  }
  {
    o.offer_link = true;
    Booth b(o);
    b.to_review();
    for (const char* t : {"review:campaign", "review:wall", "review:link"}) b.tap(t);
    b.tap("review:campaign");  // and back off
    b.tap("review:retake");    // a new photo: every choice starts off again
    b.wait(3000);
    b.feed(StillTaken{});
    b.wait(500);
    REQUIRE(b.screen() == Screen::kReview);
    CHECK_FALSE(b.m.state().session.choices.any());
    b.tap("review:link");
    b.tap("review:use");
    const auto* save = b.last<SavePledge>();
    REQUIRE(save);
    CHECK_FALSE(save->choices.campaign);
    CHECK_FALSE(save->choices.wall);
    CHECK(save->choices.link);
  }
  {
    o.offer_campaign = o.offer_wall = o.offer_link = false;  // uploads off, no wall
    Booth b(o);
    b.to_review();
    for (const char* t : {"review:campaign", "review:wall", "review:link"}) b.tap(t);
    b.tap("review:use");
    const auto* save = b.last<SavePledge>();
    REQUIRE(save);
    CHECK(save->with_photo);
    CHECK_FALSE(save->choices.any());   // nothing this booth cannot honour is recorded
    CHECK(save->consent_version == 7);  // the "not kept" wording was shown
  }
}

TEST_CASE("count me without a photo discards the photo before saving", "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:campaign");
  b.cmds.clear();
  b.tap("review:no-photo");
  CHECK(b.cmds.empty());  // asked first (see below)
  b.tap("no-photo:confirm");
  REQUIRE(b.cmds.size() == 2);
  CHECK(std::holds_alternative<DiscardPhoto>(b.cmds[0]));
  const auto* save = std::get_if<SavePledge>(&b.cmds[1]);
  REQUIRE(save);
  CHECK_FALSE(save->with_photo);
  CHECK_FALSE(save->choices.campaign);
  CHECK(save->consent_version == 0);
  CHECK(b.screen() == Screen::kThanks);
}

TEST_CASE("retakes are limited by max_retakes", "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.max_retakes = 2;
  Booth b(o);
  b.to_review();
  for (int i = 0; i < 2; ++i) {
    b.tap("review:retake");
    CHECK(b.screen() == Screen::kCountdown);
    b.wait(3000);
    b.feed(StillTaken{});
    b.wait(500);
    CHECK(b.screen() == Screen::kReview);
  }
  CHECK(b.m.retakes_left() == 0);
  CHECK(b.count<DiscardPhoto>() == 2);
  b.tap("review:retake");
  CHECK(b.screen() == Screen::kReview);
  CHECK(b.count<TakeStill>() == 3);
}

TEST_CASE("the idle timeout returns every participant screen to attract and keeps nothing",
          "[kiosk][machine]") {
  for (int where = 0; where < 3; ++where) {
    Booth b;
    b.tap("attract:start");
    if (where >= 1) {
      b.tap("pledge:agree");
      b.tap("key:J");
    }
    if (where == 2) {
      b.tap("details:next");
      b.tap("photo-choice:take");
      b.wait(3000);
      b.feed(StillTaken{});
      b.wait(500);
      REQUIRE(b.screen() == Screen::kReview);
    }
    const Screen before = b.screen();
    b.wait(44'500);  // REVIEW was entered up to 400 ms before this point
    CHECK(b.screen() == before);
    b.wait(600);
    CHECK(b.screen() == Screen::kAttract);
    CHECK(b.count<SavePledge>() == 0);
    CHECK(b.m.state().session.first_name.text().empty());
    CHECK(b.count<DiscardPhoto>() == (where == 2 ? 1 : 0));
  }
}

TEST_CASE("each touch restarts the idle timeout", "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.wait(40'000);
  b.tap("key:a");
  b.wait(40'000);
  CHECK(b.screen() == Screen::kDetails);
  b.wait(5'100);
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("moving the focus by keys restarts the idle timeout and cancels still there",
          "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.wait(40'000);
  REQUIRE(b.m.idle_warning_left(b.now) > 0);
  b.feed(KeyMoved{});  // Tab or an arrow: no tap, but he is there
  CHECK(b.m.idle_warning_left(b.now) == 0);
  b.wait(40'000);
  CHECK(b.screen() == Screen::kDetails);
  CHECK(b.m.state().session.focus == Session::Focus::kName);  // nothing else changed
  b.wait(5'100);
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("the countdown ignores taps and has no idle timeout", "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.idle_timeout_ms = 10'000;
  Booth b(o);
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.wait(9'000);
  b.tap("details:skip");
  b.tap("photo-choice:take");
  b.wait(2'000);
  b.tap("review:retake");
  b.tap("review:use");
  CHECK(b.screen() == Screen::kCountdown);
  b.wait(1'000);
  REQUIRE(b.count<TakeStill>() == 1);
  b.wait(20'000);  // the still is late: wait, do not time out
  CHECK(b.screen() == Screen::kCountdown);
  CHECK(b.count<TakeStill>() == 1);
}

TEST_CASE("details skip clears what was typed", "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.tap("key:B");
  b.tap("pick:mother");
  b.tap("details:skip");
  b.tap("photo-choice:take");
  b.wait(3000);
  b.feed(StillTaken{});
  b.wait(500);
  const auto* compose = b.last<ComposeReview>();
  REQUIRE(compose);
  CHECK(compose->first_name.empty());
  CHECK(compose->answer_pick.empty());
}

TEST_CASE("details back returns to the pledge", "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.tap("details:back");
  CHECK(b.screen() == Screen::kPledge);
}

TEST_CASE("own words replace a quick pick and a pick replaces own words", "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.tap("pick:daughter");
  CHECK(b.m.state().session.answer_pick == "daughter");
  b.tap("pick:daughter");
  CHECK(b.m.state().session.answer_pick.empty());
  b.tap("pick:friends");
  b.tap("field:words");
  b.tap("key:h");
  b.tap("key:i");
  CHECK(b.m.state().session.answer_pick.empty());
  CHECK(b.m.state().session.answer_words.text() == "hi");
  b.tap("pick:everyone");
  CHECK(b.m.state().session.answer_words.text().empty());
  CHECK(b.m.state().session.answer_pick == "everyone");
  b.tap("pick:nonsense");
  CHECK(b.m.state().session.answer_pick == "everyone");
}

TEST_CASE("the keyboard follows the language and shift is one shot", "[kiosk][machine]") {
  Booth b;
  b.tap("lang:ko");
  b.tap("attract:start");
  b.tap("pledge:agree");
  CHECK(b.keyboard_is("ko", false));
  CHECK(b.m.keyboard_switch() == "en");
  for (const char* k : {"key:ㅁ", "key:ㅣ", "key:ㄴ", "key:shift", "key:ㅉ", "key:ㅜ", "key:ㄴ"})
    b.tap(k);
  CHECK(b.m.state().session.first_name.text() == "민쭌");
  CHECK(b.keyboard_is("ko", false));
  b.tap("key:back");
  CHECK(b.m.state().session.first_name.text() == "민쭈");
  b.tap("key:mode");
  CHECK(b.keyboard_is("en", false));
  b.tap("key:shift");
  b.tap("key:J");
  b.tap("key:o");
  CHECK(b.m.state().session.first_name.text() == "민쭈Jo");
  b.tap("key:done");
  CHECK(b.m.state().session.focus == Session::Focus::kNone);
  b.tap("key:x");
  CHECK(b.m.state().session.first_name.text() == "민쭈Jo");
  b.tap("lang:en");
  b.tap("field:name");
  CHECK(b.keyboard_is("en", false));
}

TEST_CASE("a third language types with its own keyboard and mode toggles to hangul and back",
          "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.languages = {
      {"en", {{}, {}, "ko", "ABC"}}, {"es", {{}, {}, "ko", "ABC"}}, {"ko", {{}, {}, "en", "한글"}}};
  Booth b(o);
  b.tap("lang:es");
  CHECK(b.m.state().session.locale == "es");
  b.tap("attract:start");
  b.tap("pledge:agree");
  CHECK(b.keyboard_is("es", false));
  for (const char* k : {"key:shift", "key:A", "key:n", "key:d", "key:r", "key:é", "key:s"})
    b.tap(k);
  CHECK(b.m.state().session.first_name.text() == "Andrés");
  CHECK(b.keyboard_is("es", false));  // shift was one shot
  b.tap("key:shift");
  CHECK(b.keyboard_is("es", true));
  b.tap("key:shift");
  b.tap("key:mode");
  CHECK(b.keyboard_is("ko", false));
  b.tap("key:mode");
  CHECK(b.keyboard_is("es", false));
  b.tap("lang:ko");
  b.tap("field:name");
  CHECK(b.keyboard_is("ko", false));
  b.tap("key:mode");
  CHECK(b.keyboard_is("en", false));  // Korean's Latin is plain QWERTY
  b.tap("lang:xx");
  CHECK(b.m.state().session.locale == "ko");
}

TEST_CASE("the mode key switches only to the layout of a registered language", "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.languages = {{"en", {{}, {}, "ko", "ABC"}}, {"fr", {{}, {}, "", "ABC"}}};
  Booth b(o);
  b.tap("attract:start");
  b.tap("pledge:agree");
  CHECK(b.keyboard_is("en", false));
  CHECK(b.m.keyboard_switch().empty());  // "ko" names no table of this booth
  b.tap("key:mode");
  CHECK(b.keyboard_is("en", false));
  b.tap("lang:fr");
  CHECK(b.keyboard_is("fr", false));
  CHECK(b.m.keyboard_switch().empty());
  b.tap("key:mode");
  CHECK(b.keyboard_is("fr", false));
  for (const char* k : {"key:shift", "key:J", "key:é", "key:r", "key:ô", "key:m", "key:e"})
    b.tap(k);
  CHECK(b.m.state().session.first_name.text() == "Jérôme");
}

TEST_CASE("the language resets to the default for the next participant", "[kiosk][machine]") {
  Booth b;
  b.tap("lang:ko");
  CHECK(b.m.state().session.locale == "ko");
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.tap("details:next");
  b.tap("photo-choice:take");
  b.wait(3000);
  b.feed(StillTaken{});
  b.wait(500);
  b.tap("review:use");
  CHECK(b.last<SavePledge>()->locale == "ko");
  b.tap("thanks:done");
  CHECK(b.screen() == Screen::kAttract);
  CHECK(b.m.state().session.locale == "en");
}

TEST_CASE("a failed still puts the booth out of service until the camera is back",
          "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.tap("details:next");
  b.tap("photo-choice:take");
  b.wait(3000);
  b.feed(StillFailed{});
  // The shutter waits out the grace period, asking for the still on every tick.
  CHECK(b.screen() == Screen::kCountdown);
  const int asked = b.count<TakeStill>();
  b.wait(b.m.options().camera_grace_ms - 100);
  CHECK(b.screen() == Screen::kCountdown);
  CHECK(b.count<TakeStill>() > asked);
  b.feed(StillFailed{});
  b.wait(200);
  CHECK(b.screen() == Screen::kOutOfService);
  CHECK(b.m.state().oos.camera_lost);
  b.feed(CameraState{true});
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("camera lost mid flow discards the photo and goes out of service", "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.feed(CameraState{false});
  b.wait(b.m.options().camera_grace_ms);
  CHECK(b.screen() == Screen::kOutOfService);
  CHECK(b.count<DiscardPhoto>() == 1);
  b.tap("attract:start");
  CHECK(b.screen() == Screen::kOutOfService);
  b.feed(CameraState{true});
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("a camera gap of a second or two during review holds the participant's session",
          "[kiosk][machine][camera]") {
  Booth b;
  b.to_review();
  b.tap("review:campaign");
  for (int i = 0; i < 4; ++i) {  // reported every 500 ms, as the app does
    b.feed(CameraState{false});
    b.wait(500);
  }
  CHECK(b.screen() == Screen::kReview);
  CHECK(b.count<DiscardPhoto>() == 0);
  b.feed(CameraState{true});
  b.wait(b.m.options().camera_grace_ms * 2);
  CHECK(b.screen() == Screen::kReview);
  CHECK(b.m.state().session.choices.campaign);
  b.tap("review:use");
  CHECK(b.screen() == Screen::kThanks);
  REQUIRE(b.last<SavePledge>());
  CHECK(b.last<SavePledge>()->with_photo);
}

TEST_CASE("a camera gap at the shutter takes the still once the camera is back",
          "[kiosk][machine][camera]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.tap("details:next");
  b.tap("photo-choice:take");
  b.wait(2500);
  b.feed(CameraState{false});
  b.wait(500);
  REQUIRE(b.count<TakeStill>() == 1);
  b.feed(StillFailed{});
  b.wait(1000);
  b.feed(StillFailed{});
  CHECK(b.screen() == Screen::kCountdown);
  b.feed(CameraState{true});
  b.wait(100);
  b.feed(StillTaken{});
  b.wait(500);
  CHECK(b.screen() == Screen::kReview);
  CHECK(b.count<ComposeReview>() == 1);
  // The gap is forgotten: a later short gap gets the whole grace period again.
  b.feed(CameraState{false});
  b.wait(b.m.options().camera_grace_ms - 200);
  CHECK(b.screen() == Screen::kReview);
}

TEST_CASE("a camera gap longer than the grace period ends the session",
          "[kiosk][machine][camera]") {
  MachineOptions o = camera_up();
  o.camera_grace_ms = 2000;
  Booth b(o);
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.feed(CameraState{false});
  b.wait(1900);
  CHECK(b.screen() == Screen::kDetails);
  b.feed(CameraState{false});
  b.wait(200);
  CHECK(b.screen() == Screen::kOutOfService);
  CHECK(b.m.state().oos.camera_lost);
  CHECK(b.m.state().session.first_name.text().empty());
}

TEST_CASE("a camera that sends nothing in the first seconds is not lost yet",
          "[kiosk][machine][camera]") {
  MachineOptions o;  // camera_startup_ms 5000
  Booth b(o);
  b.feed(CameraState{false});
  b.wait(4900);
  b.feed(CameraState{false});
  CHECK(b.screen() == Screen::kAttract);
  b.wait(100);
  b.feed(CameraState{false});
  CHECK(b.screen() == Screen::kOutOfService);
  b.feed(CameraState{true});
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("a camera gap at attract puts the booth out of service at once",
          "[kiosk][machine][camera]") {
  Booth b;
  b.feed(CameraState{false});
  CHECK(b.screen() == Screen::kOutOfService);
}

TEST_CASE("a full disk during a save tells the participant then goes out of service",
          "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:use");
  b.wait(2000);
  b.feed(SaveFailed{"oos.disk_full", {}, "ENOSPC"});
  // THANKS says the pledge was not saved, for a whole thank-you's time.
  CHECK(b.screen() == Screen::kThanks);
  CHECK(b.m.state().session.save_failed);
  CHECK_FALSE(b.m.state().session.saved);
  CHECK_FALSE(b.m.state().session.saving);
  // A storage report in the same batch does not open the booth while saving is broken.
  b.feed(StorageState{false, "oos.disk_full", {{"free", "0"}}});
  b.wait(b.m.options().thanks_timeout_ms - 100);
  CHECK(b.screen() == Screen::kThanks);
  b.wait(200);
  CHECK(b.screen() == Screen::kOutOfService);
  CHECK_FALSE(b.m.state().session.save_failed);
  CHECK(b.m.state().oos.storage_message == "oos.disk_full");
  CHECK(b.m.state().oos.storage_args.size() == 1);
  b.tap("attract:start");
  CHECK(b.screen() == Screen::kOutOfService);
  b.feed(StorageState{true, "", {}});
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("a failed save after the participant left goes out of service at once",
          "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:no-photo");
  b.tap("thanks:done");
  b.feed(SaveFailed{"oos.save_failed", {}, "I/O error"});
  CHECK(b.screen() == Screen::kOutOfService);
}

TEST_CASE("low storage waits for thanks to finish before going out of service",
          "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:use");
  b.feed(SaveDone{"id", 7, "u"});
  b.feed(StorageState{false, "oos.disk_low", {}});
  CHECK(b.screen() == Screen::kThanks);
  b.wait(12'100);
  CHECK(b.screen() == Screen::kOutOfService);
}

TEST_CASE("the admin corner needs a long press and a correct pin", "[kiosk][machine]") {
  Booth b;
  b.tap("admin:open");
  CHECK(b.screen() == Screen::kAttract);
  b.feed(LongPress{"admin:open"});
  CHECK(b.screen() == Screen::kAdminPin);
  b.tap("pin:1");
  b.tap("pin:2");
  b.tap("pin:3");
  b.tap("pin:ok");
  CHECK(b.count<VerifyPin>() == 0);  // too short
  b.tap("pin:4");
  b.tap("pin:ok");
  REQUIRE(b.last<VerifyPin>());
  CHECK(b.last<VerifyPin>()->pin == "1234");
  b.feed(PinChecked{true});
  CHECK(b.screen() == Screen::kAdmin);
  b.tap("admin:close");
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("the admin corner does nothing when no pin is configured", "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.admin_enabled = false;
  Booth b(o);
  b.feed(LongPress{"admin:open"});
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("five wrong pins lock the pad for sixty seconds", "[kiosk][machine]") {
  Booth b;
  b.feed(LongPress{"admin:open"});
  for (int i = 0; i < 5; ++i) {
    for (const char* k : {"pin:9", "pin:9", "pin:9", "pin:9", "pin:ok"}) b.tap(k);
    b.feed(PinChecked{false});
    CHECK(b.m.state().admin.pin_failed_last);
  }
  CHECK(b.m.pin_locked(b.now));
  const int asked = b.count<VerifyPin>();
  for (const char* k : {"pin:1", "pin:2", "pin:3", "pin:4", "pin:ok"}) b.tap(k);
  CHECK(b.count<VerifyPin>() == asked);
  b.wait(30'000);  // touches keep the pad from idling out meanwhile
  b.tap("pin:1");
  b.wait(29'900);
  CHECK(b.m.pin_locked(b.now));
  b.wait(200);
  CHECK_FALSE(b.m.pin_locked(b.now));
  for (const char* k : {"pin:1", "pin:2", "pin:3", "pin:4", "pin:ok"}) b.tap(k);
  CHECK(b.count<VerifyPin>() == asked + 1);
  b.feed(PinChecked{true});
  CHECK(b.screen() == Screen::kAdmin);
}

TEST_CASE("the lock survives leaving and coming back to the pin pad", "[kiosk][machine]") {
  Booth b;
  b.feed(LongPress{"admin:open"});
  for (int i = 0; i < 5; ++i) {
    for (const char* k : {"pin:9", "pin:9", "pin:9", "pin:9", "pin:ok"}) b.tap(k);
    b.feed(PinChecked{false});
  }
  b.tap("pin:cancel");
  CHECK(b.screen() == Screen::kAttract);
  b.feed(LongPress{"admin:open"});
  CHECK(b.m.pin_locked(b.now));
}

TEST_CASE("admin pause puts the booth out of service until resumed", "[kiosk][machine]") {
  Booth b;
  b.feed(LongPress{"admin:open"});
  for (const char* k : {"pin:1", "pin:2", "pin:3", "pin:4", "pin:ok"}) b.tap(k);
  b.feed(PinChecked{true});
  b.tap("admin:pause");
  CHECK(b.screen() == Screen::kAdmin);
  b.tap("admin:close");
  CHECK(b.screen() == Screen::kOutOfService);
  CHECK(b.m.state().oos.paused);
  b.feed(LongPress{"admin:open"});
  CHECK(b.screen() == Screen::kAdminPin);
  for (const char* k : {"pin:1", "pin:2", "pin:3", "pin:4", "pin:ok"}) b.tap(k);
  b.feed(PinChecked{true});
  b.tap("admin:pause");
  b.tap("admin:close");
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("admin delete last pledge needs a second tap and upload now and exit send commands",
          "[kiosk][machine]") {
  Booth b;
  b.feed(LongPress{"admin:open"});
  for (const char* k : {"pin:1", "pin:2", "pin:3", "pin:4", "pin:ok"}) b.tap(k);
  b.feed(PinChecked{true});
  b.tap("admin:delete");
  CHECK(b.count<DeleteLastPledge>() == 0);
  CHECK(b.m.state().admin.confirm_delete);
  b.tap("admin:upload");
  CHECK(b.count<UploadNow>() == 1);
  CHECK_FALSE(b.m.state().admin.confirm_delete);
  b.tap("admin:delete");
  b.tap("admin:delete");
  CHECK(b.count<DeleteLastPledge>() == 1);
  b.tap("admin:exit");
  CHECK(b.count<ExitBooth>() == 0);  // asks first
  CHECK(b.m.state().admin.confirm_exit);
  b.tap("admin:pause");  // anything else cancels the question
  CHECK_FALSE(b.m.state().admin.confirm_exit);
  b.tap("admin:exit");
  b.tap("admin:exit");
  CHECK(b.count<ExitBooth>() == 1);
}

TEST_CASE("admin and the pin pad time out to attract", "[kiosk][machine]") {
  Booth b;
  b.feed(LongPress{"admin:open"});
  b.wait(45'100);
  CHECK(b.screen() == Screen::kAttract);
  b.feed(LongPress{"admin:open"});
  for (const char* k : {"pin:1", "pin:2", "pin:3", "pin:4", "pin:ok"}) b.tap(k);
  b.feed(PinChecked{true});
  b.wait(45'100);
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("out of service stays while admin is open and resolves on close", "[kiosk][machine]") {
  Booth b;
  b.feed(LongPress{"admin:open"});
  for (const char* k : {"pin:1", "pin:2", "pin:3", "pin:4", "pin:ok"}) b.tap(k);
  b.feed(PinChecked{true});
  b.feed(CameraState{false});
  CHECK(b.screen() == Screen::kAdmin);
  b.tap("admin:close");
  CHECK(b.screen() == Screen::kOutOfService);
}

TEST_CASE("a long press in the middle of a participant discards the photo", "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.feed(LongPress{"admin:open"});
  CHECK(b.screen() == Screen::kAdminPin);
  CHECK(b.count<DiscardPhoto>() == 1);
  b.tap("pin:cancel");
  CHECK(b.screen() == Screen::kAttract);
  CHECK(b.count<SavePledge>() == 0);
}

TEST_CASE("a save result arriving after thanks timed out is ignored", "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:no-photo");
  b.tap("no-photo:confirm");
  b.wait(12'100);
  CHECK(b.screen() == Screen::kAttract);
  b.feed(SaveDone{"late", 3, "u"});
  CHECK_FALSE(b.m.state().session.saved);
}

TEST_CASE(
    "still there shows for the last twenty seconds before an idle reset and a touch cancels it",
    "[kiosk][machine]") {
  Booth b;  // idle_timeout 45 s, warning 20 s (WCAG 2.2 2.2.1: at least 20 s to answer)
  b.to_review();
  b.tap("review:campaign");
  b.wait(24'900);
  CHECK(b.m.idle_warning_left(b.now) == 0);
  b.wait(200);
  const Millis left = b.m.idle_warning_left(b.now);
  CHECK(left > 19'000);
  CHECK(left <= 20'000);
  b.wait(5'000);
  CHECK(b.m.idle_warning_left(b.now) == left - 5'000);  // it counts down with the clock
  b.tap("idle:still-here");
  CHECK(b.m.idle_warning_left(b.now) == 0);
  CHECK(b.screen() == Screen::kReview);
  CHECK(b.m.state().session.choices.campaign);  // the finished pledge and photo are still there
  CHECK(b.count<DiscardPhoto>() == 0);
  // Ignored, the warning runs out and the booth resets.
  b.wait(45'100);
  CHECK(b.screen() == Screen::kAttract);
  CHECK(b.count<DiscardPhoto>() == 1);
}

TEST_CASE("still there takes at most half of a short idle timeout and never shows on thanks",
          "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.idle_timeout_ms = 8'000;
  Booth b(o);
  b.tap("attract:start");
  b.wait(3'900);
  CHECK(b.m.idle_warning_left(b.now) == 0);
  b.wait(200);
  CHECK(b.m.idle_warning_left(b.now) > 0);
  b.tap("pledge:agree");
  b.tap("details:next");
  b.tap("photo-choice:take");
  b.wait(3'000);
  b.feed(StillTaken{});
  b.wait(500);
  b.tap("review:use");
  REQUIRE(b.screen() == Screen::kThanks);
  b.wait(11'000);
  CHECK(b.m.idle_warning_left(b.now) == 0);
}

TEST_CASE("thanks counts down and more time extends it but never piles up", "[kiosk][machine]") {
  Booth b;  // thanks 12 s, more time 30 s
  b.to_review();
  b.tap("review:use");
  REQUIRE(b.screen() == Screen::kThanks);
  CHECK(b.m.thanks_left(b.now) == 12'000);
  b.wait(10'000);
  CHECK(b.m.thanks_left(b.now) == 2'000);
  b.tap("thanks:more-time");
  CHECK(b.m.thanks_left(b.now) == 32'000);
  for (int i = 0; i < 5; ++i) b.tap("thanks:more-time");  // a finger that keeps tapping
  CHECK(b.m.thanks_left(b.now) == 42'000);
  CHECK(b.m.thanks_span() >= b.m.thanks_left(b.now));
  b.wait(41'900);
  CHECK(b.screen() == Screen::kThanks);
  b.wait(200);
  CHECK(b.screen() == Screen::kAttract);
  CHECK(b.m.thanks_left(b.now) == 0);
}

TEST_CASE("count me without a photo asks once and keep my photo keeps it", "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:campaign");
  b.cmds.clear();
  b.tap("review:no-photo");
  CHECK(b.m.state().session.confirm_no_photo);
  CHECK(b.cmds.empty());
  b.tap("review:use");  // beside the question: it only closes the question
  CHECK_FALSE(b.m.state().session.confirm_no_photo);
  CHECK(b.screen() == Screen::kReview);
  CHECK(b.cmds.empty());
  b.tap("review:no-photo");
  b.tap("no-photo:cancel");
  CHECK(b.screen() == Screen::kReview);
  CHECK(b.m.state().session.choices.campaign);
  CHECK(b.count<DiscardPhoto>() == 0);
  b.tap("review:no-photo");
  b.tap("no-photo:confirm");
  CHECK(b.screen() == Screen::kThanks);
  CHECK(b.count<DiscardPhoto>() == 1);
}

TEST_CASE("about your data opens over review and only its close button answers",
          "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:about-data");
  CHECK(b.m.state().session.about_data);
  b.tap("review:use");
  b.tap("review:no-photo");
  CHECK(b.screen() == Screen::kReview);
  CHECK(b.count<SavePledge>() == 0);
  CHECK_FALSE(b.m.state().session.confirm_no_photo);
  b.tap("about-data:close");
  CHECK_FALSE(b.m.state().session.about_data);
  b.tap("review:use");
  CHECK(b.screen() == Screen::kThanks);
  CHECK_FALSE(b.m.state().session.about_data);
}

TEST_CASE("details knows when something was typed or picked so skip can step aside",
          "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  CHECK_FALSE(b.m.details_entered());
  b.tap("key:ㄱ");
  CHECK(b.m.details_entered());
  b.tap("key:back");
  CHECK_FALSE(b.m.details_entered());
  b.tap("pick:friends");
  CHECK(b.m.details_entered());
  b.tap("pick:friends");
  CHECK_FALSE(b.m.details_entered());
}

// --- #24: photo or not before the camera, and the age check -------------------------------

namespace {
MachineOptions asking_age(int min_age) {
  MachineOptions o = camera_up();
  o.min_age = min_age;
  return o;
}
}  // namespace

TEST_CASE("details' next and skip lead to the photo choice, and nothing there starts the camera",
          "[kiosk][machine]") {
  for (const char* way : {"details:next", "details:skip"}) {
    INFO(way);
    Booth b;
    b.tap("attract:start");
    b.tap("pledge:agree");
    b.tap("key:A");
    b.tap(way);
    REQUIRE(b.screen() == Screen::kPhotoChoice);
    // Taps that are not the choice, and time, leave the camera alone.
    for (const char* t : {"review:use", "review:retake", "countdown:cancel", "details:next"})
      b.tap(t);
    b.wait(20'000);
    CHECK(b.screen() == Screen::kPhotoChoice);
    CHECK(b.count<TakeStill>() == 0);
    CHECK(b.count<SavePledge>() == 0);
    b.tap("lang:ko");  // the language pills work here
    CHECK(b.m.state().session.locale == "ko");
  }
}

TEST_CASE("a pledge without a photo from the choice is saved at once and no still is taken",
          "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  for (const char* k : {"key:S", "key:a", "key:m"}) b.tap(k);
  b.tap("pick:friends");
  b.tap("details:next");
  b.tap("photo-choice:none");
  CHECK(b.screen() == Screen::kThanks);
  const auto* save = b.last<SavePledge>();
  REQUIRE(save);
  CHECK_FALSE(save->with_photo);
  CHECK_FALSE(save->choices.campaign);
  CHECK(save->consent_version == 0);
  CHECK(save->first_name == "Sam");
  CHECK(save->answer_pick == "friends");
  CHECK_FALSE(b.m.state().session.with_photo);
  b.wait(5'000);
  CHECK(b.count<TakeStill>() == 0);
  CHECK(b.count<ComposeReview>() == 0);
}

TEST_CASE("back on the photo choice returns to details with what he entered", "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.tap("key:J");
  b.tap("details:next");
  b.tap("photo-choice:back");
  CHECK(b.screen() == Screen::kDetails);
  CHECK(b.m.state().session.first_name.text() == "J");
  CHECK(b.m.state().session.focus == Session::Focus::kNone);
  b.tap("details:next");
  CHECK(b.screen() == Screen::kPhotoChoice);
}

TEST_CASE("cancel during the countdown goes back to the choice before the shutter, not after",
          "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  b.tap("details:skip");
  b.tap("photo-choice:take");
  REQUIRE(b.screen() == Screen::kCountdown);
  b.wait(1'500);
  CHECK(b.m.countdown_cancellable(b.now));
  b.tap("countdown:cancel");
  CHECK(b.screen() == Screen::kPhotoChoice);
  CHECK_FALSE(b.m.countdown_cancellable(b.now));
  b.wait(5'000);  // the old shutter time passes: nothing is taken
  CHECK(b.count<TakeStill>() == 0);
  CHECK(b.count<SavePledge>() == 0);
  // Changing his mind again starts a whole new countdown.
  b.tap("photo-choice:take");
  CHECK(b.m.countdown_digit(b.now) == 3);
  b.wait(3'000);
  REQUIRE(b.count<TakeStill>() == 1);
  // From the shutter on, Cancel is gone: REVIEW offers "without a photo" instead.
  CHECK_FALSE(b.m.countdown_cancellable(b.now));
  b.tap("countdown:cancel");
  CHECK(b.screen() == Screen::kCountdown);
  b.feed(StillTaken{});
  b.wait(500);
  CHECK(b.screen() == Screen::kReview);
}

TEST_CASE("a retake's countdown can be cancelled too, and the pledge then goes without a photo",
          "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:campaign");
  b.tap("review:retake");
  REQUIRE(b.screen() == Screen::kCountdown);
  CHECK(b.count<DiscardPhoto>() == 1);  // the first photo went with the retake
  b.tap("countdown:cancel");
  CHECK(b.screen() == Screen::kPhotoChoice);
  b.tap("photo-choice:none");
  const auto* save = b.last<SavePledge>();
  REQUIRE(save);
  CHECK_FALSE(save->with_photo);
  CHECK_FALSE(save->choices.campaign);  // the tick belonged to the photo that is gone
}

TEST_CASE("with min_age the age is asked after the pledge, before any name or photo",
          "[kiosk][machine]") {
  Booth b(asking_age(14));
  b.tap("attract:start");
  b.tap("pledge:agree");
  REQUIRE(b.screen() == Screen::kAgeCheck);
  b.tap("details:next");  // DETAILS' buttons do nothing here
  b.tap("photo-choice:take");
  CHECK(b.screen() == Screen::kAgeCheck);
  b.tap("age:old-enough");
  CHECK(b.screen() == Screen::kDetails);
  CHECK(b.m.state().session.focus == Session::Focus::kName);
  b.tap("details:next");
  b.tap("photo-choice:take");
  b.wait(3'000);
  b.feed(StillTaken{});
  b.wait(500);
  b.tap("review:use");
  CHECK(b.last<SavePledge>()->with_photo);

  SECTION("idle on the question goes back to ATTRACT") {
    b.tap("thanks:done");
    b.tap("attract:start");
    b.tap("pledge:agree");
    REQUIRE(b.screen() == Screen::kAgeCheck);
    b.wait(45'000);
    CHECK(b.screen() == Screen::kAttract);
  }
}

TEST_CASE("a participant under min_age pledges without a photo, name or words",
          "[kiosk][machine]") {
  Booth b(asking_age(14));
  b.tap("attract:start");
  b.tap("lang:ko");
  b.tap("pledge:agree");
  REQUIRE(b.screen() == Screen::kAgeCheck);
  b.tap("age:younger");
  CHECK(b.screen() == Screen::kThanks);
  const auto* save = b.last<SavePledge>();
  REQUIRE(save);
  CHECK_FALSE(save->with_photo);
  CHECK_FALSE(save->choices.campaign);
  CHECK(save->consent_version == 0);
  CHECK(save->first_name.empty());
  CHECK(save->answer_pick.empty());
  CHECK(save->answer_words.empty());
  CHECK(save->locale == "ko");  // the pledge counts, in his language
  b.wait(30'000);
  CHECK(b.count<TakeStill>() == 0);
  // The next participant is asked again: "younger" went with the session.
  REQUIRE(b.screen() == Screen::kAttract);
  CHECK_FALSE(b.m.state().session.younger);
  b.tap("attract:start");
  b.tap("pledge:agree");
  CHECK(b.screen() == Screen::kAgeCheck);
}

TEST_CASE("without min_age the pledge leads straight to details", "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("pledge:agree");
  CHECK(b.screen() == Screen::kDetails);
  b.tap("age:younger");  // not on this screen: ignored
  CHECK(b.screen() == Screen::kDetails);
  CHECK(b.count<SavePledge>() == 0);
}

TEST_CASE("admin delete by reference finds the pledge first and deletes only after the tap",
          "[kiosk][machine][retention]") {
  Booth b;
  b.to_admin();
  b.tap("admin:delete-ref");
  REQUIRE(b.screen() == Screen::kAdminDeleteRef);
  // Find waits for all 8 digits; the keypad types 0-9 and a-f, ← takes one back.
  for (const char* k : {"ref:7", "ref:f", "ref:3", "ref:a", "ref:9", "ref:c", "ref:2"}) b.tap(k);
  b.tap("delete-ref:find");
  CHECK(b.count<FindPledge>() == 0);
  CHECK(b.m.typed_reference() == "7F3A-9C2");
  b.tap("ref:x");  // not a key of this pad
  b.tap("ref:1");
  b.tap("ref:5");  // a ninth digit is not taken
  CHECK(b.m.typed_reference() == "7F3A-9C21");
  b.tap("delete-ref:confirm");  // nothing found yet: nothing to delete
  CHECK(b.count<DeletePledge>() == 0);
  b.tap("delete-ref:find");
  REQUIRE(b.count<FindPledge>() == 1);
  CHECK(b.last<FindPledge>()->ref == "7F3A-9C21");
  CHECK(b.m.state().admin.ref_looking);
  b.tap("ref:back");  // the keys wait while it looks
  CHECK(b.m.typed_reference() == "7F3A-9C21");
  // An answer for another reference is not this one's.
  b.feed(PledgeLookedUp{"0000-0000", 1, "other-id", "Ben", 5, true, ""});
  CHECK(b.m.state().admin.ref_looking);
  b.feed(PledgeLookedUp{"7F3A-9C21", 1, "the-id", "Ana", 5, true, ""});
  REQUIRE(b.m.state().admin.ref_found);
  CHECK(b.m.state().admin.ref_found->first_name == "Ana");
  b.tap("delete-ref:confirm");
  REQUIRE(b.count<DeletePledge>() == 1);
  CHECK(b.last<DeletePledge>()->pledge_id == "the-id");
  CHECK(b.screen() == Screen::kAdmin);
  CHECK(b.m.state().admin.notice == "delete_ref.deleting");
}

TEST_CASE("admin delete by reference deletes nothing when none or several pledges match",
          "[kiosk][machine][retention]") {
  Booth b;
  b.to_admin();
  b.tap("admin:delete-ref");
  for (int i = 0; i < 8; ++i) b.tap("ref:0");
  b.tap("delete-ref:find");
  b.feed(PledgeLookedUp{"0000-0000", 0, "", "", 0, false, ""});
  b.tap("delete-ref:confirm");
  b.tap("ref:back");  // typing again forgets what was found
  CHECK_FALSE(b.m.state().admin.ref_found);
  b.tap("ref:0");
  b.tap("delete-ref:find");
  b.feed(PledgeLookedUp{"0000-0000", 2, "", "", 0, false, ""});
  b.tap("delete-ref:confirm");
  CHECK(b.count<DeletePledge>() == 0);
  CHECK(b.screen() == Screen::kAdminDeleteRef);
  // Back to admin keeps nothing typed; the idle rule closes it like ADMIN.
  b.tap("delete-ref:cancel");
  CHECK(b.screen() == Screen::kAdmin);
  b.tap("admin:delete-ref");
  CHECK(b.m.typed_reference().empty());
  b.wait(45'100);
  CHECK(b.screen() == Screen::kAttract);
  CHECK(b.count<DeletePledge>() == 0);
}

TEST_CASE("a reference's lookup is awaited like the pin check", "[kiosk][machine][retention]") {
  Booth b;
  b.to_admin();
  b.tap("admin:delete-ref");
  for (int i = 0; i < 8; ++i) b.tap("ref:1");
  CHECK_FALSE(b.m.awaiting());
  b.tap("delete-ref:find");
  CHECK(b.m.awaiting());
  b.feed(PledgeLookedUp{"1111-1111", 0, "", "", 0, false, ""});
  CHECK_FALSE(b.m.awaiting());
}

// --- the volunteer's console and "Try again" (#25 items 6-9) ------------------------------

TEST_CASE("thanks after a failed save offers try again and a retry that works thanks him as usual",
          "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:campaign");
  b.tap("review:use");
  REQUIRE(b.count<SavePledge>() == 1);
  const SavePledge first = *b.last<SavePledge>();
  b.feed(SaveFailed{"oos.disk_full", {}, "No space left on device"});
  REQUIRE(b.m.state().session.save_failed);
  // His photo is kept in memory for the retry.
  CHECK(b.m.state().session.have_still);
  // "More time" is not what THANKS offers now.
  const Millis until = b.m.state().session.thanks_until_ms;
  b.tap("thanks:more-time");
  CHECK(b.m.state().session.thanks_until_ms == until);
  b.wait(1000);
  b.tap("thanks:retry");
  REQUIRE(b.count<SavePledge>() == 2);
  const SavePledge again = *b.last<SavePledge>();
  CHECK(again.with_photo);
  CHECK(first.choices.campaign);
  CHECK(again.choices.campaign == first.choices.campaign);
  CHECK(again.first_name == first.first_name);
  CHECK(again.locale == first.locale);
  CHECK(again.consent_version == first.consent_version);
  CHECK(b.count<DiscardPhoto>() == 0);
  CHECK(b.m.state().session.saving);
  CHECK_FALSE(b.m.state().session.save_failed);
  CHECK(b.m.awaiting());
  // A second tap while it saves sends nothing more.
  b.tap("thanks:retry");
  CHECK(b.count<SavePledge>() == 2);
  b.feed(SaveDone{"01JTESTPLEDGE", 7, "https://example.org/p"});
  b.feed(StorageState{true, "", {}});
  CHECK(b.screen() == Screen::kThanks);
  REQUIRE(b.m.state().session.saved);
  CHECK(b.m.state().session.saved->pledge_id == "01JTESTPLEDGE");
  CHECK_FALSE(b.m.state().session.have_still);
  // The normal THANKS: its whole time from the retry, then ATTRACT (the disk works again).
  b.tap("thanks:more-time");
  CHECK(b.m.state().session.thanks_until_ms > b.now + b.m.options().thanks_timeout_ms);
  b.tap("thanks:done");
  CHECK(b.screen() == Screen::kAttract);
  CHECK(b.count<DiscardPhoto>() == 0);  // the back office dropped it once saved
}

TEST_CASE("leaving thanks after a failed save discards the kept photo", "[kiosk][machine]") {
  Booth b;
  b.to_review();
  b.tap("review:use");
  b.feed(SaveFailed{"oos.save_failed", {}, "I/O error"});
  b.tap("thanks:retry");
  b.feed(SaveFailed{"oos.save_failed", {}, "I/O error"});  // fails again: asked again
  CHECK(b.m.state().session.save_failed);
  CHECK(b.count<DiscardPhoto>() == 0);
  b.tap("thanks:done");
  CHECK(b.count<DiscardPhoto>() == 1);
  CHECK(b.screen() == Screen::kOutOfService);
  // Without a photo there is nothing to discard.
  Booth c;
  c.to_review();
  c.tap("review:no-photo");
  c.tap("no-photo:confirm");
  const int discards = c.count<DiscardPhoto>();
  c.feed(SaveFailed{"oos.save_failed", {}, "I/O error"});
  CHECK_FALSE(c.m.state().session.have_still);
  c.wait(c.m.options().thanks_timeout_ms + 100);
  CHECK(c.count<DiscardPhoto>() == discards);
}

TEST_CASE("admin and out of service speak the volunteer's language, switched by their own pills",
          "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("lang:ko");  // the participant's language
  CHECK(b.m.shown_locale() == "ko");
  b.to_admin();
  CHECK(b.m.shown_locale() == "en");  // not the last participant's
  b.tap("lang:ko");
  CHECK(b.m.shown_locale() == "ko");
  b.tap("lang:xx");  // not a language of this booth
  CHECK(b.m.shown_locale() == "ko");
  b.tap("admin:pause");
  b.tap("admin:close");
  REQUIRE(b.screen() == Screen::kOutOfService);
  CHECK(b.m.shown_locale() == "ko");  // the volunteer's choice is kept
  b.tap("lang:en");
  CHECK(b.m.shown_locale() == "en");
  CHECK(b.screen() == Screen::kOutOfService);
  // The next participant starts in the booth's default language.
  b.to_admin();
  b.tap("admin:pause");
  b.tap("admin:close");
  REQUIRE(b.screen() == Screen::kAttract);
  CHECK(b.m.shown_locale() == "en");
}

TEST_CASE("delete by reference is a console screen in the volunteer's language",
          "[kiosk][machine]") {
  Booth b;
  b.tap("attract:start");
  b.tap("lang:ko");  // the participant's language
  b.to_admin();
  b.tap("admin:delete-ref");
  REQUIRE(b.screen() == Screen::kAdminDeleteRef);
  CHECK(b.m.shown_locale() == "en");  // not the last participant's Korean
  b.tap("delete-ref:cancel");
  CHECK(b.m.shown_locale() == "en");
}

TEST_CASE("the console's forget restart and shut down each ask once", "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.run_by_service = true;
  Booth b(o);
  b.to_admin();
  b.tap("admin:forget");
  CHECK(b.count<ForgetStranded>() == 0);
  CHECK(b.m.state().admin.confirming == "admin:forget");
  b.tap("admin:pause");  // anything else cancels the question
  CHECK(b.m.state().admin.confirming.empty());
  b.tap("admin:pause");
  b.tap("admin:forget");
  b.tap("admin:forget");
  CHECK(b.count<ForgetStranded>() == 1);
  CHECK(b.m.state().admin.notice == "admin.notice_forgetting");
  b.tap("admin:restart");
  b.tap("admin:shutdown");  // another action's question replaces the first
  CHECK(b.count<RestartBooth>() == 0);
  CHECK(b.m.state().admin.confirming == "admin:shutdown");
  b.tap("admin:restart");
  b.tap("admin:restart");
  CHECK(b.count<RestartBooth>() == 1);
  CHECK(b.count<ShutDown>() == 0);
  b.tap("admin:shutdown");
  b.tap("admin:shutdown");
  CHECK(b.count<ShutDown>() == 1);
  // Run by the service, "Exit" would not keep the booth closed: it is not offered.
  b.tap("admin:exit");
  b.tap("admin:exit");
  CHECK(b.count<ExitBooth>() == 0);

  // Not run by a service: exit as before, and no restart or power-off.
  Booth c;
  c.to_admin();
  for (const char* t : {"admin:restart", "admin:restart", "admin:shutdown", "admin:shutdown"})
    c.tap(t);
  CHECK(c.count<RestartBooth>() == 0);
  CHECK(c.count<ShutDown>() == 0);
  c.tap("admin:exit");
  c.tap("admin:exit");
  CHECK(c.count<ExitBooth>() == 1);
}

// --- accessibility (#26): audio mode, the look, time limits ------------------------------

TEST_CASE("a shorter idle warning setting is raised to twenty seconds where the timeout has room",
          "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.idle_warning_ms = 5'000;
  Booth b(o);
  CHECK(b.m.idle_warning_ms() == kLeastWarningMs);
  b.tap("attract:start");
  b.wait(25'100);
  CHECK(b.m.idle_warning_left(b.now) > 19'000);
}

TEST_CASE(
    "still there can be answered at least ten times and each answer gives the whole time back",
    "[kiosk][machine]") {
  Booth b;
  b.to_review();
  for (int i = 0; i < 12; ++i) {
    b.wait(25'100);
    REQUIRE(b.m.idle_warning_left(b.now) > 19'000);
    b.tap("idle:still-here");
    CHECK(b.m.idle_warning_left(b.now) == 0);
    CHECK(b.screen() == Screen::kReview);
  }
  CHECK(b.count<DiscardPhoto>() == 0);
}

TEST_CASE(
    "audio mode is turned on on attract for this participant only and doubles the time limits",
    "[kiosk][machine]") {
  Booth b;
  b.tap("access:audio");
  CHECK(b.screen() == Screen::kAttract);
  REQUIRE(b.m.state().session.audio);
  b.tap("attract:start");
  CHECK(b.m.idle_timeout_ms() == 90'000);
  CHECK(b.m.idle_warning_ms() == 40'000);
  b.wait(49'900);
  CHECK(b.m.idle_warning_left(b.now) == 0);  // a seeing participant's warning would show now
  b.wait(200);
  CHECK(b.m.idle_warning_left(b.now) > 39'000);
  b.wait(40'000);
  CHECK(b.screen() == Screen::kAttract);
  CHECK_FALSE(b.m.state().session.audio);  // the next participant starts without it
  CHECK(b.m.idle_timeout_ms() == 45'000);
}

TEST_CASE("audio mode doubles the thank you and the audio key toggles it during a session",
          "[kiosk][machine]") {
  Booth b;  // thanks 12 s
  b.tap("attract:start");
  b.tap("access:audio");  // the keypad's audio key, on PLEDGE
  REQUIRE(b.m.state().session.audio);
  b.tap("pledge:agree");
  b.tap("details:skip");
  b.tap("photo-choice:none");
  REQUIRE(b.screen() == Screen::kThanks);
  CHECK(b.m.thanks_span() == 24'000);
  b.wait(23'900);
  CHECK(b.screen() == Screen::kThanks);
  b.wait(200);
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("admin switches the time limits off for one assisted session", "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.admin_enabled = true;
  Booth b(o);
  b.to_admin();
  REQUIRE(b.screen() == Screen::kAdmin);
  b.tap("access:limits");
  CHECK(b.m.state().access.limits_off);
  b.tap("admin:close");
  REQUIRE(b.screen() == Screen::kAttract);
  CHECK(b.m.state().access.limits_off);  // closing ADMIN does not end it: the session does
  b.tap("attract:start");
  b.wait(10 * 60'000);  // ten minutes without a touch
  CHECK(b.screen() == Screen::kPledge);
  CHECK(b.m.idle_warning_left(b.now) == 0);
  b.tap("pledge:agree");
  b.tap("details:skip");
  b.tap("photo-choice:none");
  b.feed(SaveDone{"p1", 1, "https://example.org/p1"});
  b.wait(5 * 60'000);
  CHECK(b.screen() == Screen::kThanks);  // stays until Done
  b.tap("thanks:done");
  CHECK(b.screen() == Screen::kAttract);
  CHECK_FALSE(b.m.state().access.limits_off);  // the next participant has the limits again
  b.tap("attract:start");
  b.wait(45'100);
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("admin closes on its own even while the time limits are off", "[kiosk][machine]") {
  Booth b;
  b.to_admin();
  REQUIRE(b.screen() == Screen::kAdmin);
  b.tap("access:limits");
  b.wait(45'100);
  CHECK(b.screen() == Screen::kAttract);
}

TEST_CASE("high contrast is the participant's choice on attract and the booth's default in admin",
          "[kiosk][machine]") {
  Booth b;
  CHECK_FALSE(b.m.state().session.high_contrast);
  b.tap("access:contrast");
  CHECK(b.m.state().session.high_contrast);
  b.tap("access:default-contrast");  // not on ATTRACT: ADMIN's only
  CHECK_FALSE(b.m.state().access.high_contrast);
  b.tap("attract:start");
  b.tap("pledge:not-now");
  CHECK_FALSE(b.m.state().session.high_contrast);  // his choice left with him
  b.to_admin();
  b.tap("access:default-contrast");
  CHECK(b.m.state().access.high_contrast);
  b.tap("admin:close");
  CHECK(b.m.state().session.high_contrast);  // every participant starts with it now
  b.tap("access:contrast");
  CHECK_FALSE(b.m.state().session.high_contrast);  // and may turn it off for himself
}

TEST_CASE("the speech volume steps between 0 and its top on any screen", "[kiosk][machine]") {
  MachineOptions o = camera_up();
  o.speech_volume = 9;
  Booth b(o);
  b.tap("access:volume-up");
  b.tap("access:volume-up");
  CHECK(b.m.state().access.volume == kMaxVolume);
  for (int i = 0; i < 12; ++i) b.tap("access:volume-down");
  CHECK(b.m.state().access.volume == 0);
  CHECK(b.screen() == Screen::kAttract);  // a volume key taps nothing else
}
