// The kiosk's pure parts beyond the machine: string tables, the PIN hash, scripts, QR.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "pb/admin_pin.h"
#include "pb/config.h"
#include "pb/i18n.h"
#include "pb/kiosk_script.h"
#include "pb/qr_code.h"
#include "pb/sound.h"
#include "pb/thanks_info.h"

using namespace pb::kiosk;

TEST_CASE("english and korean string tables have the same keys and no empty string",
          "[kiosk][i18n]") {
  auto s = Strings::load(pb::config::assets_dir() + "/i18n");
  REQUIRE(s);
  const auto en = s->keys("en");
  const auto ko = s->keys("ko");
  CHECK(en.size() > 80);
  CHECK(std::set<std::string>(en.begin(), en.end()) == std::set<std::string>(ko.begin(), ko.end()));
  for (const auto& k : en) {
    INFO(k);
    CHECK_FALSE(s->get("en", k).empty());
    CHECK_FALSE(s->get("ko", k).empty());
  }
  CHECK(s->format("ko", "attract.counter", {{"count", "142"}, {"event", "#HeForShe"}}) ==
        "#HeForShe에서 남성 142명이 서약했습니다");
  CHECK(s->format("en", "attract.counter", {{"count", "142"}, {"event", "#HeForShe"}}) ==
        "142 men have pledged at #HeForShe");
}

TEST_CASE("the korean strings read as the review of issue 12 asks", "[kiosk][i18n]") {
  auto s = Strings::load(pb::config::assets_dir() + "/i18n");
  REQUIRE(s);
  CHECK(s->get("ko", "answer.sister") == "누나·여동생을 위해");
  CHECK(s->get("ko", "details.why_label") == "나에게 성평등이 중요한 이유는?");
  CHECK(s->get("ko", "details.name_label").find("예: 민준") != std::string::npos);
  CHECK(s->format("ko", "pin.wrong", {{"left", "3"}}).find("3번 더 시도할 수 있습니다") !=
        std::string::npos);
  // One pledge text: "one of billions" said once, no repeated 나는, no "한 / 명".
  const std::string pledge = s->get("ko", "pledge.text");
  CHECK(pledge.find("수십억 명 중 한 사람") != std::string::npos);
  CHECK(pledge.find("나는") == std::string::npos);
  CHECK(s->format("ko", "thanks.supporter", {{"number", "143"}, {"event", "E"}}) ==
        "E의 서약자 #143입니다");
  CHECK(s->get("ko", "thanks.supporter_first").find("첫 번째") != std::string::npos);
  for (const char* k : {"thanks.qr_photo", "thanks.qr_photo_offline"}) {
    CHECK(s->get("ko", k).find("동기화") == std::string::npos);
    CHECK(s->get("ko", k).find("올라갑니다") == std::string::npos);
  }
  const std::string stranded = s->get("ko", "admin.stranded");
  CHECK(stranded.find("{target}을") == std::string::npos);  // no particle glued to a name
  CHECK(stranded.find("{target}를") == std::string::npos);
  const std::string ending = "실행하세요.";  // ends as an instruction
  REQUIRE(stranded.size() > ending.size());
  CHECK(stranded.compare(stranded.size() - ending.size(), ending.size(), ending) == 0);
}

TEST_CASE("a missing string shows its key and a broken table names the line", "[kiosk][i18n]") {
  Strings s;
  REQUIRE(s.add("en", "[a]\nb = \"x\"\n", "en.toml"));
  CHECK(s.get("en", "a.b") == "x");
  CHECK(s.get("ko", "a.b") == "x");  // falls back to English
  CHECK(s.get("en", "nope.key") == "nope.key");
  const pb::Status bad = s.add("ko", "[a]\nb = \n", "ko.toml");
  CHECK_FALSE(bad);
  CHECK(bad.message().find("ko.toml:2") != std::string::npos);
  CHECK_FALSE(s.add("ko", "[a]\nb = 3\n", "ko.toml"));
}

TEST_CASE("a pin hash verifies the right pin only", "[kiosk][pin]") {
  auto h = hash_pin("2468", 1000);
  REQUIRE(h);
  CHECK(h->rfind("pbkdf2-sha256$1000$", 0) == 0);
  CHECK(verify_pin("2468", *h));
  CHECK_FALSE(verify_pin("2469", *h));
  CHECK_FALSE(verify_pin("", *h));
  auto h2 = hash_pin("2468", 1000);
  REQUIRE(h2);
  CHECK(*h2 != *h);  // salted
  CHECK_FALSE(verify_pin("2468", "pbkdf2-sha256$1000$zz$00"));
  CHECK_FALSE(verify_pin("2468", "2468"));
  CHECK_FALSE(hash_pin("12a4"));
  CHECK_FALSE(hash_pin("123"));
  CHECK_FALSE(hash_pin("123456789"));
}

