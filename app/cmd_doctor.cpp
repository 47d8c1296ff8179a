// SPDX-License-Identifier: Apache-2.0
// `pledgebooth doctor`: is this booth ready? Config, service and watchdog, devices (camera,
// GPU, input, touch), data dir, clock, disk, fonts, camera frames, display and upload
// targets: each an OK/WARN/FAIL line with what to do; exit 1 on any FAIL; --json.
#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "commands.h"
#include "pb/camera.h"
#include "pb/disk.h"
#include "pb/drawing.h"
#include "pb/json.h"
#include "pb/ledger.h"
#include "pb/utf8.h"

namespace fs = std::filesystem;

namespace pb::app {

namespace {

constexpr const char* kUnit = "pledgebooth-booth.service";  // dist/, the appliance's unit

enum class Level { kOk, kWarn, kFail };

struct Check {
  Level level;
  std::string name;  // short, stable: "data dir", "camera device", ...
  std::string what;
  std::string fix;  // what to do ("" for OK)
};

const char* level_word(Level l) {
  return l == Level::kOk ? "OK" : l == Level::kWarn ? "WARN" : "FAIL";
}

// A command's stdout (at most 64 KB); the commands are fixed strings of ours.
std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0 && out.size() < 65536) out.append(buf, n);
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string user_name(uid_t uid) {
  if (const passwd* pw = getpwuid(uid)) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

std::string group_name(gid_t gid) {
  if (const group* g = getgrgid(gid)) return g->gr_name;
  return "gid " + std::to_string(gid);
}

std::vector<std::string> glob_paths(const char* pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern, 0, nullptr, &g) == 0)
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
  globfree(&g);
  return out;
}

// Whose device access counts: the service's user when root runs doctor on a deployed booth
// (root opens everything), else whoever runs it.
struct BoothUser {
  std::string name;
  uid_t uid;
  std::vector<gid_t> groups;
};

BoothUser booth_user() {
  const passwd* pw = geteuid() == 0 ? getpwnam("pledgebooth") : nullptr;
  if (!pw) pw = getpwuid(geteuid());
  if (!pw) return {user_name(geteuid()), geteuid(), {getegid()}};
  BoothUser u{pw->pw_name, pw->pw_uid, {}};
  int n = 64;
  u.groups.resize(static_cast<std::size_t>(n));
  if (getgrouplist(pw->pw_name, pw->pw_gid, u.groups.data(), &n) < 0) n = 0;
  u.groups.resize(static_cast<std::size_t>(std::max(n, 0)));
  return u;
}

// Read-write by mode bits, as the kernel decides it for that user (no ACLs).
bool can_open(const BoothUser& u, const std::string& path) {
  if (u.uid == geteuid()) return access(path.c_str(), R_OK | W_OK) == 0;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return false;
  if (u.uid == 0) return true;
  if (st.st_uid == u.uid) return (st.st_mode & 0600) == 0600;
  for (gid_t g : u.groups)
    if (g == st.st_gid) return (st.st_mode & 0060) == 0060;
  return (st.st_mode & 0006) == 0006;
}

// Device files the booth's user can open read-write, and a line naming those it cannot and
// the group that would let it.
Check device_access(const std::string& name, const char* pattern, Level missing_level,
                    const std::string& missing_fix, Level denied_level) {
  // PB_DOCTOR_DEV: another /dev to look in (tests build one with modes and owners).
  const char* dev = std::getenv("PB_DOCTOR_DEV");
  const std::string where = (dev && *dev ? std::string(dev) : std::string("/dev")) + pattern;
  const auto devices = glob_paths(where.c_str());
  if (devices.empty()) return {missing_level, name, "no " + where, missing_fix};
  const BoothUser user = booth_user();
  std::vector<std::string> denied;
  std::string groups;
  for (const auto& d : devices) {
    if (can_open(user, d)) continue;
    denied.push_back(d);
    struct stat st {};
    if (stat(d.c_str(), &st) == 0 && groups.find(group_name(st.st_gid)) == std::string::npos)
      groups += (groups.empty() ? "" : ",") + group_name(st.st_gid);
  }
  const std::string& me = user.name;
  if (denied.empty())
    return {Level::kOk, name, std::to_string(devices.size()) + " device(s), all open to " + me, ""};
  std::string list;
  for (const auto& d : denied) list += (list.empty() ? "" : " ") + d;
  return {denied_level, name, me + " cannot open " + list,
          "add the booth's user to group(s) " + groups + " (sudo usermod -aG " + groups + " " + me +
              "), then log in again or restart the service"};
}

