// SPDX-License-Identifier: Apache-2.0
// The checks of pb/doctor.h: each reads the machine through a Host and says what to do.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "pb/answer_picks.h"
#include "pb/camera.h"
#include "pb/clock.h"
#include "pb/doctor.h"
#include "pb/ledger.h"
#include "pb/retention.h"
#include "pb/url.h"
#include "pb/utf8.h"
#include "pb/wall.h"

namespace fs = std::filesystem;

namespace pb::doctor {

namespace {

constexpr const char* kUnit = "pledgebooth-booth.service";  // dist/, the appliance's unit
constexpr int kConnectTimeoutMs = 3000;
constexpr const char* kFonts[] = {"/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
                                  "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"};

}  // namespace

const char* level_word(Level l) {
  return l == Level::kOk ? "OK" : l == Level::kWarn ? "WARN" : "FAIL";
}

bool any_failed(const std::vector<Finding>& findings) {
  for (const auto& f : findings)
    if (f.level == Level::kFail) return true;
  return false;
}

std::string dev_dir(const Host& host) {
  const auto dev = host.env("PB_DOCTOR_DEV");
  return dev && !dev->empty() ? *dev : std::string("/dev");
}

bool can_open(const Host& host, const BoothUser& u, const std::string& path) {
  if (u.uid == host.euid()) return host.may_access(path, R_OK | W_OK);
  const auto st = host.stat(path);
  if (!st) return false;
  if (u.uid == 0) return true;
  if (st->uid == u.uid) return (st->mode & 0600) == 0600;
  for (gid_t g : u.groups)
    if (g == st->gid) return (st->mode & 0060) == 0060;
  return (st->mode & 0006) == 0006;
}

Finding config_source(const config::Config& cfg) {
  return {Level::kOk, "config",
          cfg.source_path.empty() ? std::string("built-in default (no booth.toml)")
                                  : cfg.source_path + " loads clean",
          ""};
}

std::optional<Finding> watchdog(const Host& host) {
  const auto notify = host.env("NOTIFY_SOCKET");
  if (!notify) return std::nullopt;
  const auto wd = host.env("WATCHDOG_USEC");
  return Finding{Level::kOk, "watchdog",
                 std::string("running under a service manager (NOTIFY_SOCKET set") +
                     (wd ? ", WATCHDOG_USEC=" + *wd : std::string()) + ")",
                 ""};
}

Finding service(const Host& host) {
  if (!host.exists("/run/systemd/system"))
    return {Level::kOk, "service",
            "systemd is not running here: not a deployed booth, service not checked", ""};
  const std::string show = host.unit_properties(
      kUnit, {"LoadState", "ActiveState", "SubState", "WatchdogUSec", "NRestarts"});
  std::map<std::string, std::string> v;
  std::istringstream in(show);
  for (std::string line; std::getline(in, line);)
    if (const auto eq = line.find('='); eq != std::string::npos)
      v[line.substr(0, eq)] = printable_text(line.substr(eq + 1), 200);
  const std::string unit = kUnit;
  if (v["LoadState"] != "loaded")
    return {Level::kWarn, "service", unit + " is not installed",
            "install the pledgebooth-booth package to start the booth at boot"};
  const std::string state = v["ActiveState"] + " (" + v["SubState"] + ")";
  const std::string detail =
      ", watchdog " + (v["WatchdogUSec"].empty() ? "off" : v["WatchdogUSec"]) + ", restarted " +
      (v["NRestarts"].empty() ? "0" : v["NRestarts"]) + " time(s)";
  if (v["ActiveState"] == "active") return {Level::kOk, "service", unit + " " + state + detail, ""};
  if (v["ActiveState"] == "failed")
    return {Level::kFail, "service", unit + " " + state + detail,
            "see why: journalctl -b -u " + unit + "; then sudo systemctl restart " + unit};
  return {Level::kWarn, "service", unit + " " + state + detail,
          "sudo systemctl enable --now " + unit};
}

Finding data_dir_access(const Host& host, const std::string& dir) {
  const auto st = host.stat(dir);
  if (!st) return {Level::kFail, "data dir access", dir + ": " + st.status().message(), ""};
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st->mode & 07777));
  const std::string owner = host.user_name(st->uid);
  const std::string desc = dir + " owned by " + owner + ", mode " + mode;
  if (st->mode & S_IWOTH)
    return {Level::kFail, "data dir access", desc + ": anyone on this box can change pledges",
            "sudo chmod 0700 " + dir};
  if (st->mode & (S_IRWXG | S_IRWXO))
    return {Level::kWarn, "data dir access", desc + ": other users can read names and photos",
            "sudo chmod 0700 " + dir};
  const uid_t me = host.euid();
  if (st->uid != me && me != 0)
    return {Level::kFail, "data dir access", desc + ": " + host.user_name(me) + " cannot use it",
            "run as " + owner + ", or sudo chown -R " + host.user_name(me) + " " + dir};
  return {Level::kOk, "data dir access", desc, ""};
}