TEST_CASE("scripts parse taps holds waits and expectations and reject nonsense",
          "[kiosk][script]") {
  auto steps = parse_script(
      "# hi\nwait 1.5\ntap start\ntap 10,20\ntouch agree\nhold admin 3\nexpect thanks 12\n"
      "shot x\nquit\nkey alt+f4\n",
      "s.txt");
  REQUIRE(steps);
  REQUIRE(steps->size() == 9);
  CHECK((*steps)[0].kind == ScriptStep::Kind::kWait);
  CHECK((*steps)[0].seconds == Approx(1.5));
  CHECK((*steps)[1].target == "start");
  CHECK((*steps)[2].target.empty());
  CHECK((*steps)[2].x == Approx(10));
  CHECK((*steps)[2].y == Approx(20));
  CHECK((*steps)[3].kind == ScriptStep::Kind::kTouch);
  CHECK((*steps)[4].kind == ScriptStep::Kind::kHold);
  CHECK((*steps)[5].seconds == Approx(12));
  CHECK((*steps)[8].target == "alt+f4");
  auto bad = parse_script("tap start\nfly away\n", "s.txt");
  REQUIRE_FALSE(bad);
  CHECK(bad.status().message() == "s.txt:2: unknown step `fly`");
  CHECK_FALSE(parse_script("wait soon\n", "s.txt"));
  CHECK_FALSE(parse_script("key ctrl+alt+del\n", "s.txt"));
}

TEST_CASE("a qr code has finder patterns and a quiet zone", "[kiosk][qr]") {
  const QrCode q = make_qr(
      "https://photos.example.org/pledges/e/2026-11-25/0190c0de-0000-7000-8000-000000000000.jpg");
  REQUIRE_FALSE(q.empty());
  CHECK(q.size >= 21 + 8);
  auto at = [&](int x, int y) { return q.dark[static_cast<std::size_t>(y * q.size + x)]; };
  CHECK(at(0, 0) == 0);    // quiet zone
  CHECK(at(4, 4) == 1);    // top-left finder corner
  CHECK(at(10, 10) == 1);  // the finder's centre
  CHECK(at(5, 5) == 0);    // the finder's light ring
}

TEST_CASE("the photo qr code is offered only when an enabled target publishes it",
          "[kiosk][thanks]") {
  pb::config::Config c = pb::config::parse_config(
      "[event]\npublic_base_url = \"https://photos.example.org/p\"\n"
      "[[upload.targets]]\nname = \"usb\"\nkind = \"file\"\npath = \"/media/usb\"\n",
      "booth.toml");
  CHECK_FALSE(photo_link_published(c));  // a base URL alone promises nothing
  c.event.public_target = "usb";
  CHECK(photo_link_published(c));
  c.upload.enabled = false;
  CHECK_FALSE(photo_link_published(c));  // uploads off: the photo never gets there
  c.upload.enabled = true;
  c.event.public_base_url.clear();
  CHECK_FALSE(photo_link_published(c));
  c.event.public_base_url = "https://photos.example.org/p";
  c.upload.targets[0].name = "renamed";
  CHECK_FALSE(photo_link_published(c));
}

TEST_CASE("the pledge reference is the last eight hex digits of the id", "[kiosk][thanks]") {
  CHECK(pledge_reference("0190f5a2-7c3e-7d41-8b2a-4f0c9e7f3a9c") == "9E7F-3A9C");
  CHECK(pledge_reference("abc") == "ABC");
  CHECK(pledge_reference("") == "");
}

TEST_CASE("a tone has its length and loudness and starts and ends without a click",
          "[kiosk][sound]") {
  const auto beep = make_tone(880, 140, 0.45f, 48000);
  REQUIRE(beep.size() == 48000 * 140 / 1000);
  float peak = 0;
  for (float x : beep) peak = std::max(peak, std::abs(x));
  CHECK(peak > 0.40f);
  CHECK(peak <= 0.45f);
  CHECK(std::abs(beep.front()) < 0.01f);
  CHECK(std::abs(beep.back()) < 0.01f);
  // 880 Hz: about 2 * 880 * 0.14 sign changes.
  int crossings = 0;
  for (std::size_t i = 1; i < beep.size(); ++i)
    crossings += (beep[i - 1] < 0) != (beep[i] < 0) ? 1 : 0;
  CHECK(crossings > 230);
  CHECK(crossings < 260);
}

TEST_CASE("the shutter sound is short and dies away", "[kiosk][sound]") {
  const auto s = make_shutter(48000);
  REQUIRE(s.size() == 6000);
  auto energy = [&](std::size_t from, std::size_t to) {
    double e = 0;
    for (std::size_t i = from; i < to; ++i) e += static_cast<double>(s[i]) * s[i];
    return e;
  };
  CHECK(energy(0, 1000) > 10 * energy(5000, 6000));
  CHECK(make_shutter(48000) == s);  // the same sound every time
}

TEST_CASE("sound off or without an audio device is silent and harmless", "[kiosk][sound]") {
  {
    Sound off(false);
    CHECK_FALSE(off.active());
    off.countdown_beep(false);
    off.shutter();
  }
  ::setenv("SDL_AUDIODRIVER", "no-such-driver", 1);
  {
    Sound none(true);
    CHECK_FALSE(none.active());
    none.countdown_beep(true);
    none.shutter();
  }
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);  // what the tests and make-screens run with
  {
    Sound dummy(true);
    CHECK(dummy.active());
    dummy.countdown_beep(false);
    dummy.countdown_beep(true);
    dummy.shutter();
  }
  ::unsetenv("SDL_AUDIODRIVER");
}
