// SPDX-License-Identifier: Apache-2.0
// The booth end to end: the real `pledgebooth kiosk` under SDL's offscreen driver with the
// synthetic camera, driven by a script of taps, then the ledger it wrote is checked.
#include <catch2/catch.hpp>

#include <cstring>

#include <signal.h>

#include <filesystem>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "booth_run.h"
#include "pb/ledger.h"
#include "pb/photo.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::TempDir;

namespace {

// SDL's software renderer: offscreen's EGL path loads Mesa, whose allocations LeakSanitizer
// reports from an unloaded module (no suppression can name it). The booth draws the same.
const std::map<std::string, std::string> kOffscreen = {{"SDL_VIDEODRIVER", "offscreen"},
                                                       {"SDL_AUDIODRIVER", "dummy"},
                                                       {"SDL_RENDER_DRIVER", "software"},
                                                       {"SDL_FRAMEBUFFER_ACCELERATION", "0"}};

// A booth.toml for a test: synthetic camera, data in the temp dir, short timeouts.
std::string booth_toml(const TempDir& dir, const std::string& extra_booth = "",
                       std::int64_t min_free_mb = 1) {
  // The event has a wall, so REVIEW asks for it: a photo ticked for the wall is kept (the
  // wall reads the ledger), one without any choice is not.
  return "[event]\nid = \"e2e-fair\"\nname = \"#HeForShe E2E\"\nconsent_version = 3\nwall = true\n"
         "page_url = \"https://www.heforshe.org\"\n"
         "public_base_url = \"https://photos.example.org/pledges\"\n"
         "[booth]\nid = \"booth-e2e\"\nidle_timeout_s = 10\nthanks_timeout_s = 3\ncountdown_s = "
         "1\n" +
         extra_booth +
         "[camera]\nsource = \"synthetic\"\nwidth = 640\nheight = 480\n"
         "[storage]\ndata_dir = \"" +
         (dir / "data") + "\"\nmin_free_mb = " + std::to_string(min_free_mb) +
         "\n[upload]\nenabled = false\n";
}

pb::test::RunResult run_booth(const TempDir& dir, const std::string& toml,
                              const std::string& script, bool windowed = true) {
  pb::test::write_file(dir / "booth.toml", toml);
  pb::test::write_file(dir / "script.txt", pb::test::scaled_script(script));
  std::vector<std::string> args{"--config",    dir / "booth.toml",   "kiosk",
                                "--script",    dir / "script.txt",   "--screenshots",
                                dir / "shots", "--exit-after-script"};
  if (windowed) args.push_back("--windowed");
  return pb::test::run_pledgebooth(args, kOffscreen);
}

// A volunteer opens ADMIN: the corner held, PIN 2468 (admin_hash()).
constexpr const char* kOpenAdmin = R"(hold admin:open 3.5
expect admin-pin 2
tap pin:2
tap pin:4
tap pin:6
tap pin:8
tap pin:ok
expect admin 5
)";

// booth.toml's admin_pin_hash for PIN 2468.
std::string admin_hash() {
  const auto hashed = pb::test::run_pledgebooth({"hash-pin", "--pin", "2468"});
  REQUIRE(hashed.exit_code == 0);
  return hashed.output.substr(0, hashed.output.find('\n'));
}

std::vector<std::string> pngs(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool has_shot(const std::vector<std::string>& shots, const std::string& suffix) {
  for (const auto& s : shots)
    if (s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
      return true;
  return false;
}

std::vector<fs::path> jpegs(const std::string& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".jpg") out.push_back(e.path());
  return out;
}

// The ledger the booth left in dir/data and its pledges, which must number `count`.
struct Saved {
  std::unique_ptr<pb::store::Ledger> ledger;
  std::vector<pb::store::Pledge> pledges;
};
Saved saved_pledges(const TempDir& dir, std::size_t count) {
  auto ledger = pb::store::Ledger::open(dir / "data");
  REQUIRE(ledger);
  auto pledges = (*ledger)->list_pledges();
  REQUIRE(pledges);
  REQUIRE(pledges->size() == count);
  return {std::move(*ledger), std::move(*pledges)};
}

// Three participants: Korean with a photo, English without one, and one who walks away.
const char* kThreeParticipants = R"(
expect attract 15
# 1. Korean, with photo and share consent
tap lang:ko
tap attract:start
expect pledge
tap pledge:agree
expect details
tap key:ㅁ
tap key:ㅣ
tap key:ㄴ
tap key:ㅈ
tap key:ㅜ
tap key:ㄴ
tap field:words
tap key:ㄱ
tap key:ㅏ
tap key:ㅁ
tap key:ㅅ
tap key:ㅏ
tap key:ㅎ
tap key:ㅏ
tap key:ㅂ
tap key:ㄴ
tap key:ㅣ
tap key:ㄷ
tap key:ㅏ
shot details-typed
tap details:next
expect photo-choice
tap photo-choice:take
expect review 15
touch review:wall
touch review:use
expect thanks 15
tap thanks:done
expect attract 5
# 2. English, counted without a photo
tap attract:start
expect pledge
tap pledge:agree
expect details
tap pick:daughter
tap details:next
expect photo-choice
tap photo-choice:take
expect review 15
tap review:no-photo
tap no-photo:confirm
expect thanks 15
expect attract 8
# 3. Walks away at DETAILS after typing a name
tap attract:start
expect pledge
tap pledge:agree
expect details
tap key:shift
tap key:J
tap key:o
expect attract 15
wait 0.5
)";

}  // namespace