// A touchscreen is an input device reporting multitouch positions (ABS_MT_POSITION_X).
Check touch_device() {
  constexpr int kAbsMtPositionX = 0x35;
  std::ifstream in("/proc/bus/input/devices");
  if (!in) return {Level::kWarn, "touch", "cannot read /proc/bus/input/devices", ""};
  std::string line, name, found;
  std::size_t read = 0;
  while (std::getline(in, line) && (read += line.size()) < (1 << 20)) {
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

// Reachability of host:port within 3 s (no request is sent).
bool reachable(const std::string& host, const std::string& port, std::string& error) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    error = gai_strerror(rc);
    return false;
  }
  bool ok = false;
  error = "no address";
  for (addrinfo* a = res; a && !ok; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      ok = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int soerr = 0;
      socklen_t len = sizeof soerr;
      if (poll(&p, 1, 3000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
          soerr == 0)
        ok = true;
      else
        error = soerr ? std::strerror(soerr) : "no answer within 3 s";
    } else {
      error = std::strerror(errno);
    }
    close(fd);
  }
  freeaddrinfo(res);
  return ok;
}

// host and port of an http(s) URL; false when it is not one.
bool url_host_port(const std::string& url, std::string& host, std::string& port) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  const std::string scheme = url.substr(0, scheme_end);
  std::string rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  port = scheme == "https" ? "443" : "80";
  if (!rest.empty() && rest[0] == '[') {  // [v6]:port
    const auto close = rest.find(']');
    if (close == std::string::npos) return false;
    host = rest.substr(1, close - 1);
    if (close + 2 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else {
    host = rest;
  }
  return !host.empty() && !port.empty();
}

void service_checks(std::vector<Check>& checks) {
  const char* notify = std::getenv("NOTIFY_SOCKET");
  const char* wd = std::getenv("WATCHDOG_USEC");
  if (notify)
    checks.push_back({Level::kOk, "watchdog",
                      std::string("running under a service manager (NOTIFY_SOCKET set") +
                          (wd ? std::string(", WATCHDOG_USEC=") + wd : std::string()) + ")",
                      ""});
  if (!fs::exists("/run/systemd/system")) {
    checks.push_back({Level::kOk, "service",
                      "systemd is not running here: not a deployed booth, service not checked",
                      ""});
    return;
  }
  // "Key=value" lines of the unit's state.
  const std::string show = command_output(
      std::string("systemctl show ") + kUnit +
      " -p LoadState -p ActiveState -p SubState -p WatchdogUSec -p NRestarts 2>/dev/null");
  std::map<std::string, std::string> v;
  std::istringstream in(show);
  for (std::string line; std::getline(in, line);)
    if (const auto eq = line.find('='); eq != std::string::npos)
      v[line.substr(0, eq)] = printable_text(line.substr(eq + 1), 200);
  const std::string unit = kUnit;
  if (v["LoadState"] != "loaded") {
    checks.push_back({Level::kWarn, "service", unit + " is not installed",
                      "install the pledgebooth-booth package to start the booth at boot"});
    return;
  }
  const std::string state = v["ActiveState"] + " (" + v["SubState"] + ")";
  const std::string detail =
      ", watchdog " + (v["WatchdogUSec"].empty() ? "off" : v["WatchdogUSec"]) + ", restarted " +
      (v["NRestarts"].empty() ? "0" : v["NRestarts"]) + " time(s)";
  if (v["ActiveState"] == "active")
    checks.push_back({Level::kOk, "service", unit + " " + state + detail, ""});
  else if (v["ActiveState"] == "failed")
    checks.push_back(
        {Level::kFail, "service", unit + " " + state + detail,
         "see why: journalctl -b -u " + unit + "; then sudo systemctl restart " + unit});
  else
    checks.push_back({Level::kWarn, "service", unit + " " + state + detail,
                      "sudo systemctl enable --now " + unit});
}

// Owner and mode of the data dir: pledges and photos are personal data.
Check data_dir_access(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0)
    return {Level::kFail, "data dir access", dir + ": " + std::strerror(errno), ""};
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  const std::string owner = user_name(st.st_uid);
  const std::string desc = dir + " owned by " + owner + ", mode " + mode;
  if (st.st_mode & S_IWOTH)
    return {Level::kFail, "data dir access", desc + ": anyone on this box can change pledges",
            "sudo chmod 0700 " + dir};
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return {Level::kWarn, "data dir access", desc + ": other users can read names and photos",
            "sudo chmod 0700 " + dir};
  if (st.st_uid != geteuid() && geteuid() != 0)
    return {Level::kFail, "data dir access", desc + ": " + user_name(geteuid()) + " cannot use it",
            "run as " + owner + ", or sudo chown -R " + user_name(geteuid()) + " " + dir};
  return {Level::kOk, "data dir access", desc, ""};
}