std::vector<Finding> data_dir(const Host& host, const std::string& configured,
                              std::int64_t* ledger_high_ms) {
  std::vector<Finding> out;
  *ledger_high_ms = 0;
  std::error_code ec;
  const std::string dir = fs::absolute(configured, ec).lexically_normal().string();
  // Owner and mode as found: opening read-write would tighten the mode, so a data dir with
  // a finding is only read too.
  const auto st = host.stat(dir);
  std::optional<Finding> access;
  if (st) {
    access = data_dir_access(host, dir);
    out.push_back(*access);
  }
  const bool foreign = st && st->uid != host.euid();
  const bool read_only = foreign || (access && access->level != Level::kOk);
  auto ledger =
      store::Ledger::open(dir, read_only ? store::Access::kReadOnly : store::Access::kReadWrite);
  if (!ledger) {
    out.push_back({Level::kFail, "data dir", dir + ": " + ledger.status().message(),
                   "check booth.toml's storage.data_dir and that the disk is mounted"});
    return out;
  }
  const std::string opened = (*ledger)->data_dir();
  if (read_only) {
    out.push_back({Level::kOk, "data dir",
                   opened + " read, not written (" +
                       (foreign ? "owned by " + host.user_name(st->uid) : "mode to fix first") +
                       ")",
                   ""});
  } else {
    const bool writable = host.write_probe(opened);
    out.push_back({writable ? Level::kOk : Level::kFail, "data dir",
                   opened + (writable ? " is writable" : " is NOT writable"),
                   writable ? "" : "remount it read-write or free the disk"});
  }
  if (!access) out.push_back(data_dir_access(host, opened));  // made just now
  if (auto h = (*ledger)->clock_high_ms()) *ledger_high_ms = *h;
  if (auto q = (*ledger)->queue_counts())
    out.push_back(
        {q->failed == 0 ? Level::kOk : Level::kFail, "upload queue",
         std::to_string(q->pending) + " pending, " + std::to_string(q->failed) + " failed",
         q->failed == 0 ? "" : "see `pledgebooth upload --retry-failed`"});
  if (auto hidden = campaign::hidden_list_problem(opened))
    out.push_back({Level::kFail, "wall hidden list", hidden->what, hidden->fix});
  return out;
}

namespace {
// The host's clock as the ledger's (a test's fake host moves time for retention too).
class HostClock final : public store::Clock {
 public:
  explicit HostClock(const Host& host) : host_(host) {}
  std::int64_t now_ms() const override { return host_.now_ms(); }

 private:
  const Host& host_;
};
}  // namespace

std::optional<Finding> retention(const Host& host, const std::string& data_dir, int keep_months) {
  if (keep_months <= 0) return std::nullopt;
  auto ledger = store::Ledger::open(data_dir, store::Access::kReadOnly);
  if (!ledger) return std::nullopt;  // "data dir" said why
  const HostClock clock(host);
  (*ledger)->set_clock(clock);
  const std::string months = "keep_months = " + std::to_string(keep_months);
  auto soon = store::undelivered_expiring_soon(**ledger, keep_months);
  const auto picks = config::answer_pick_texts();
  auto past = store::retention_plan(
      **ledger, keep_months, [&picks](const std::string& a) { return picks.count(a) > 0; }, false);
  if (!soon || !past) {
    const Status& why = !soon ? soon.status() : past.status();
    return Finding{Level::kWarn, "retention", "cannot read the ledger: " + why.message(),
                   "see the data dir finding"};
  }
  if (!past->empty())
    return Finding{Level::kWarn, "retention",
                   std::to_string(past->size()) + " pledge(s) older than " +
                       std::to_string(keep_months) + " months still hold a photo, name or words",
                   "the running booth deletes them within the hour; or run `pledgebooth purge`"};
  if (*soon > 0)
    return Finding{Level::kWarn, "retention",
                   std::to_string(*soon) +
                       " pledge(s) not yet uploaded lose their photo, name and words within a "
                       "week (" +
                       months + ")",
                   "bring the booth online, or run `pledgebooth upload` where a target can be "
                   "reached"};
  return Finding{Level::kOk, "retention",
                 "photos, names and words are deleted after " + std::to_string(keep_months) +
                     " months; none is due",
                 ""};
}