TEST_CASE("three participants leave exactly two pledges and one photo in the ledger",
          "[kiosk][e2e]") {
  TempDir dir("kiosk-e2e");
  const auto r = run_booth(dir, booth_toml(dir), kThreeParticipants);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);

  auto [ledger, pledges] = saved_pledges(dir, 2);
  const auto& ko = pledges[0];
  const auto& en = pledges[1];
  CHECK(ko.event == "e2e-fair");
  CHECK(ko.booth == "booth-e2e");
  CHECK(ko.locale == "ko");
  CHECK(ko.first_name == "민준");
  CHECK(ko.answer == "감사합니다");
  CHECK(ko.wall_consent);  // his choice, as ticked
  CHECK_FALSE(ko.share_consent);
  CHECK_FALSE(ko.link_consent);
  CHECK(ko.consent_version == 3);
  CHECK(ko.consent_locale == "ko");
  CHECK(ko.consent_ms == ko.created_ms);
  CHECK_FALSE(ko.photo_path.empty());
  CHECK(ko.photo_size > 0);
  CHECK(en.locale == "en");
  CHECK(en.first_name.empty());
  CHECK(en.answer == "For my daughter");
  CHECK_FALSE(en.share_consent);
  CHECK_FALSE(en.wall_consent);
  CHECK(en.consent_version == 0);
  CHECK(en.photo_path.empty());
  // Nothing of the third participant, and no stray photo anywhere in the data dir.
  for (const auto& p : pledges) CHECK(p.first_name != "Jo");
  const auto photos = jpegs(dir / "data");
  CHECK(photos.size() == 1);
  // The photo is a JPEG the ledger's hash matches.
  const std::string bytes = pb::test::read_file(ledger->photo_file(ko));
  REQUIRE(bytes.size() > 2);
  CHECK(static_cast<unsigned char>(bytes[0]) == 0xFF);
  CHECK(static_cast<unsigned char>(bytes[1]) == 0xD8);
  CHECK(pb::store::sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) ==
        ko.photo_sha256);

  const auto shots = pngs(dir / "shots");
  for (const char* s : {"pledge-ko.png", "details-ko.png", "details-typed-ko.png",
                        "countdown-ko.png", "review-ko.png", "thanks-ko.png", "attract-en.png",
                        "pledge-en.png", "details-en.png", "review-en.png", "thanks-en.png"})
    CHECK(has_shot(shots, s));
}

TEST_CASE("a participant in spanish saves a pledge whose locale is es", "[kiosk][e2e]") {
  TempDir dir("kiosk-es");
  const char* script = R"(
expect attract 15
tap lang:es
tap attract:start
expect pledge
tap pledge:agree
expect details
tap key:shift
tap key:A
tap key:n
tap key:d
tap key:r
tap key:é
tap key:s
tap pick:mother
tap details:next
expect photo-choice
tap photo-choice:take
expect review 15
touch review:wall
touch review:use
expect thanks 15
tap thanks:done
expect attract 5
wait 0.5
)";
  const auto r = run_booth(dir, booth_toml(dir), script);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  CHECK(r.output.find("kiosk: thanks shown: supporter #1 pledge ") != std::string::npos);
  auto [ledger, pledges] = saved_pledges(dir, 1);
  const auto& es = pledges[0];
  CHECK(es.locale == "es");
  CHECK(es.first_name == "Andrés");
  CHECK(es.answer == "Por mi madre");  // a quick pick is saved in the participant's language
  CHECK(es.wall_consent);
  CHECK(es.consent_locale == "es");
  CHECK_FALSE(es.photo_path.empty());
  const auto shots = pngs(dir / "shots");
  // ATTRACT was shot in English before the tap; the next participant's is English again.
  for (const char* s :
       {"attract-en.png", "pledge-es.png", "details-es.png", "review-es.png", "thanks-es.png"})
    CHECK(has_shot(shots, s));
}