Check clock_check(std::int64_t ledger_high_ms) {
  const std::int64_t now = store::now_ms();
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

std::vector<Check> run_checks(AppContext& ctx) {
  std::vector<Check> checks;
  const auto& cfg = ctx.config();
  checks.push_back({Level::kOk, "config",
                    cfg.source_path.empty() ? std::string("built-in default (no booth.toml)")
                                            : cfg.source_path + " loads clean",
                    ""});
  service_checks(checks);

  // The data dir. One owned by someone else (the service's, checked by root) is only read:
  // doctor must not leave root-owned files where the booth writes.
  std::error_code ec;
  const std::string data_dir = fs::absolute(cfg.storage.data_dir, ec).lexically_normal().string();
  // Owner and mode as found: opening read-write would tighten the mode, so a data dir with
  // a finding is only read too.
  struct stat dst {};
  const bool exists = stat(data_dir.c_str(), &dst) == 0;
  std::optional<Check> access_check;
  if (exists) {
    access_check = data_dir_access(data_dir);
    checks.push_back(*access_check);
  }
  const bool foreign = exists && dst.st_uid != geteuid();
  const bool read_only = foreign || (access_check && access_check->level != Level::kOk);
  auto ledger = store::Ledger::open(
      data_dir, read_only ? store::Access::kReadOnly : store::Access::kReadWrite);
  std::int64_t high_ms = 0;
  if (!ledger) {
    checks.push_back({Level::kFail, "data dir", data_dir + ": " + ledger.status().message(),
                      "check booth.toml's storage.data_dir and that the disk is mounted"});
  } else {
    const std::string dir = (*ledger)->data_dir();
    if (read_only) {
      checks.push_back({Level::kOk, "data dir",
                        dir + " read, not written (" +
                            (foreign ? "owned by " + user_name(dst.st_uid) : "mode to fix first") +
                            ")",
                        ""});
    } else {
      std::string probe = dir + "/.doctor-probe";
      FILE* f = std::fopen(probe.c_str(), "w");
      bool writable = f && std::fputs("ok", f) >= 0 && std::fclose(f) == 0;
      std::remove(probe.c_str());
      checks.push_back({writable ? Level::kOk : Level::kFail, "data dir",
                        dir + (writable ? " is writable" : " is NOT writable"),
                        writable ? "" : "remount it read-write or free the disk"});
    }
    if (!access_check) checks.push_back(data_dir_access(dir));  // made just now
    if (auto h = (*ledger)->clock_high_ms()) high_ms = *h;
    if (auto q = (*ledger)->queue_counts()) {
      checks.push_back(
          {q->failed == 0 ? Level::kOk : Level::kFail, "upload queue",
           std::to_string(q->pending) + " pending, " + std::to_string(q->failed) + " failed",
           q->failed == 0 ? "" : "see `pledgebooth upload --retry-failed`"});
    }
  }
  // Free space where the data is, or will be.
  if (auto free_bytes = disk::free_bytes(data_dir)) {
    long long free_mb = *free_bytes / (1024 * 1024);
    bool enough = free_mb >= cfg.storage.min_free_mb;
    checks.push_back({enough ? Level::kOk : Level::kFail, "disk",
                      "free disk: " + std::to_string(free_mb) + " MB (booth stops below " +
                          std::to_string(cfg.storage.min_free_mb) + " MB; ~2500 photos per GB)",
                      enough ? "" : "upload and export the pledges, then free space"});
  }
  checks.push_back(clock_check(high_ms));

  // Devices as the booth's user meets them.
  const bool real_camera = cfg.camera.source != "synthetic" &&
                           cfg.camera.source.rfind("file:", 0) != 0 &&
                           cfg.camera.source.find('.') == std::string::npos;
  checks.push_back(device_access("camera device", "/video*",
                                 real_camera ? Level::kWarn : Level::kOk,
                                 real_camera ? "plug in the webcam (USB)" : "", Level::kFail));
  if (!real_camera && checks.back().level == Level::kOk && checks.back().what.rfind("no ", 0) == 0)
    checks.back().what += " (camera '" + cfg.camera.source + "' needs none)";
  checks.push_back(device_access("GPU", "/dri/*", Level::kWarn,
                                 "no GPU: the booth draws in software (slower preview)",
                                 Level::kFail));
  const kiosk::DrawingAdvice drawing = kiosk::drawing_advice();  // GPU or software, and why
  checks.push_back(
      {drawing.warn ? Level::kWarn : Level::kOk, "drawing", drawing.what, drawing.fix});
  checks.push_back(device_access("input devices", "/input/event*", Level::kWarn,
                                 "plug in the touchscreen or a mouse",
                                 // cage opens input through the seat session: not fatal
                                 Level::kWarn));
  checks.push_back(touch_device());

  const char* fonts[] = {"/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
                         "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"};
  for (const char* font : fonts) {
    const bool ok = fs::exists(font);
    checks.push_back({ok ? Level::kOk : Level::kFail, "font",
                      std::string(font) + (ok ? "" : " missing"),
                      ok ? "" : "sudo apt-get install fonts-nanum"});
  }
  const bool frame = fs::exists(cfg.photo.frame);
  checks.push_back({frame ? Level::kOk : Level::kFail, "sign frame",
                    cfg.photo.frame + (frame ? "" : " missing"),
                    frame ? "" : "set photo.frame in booth.toml to the sign frame PNG"});
  // The camera as the booth would open it: one frame must arrive.
  auto source = camera::make_source(cfg.camera);
  if (!source) {
    checks.push_back({Level::kFail, "camera",
                      "'" + cfg.camera.source + "': " + source.status().message(),
                      "check camera.source in booth.toml"});
  } else {
    camera::Frame f;
    Status opened = (*source)->open();
    Status read = opened ? (*source)->read(f) : opened;
    (*source)->close();
    checks.push_back(
        {read.is_ok() ? Level::kOk : Level::kFail, "camera",
         "'" + cfg.camera.source + "' → " + (*source)->describe() +
             (read ? ": delivers " + std::to_string(f.bgr.cols) + "x" + std::to_string(f.bgr.rows) +
                         " frames"
                   : ": " + read.message()),
         read.is_ok() ? "" : "plug the webcam in again; close other programs using it"});
  }
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  const char* driver = std::getenv("SDL_VIDEODRIVER");
  checks.push_back({Level::kOk, "display",
                    display   ? std::string("DISPLAY=") + display
                    : wayland ? std::string("WAYLAND_DISPLAY=") + wayland
                    : driver  ? std::string("SDL_VIDEODRIVER=") + driver
                              : "none here (the service starts the booth inside cage)",
                    ""});
  for (const auto& t : cfg.upload.targets) {
    const std::string where = t.where();
    std::string missing;
    for (const auto& [env, holds] : t.secret_envs())
      if (!config::resolve_secret(env)) missing += " " + env;
    const std::string what = "upload target '" + t.name + "' (" + t.kind + ") → " + where;
    if (!missing.empty()) {
      checks.push_back({Level::kFail, "upload target",
                        what + "; environment variable(s) not set:" + missing,
                        "put them in /etc/pledgebooth/secrets.env"});
      continue;
    }
    std::string host, port, error;
    if (const std::string folder = t.folder(); !folder.empty()) {
      // A folder not made yet is made by the first upload when its parent can be written.
      const bool made = fs::exists(folder, ec);
      const std::string probe = made ? folder : fs::path(folder).parent_path().string();
      const bool ok = access(probe.c_str(), W_OK) == 0;
      checks.push_back({ok ? Level::kOk : Level::kWarn, "upload target",
                        what + (ok ? (made ? ": writable" : ": made on the first upload")
                                   : ": not writable now"),
                        ok ? "" : "plug in and mount the stick; pledges wait in the queue"});
    } else if (!url_host_port(t.url(), host, port)) {
      checks.push_back({Level::kFail, "upload target", what + ": not an http(s) URL",
                        "fix the URL in booth.toml"});
    } else if (reachable(host, port, error)) {
      checks.push_back({Level::kOk, "upload target", what + ": reachable", ""});
    } else {
      checks.push_back({Level::kWarn, "upload target", what + ": not reachable (" + error + ")",
                        "check the network; pledges wait in the queue until it is back"});
    }
  }
  return checks;
}

void run_doctor(AppContext& ctx, bool json) {
  const std::vector<Check> checks = run_checks(ctx);
  bool failed = false;
  for (const auto& c : checks) failed = failed || c.level == Level::kFail;
  if (json) {
    std::string out = "{\"ready\": " + std::string(failed ? "false" : "true") + ", \"checks\": [";
    for (std::size_t i = 0; i < checks.size(); ++i) {
      const Check& c = checks[i];
      std::string level = level_word(c.level);
      for (char& ch : level) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out += std::string(i ? ",\n  " : "\n  ") + "{\"check\": " + json_quote(c.name) +
             ", \"level\": " + json_quote(level) + ", \"message\": " + json_quote(c.what) +
             ", \"fix\": " + json_quote(c.fix) + "}";
    }
    std::cout << out << "\n]}\n";
  } else {
    for (const auto& c : checks) {
      char word[8];
      std::snprintf(word, sizeof word, "%-5s", level_word(c.level));
      std::cout << "  " << word << c.name << ": " << c.what << (c.fix.empty() ? "" : " — " + c.fix)
                << "\n";
    }
    std::cout << (failed ? "doctor: fix the FAIL lines above\n" : "doctor: the booth is ready\n");
  }
  if (failed) throw ExitCode{1};
}

}  // namespace

void add_doctor_command(CLI::App& app, AppContext& ctx) {
  auto* doc = app.add_subcommand(
      "doctor", "check config, service, devices, data dir, clock, disk, camera, targets");
  static bool json = false;
  doc->add_flag("--json", json, "machine-readable output");
  doc->callback([&ctx] { run_doctor(ctx, json); });
}

}  // namespace pb::app