std::optional<Finding> disk_space(const Host& host, const std::string& configured,
                                  std::int64_t min_free_mb) {
  std::error_code ec;
  const std::string dir = fs::absolute(configured, ec).lexically_normal().string();
  const auto free_bytes = host.free_bytes(dir);
  if (!free_bytes) return std::nullopt;
  const long long free_mb = *free_bytes / (1024 * 1024);
  const bool enough = free_mb >= min_free_mb;
  return Finding{enough ? Level::kOk : Level::kFail, "disk",
                 "free disk: " + std::to_string(free_mb) + " MB (booth stops below " +
                     std::to_string(min_free_mb) + " MB; ~2500 photos per GB)",
                 enough ? "" : "upload and export the pledges, then free space"};
}

Finding clock(const Host& host, std::int64_t ledger_high_ms) {
  const std::int64_t now = host.now_ms();
  const std::string said = "the clock says " + store::utc_timestamp(now);
  const std::string fix =
      "connect the booth to a network so NTP sets the time (timedatectl), or set it: "
      "sudo date -u -s 'YYYY-MM-DD HH:MM'; pledges stay in order meanwhile";
  switch (store::check_clock(now, ledger_high_ms)) {
    case store::ClockState::kBehindLedger:
      return {Level::kWarn, "clock",
              said + ", behind the newest pledge (" + store::utc_timestamp(ledger_high_ms) + ")",
              fix};
    case store::ClockState::kBeforeBuild:
      return {
          Level::kWarn, "clock",
          said + ", before this build was made (" + store::utc_date(store::build_time_ms()) + ")",
          fix};
    case store::ClockState::kOk:
      break;
  }
  return {Level::kOk, "clock", said, ""};
}

Finding device_access(const Host& host, const DeviceRule& rule) {
  const std::string where = dev_dir(host) + rule.pattern;
  const auto devices = host.glob(where);
  if (devices.empty()) return {rule.missing_level, rule.check, "no " + where, rule.missing_fix};
  const BoothUser user = host.booth_user();
  std::vector<std::string> denied;
  std::string groups;
  for (const auto& d : devices) {
    if (can_open(host, user, d)) continue;
    denied.push_back(d);
    if (const auto st = host.stat(d)) {
      const std::string group = host.group_name(st->gid);
      if (groups.find(group) == std::string::npos) groups += (groups.empty() ? "" : ",") + group;
    }
  }
  const std::string& me = user.name;
  if (denied.empty())
    return {Level::kOk, rule.check,
            std::to_string(devices.size()) + " device(s), all open to " + me, ""};
  std::string list;
  for (const auto& d : denied) list += (list.empty() ? "" : " ") + d;
  return {rule.denied_level, rule.check, me + " cannot open " + list,
          "add the booth's user to group(s) " + groups + " (sudo usermod -aG " + groups + " " + me +
              "), then log in again or restart the service"};
}

Finding camera_device(const Host& host, const config::CameraConfig& camera) {
  const bool real_camera = camera.source != "synthetic" && camera.source.rfind("file:", 0) != 0 &&
                           camera.source.find('.') == std::string::npos;
  Finding f =
      device_access(host, {"camera device", "/video*", real_camera ? Level::kWarn : Level::kOk,
                           real_camera ? "plug in the webcam (USB)" : "", Level::kFail});
  if (!real_camera && f.level == Level::kOk && f.what.rfind("no ", 0) == 0)
    f.what += " (camera '" + camera.source + "' needs none)";
  return f;
}

Finding gpu_device(const Host& host) {
  return device_access(
      host, {"GPU", "/dri/*", Level::kWarn, "no GPU: the booth draws in software (slower preview)",
             Level::kFail});
}