TEST_CASE("a whole pledge with photo and consent is made with keys alone", "[kiosk][e2e][keys]") {
  TempDir dir("kiosk-keys");
  // Tab, Shift+Tab, arrows, Enter, Space and Escape only; `focus` checks where each lands.
  const char* script = R"(
expect attract 15
# ATTRACT: the first key shows the ring on the primary action
key down
focus attract:start
key return
expect pledge
focus pledge:agree
key tab
focus pledge:not-now
key shift+tab
focus pledge:agree
key space
expect details
# Escape is DETAILS' back
focus details:next
key escape
expect pledge
focus pledge:agree
key return
expect details
focus details:next
# the on-screen keyboard: left from Next is the key beside it
key left
focus key:!
key left
key left
key left
focus key:m
key return
key up
key up
key up
focus field:words
key up
focus pick:myself
# a quick pick
key return
# back down through the keyboard and right to Next
key down
focus field:words
key down
key down
key down
focus key:v
key right
key right
key right
key right
key right
key right
focus key:!
key right
focus details:next
key return
# photo or not: taking the photo is the primary action, focused on arrival
expect photo-choice
focus photo-choice:take
key return
expect review 15
settle 15
focus review:use
# consent by Space, then About your data opened by Enter and closed by Escape
key up
focus review:wall
key space
key down
focus review:use
key down
key down
focus review:about-data
key return
focus about-data:close
key escape
focus review:about-data
key up
key up
focus review:use
key return
expect thanks 15
wait 0.5
)";
  // A slow compose (sanitizer builds) must not bring "Still there?" over REVIEW before the
  // first key there: the idle timeout is a minute here.
  std::string toml = booth_toml(dir);
  const std::string idle = "idle_timeout_s = 10";
  REQUIRE(toml.find(idle) != std::string::npos);
  toml.replace(toml.find(idle), idle.size(), "idle_timeout_s = 60");
  const auto r = run_booth(dir, toml, script, /*windowed=*/false);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  CHECK(r.output.find("kiosk: thanks shown: supporter #1 pledge ") != std::string::npos);
  // No finger and no mouse: every tap came from a key.
  const auto at = r.output.find("kiosk: input: ");
  REQUIRE(at != std::string::npos);
  const std::string input = r.output.substr(at, r.output.find('\n', at) - at);
  CHECK(input == "kiosk: input: 0 touch or mouse presses, 12 taps by keys");
  auto [ledger, pledges] = saved_pledges(dir, 1);
  const auto& p = pledges[0];
  CHECK(p.locale == "en");
  CHECK(p.first_name == "m");  // typed on the on-screen keyboard
  CHECK(p.answer == "For myself");
  CHECK(p.wall_consent);
  CHECK(p.consent_version == 3);
  CHECK_FALSE(p.photo_path.empty());
  CHECK(jpegs(dir / "data").size() == 1);
}

TEST_CASE("a whole pledge by keys alone in audio mode is spoken from the first screen to saved",
          "[kiosk][e2e][keys][speech]") {
  TempDir dir("kiosk-audio");
  // The keypad's * turns audio mode on at ATTRACT; then keys only, as in the test above (the
  // ring shows from the start in audio mode, so the first arrow moves).
  const char* script = R"(
expect attract 15
key kp-star
focus attract:start
key return
expect pledge
focus pledge:agree
key return
expect details
focus details:next
key left
focus key:!
key left
key left
key left
focus key:m
key return
key right
key right
key right
key right
focus details:next
key return
expect photo-choice
focus photo-choice:take
key return
expect review 15
settle 15
focus review:use
key up
focus review:wall
key space
key down
focus review:use
key return
expect thanks 15
wait 1
)";
  std::string toml = booth_toml(dir);
  const std::string idle = "idle_timeout_s = 10";
  toml.replace(toml.find(idle), idle.size(), "idle_timeout_s = 60");
  pb::test::write_file(dir / "booth.toml", toml);
  pb::test::write_file(dir / "script.txt", pb::test::scaled_script(script));
  // SDL's disk audio driver: the device is real to SDL, and what it played is in a file.
  auto env = kOffscreen;
  env["SDL_AUDIODRIVER"] = "disk";
  env["SDL_DISKAUDIOFILE"] = dir / "audio.f32";
  env["PB_SPEECH_LOG"] = dir / "said.log";
  const auto r = pb::test::run_pledgebooth({"--config", dir / "booth.toml", "kiosk", "--script",
                                            dir / "script.txt", "--exit-after-script"},
                                           env);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  CHECK(r.output.find("kiosk: thanks shown: supporter #1 pledge ") != std::string::npos);
  const auto at = r.output.find("kiosk: input: ");
  REQUIRE(at != std::string::npos);
  CHECK(r.output.substr(at, r.output.find('\n', at) - at) ==
        "kiosk: input: 0 touch or mouse presses, 8 taps by keys");
  // What was said, in order: every screen, the focus, the typed name, the consent box, the
  // countdown, the photo, saved.
  const std::string said = pb::test::read_file(dir / "said.log");
  INFO(said);
  std::size_t from = 0;
  for (const char* words : {"en\tAudio guide on.",
                            "Take the #HeForShe pledge",
                            "Choices: Tap to start",
                            "The #HeForShe pledge",
                            "I commit to take action",
                            "I agree",
                            "Make the sign yours",
                            "a keyboard",
                            "\nen\tm\n",
                            "Next: your photo",
                            "A photo with your sign?",
                            "Take my photo",
                            "Look up at the camera and smile! 1",
                            "Photo taken.",
                            "How does it look?",
                            "not ticked",
                            ", ticked",
                            "Thank you, m!",
                            "Saved.",
                            "You are the first supporter"}) {
    const auto found = said.find(words, from);
    INFO(words);
    CHECK(found != std::string::npos);
    if (found != std::string::npos) from = found;
  }
  CHECK(r.output.find("kiosk: speech: first sample ") != std::string::npos);
  auto [ledger, pledges] = saved_pledges(dir, 1);
  CHECK(pledges[0].first_name == "m");
  CHECK(pledges[0].wall_consent);
  CHECK_FALSE(pledges[0].photo_path.empty());
  // The speech reached the device: the disk driver's file holds sound, not silence.
  const std::string audio = pb::test::read_file(dir / "audio.f32");
  double peak = 0;
  for (std::size_t i = 0; i + sizeof(float) <= audio.size(); i += sizeof(float)) {
    float sample = 0;
    std::memcpy(&sample, audio.data() + i, sizeof sample);
    peak = std::max(peak, static_cast<double>(std::abs(sample)));
  }
  CHECK(peak > 0.05);
}

