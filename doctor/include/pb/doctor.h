// SPDX-License-Identifier: Apache-2.0
// Is this booth ready? The checks behind `pledgebooth doctor`, one function each: config,
// service and watchdog, data dir, upload queue, disk, clock, devices (camera, GPU, input,
// touch), fonts, sign frame, camera frames, display and upload targets. Each returns a
// Finding (OK, WARN or FAIL, with what to do); none prints or exits. Everything they read of
// the machine (environment, /proc, /dev, users, sockets, the clock) goes through a Host, so
// a test hands them a fake one; the ledger and the camera are the real modules.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pb/config.h"
#include "pb/status.h"

namespace pb::doctor {

enum class Level { kOk, kWarn, kFail };

struct Finding {
  Level level;
  std::string check;  // short and stable, scripts key on it: "data dir", "camera device", ...
  std::string what;
  std::string fix;  // what to do ("" for OK)
};

// "OK", "WARN", "FAIL".
const char* level_word(Level level);

struct FileStat {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;  // type and permission bits, as stat(2) gives st_mode
};

// The user whose access to devices counts: the booth's.
struct BoothUser {
  std::string name;
  uid_t uid = 0;
  std::vector<gid_t> groups;
};

// What the checks read of the machine. Host::real() is this machine; tests derive a fake.
// Every call is a read, except write_probe (a file made and removed again).
class Host {
 public:
  virtual ~Host() = default;
  // The environment variable's value, nullopt when unset.
  virtual std::optional<std::string> env(const std::string& name) const = 0;
  virtual bool exists(const std::string& path) const = 0;
  // At most max_bytes of a file (e.g. /proc/bus/input/devices); nullopt when unreadable.
  virtual std::optional<std::string> read_text(const std::string& path,
                                               std::size_t max_bytes) const = 0;
  // The paths a shell glob matches, sorted ("" patterns match nothing).
  virtual std::vector<std::string> glob(const std::string& pattern) const = 0;
  // Owner, group and mode; the error (strerror) when the path cannot be looked at.
  virtual Result<FileStat> stat(const std::string& path) const = 0;
  // access(2) for this process: may it use `path` with R_OK / W_OK / X_OK `mode`?
  virtual bool may_access(const std::string& path, int mode) const = 0;
  virtual uid_t euid() const = 0;
  virtual std::string user_name(uid_t uid) const = 0;   // "uid 1234" when unknown
  virtual std::string group_name(gid_t gid) const = 0;  // "gid 44" when unknown
  // The service's user (pledgebooth) when root runs doctor on a deployed booth (root opens
  // everything), else whoever runs it.
  virtual BoothUser booth_user() const = 0;
  // The "Key=value" lines `systemctl show` prints for a unit's properties ("" on failure).
  virtual std::string unit_properties(const std::string& unit,
                                      const std::vector<std::string>& properties) const = 0;
  // A TCP connection to host:port within timeout_ms (closed at once, nothing is sent);
  // kUnavailable with the reason ("Connection refused", "no answer within 3 s").
  virtual Status connect(const std::string& host, const std::string& port,
                         int timeout_ms) const = 0;
  virtual std::int64_t now_ms() const = 0;  // the wall clock, UTC ms
  virtual std::optional<std::int64_t> free_bytes(const std::string& dir) const = 0;
  // Writes a small file into dir and removes it: true when both worked.
  virtual bool write_probe(const std::string& dir) const = 0;
  // This program's own path (/proc/self/exe); "" when unknown.
  virtual std::string self_exe() const = 0;
  // Runs one of the checks' fixed shell commands and gives the first line of what it printed
  // (at most 511 bytes, without the newline; "" when it could not run or printed nothing).
  // Unfiltered: the check makes it printable.
  virtual std::string first_line_of(const std::string& command) const = 0;

  // This machine. PB_DOCTOR_DEV names another /dev to look in (tests build one with modes
  // and owners of their choice); see dev_dir().
  static const Host& real();
};

// Where the device files are: PB_DOCTOR_DEV, else /dev.
std::string dev_dir(const Host& host);
// Read-write by mode bits, as the kernel decides it for that user (no ACLs); this process's
// own access(2) when the user is the one running doctor.
bool can_open(const Host& host, const BoothUser& user, const std::string& path);

// --- the checks, in the order doctor runs them ----------------------------------------

// "config": where the config came from (it loaded, or doctor would not run).
Finding config_source(const config::Config& config);
// "watchdog": present only when a service manager started us (NOTIFY_SOCKET).
std::optional<Finding> watchdog(const Host& host);
// "service": pledgebooth-booth.service's state when systemd runs here.
Finding service(const Host& host);
// "data dir access": owner and mode of the data dir (pledges and photos are personal data).
Finding data_dir_access(const Host& host, const std::string& dir);
// "data dir access", "data dir" and "upload queue": the ledger opened as the booth would,
// read-only when the dir belongs to someone else or its mode is to be fixed first (doctor
// never leaves root-owned files or a tightened mode behind). ledger_high_ms is set to the
// highest time the ledger has issued (0 when none).
std::vector<Finding> data_dir(const Host& host, const std::string& data_dir,
                              std::int64_t* ledger_high_ms);
// "retention": with [event] keep_months, pledges not yet uploaded that lose their photo,
// name and words within a week (WARN), and pledges already past it that still hold some
// (WARN: the booth is not running, or `pledgebooth purge` is due). nullopt when keep_months
// is 0 or the data dir has no ledger. The clock is the host's.
std::optional<Finding> retention(const Host& host, const std::string& data_dir, int keep_months);
// "disk": free space where the data is (nullopt when it cannot be measured).
std::optional<Finding> disk_space(const Host& host, const std::string& data_dir,
                                  std::int64_t min_free_mb);
// "clock": before this build was made, or behind the newest pledge.
Finding clock(const Host& host, std::int64_t ledger_high_ms);

// Device files matching dev_dir() + pattern that the booth's user must open read-write.
struct DeviceRule {
  std::string check;    // "camera device"
  std::string pattern;  // "/video*", under dev_dir()
  Level missing_level;  // when none exists
  std::string missing_fix;
  Level denied_level;  // when the booth's user cannot open one
};
Finding device_access(const Host& host, const DeviceRule& rule);
// "camera device", "GPU", "input devices": the three rules the booth needs.
Finding camera_device(const Host& host, const config::CameraConfig& camera);
Finding gpu_device(const Host& host);
// "drawing": how the installed booth draws (GPU or software, and why): the installed session
// script's choice (<exe dir>/../libexec/pledgebooth/booth-session --explain) against the GL
// renderer the running booth logged last (journalctl -u pledgebooth-booth).
Finding drawing(const Host& host);
Finding input_devices(const Host& host);
// "touch": an input device reporting multitouch positions (/proc/bus/input/devices).
Finding touch(const Host& host);
// "font": the fonts the screens and the sign are drawn with.
std::vector<Finding> fonts(const Host& host);
// "sign frame": photo.frame is there.
Finding sign_frame(const Host& host, const config::PhotoConfig& photo);
// "camera": the camera as the booth would open it delivers one frame (the real source).
Finding camera(const config::CameraConfig& camera);
// "display": which display the booth would draw on.
Finding display(const Host& host);
// "upload target": secrets set, the folder writable or the server reachable (3 s).
Finding upload_target(const Host& host, const config::UploadTarget& target);

// Every check above, in order.
std::vector<Finding> run_all(const config::Config& config, const Host& host);
bool any_failed(const std::vector<Finding>& findings);

}  // namespace pb::doctor