Finding drawing(const Host& host) {
  // Installed as GNUInstallDirs lays it out: bin/ and libexec/ side by side.
  const std::string exe = host.self_exe();
  const fs::path session = fs::path(exe).parent_path() / "../libexec/pledgebooth/booth-session";
  if (exe.empty() || !host.exists(session.string()))
    return {Level::kOk, "drawing",
            "not an installed booth here: the service's session script chooses at start", ""};
  const std::string choice = printable_text(
      host.first_line_of("'" + session.lexically_normal().string() + "' --explain 2>/dev/null"),
      300);
  // What the running booth logged: "kiosk: renderer opengl (llvmpipe (LLVM 15...)), vsync, WxH".
  const std::string used = printable_text(
      host.first_line_of("journalctl -b -u pledgebooth-booth -o cat --no-pager -g '^kiosk: "
                         "renderer' -n 1 2>/dev/null"),
      300);
  const std::string seen = used.empty() ? "" : " (" + used + ")";
  const bool software_gl = used.find("llvmpipe") != std::string::npos ||
                           used.find("softpipe") != std::string::npos ||
                           used.find("software") != std::string::npos;
  const std::string edit =
      "sudo systemctl edit pledgebooth-booth, add [Service] Environment=PLEDGEBOOTH_RENDERER=";
  if (choice.rfind("software", 0) == 0)
    return {Level::kWarn, "drawing", "draws in software: " + choice + seen,
            "fine for the booth's screens; a box with a GPU driver (Raspberry Pi 4/5, Intel "
            "graphics) keeps the preview smoother. Forced by mistake? " +
                edit + "gpu"};
  if (choice == "gpu" && software_gl)
    return {Level::kWarn, "drawing", "chose the GPU, but the booth's GL is software" + seen,
            edit + "software, then sudo systemctl restart pledgebooth-booth"};
  if (choice == "gpu") return {Level::kOk, "drawing", "draws on the GPU" + seen, ""};
  return {Level::kWarn, "drawing", "the session script gave no answer (" + session.string() + ")",
          "reinstall pledgebooth-booth"};
}

Finding input_devices(const Host& host) {
  // cage opens input through the seat session: a device it cannot open is not fatal.
  return device_access(host, {"input devices", "/input/event*", Level::kWarn,
                              "plug in the touchscreen or a mouse", Level::kWarn});
}

Finding touch(const Host& host) {
  constexpr int kAbsMtPositionX = 0x35;
  const auto text = host.read_text("/proc/bus/input/devices", 1 << 20);
  if (!text) return {Level::kWarn, "touch", "cannot read /proc/bus/input/devices", ""};
  std::istringstream in(*text);
  std::string line, name, found;
  while (std::getline(in, line)) {
    if (line.rfind("N: Name=", 0) == 0) name = line.substr(8);
    if (line.rfind("B: ABS=", 0) != 0) continue;
    // Hex words, most significant first, each as wide as a long.
    std::istringstream words(line.substr(7));
    std::vector<std::string> w;
    for (std::string t; words >> t && w.size() < 64;) w.push_back(t);
    const std::size_t bits = sizeof(long) * 8, word = kAbsMtPositionX / bits;
    if (word >= w.size()) continue;
    try {
      const unsigned long long v = std::stoull(w[w.size() - 1 - word], nullptr, 16);
      if ((v >> (kAbsMtPositionX % bits)) & 1) {
        found = printable_text(name, 200);
        break;
      }
    } catch (...) {
    }
  }
  if (found.empty())
    return {Level::kWarn, "touch", "no touchscreen among the input devices",
            "plug in the screen's USB touch cable (a mouse still works for testing)"};
  return {Level::kOk, "touch", "touchscreen " + found, ""};
}

std::vector<Finding> fonts(const Host& host) {
  std::vector<Finding> out;
  for (const char* font : kFonts) {
    const bool ok = host.exists(font);
    out.push_back({ok ? Level::kOk : Level::kFail, "font",
                   std::string(font) + (ok ? "" : " missing"),
                   ok ? "" : "sudo apt-get install fonts-nanum"});
  }
  return out;
}