TEST_CASE("quit requests and escape keys do not leave the locked down booth", "[kiosk][e2e]") {
  TempDir dir("kiosk-lock");
  const char* script = R"(
expect attract 15
quit
key escape
key alt+f4
key alt+tab
wait 0.5
expect attract 2
tap attract:start
expect pledge 5
shot still-running
)";
  const auto r = run_booth(dir, booth_toml(dir), script, /*windowed=*/false);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: lockdown: ignored a quit request") != std::string::npos);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  CHECK(has_shot(pngs(dir / "shots"), "still-running-en.png"));
}

TEST_CASE("still there appears before the idle reset and i am still here keeps the participant",
          "[kiosk][e2e]") {
  TempDir dir("kiosk-idle");
  // idle_timeout_s = 10: "Still there?" shows for the last 5 s (half of the timeout).
  const char* script = R"(
expect attract 15
tap attract:start
expect pledge 5
wait 3
tap idle:still-here
shot kept
wait 6
expect pledge 1
expect attract 15
)";
  const auto r = run_booth(dir, booth_toml(dir), script);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  CHECK(has_shot(pngs(dir / "shots"), "kept-en.png"));
}

TEST_CASE("a data disk below min_free_mb puts the booth out of service", "[kiosk][e2e]") {
  TempDir dir("kiosk-full");
  const char* script = R"(
expect out-of-service 15
tap 960,540
wait 0.3
expect out-of-service 1
)";
  const auto r = run_booth(dir, booth_toml(dir, "", 1000000), script);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has_shot(pngs(dir / "shots"), "out-of-service-en.png"));
}

TEST_CASE("a camera that delivers no pictures puts the booth out of service", "[kiosk][e2e]") {
  TempDir dir("kiosk-nocam");
  std::string toml = booth_toml(dir);
  toml.replace(toml.find("source = \"synthetic\""), std::string("source = \"synthetic\"").size(),
               "source = \"device:/dev/pledgebooth-no-such-camera\"");
  const auto r = run_booth(
      dir, toml, "expect out-of-service 20\ntap 960,540\nwait 0.3\nexpect out-of-service 1\n");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has_shot(pngs(dir / "shots"), "out-of-service-en.png"));
}

TEST_CASE("admin needs the pin then pauses resumes and deletes the last pledge", "[kiosk][e2e]") {
  TempDir dir("kiosk-admin");
  const std::string hash = admin_hash();
  REQUIRE(hash.rfind("pbkdf2-sha256$", 0) == 0);
  const std::string script = R"(
expect attract 15
tap attract:start
expect pledge
tap pledge:agree
expect details
tap details:skip
expect photo-choice
tap photo-choice:take
expect review 15
tap review:no-photo
tap no-photo:confirm
expect thanks 15
tap thanks:done
expect attract
hold admin:open 3.5
expect admin-pin 2
tap pin:1
tap pin:1
tap pin:1
tap pin:1
tap pin:ok
settle
expect admin-pin
tap pin:2
tap pin:4
tap pin:6
tap pin:8
tap pin:ok
expect admin 5
tap admin:pause
tap admin:close
expect out-of-service 2
)" + std::string(kOpenAdmin) +
                             R"(tap admin:pause
