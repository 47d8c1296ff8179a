// SPDX-License-Identifier: Apache-2.0
// Uploads: the outbox worker (kiosk), the batch drain (`pledgebooth upload`) and remote
// deletion. A pledge goes to a target only by the participant's choice (target_takes) as
// <prefix>/<event>/<yyyy-mm-dd>/<id>.jpg, then <id>.json (metadata, docs/METADATA.md).
// All upload state lives in the ledger's outbox rows; nothing here survives a restart
// and nothing needs to. libcurl must be initialised (curl_global_init) before any call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pb/config.h"
#include "pb/ledger.h"
#include "pb/status.h"

namespace pb::upload {

// Version of the metadata JSON written beside each photo (field "schema").
// 2: the choices per use ("choices"); names and words only where (a) campaign use allows.
inline constexpr int kMetadataSchemaVersion = 2;

// The remote key of a pledge's photo ("jpg") or metadata ("json") inside a target:
// <prefix>/<event>/<yyyy-mm-dd>/<id>.<ext> (no prefix → no leading '/'). Deterministic,
// so a retried upload overwrites itself. Only [A-Za-z0-9._~/-] ever appear.
std::string object_key(const std::string& prefix, const store::Pledge& pledge,
                       const std::string& ext);
// Where the photo appears once the public target ([event] public_target) has it, the URL the
// THANKS QR code shows: <public_base_url>/<event>/<yyyy-mm-dd>/<id>.jpg, the photo's
// object_key without the target's prefix (public_base_url names the folder the event
// folders are in). A '/' at the end of the base is not doubled.
std::string public_photo_url(const std::string& public_base_url, const store::Pledge& pledge);
// The metadata JSON for a pledge (schema kMetadataSchemaVersion; see docs/METADATA.md): the
// pledge and its choices. Its first name and words only with (a) campaign use and never for
// the public target (for_public_link: (c) is a link to the photo, nothing more).
std::string metadata_json(const store::Pledge& pledge, bool for_public_link = false);

// Whether a target receives a pledge with these choices: [event] public_target only with
// (c) a link for me, every other target only with (a) campaign use.
bool target_takes(const config::Config& config, const std::string& target, bool campaign,
                  bool link);
// The configured targets (by name) a pledge with these choices is queued for.
std::vector<std::string> upload_targets_for(const config::Config& config, bool campaign, bool link);

// One target as the worker last saw it.
struct TargetStatus {
  std::string name;        // UploadTarget::name
  std::string kind;        // file | s3 | webdav | webhook
  bool online = true;      // false after a network-level failure until a try succeeds
  std::string last_error;  // the last failure on this target ("" = none since start); no secrets
  std::int64_t last_ok_ms = 0;  // UTC ms of the last successful upload (0 = none yet)
};

// A snapshot for ADMIN; cheap to take from any thread.
struct WorkerStatus {
  bool running = false;
  bool online = true;  // every target reachable at its last try
  std::int64_t pending = 0;
  std::int64_t failed = 0;
  std::int64_t done = 0;
  std::vector<TargetStatus> targets;
};

// The kiosk's background uploader. Owns one thread, which owns its own Ledger (opened on
// the data dir) and one libcurl multi handle. It sends due outbox rows, sleeps in
// curl_multi_poll until the next row is due, wake() or stop(), and notices the network
// return by probing cheaply. Nothing is thrown out of the thread: failures end up in the
// ledger (last_error) and in status(). Safe to call every method from any thread.
class OutboxWorker {
 public:
  // Copies what it needs from config; data_dir "" = config.storage.data_dir.
  explicit OutboxWorker(const config::Config& config, std::string data_dir = "");
  // Stops and joins the thread (an in-flight transfer is abandoned; its row stays pending).
  ~OutboxWorker();
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // Starts the thread; a second call does nothing.
  void start();
  // Asks the thread to finish and joins it. Idempotent.
  void stop();
  // Look at the outbox now (call after a pledge was saved, or for ADMIN's "upload now":
  // this also clears the backoff of pending rows so they are tried at once).
  void wake(bool retry_now = false);
  // The booth saved a pledge in `ms` (its photo and ledger rows): a slow save while
  // uploads run makes the worker run fewer at once. Wakes the worker like wake().
  void note_save(std::int64_t ms);
  WorkerStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Progress of a batch, reported from the calling thread after every finished step.
struct BatchProgress {
  std::int64_t total = 0;       // outbox rows this run started with (pending, due or not)
  std::int64_t done = 0;        // rows uploaded this run
  std::int64_t failed = 0;      // rows that failed for good this run
  std::int64_t retrying = 0;    // rows whose last try failed but will be retried
  std::int64_t bytes_sent = 0;  // bytes uploaded this run (photos and metadata)
};

struct BatchOptions {
  int parallel = 4;           // transfers at once (one thread, curl multi, keep-alive)
  bool retry_failed = false;  // requeue failed rows first
  // A row that failed with a retryable error is tried again in this run after its backoff
  // when the wait is at most this long; otherwise the run ends and the row stays pending.
  int max_wait_s = 30;
  std::function<void(const BatchProgress&)> on_progress;  // may be empty
};

struct BatchSummary {
  BatchProgress progress;    // what this run did
  store::QueueCounts after;  // the queue when the run ended
  double seconds = 0;        // wall time of the run
  std::vector<std::string>
      errors;  // "<pledge-id> <target>: <message>" of rows failed or still retrying
  // True when nothing is pending or failed: `pledgebooth upload` exits 0 only then.
  bool queue_empty() const { return after.pending == 0 && after.failed == 0; }
};

// Drains the outbox of the ledger at data_dir to the targets of config, N transfers at a
// time on the calling thread. Returns a Status only when the ledger cannot be used; every
// transfer failure is in the summary and the ledger instead.
Result<BatchSummary> upload_batch(const config::Config& config, const std::string& data_dir,
                                  const BatchOptions& options);

// Removes the pledge's photo and metadata from every configured target that may hold them
// (by the ledger's outbox rows: uploaded, or tried at least once; a row never tried needs
// no network). A missing remote object counts as removed. Call before
// Ledger::delete_pledge. Fails (kUnavailable / kRejected) naming the target when any
// copy could not be removed, so the caller can refuse to forget the pledge locally.
// kNotFound when the ledger has no such pledge. A webhook target gets
// `DELETE <url>/<pledge-id>` (2xx or 404 = removed; see docs/METADATA.md).
Status delete_remote_copies(const config::Config& config, store::Ledger& ledger,
                            const std::string& pledge_id);

}  // namespace pb::upload