Finding sign_frame(const Host& host, const config::PhotoConfig& photo) {
  const bool frame = host.exists(photo.frame);
  return {frame ? Level::kOk : Level::kFail, "sign frame", photo.frame + (frame ? "" : " missing"),
          frame ? "" : "set photo.frame in booth.toml to the sign frame PNG"};
}

Finding camera(const config::CameraConfig& cfg) {
  auto source = camera::make_source(cfg);
  if (!source)
    return {Level::kFail, "camera", "'" + cfg.source + "': " + source.status().message(),
            "check camera.source in booth.toml"};
  camera::Frame f;
  Status opened = (*source)->open();
  Status read = opened ? (*source)->read(f) : opened;
  (*source)->close();
  return {read.is_ok() ? Level::kOk : Level::kFail, "camera",
          "'" + cfg.source + "' → " + (*source)->describe() +
              (read ? ": delivers " + std::to_string(f.bgr.cols) + "x" +
                          std::to_string(f.bgr.rows) + " frames"
                    : ": " + read.message()),
          read.is_ok() ? "" : "plug the webcam in again; close other programs using it"};
}

Finding display(const Host& host) {
  std::string what = "none here (the service starts the booth inside cage)";
  if (auto d = host.env("DISPLAY"))
    what = "DISPLAY=" + *d;
  else if (auto w = host.env("WAYLAND_DISPLAY"))
    what = "WAYLAND_DISPLAY=" + *w;
  else if (auto s = host.env("SDL_VIDEODRIVER"))
    what = "SDL_VIDEODRIVER=" + *s;
  return {Level::kOk, "display", what, ""};
}

Finding upload_target(const Host& host, const config::UploadTarget& t) {
  std::string missing;
  for (const auto& [env, holds] : t.secret_envs())
    if (const auto v = host.env(env); !v || v->empty()) missing += " " + env;
  const std::string what = "upload target '" + t.name + "' (" + t.kind + ") → " + t.where();
  if (!missing.empty())
    return {Level::kFail, "upload target", what + "; environment variable(s) not set:" + missing,
            "put them in /etc/pledgebooth/secrets.env"};
  if (const std::string folder = t.folder(); !folder.empty()) {
    // A folder not made yet is made by the first upload when its parent can be written.
    const bool made = host.exists(folder);
    const std::string probe = made ? folder : fs::path(folder).parent_path().string();
    const bool ok = host.may_access(probe, W_OK);
    return {
        ok ? Level::kOk : Level::kWarn, "upload target",
        what + (ok ? (made ? ": writable" : ": made on the first upload") : ": not writable now"),
        ok ? "" : "plug in and mount the stick; pledges wait in the queue"};
  }
  const auto endpoint = url::endpoint(t.url());
  if (!endpoint)
    return {Level::kFail, "upload target", what + ": not an http(s) URL",
            "fix the URL in booth.toml"};
  if (Status s = host.connect(endpoint->host, *endpoint->port, kConnectTimeoutMs); !s)
    return {Level::kWarn, "upload target", what + ": not reachable (" + s.message() + ")",
            "check the network; pledges wait in the queue until it is back"};
  return {Level::kOk, "upload target", what + ": reachable", ""};
}

std::vector<Finding> run_all(const config::Config& cfg, const Host& host) {
  std::vector<Finding> out{config_source(cfg)};
  if (auto w = watchdog(host)) out.push_back(*w);
  out.push_back(service(host));
  std::int64_t high_ms = 0;
  for (auto& f : data_dir(host, cfg.storage.data_dir, &high_ms)) out.push_back(std::move(f));
  if (auto r = retention(host, cfg.storage.data_dir, cfg.event.keep_months)) out.push_back(*r);
  if (auto d = disk_space(host, cfg.storage.data_dir, cfg.storage.min_free_mb)) out.push_back(*d);
  out.push_back(clock(host, high_ms));
  // Devices as the booth's user meets them.
  out.push_back(camera_device(host, cfg.camera));
  out.push_back(gpu_device(host));
  out.push_back(drawing(host));
  out.push_back(input_devices(host));
  out.push_back(touch(host));
  for (auto& f : fonts(host)) out.push_back(std::move(f));
  out.push_back(sign_frame(host, cfg.photo));
  out.push_back(camera(cfg.camera));
  out.push_back(display(host));
  for (const auto& t : cfg.upload.targets) out.push_back(upload_target(host, t));
  return out;
}

}  // namespace pb::doctor