tap admin:delete
tap admin:delete
settle
tap admin:exit
tap admin:exit
)";
  pb::test::write_file(dir / "booth.toml", booth_toml(dir, "admin_pin_hash = \"" + hash + "\"\n"));
  pb::test::write_file(dir / "script.txt", pb::test::scaled_script(script));
  // No --exit-after-script: the booth must end through ADMIN's exit button.
  const auto r =
      pb::test::run_pledgebooth({"--config", dir / "booth.toml", "kiosk", "--windowed", "--script",
                                 dir / "script.txt", "--screenshots", dir / "shots"},
                                kOffscreen);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  auto ledger = pb::store::Ledger::open(dir / "data");
  REQUIRE(ledger);
  auto n = (*ledger)->count_pledges("e2e-fair");
  REQUIRE(n);
  CHECK(*n == 0);
  const auto shots = pngs(dir / "shots");
  CHECK(has_shot(shots, "admin-pin-en.png"));
  CHECK(has_shot(shots, "admin-en.png"));
  CHECK(has_shot(shots, "out-of-service-en.png"));
}

// Issue 25: the console does from the screen what needed a shell. Run by the service (as on
// the appliance), ADMIN drops the uploads of a target removed from the config and shuts the
// booth down: the ledger is closed first, then the power-off is asked for (written to a file
// here: nothing powers off).
TEST_CASE(
    "run by the service admin forgets a removed target and shuts down after the ledger closes",
    "[kiosk][e2e]") {
  TempDir dir("kiosk-console");
  const std::string hash = admin_hash();
  {
    // Two pledges queued for "old-s3", a target this booth's config no longer has.
    auto ledger = pb::store::Ledger::open(dir / "data");
    REQUIRE(ledger);
    for (int i = 0; i < 2; ++i) {
      pb::store::PledgeInput in;
      in.event = "e2e-fair";
      in.booth = "booth-e2e";
      in.locale = "en";
      in.photo_jpeg.assign(2048, 0x42);
      in.share_consent = true;
      in.consent_version = 3;
      in.targets = {"old-s3"};
      REQUIRE((*ledger)->save_pledge(in));
    }
    auto gone = (*ledger)->unconfigured_targets({});
    REQUIRE(gone);
    REQUIRE(gone->size() == 1);
  }
  const std::string script = "expect attract 15\n" + std::string(kOpenAdmin) + R"(settle
tap lang:ko
tap admin:forget
tap admin:forget
settle
tap admin:shutdown
shot shutdown-confirm
tap admin:shutdown
)";
  pb::test::write_file(dir / "booth.toml", booth_toml(dir, "admin_pin_hash = \"" + hash + "\"\n"));
  pb::test::write_file(dir / "script.txt", pb::test::scaled_script(script));
  auto env = kOffscreen;
  env["NOTIFY_SOCKET"] = dir / "notify";  // a service manager runs it (nobody listens here)
  const std::string power_log = dir / "power-off.log";
  // No --exit-after-script: the booth must end through ADMIN's shut-down button.
  const auto r = pb::test::run_pledgebooth(
      {"--config", dir / "booth.toml", "kiosk", "--windowed", "--script", dir / "script.txt",
       "--screenshots", dir / "shots", "--power-off-log", power_log},
      env);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(pb::test::read_file(power_log) == "poweroff\n");
  // In this order: the loop ended, the booth closed (the ledger with it), then the power-off.
  const auto ended = r.output.find("kiosk: frame times ");
  const auto asked = r.output.find("kiosk: the ledger is closed; asking the system to power off");
  REQUIRE(ended != std::string::npos);
  REQUIRE(asked != std::string::npos);
  CHECK(ended < asked);
  CHECK(r.output.find("kiosk: a volunteer dropped 2 undelivered uploads for \"old-s3\"") !=
        std::string::npos);
  CHECK(has_shot(pngs(dir / "shots"), "shutdown-confirm-ko.png"));
  auto ledger = pb::store::Ledger::open(dir / "data");
  REQUIRE(ledger);
  auto gone = (*ledger)->unconfigured_targets({});
  REQUIRE(gone);
  CHECK(gone->empty());
  auto n = (*ledger)->count_pledges("e2e-fair");
  REQUIRE(n);
  CHECK(*n == 2);  // the pledges and photos stay
}

