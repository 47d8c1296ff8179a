// SPDX-License-Identifier: Apache-2.0
// The doctor's checks one by one, on a fake machine (fake_host.h): devices and groups,
// /proc's input devices, systemd's answer, data dir modes, the clock, disk, targets. The
// ledger and the camera are the real ones (a temp dir, the synthetic camera).
#include <catch2/catch.hpp>

#include "fake_host.h"
#include "pb/clock.h"
#include "pb/doctor.h"
#include "pb/ledger.h"
#include "test_support.h"

using pb::doctor::Finding;
using pb::doctor::Level;
using pb::test::FakeHost;

namespace {

constexpr uid_t kBoothUid = 999;  // the service's user, when root runs doctor
constexpr gid_t kVideo = 44;

// Root runs doctor on a deployed booth: device access is judged for the service's user.
FakeHost as_root_for_booth(std::vector<gid_t> booth_groups) {
  FakeHost h;
  h.me = 0;
  h.users[kBoothUid] = "pledgebooth";
  h.user = {"pledgebooth", kBoothUid, std::move(booth_groups)};
  return h;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A line of /proc/bus/input/devices for a device with these ABS capability words.
std::string input_device(const std::string& name, const std::string& abs) {
  return "I: Bus=0003 Vendor=0eef Product=0001 Version=0100\nN: Name=\"" + name +
         "\"\nB: EV=b\nB: ABS=" + abs + "\n\n";
}

}  // namespace

TEST_CASE("a camera the booth's user cannot open fails and names the group that would let it",
          "[doctor]") {
  FakeHost h = as_root_for_booth({kBoothUid});
  h.device("/dev/video0", 0, kVideo, 0660);
  h.device("/dev/video1", 0, kVideo, 0660);
  pb::config::CameraConfig cam;  // auto: a real webcam is wanted
  const Finding denied = pb::doctor::camera_device(h, cam);
  INFO(denied.what << " / " << denied.fix);
  CHECK(denied.level == Level::kFail);
  CHECK(denied.check == "camera device");
  CHECK(denied.what == "pledgebooth cannot open /dev/video0 /dev/video1");
  CHECK(has(denied.fix, "sudo usermod -aG video pledgebooth"));
  CHECK_FALSE(has(denied.fix, "video,video"));  // each group named once

  h.user.groups.push_back(kVideo);
  const Finding allowed = pb::doctor::camera_device(h, cam);
  CHECK(allowed.level == Level::kOk);
  CHECK(allowed.what == "2 device(s), all open to pledgebooth");
}

TEST_CASE("device access follows owner group and other mode bits", "[doctor]") {
  FakeHost h = as_root_for_booth({kBoothUid});
  const auto user = h.booth_user();
  h.device("/dev/owned", kBoothUid, 0, 0600);
  h.device("/dev/owned-ro", kBoothUid, 0, 0400);
  h.device("/dev/group", 0, kBoothUid, 0060);
  h.device("/dev/world", 0, 0, 0666);
  h.device("/dev/closed", 0, 0, 0660);
  CHECK(pb::doctor::can_open(h, user, "/dev/owned"));
  CHECK_FALSE(pb::doctor::can_open(h, user, "/dev/owned-ro"));
  CHECK(pb::doctor::can_open(h, user, "/dev/group"));
  CHECK(pb::doctor::can_open(h, user, "/dev/world"));
  CHECK_FALSE(pb::doctor::can_open(h, user, "/dev/closed"));
  CHECK_FALSE(pb::doctor::can_open(h, user, "/dev/missing"));
  // The user running doctor: the kernel's own answer (access), not the mode bits.
  FakeHost self;
  self.device("/dev/video0", 0, 0, 0000);
  self.writable.insert("/dev/video0");
  CHECK(pb::doctor::can_open(self, self.booth_user(), "/dev/video0"));
}

TEST_CASE("no camera device is a warning for a webcam and fine for the synthetic camera",
          "[doctor]") {
  FakeHost h;
  pb::config::CameraConfig cam;
  cam.source = "device:0";
  const Finding webcam = pb::doctor::camera_device(h, cam);
  CHECK(webcam.level == Level::kWarn);
  CHECK(webcam.what == "no /dev/video*");
  CHECK(webcam.fix == "plug in the webcam (USB)");
  cam.source = "synthetic";
  const Finding synthetic = pb::doctor::camera_device(h, cam);
  CHECK(synthetic.level == Level::kOk);
  CHECK(synthetic.what == "no /dev/video* (camera 'synthetic' needs none)");
}

TEST_CASE("PB_DOCTOR_DEV names the folder devices are looked for in", "[doctor]") {
  FakeHost h;
  h.environment["PB_DOCTOR_DEV"] = "/tmp/fake-dev";
  h.device("/tmp/fake-dev/dri/renderD128", 0, 0, 0666);
  h.device("/dev/dri/card0", 0, 0, 0000);  // not looked at
  h.writable.insert("/tmp/fake-dev/dri/renderD128");
  const Finding gpu = pb::doctor::gpu_device(h);
  CHECK(gpu.level == Level::kOk);
  CHECK(gpu.what == "1 device(s), all open to volunteer");
  const Finding input = pb::doctor::input_devices(h);
  CHECK(input.level == Level::kWarn);
  CHECK(input.what == "no /tmp/fake-dev/input/event*");
}

TEST_CASE("an input device that cannot be opened is only a warning", "[doctor]") {
  // cage opens input through the seat session: a denied event device is not fatal.
  FakeHost h = as_root_for_booth({kBoothUid});
  h.device("/dev/input/event3", 0, 105, 0660);
  h.groups[105] = "input";
  const Finding f = pb::doctor::input_devices(h);
  CHECK(f.level == Level::kWarn);
  CHECK(has(f.fix, "usermod -aG input pledgebooth"));
}

TEST_CASE("a touchscreen is found by its multitouch position bit in /proc", "[doctor]") {
  FakeHost h;
  // ABS_MT_POSITION_X is bit 0x35 (53): in the lowest 64-bit word, 0x0020000000000000.
  h.files["/proc/bus/input/devices"] =
      input_device("Logitech USB Mouse", "0") +
      input_device("ILITEK Multi-Touch \x1b[2J", "660800000000000 0");  // words: high, low
  Finding none = pb::doctor::touch(h);
  CHECK(none.level == Level::kWarn);
  CHECK(none.what == "no touchscreen among the input devices");

  h.files["/proc/bus/input/devices"] =
      input_device("Logitech USB Mouse", "0") +
      input_device("ILITEK Multi-Touch \x1b[2J", "260800000000003");
  Finding found = pb::doctor::touch(h);
  INFO(found.what);
  CHECK(found.level == Level::kOk);
  CHECK(has(found.what, "touchscreen \"ILITEK Multi-Touch [2J\""));  // no escape reaches a terminal
  CHECK_FALSE(has(found.what, "\x1b"));

  h.files["/proc/bus/input/devices"] = input_device("Broken", "zz-not-hex");
  CHECK(pb::doctor::touch(h).level == Level::kWarn);
  h.files.clear();
  const Finding unreadable = pb::doctor::touch(h);
  CHECK(unreadable.level == Level::kWarn);
  CHECK(unreadable.what == "cannot read /proc/bus/input/devices");
}

TEST_CASE("the service check reads systemd's answer about the unit", "[doctor]") {
  FakeHost h;
  CHECK(pb::doctor::service(h).level == Level::kOk);
  CHECK(has(pb::doctor::service(h).what, "systemd is not running here"));

  h.stats["/run/systemd/system"] = {0, 0, S_IFDIR | 0755};
  h.systemctl = "LoadState=not-found\nActiveState=inactive\n";
  Finding missing = pb::doctor::service(h);
  CHECK(missing.level == Level::kWarn);
  CHECK(missing.what == "pledgebooth-booth.service is not installed");

  h.systemctl =
      "LoadState=loaded\nActiveState=active\nSubState=running\nWatchdogUSec=30s\nNRestarts=2\n";
  Finding running = pb::doctor::service(h);
  CHECK(running.level == Level::kOk);
  CHECK(running.what ==
        "pledgebooth-booth.service active (running), watchdog 30s, restarted 2 time(s)");

  h.systemctl = "LoadState=loaded\nActiveState=failed\nSubState=failed\n";
  Finding failed = pb::doctor::service(h);
  CHECK(failed.level == Level::kFail);
  CHECK(has(failed.what, "watchdog off, restarted 0 time(s)"));
  CHECK(has(failed.fix, "journalctl -b -u pledgebooth-booth.service"));

  h.systemctl = "LoadState=loaded\nActiveState=inactive\nSubState=dead\n";
  Finding stopped = pb::doctor::service(h);
  CHECK(stopped.level == Level::kWarn);
  CHECK(stopped.fix == "sudo systemctl enable --now pledgebooth-booth.service");
}

TEST_CASE("the watchdog line appears only under a service manager", "[doctor]") {
  FakeHost h;
  CHECK_FALSE(pb::doctor::watchdog(h));
  h.environment["NOTIFY_SOCKET"] = "/run/systemd/notify";
  h.environment["WATCHDOG_USEC"] = "30000000";
  const auto w = pb::doctor::watchdog(h);
  REQUIRE(w);
  CHECK(w->level == Level::kOk);
  CHECK(w->what == "running under a service manager (NOTIFY_SOCKET set, WATCHDOG_USEC=30000000)");
}

TEST_CASE("the data dir's mode decides between OK WARN and FAIL", "[doctor]") {
  FakeHost h;
  const std::string dir = "/var/lib/pledgebooth";
  auto level_for = [&](uid_t owner, mode_t mode) {
    h.stats[dir] = {owner, owner, static_cast<mode_t>(S_IFDIR | mode)};
    return pb::doctor::data_dir_access(h, dir);
  };
  const Finding ok = level_for(1000, 0700);
  CHECK(ok.level == Level::kOk);
  CHECK(ok.what == dir + " owned by volunteer, mode 0700");
  const Finding world = level_for(1000, 0777);
  CHECK(world.level == Level::kFail);
  CHECK(world.fix == "sudo chmod 0700 " + dir);
  CHECK(level_for(1000, 0750).level == Level::kWarn);
  const Finding foreign = level_for(1001, 0700);
  CHECK(foreign.level == Level::kFail);
  CHECK(has(foreign.what, "volunteer cannot use it"));
  CHECK(foreign.fix == "run as other, or sudo chown -R volunteer " + dir);
  h.me = 0;  // root may use anyone's
  CHECK(level_for(1001, 0700).level == Level::kOk);
  h.stats.clear();
  const Finding gone = pb::doctor::data_dir_access(h, dir);
  CHECK(gone.level == Level::kFail);
  CHECK(gone.what == dir + ": No such file");
}

TEST_CASE("doctor opens a data dir of someone else's read-only and writes its own", "[doctor]") {
  pb::test::TempDir tmp("pb-doctor-unit");
  const std::string dir = tmp / "data";
  FakeHost h;
  h.stats[dir] = {1000, 1000, S_IFDIR | 0700};
  std::int64_t high = -1;
  auto own = pb::doctor::data_dir(h, dir, &high);
  REQUIRE(own.size() == 3);
  CHECK(own[0].check == "data dir access");
  CHECK(own[1].check == "data dir");
  CHECK(own[1].level == Level::kOk);
  CHECK(own[1].what == dir + " is writable");
  CHECK(own[2].check == "upload queue");
  CHECK(own[2].what == "0 pending, 0 failed");
  CHECK(high == 0);

  h.probe_ok = false;
  auto full = pb::doctor::data_dir(h, dir, &high);
  CHECK(full[1].level == Level::kFail);
  CHECK(full[1].what == dir + " is NOT writable");

  h.stats[dir].uid = 1001;  // another user's: read, never written
  auto foreign = pb::doctor::data_dir(h, dir, &high);
  REQUIRE(foreign.size() >= 2);
  CHECK(foreign[0].level == Level::kFail);
  CHECK(foreign[1].level == Level::kOk);
  CHECK(foreign[1].what == dir + " read, not written (owned by other)");

  // Not there yet: made by the ledger, then its mode is looked at (through the fake: gone).
  const std::string fresh = tmp / "fresh";
  h.probe_ok = true;
  auto made = pb::doctor::data_dir(h, fresh, &high);
  REQUIRE(made.size() == 3);
  CHECK(made[0].check == "data dir");
  CHECK(made[1].check == "data dir access");
}

TEST_CASE("disk and clock findings say what the booth does about them", "[doctor]") {
  FakeHost h;
  h.free = std::int64_t{50} << 20;
  const auto low = pb::doctor::disk_space(h, "/data", 100);
  REQUIRE(low);
  CHECK(low->level == Level::kFail);
  CHECK(low->what == "free disk: 50 MB (booth stops below 100 MB; ~2500 photos per GB)");
  CHECK(pb::doctor::disk_space(h, "/data", 50)->level == Level::kOk);
  h.free.reset();
  CHECK_FALSE(pb::doctor::disk_space(h, "/data", 50));

  CHECK(pb::doctor::clock(h, 0).level == Level::kOk);
  CHECK(pb::doctor::clock(h, 0).what == "the clock says 2030-03-17T17:46:40.000Z");
  const Finding behind = pb::doctor::clock(h, h.now + 3'600'000);
  CHECK(behind.level == Level::kWarn);
  CHECK(has(behind.what, "behind the newest pledge (2030-03-17T18:46:40.000Z)"));
  h.now = 600'000;  // a box without a battery, booted in 1970
  const Finding early = pb::doctor::clock(h, 0);
  CHECK(early.level == Level::kWarn);
  CHECK(has(early.what, "before this build was made"));
  CHECK(has(early.fix, "timedatectl"));
}

TEST_CASE("an upload target is checked for its secrets its folder or its server", "[doctor]") {
  FakeHost h;
  pb::config::UploadTarget s3;
  s3.name = "bucket";
  s3.kind = "s3";
  s3.settings = {{"endpoint", "https://user:pw@s3.example.org/"},
                 {"bucket", "pledges"},
                 {"access_key_env", "PB_KEY"},
                 {"secret_key_env", "PB_SECRET"}};
  h.environment["PB_KEY"] = "AKIAEXAMPLE";
  h.environment["PB_SECRET"] = "";  // set but empty: not a secret
  const Finding unset = pb::doctor::upload_target(h, s3);
  CHECK(unset.level == Level::kFail);
  CHECK(has(unset.what, "environment variable(s) not set: PB_SECRET"));
  CHECK_FALSE(has(unset.what, "AKIAEXAMPLE"));
  CHECK(h.connected.empty());

  h.environment["PB_SECRET"] = "s3cr3t";
  CHECK(pb::doctor::upload_target(h, s3).level == Level::kOk);
  REQUIRE(h.connected.size() == 1);
  CHECK(h.connected[0] == "s3.example.org:443");  // the host alone, https's port
  h.refused["s3.example.org:443"] = "Connection refused";
  const Finding down = pb::doctor::upload_target(h, s3);
  CHECK(down.level == Level::kWarn);
  CHECK(has(down.what, "not reachable (Connection refused)"));

  s3.settings["endpoint"] = "s3.example.org";
  CHECK(pb::doctor::upload_target(h, s3).level == Level::kFail);

  pb::config::UploadTarget usb;
  usb.name = "usb";
  usb.kind = "file";
  usb.settings = {{"path", "/media/usb/pledges"}};
  const Finding absent = pb::doctor::upload_target(h, usb);
  CHECK(absent.level == Level::kWarn);
  CHECK(has(absent.what, "not writable now"));
  h.writable.insert("/media/usb");
  CHECK(has(pb::doctor::upload_target(h, usb).what, "made on the first upload"));
  h.stats["/media/usb/pledges"] = {1000, 1000, S_IFDIR | 0700};
  h.writable.insert("/media/usb/pledges");
  CHECK(has(pb::doctor::upload_target(h, usb).what, ": writable"));
}

TEST_CASE("display fonts and sign frame are looked up on the machine", "[doctor]") {
  FakeHost h;
  CHECK(pb::doctor::display(h).what == "none here (the service starts the booth inside cage)");
  h.environment["SDL_VIDEODRIVER"] = "offscreen";
  CHECK(pb::doctor::display(h).what == "SDL_VIDEODRIVER=offscreen");
  h.environment["DISPLAY"] = ":0";
  CHECK(pb::doctor::display(h).what == "DISPLAY=:0");

  auto fonts = pb::doctor::fonts(h);
  REQUIRE(fonts.size() == 2);
  CHECK(fonts[0].level == Level::kFail);
  CHECK(fonts[0].fix == "sudo apt-get install fonts-nanum");
  h.files["/usr/share/fonts/truetype/nanum/NanumGothic.ttf"] = "";
  CHECK(pb::doctor::fonts(h)[0].level == Level::kOk);

  pb::config::PhotoConfig photo;
  photo.frame = "/home/volunteer/sign.png";
  CHECK(pb::doctor::sign_frame(h, photo).level == Level::kFail);
  h.files[photo.frame] = "";
  CHECK(pb::doctor::sign_frame(h, photo).level == Level::kOk);
}

TEST_CASE("the camera check reads one frame from the configured source", "[doctor]") {
  pb::config::CameraConfig cam;
  cam.source = "synthetic";
  const Finding ok = pb::doctor::camera(cam);
  INFO(ok.what);
  CHECK(ok.level == Level::kOk);
  CHECK(has(ok.what, "delivers 1280x720 frames"));
  cam.source = "file:/nonexistent/loop.mp4";
  const Finding missing = pb::doctor::camera(cam);
  INFO(missing.what);
  CHECK(missing.level == Level::kFail);
  CHECK(missing.fix != "");
}

TEST_CASE("the drawing line compares the session script's choice with the booth's renderer",
          "[doctor]") {
  FakeHost h;
  h.exe = "/usr/bin/pledgebooth";
  // Not installed (no session script beside the program): nothing is run, nothing to do.
  Finding f = pb::doctor::drawing(h);
  CHECK(f.check == "drawing");
  CHECK(f.level == Level::kOk);
  CHECK(has(f.what, "not an installed booth"));
  CHECK(h.commands.empty());

  const std::string script = "/usr/bin/../libexec/pledgebooth/booth-session";
  h.files[script] = "";
  h.command_output["booth-session"] = "gpu";
  h.command_output["journalctl"] =
      "kiosk: renderer opengl (Mesa Intel(R) UHD 620), vsync, 1080x1920";
  f = pb::doctor::drawing(h);
  CHECK(f.level == Level::kOk);
  CHECK(f.what ==
        "draws on the GPU (kiosk: renderer opengl (Mesa Intel(R) UHD 620), vsync, 1080x1920)");
  REQUIRE(h.commands.size() == 2);
  CHECK(h.commands[0] == "'/usr/libexec/pledgebooth/booth-session' --explain 2>/dev/null");

  // The script chose the GPU, but the GL the booth got was Mesa's software one.
  h.command_output["journalctl"] = "kiosk: renderer opengl (llvmpipe (LLVM 15.0.6, 256 bits))";
  f = pb::doctor::drawing(h);
  CHECK(f.level == Level::kWarn);
  CHECK(has(f.what, "chose the GPU, but the booth's GL is software"));
  CHECK(has(f.fix, "PLEDGEBOOTH_RENDERER=software"));

  h.command_output["booth-session"] = "software: no GPU with a 3D driver";
  h.command_output["journalctl"] = "";
  f = pb::doctor::drawing(h);
  CHECK(f.level == Level::kWarn);
  CHECK(f.what == "draws in software: software: no GPU with a 3D driver");
  CHECK(has(f.fix, "PLEDGEBOOTH_RENDERER=gpu"));

  // What the commands print is outside text: no control characters reach the line.
  h.command_output["booth-session"] = "software\x1b[31m red";
  f = pb::doctor::drawing(h);
  CHECK(f.what.find('\x1b') == std::string::npos);

  h.command_output.clear();
  f = pb::doctor::drawing(h);
  CHECK(f.level == Level::kWarn);
  CHECK(has(f.what, "the session script gave no answer"));
  CHECK(f.fix == "reinstall pledgebooth-booth");
}

TEST_CASE("run_all gives every check in order and any FAIL makes the booth not ready", "[doctor]") {
  pb::test::TempDir tmp("pb-doctor-all");
  FakeHost h;
  pb::config::Config cfg;
  cfg.camera.source = "synthetic";
  cfg.storage.data_dir = tmp / "data";
  cfg.photo.frame = "/frame.png";
  h.files["/frame.png"] = "";
  h.files["/usr/share/fonts/truetype/nanum/NanumGothic.ttf"] = "";
  h.files["/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"] = "";
  h.files["/proc/bus/input/devices"] = "";
  h.stats[cfg.storage.data_dir] = {1000, 1000, S_IFDIR | 0700};
  const auto all = pb::doctor::run_all(cfg, h);
  std::vector<std::string> names;
  for (const auto& f : all) names.push_back(f.check);
  CHECK(names == std::vector<std::string>{"config", "service", "data dir access", "data dir",
                                          "upload queue", "disk", "clock", "camera device", "GPU",
                                          "drawing", "input devices", "touch", "font", "font",
                                          "sign frame", "camera", "display"});
  CHECK_FALSE(pb::doctor::any_failed(all));
  h.files.erase("/frame.png");
  CHECK(pb::doctor::any_failed(pb::doctor::run_all(cfg, h)));
}

TEST_CASE("doctor warns a week before pledges not yet uploaded lose photo, name and words",
          "[doctor][retention]") {
  pb::test::TempDir tmp("pb-doctor-retention");
  const std::string dir = tmp / "data";
  constexpr std::int64_t kDay = 24 * 3600 * 1000LL;
  constexpr std::int64_t kT0 = 1764059400123;  // 2025-11-25T08:30:00.123Z
  {
    pb::store::ManualClock saved_at(kT0);
    auto ledger = pb::store::Ledger::open(dir);
    REQUIRE(ledger.is_ok());
    (*ledger)->set_clock(saved_at);
    pb::store::PledgeInput in;
    in.event = "campus-fair";
    in.booth = "booth-1";
    in.locale = "en";
    in.first_name = "Ana";
    in.share_consent = true;
    in.targets = {"usb"};  // never uploaded
    REQUIRE((*ledger)->save_pledge(in).is_ok());
  }
  FakeHost h;
  h.now = kT0 + 300 * kDay;
  CHECK_FALSE(pb::doctor::retention(h, dir, 0));  // keep_months = 0: no check
  auto calm = pb::doctor::retention(h, dir, 12);
  REQUIRE(calm);
  CHECK(calm->level == Level::kOk);
  CHECK(calm->what == "photos, names and words are deleted after 12 months; none is due");
  h.now = kT0 + 362 * kDay;  // six days before the year is up
  auto soon = pb::doctor::retention(h, dir, 12);
  REQUIRE(soon);
  CHECK(soon->level == Level::kWarn);
  CHECK(soon->what ==
        "1 pledge(s) not yet uploaded lose their photo, name and words within a week "
        "(keep_months = 12)");
  CHECK(has(soon->fix, "pledgebooth upload"));
  h.now = kT0 + 400 * kDay;  // past it; nobody ran the booth or purge
  auto past = pb::doctor::retention(h, dir, 12);
  REQUIRE(past);
  CHECK(past->level == Level::kWarn);
  CHECK(past->what == "1 pledge(s) older than 12 months still hold a photo, name or words");
  CHECK(has(past->fix, "pledgebooth purge"));
}
