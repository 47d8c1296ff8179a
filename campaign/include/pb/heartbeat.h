// SPDX-License-Identifier: Apache-2.0
// The fleet heartbeat: when [status] url is set, a small JSON document about this booth
// (version, booth and event, counts, upload queue, free disk, camera, last error; see
// docs/METADATA.md, "Fleet heartbeat") is POSTed there every interval_s. While the receiver
// cannot be reached only the newest document is kept; it is retried with backoff (1 s
// doubling up to interval_s). Everything happens on the heartbeat's own thread: no caller
// ever waits on the network, and nothing is thrown out of it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "pb/config.h"

namespace pb::campaign {

// What the booth itself knows and the ledger does not.
struct BoothExtras {
  std::optional<bool> online;  // the upload worker's view of the network (nullopt = unknown)
  std::string last_error;      // the booth's newest error shown in ADMIN ("" = none)
};

struct HeartbeatStats {
  std::int64_t sent = 0;      // documents the receiver accepted (2xx)
  std::int64_t failures = 0;  // attempts that failed (no answer, or not 2xx)
  std::string last_failure;   // why the last attempt failed ("" = it did not)
  std::string last_document;  // the last document sent or tried
};

class Heartbeat {
 public:
  // extras is called on the heartbeat's thread before each document is built; it must be
  // thread-safe and quick (e.g. copy a status under a mutex). It may be empty.
  Heartbeat(const config::Config& config, std::function<BoothExtras()> extras = {});
  ~Heartbeat();  // stops within about a second, also mid-request
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // The camera's current frame rate (any thread; lock-free).
  void note_camera(double fps, bool connected);
  HeartbeatStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The document from its parts (exposed for tests and docs; "at" is UTC ms).
struct HeartbeatReport {
  std::string booth, event;
  std::int64_t at_ms = 0;
  std::int64_t uptime_s = 0;
  std::int64_t pledges = 0, with_photo = 0, shared = 0;  // at this event
  std::int64_t pledges_all_events = 0;
  std::int64_t pending = 0, failed = 0, done = 0;
  std::optional<std::int64_t> oldest_pending_age_s;
  std::int64_t free_mb = -1;
  std::optional<double> camera_fps;
  std::optional<bool> camera_connected;
  std::optional<bool> online;
  std::string last_error;
  std::string ledger_error;  // the ledger could not be read ("" = it could)
};
std::string heartbeat_json(const HeartbeatReport& r);

}  // namespace pb::campaign