TEST_CASE(
    "the upload worker inside the booth copies a consented photo to the target after the save",
    "[kiosk][e2e]") {
  TempDir dir("kiosk-upload");
  std::string toml = booth_toml(dir);
  toml.replace(
      toml.find("[upload]\nenabled = false\n"), std::string("[upload]\nenabled = false\n").size(),
      "[upload]\nenabled = true\n[[upload.targets]]\nname = \"stick\"\nkind = \"file\"\npath = \"" +
          (dir / "stick") + "\"\n");
  const char* script = R"(
expect attract 15
tap attract:start
expect pledge
tap pledge:agree
expect details
tap details:next
expect photo-choice
tap photo-choice:take
expect review 15
tap review:campaign
tap review:use
expect thanks 15
wait 600
)";
  // The booth keeps running until the copy is there (an event, not a fixed delay), then
  // stops as systemd stops it.
  pb::test::RunningBooth booth(dir.path(), toml, script);
  const bool copied_in_time = pb::test::eventually(
      [&] {
        if (!booth.process().running()) return true;
        auto l = pb::store::Ledger::open(dir / "data");
        if (!l) return false;
        auto all = (*l)->list_pledges();
        if (!all || all->size() != 1) return false;
        auto rows = (*l)->outbox_for((*all)[0].id);
        return rows && rows->size() == 1 && (*rows)[0].state == pb::store::OutboxState::kDone;
      },
      pb::test::scaled(std::chrono::seconds(60)));
  booth.process().signal(SIGTERM);
  const int rc = booth.process().wait(pb::test::scaled(std::chrono::seconds(20)));
  INFO(booth.log());
  REQUIRE(copied_in_time);
  REQUIRE(rc == 0);
  auto [ledger, pledges] = saved_pledges(dir, 1);
  auto outbox = ledger->outbox_for(pledges[0].id);
  REQUIRE(outbox);
  REQUIRE(outbox->size() == 1);
  CHECK((*outbox)[0].target == "stick");
  CHECK((*outbox)[0].state == pb::store::OutboxState::kDone);
  const auto copied = jpegs(dir / "stick");
  REQUIRE(copied.size() == 1);
  CHECK(copied[0].filename().string() == pledges[0].id + ".jpg");
}

TEST_CASE("hash-pin refuses a pin that is not four to eight digits", "[kiosk]") {
  CHECK(pb::test::run_pledgebooth({"hash-pin", "--pin", "12a4"}).exit_code == 2);
  CHECK(pb::test::run_pledgebooth({"hash-pin", "--pin", "123"}).exit_code == 2);
}

TEST_CASE("a participant standing off centre is framed in the photo by the face tracker",
          "[kiosk][e2e][faces]") {
  TempDir dir("kiosk-e2e-face");
  // A camera that sees a real face at the left edge of a wide frame (see face_scene.cpp).
  const std::string video = dir / "camera.avi";
  REQUIRE(pb::test::run({PB_FACE_SCENE, video}).exit_code == 0);
  std::string toml = booth_toml(dir);
  const std::string synthetic = "source = \"synthetic\"\nwidth = 640\nheight = 480\n";
  toml.replace(toml.find(synthetic), synthetic.size(),
               "source = \"file:" + video + "\"\nwidth = 1280\nheight = 720\n");
  const auto r = run_booth(dir, toml, R"(
expect attract 15
wait 1.5
tap attract:start
expect pledge
tap pledge:agree
expect details
tap pick:daughter
tap details:next
expect photo-choice
tap photo-choice:take
expect review 15
touch review:wall
touch review:use
expect thanks 15
)");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // The face came from the tracker, not from a search of the whole still.
  CHECK(r.output.find("(face followed from the preview)") != std::string::npos);

  auto [ledger, pledges] = saved_pledges(dir, 1);
  const cv::Mat photo = cv::imread(ledger->photo_file(pledges[0]));
  REQUIRE(photo.size() == cv::Size(1080, 1350));
  auto faces = pb::photo::FaceFinder::load();
  REQUIRE(faces);
  const auto face = (*faces)->largest_face(photo);
  REQUIRE(face.has_value());  // whole, not cut off
  const int cx = face->x + face->width / 2;
  INFO("face in the photo: " << *face);
  CHECK(cx > 1080 / 3);
  CHECK(cx < 1080 * 2 / 3);
}

TEST_CASE("a 9 by 16 photo is shown in its own shape on the review screen", "[kiosk][e2e]") {
  TempDir dir("kiosk-e2e-916");
  const auto r = run_booth(dir, booth_toml(dir) + "[photo]\naspect = \"9:16\"\n", R"(
expect attract 15
tap attract:start
expect pledge
tap pledge:agree
expect details
tap details:skip
expect photo-choice
tap photo-choice:take
expect review 15
wait 0.3
)");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::string review;
  for (const auto& s : pngs(dir / "shots"))
    if (s.size() > 14 && s.compare(s.size() - 14, 14, "-review-en.png") == 0) review = s;
  REQUIRE_FALSE(review.empty());
  const cv::Mat shot = cv::imread(dir / "shots" + "/" + review);
  REQUIRE(shot.size() == cv::Size(1280, 720));
  // REVIEW's photo slot is 720x900 design units at (110, 90) of 1920x1080. A 9:16 photo fills
  // 506x900 of it, centred: its white frame runs at x 207..217 (138..144 px in the 1280-wide
  // shot), where a stretched 4:5 box would have it at 100..110 (67..73 px).
  auto white = [&](int x, int y) {
    const cv::Vec3b px = shot.at<cv::Vec3b>(y, x);
    return px[0] > 240 && px[1] > 240 && px[2] > 240;
  };
  for (int y : {200, 360, 500}) {
    INFO("row " << y);
    CHECK(white(141, y));
    CHECK_FALSE(white(70, y));
  }
}

TEST_CASE("the delete confirmation shows the photo of the pledge it deletes", "[kiosk][e2e]") {
  TempDir dir("kiosk-delete-thumb");
  const std::string hash = admin_hash();
  const auto r = run_booth(dir, booth_toml(dir, "admin_pin_hash = \"" + hash + "\"\n"), R"(
expect attract 15
tap attract:start
expect pledge
tap pledge:agree
expect details
tap details:skip
expect photo-choice
tap photo-choice:take
expect review 15
tap review:wall
tap review:use
expect thanks 15
tap thanks:done
expect attract
)" + std::string(kOpenAdmin) + R"(wait 1.2
shot before-delete
tap admin:delete
shot delete-confirm
tap admin:close
expect attract
)");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto [ledger, pledges] = saved_pledges(dir, 1);
  const cv::Mat photo = cv::imread(ledger->photo_file(pledges[0]));
  REQUIRE_FALSE(photo.empty());
  auto shot_named = [&](const std::string& suffix) {
    for (const auto& s : pngs(dir / "shots"))
      if (s.size() > suffix.size() &&
          s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
        return cv::imread(dir / "shots" + "/" + s);
    return cv::Mat();
  };
  const cv::Mat before = shot_named("-before-delete-en.png");
  const cv::Mat confirm = shot_named("-delete-confirm-en.png");
  REQUIRE(before.size() == cv::Size(1280, 720));
  REQUIRE(confirm.size() == cv::Size(1280, 720));
  // The thumbnail box is 160x200 design units at (990, 725) of 1920x1080: 106x133 px at
  // (660, 484) of the 1280x720 shot, which a 4:5 photo fills. Its inside, 8 px in from each
  // edge, is compared with the photo scaled the same way.
  const cv::Rect box(660, 484, 106, 133), inner(8, 8, 90, 117);
  cv::Mat expected;
  cv::resize(photo, expected, box.size(), 0, 0, cv::INTER_AREA);
  auto mean_difference = [&](const cv::Mat& shot) {
    cv::Mat diff;
    cv::absdiff(shot(box)(inner), expected(inner), diff);
    const cv::Scalar m = cv::mean(diff);
    return (m[0] + m[1] + m[2]) / 3;
  };
  INFO("mean difference: confirm " << mean_difference(confirm) << ", before "
                                   << mean_difference(before));
  CHECK(mean_difference(confirm) < 20);  // the photo is there
  CHECK(mean_difference(before) > 40);   // and only once Delete was tapped
}

TEST_CASE("cancel during the countdown and a pledge without a photo from the choice keep no photo",
          "[kiosk][e2e]") {
  TempDir dir("kiosk-no-photo-choice");
  std::string toml = booth_toml(dir);
  // A long countdown: Cancel is tapped well before the shutter, even on a loaded machine.
  toml.replace(toml.find("countdown_s = 1\n"), std::string("countdown_s = 1\n").size(),
               "countdown_s = 10\n");
  const auto r = run_booth(dir, toml, R"(
expect attract 15
tap attract:start
expect pledge
tap pledge:agree
expect details
tap key:shift
tap key:S
tap key:a
tap key:m
tap pick:friends
tap details:next
expect photo-choice
tap photo-choice:take
expect countdown
tap countdown:cancel
expect photo-choice
tap photo-choice:none
expect thanks 15
tap thanks:done
expect attract 5
wait 0.5
)");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  auto [ledger, pledges] = saved_pledges(dir, 1);
  const auto& p = pledges[0];
  // No use chosen (choices come with a photo): his name is not kept, the pledge and its
  // quick pick count.
  CHECK(p.first_name.empty());
  CHECK(p.answer == "For my friends");
  CHECK(p.photo_path.empty());
  CHECK(p.photo_size == 0);
  CHECK(p.photo_sha256.empty());
  CHECK_FALSE(p.share_consent);
  CHECK(p.consent_version == 0);
  // No photo file was written anywhere: not under photos/, not recovered, not left as a temp.
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir / "data"))
    if (e.is_regular_file() && e.path().filename().string().rfind("ledger.db", 0) != 0)
      files.push_back(e.path().string());
  INFO("files in the data dir besides the ledger: " << files.size());
  for (const auto& f : files) {
    INFO(f);
    CHECK(f.find("/photos/") == std::string::npos);
    CHECK(f.find("/recovered/") == std::string::npos);
    CHECK(fs::path(f).extension() != ".jpg");
  }
  const auto shots = pngs(dir / "shots");
  for (const char* s : {"photo-choice-en.png", "countdown-en.png", "thanks-en.png"})
    CHECK(has_shot(shots, s));
  CHECK_FALSE(has_shot(shots, "review-en.png"));  // the camera's photo never existed
}

TEST_CASE("a participant under min_age is counted without a photo, name or words", "[kiosk][e2e]") {
  TempDir dir("kiosk-min-age");
  std::string toml = booth_toml(dir);
  toml.replace(toml.find("[booth]\n"), std::string("[booth]\n").size(), "min_age = 14\n[booth]\n");
  const auto r = run_booth(dir, toml, R"(
expect attract 15
# 1. younger than 14
tap attract:start
expect pledge
tap pledge:agree
expect age-check
tap age:younger
expect thanks 15
tap thanks:done
expect attract 5
# 2. 14 or older: the usual flow, with a photo ticked for the wall
tap lang:ko
tap attract:start
expect pledge
tap pledge:agree
expect age-check
tap age:old-enough
expect details
tap key:ㅁ
tap key:ㅣ
tap key:ㄴ
tap details:next
expect photo-choice
tap photo-choice:take
expect review 15
tap review:wall
tap review:use
expect thanks 15
tap thanks:done
expect attract 5
wait 0.5
)");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  auto [ledger, pledges] = saved_pledges(dir, 2);
  const auto& young = pledges[0];
  CHECK(young.locale == "en");
  CHECK(young.first_name.empty());
  CHECK(young.answer.empty());
  CHECK(young.photo_path.empty());
  CHECK_FALSE(young.share_consent);
  CHECK_FALSE(young.wall_consent);
  CHECK(young.consent_version == 0);  // asked nothing
  const auto& older = pledges[1];
  CHECK(older.locale == "ko");
  CHECK(older.first_name == "민");
  CHECK_FALSE(older.photo_path.empty());
  CHECK(jpegs(dir / "data").size() == 1);
  const auto shots = pngs(dir / "shots");
  for (const char* s : {"age-check-en.png", "age-check-ko.png"}) CHECK(has_shot(shots, s));
}

TEST_CASE(
    "the booth deletes photos names and words past keep_months at start and admin deletes "
    "a pledge by its reference",
    "[kiosk][e2e][retention]") {
  TempDir dir("kiosk-retention");
  const auto hashed = pb::test::run_pledgebooth({"hash-pin", "--pin", "2468"});
  REQUIRE(hashed.exit_code == 0);
  const std::string hash = hashed.output.substr(0, hashed.output.find('\n'));
  std::string toml = booth_toml(dir, "admin_pin_hash = \"" + hash + "\"\n");
  toml.replace(toml.find("consent_version = 3\n"), 20, "consent_version = 3\nkeep_months = 12\n");
  pb::test::write_file(dir / "booth.toml", toml);
  // Two pledges of 400 days ago, one of today (photos, names, own words).
  const auto add = [&](const std::string& days_ago) {
    auto r = pb::test::run_pledgebooth({"--config", dir / "booth.toml", "add-test-pledges", "1",
                                        "--photo-kb", "4", "--days-ago", days_ago});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const auto at = r.output.find("saved ");  // "saved <id> <sha256>"
    REQUIRE(at != std::string::npos);
    return r.output.substr(at + 6, 36);
  };
  const std::string old1 = add("400"), old2 = add("400"), today = add("0");
  std::string keys;
  for (char c : pb::store::reference_digits(pb::store::pledge_reference(today)))
    keys += std::string("tap ref:") + c + "\n";
  const std::string script =
      "expect attract 15\nhold admin:open 3.5\nexpect admin-pin 2\n"
      "tap pin:2\ntap pin:4\ntap pin:6\ntap pin:8\ntap pin:ok\n"
      "expect admin 5\ntap admin:delete-ref\nexpect admin-delete-ref 2\n" +
      keys + "tap delete-ref:find\nsettle 10\ntap delete-ref:confirm\n" +
      "expect admin 2\ntap admin:close\nexpect attract 2\n";
  pb::test::write_file(dir / "script.txt", pb::test::scaled_script(script));
  const auto r = pb::test::run_pledgebooth({"--config", dir / "booth.toml", "kiosk", "--windowed",
                                            "--script", dir / "script.txt", "--exit-after-script"},
                                           kOffscreen);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("kiosk: script finished") != std::string::npos);
  CHECK(r.output.find("kiosk: retention: 2 pledge(s) older than 12 months") != std::string::npos);
  auto ledger = pb::store::Ledger::open(dir / "data");
  REQUIRE(ledger);
  CHECK(*(*ledger)->count_pledges("e2e-fair") == 2);  // today's was deleted, the old still count
  CHECK_FALSE((*ledger)->get_pledge(today)->has_value());
  for (const auto& id : {old1, old2}) {
    auto p = (*ledger)->get_pledge(id);
    REQUIRE(p);
    REQUIRE(p->has_value());
    CHECK((*p)->photo_path.empty());
    CHECK((*p)->first_name.empty());
    CHECK((*p)->answer.empty());
  }
  std::size_t photos = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "data/photos"))
    photos += e.is_regular_file();
  CHECK(photos == 0);
}
