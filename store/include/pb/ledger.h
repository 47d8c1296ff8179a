// SPDX-License-Identifier: Apache-2.0
// The pledge ledger: SQLite (WAL, synchronous=FULL) plus photo files in a data directory.
// A pledge the booth said was saved survives kill -9 and power loss: the photo is written
// temp → fsync → rename → fsync(dir) before one transaction inserts the pledge and its
// outbox rows. Every call returns a value; a full or read-only disk is a Status, never an
// exception, and never leaves a partial row. One Ledger per thread (each opens its own
// sqlite connection); several Ledgers, in one process or many, may share a data dir.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pb/status.h"

namespace pb::disk {
class Env;
}

namespace pb::store {

class Clock;
struct TallyCounts;

// Names and answers longer than this (bytes of UTF-8) are cut when saved.
inline constexpr std::size_t kMaxTextBytes = 2000;
// A name or an answer as the ledger stores it and hands it out (also from another booth's
// ledger): valid UTF-8, a stray byte shown as U+FFFD; no NUL or other control character but
// tab and line breaks (CSV quotes them, JSON escapes them); at most max_bytes, cut between
// characters. Clean text comes back unchanged.
std::string ledger_text(std::string_view s, std::size_t max_bytes = kMaxTextBytes);

struct PledgeInput {
  std::string event;   // event slug
  std::string booth;   // booth slug
  std::string locale;  // "en" | "ko"
  // Stored as ledger_text (valid UTF-8, no NUL or escape codes), at most kMaxTextBytes.
  std::string first_name;  // optional, "" = none
  std::string answer;      // optional "why it matters", "" = none
  // The participant's choices, one per use, each off unless he ticked it (docs/METADATA.md):
  bool share_consent = false;  // (a) campaign use: photo, first name and words to the organiser
  bool wall_consent = false;   // (b) the event's projector wall
  bool link_consent = false;   // (c) a link for me: the photo at the public target's URL
  int consent_version = 0;     // version of the consent wording shown (0 = none shown)
  std::string consent_locale;  // the language the choices were shown in ("" = locale)
  std::optional<std::int64_t> consent_ms;  // when they were made (UTC ms; default created_ms)
  std::vector<std::uint8_t> photo_jpeg;    // the encoded photo; empty = pledge without photo
  // Upload targets that get an outbox row. The caller picks them by the choices
  // (upload_targets_for in pb/uploader.h): a row without (a) or (c) is never added.
  std::vector<std::string> targets;
  std::optional<std::int64_t> created_ms;  // UTC ms since epoch; default now
};

struct Pledge {
  std::string id;  // UUIDv7, time-ordered
  std::string event;
  std::string booth;
  std::int64_t created_ms = 0;  // UTC ms since epoch
  std::string created_utc;      // ISO 8601, e.g. 2026-11-25T08:30:00.123Z
  std::string locale;
  std::string first_name;
  std::string answer;
  bool share_consent = false;  // (a) campaign use
  bool wall_consent = false;   // (b) the projector wall
  bool link_consent = false;   // (c) a link for me
  int consent_version = 0;
  std::string consent_locale;   // "" = none shown
  std::int64_t consent_ms = 0;  // UTC ms the choices were made (0 = none shown)
  std::string
      photo_path;  // relative to the data dir: photos/<event>/<yyyy-mm-dd>/<id>.jpg; "" = none
  std::int64_t photo_size = 0;
  std::string photo_sha256;  // lowercase hex
};

enum class OutboxState { kPending, kDone, kFailed };
const char* to_string(OutboxState s);

struct OutboxItem {
  std::int64_t id = 0;
  std::string pledge_id;
  std::string target;  // UploadTarget::name
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  std::int64_t next_attempt_ms = 0;  // not tried before this time
  std::string last_error;            // the last failure, as shown to the operator
  std::string remote_key;            // key/URL of the photo once uploaded
  std::int64_t updated_ms = 0;
};

struct QueueCounts {
  std::int64_t pending = 0;
  std::int64_t done = 0;
  std::int64_t failed = 0;
};

// The outbox rows of one target, e.g. to find rows whose target left the config.
struct TargetQueue {
  std::string target;
  std::int64_t pending = 0;
  std::int64_t done = 0;
  std::int64_t failed = 0;
  std::int64_t last_done_ms = 0;  // updated_ms of its newest done row; 0 = none
};

// Where a page of pledges ends (newest_pledges): the last row read, used or not.
struct PageCursor {
  std::int64_t created_ms = 0;
  std::string id;
};

struct PledgePage {
  std::vector<Pledge> pledges;
  std::optional<PageCursor> next;
};

struct EventStats {
  std::string event;
  std::int64_t pledges = 0;
  std::int64_t photos = 0;
  std::int64_t shared = 0;  // with share consent
};

// The campaign-wide count as the booth last read it from a target's tally documents (the
// upload module's CampaignCountWorker), kept so that a restart shows it at once.
struct CampaignCount {
  std::string event;
  std::int64_t others = 0;        // pledges in the tally documents of the other booths
  std::int64_t other_booths = 0;  // booths other than this one with a pledge at the event
  std::int64_t fetched_ms = 0;    // UTC ms when the documents were read
};

// What start-up recovery found and did.
struct RecoveryReport {
  int temp_files_removed = 0;
  std::vector<std::string> orphans_recovered;  // photo with no row → moved to recovered/
  std::vector<std::string> missing_photos;     // pledge ids whose photo file is gone
  int photo_deletions_finished = 0;            // photos of deleted pledges removed only now
  // What the check looked at (Ledger::cost() has the rest): entries listed under photos/
  // and ledger rows read. Each is at most the files or the rows there are, once.
  std::int64_t entries_listed = 0;
  std::int64_t rows_read = 0;
};

// What a Ledger's work has cost since it was opened (its open and recovery included):
// counts, not times, so a test holds them to a bound on a busy machine too.
struct LedgerCost {
  std::int64_t page_requests = 0;     // sqlite pages asked for (cache hits and misses)
  std::int64_t folders_resolved = 0;  // folders under photos/ whose links were resolved
};

enum class Access {
  kReadWrite,  // the booth and every command that changes the ledger
  // Reading a data dir that cannot be written (a write-protected card, a read-only mount, a
  // folder of another user): nothing on it is created or changed, no recovery runs.
  kReadOnly,
};

class Ledger {
 public:
  // kReadWrite: opens (creating when needed) the data dir (mode 0700), ledger.db and
  // photos/, runs schema migrations and start-up recovery. Fails with a Status when the dir
  // cannot be made or the database cannot be opened; kReadOnly when the dir or its medium
  // cannot be written (the message names the dir and says so).
  // kReadOnly: opens an existing ledger.db without writing anything. Reads see every
  // committed pledge, also those still in the WAL of a booth that lost power. kNotFound
  // when the dir holds no ledger.db. Every call that writes fails with kReadOnly.
  // env: the file system photos, exports and recovery go through (nullptr = the real one; a
  // test passes a fault-injecting one, see pb/disk.h). It must outlive the Ledger. sqlite's
  // own files always use the real file system.
  static Result<std::unique_ptr<Ledger>> open(const std::string& data_dir,
                                              Access access = Access::kReadWrite,
                                              disk::Env* env = nullptr);
  // For a background thread that needs the ledger to work at all: opens it read-write, and
  // after each failure hands the Status to `failed`, which reports it and waits; when
  // `failed` returns false (the thread is stopping) gives up with nullptr.
  static std::unique_ptr<Ledger> open_until(const std::string& data_dir,
                                            const std::function<bool(const Status&)>& failed);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  const std::string& data_dir() const;
  const RecoveryReport& recovery() const;
  LedgerCost cost() const;
  int schema_version() const;
  bool read_only() const;

  // Saves a pledge durably. On success the returned Pledge is on disk for good. On failure
  // (kDiskFull, kReadOnly, kIo) nothing of it remains: no row, no photo, no temp file.
  Result<Pledge> save_pledge(const PledgeInput& input);

  Result<std::optional<Pledge>> get_pledge(const std::string& id);
  // All pledges, oldest first; event "" = every event.
  Result<std::vector<Pledge>> list_pledges(const std::string& event = "");
  // A page of an event's pledges, newest first (created_ms, then id): up to `limit` rows
  // older than `after` (from the start when null), read through pledges_by_event, so reading
  // the newest few costs the same at any ledger size. Rows not to be used are left out, as
  // list_pledges does; `next` is where the following page starts (nullopt: no more rows).
  Result<PledgePage> newest_pledges(const std::string& event, int limit,
                                    const PageCursor* after = nullptr);
  // The newest pledge of an event (by created_ms, then id), or nullopt when it has none.
  // Like get_pledge, kCorrupt for a row that must not be used.
  Result<std::optional<Pledge>> last_pledge(const std::string& event);
  // The pledges of one event. This, event_stats, queue_counts and queue_by_target read
  // counts the ledger keeps beside its rows (schema v5): their cost does not grow with it.
  Result<std::int64_t> count_pledges(const std::string& event);
  Result<std::vector<EventStats>> event_stats();
  // Removes the row, its outbox rows and its photo. kNotFound when no such pledge. When the
  // row is gone but the photo cannot be removed now (e.g. kReadOnly), the error says so and
  // the next start-up recovery removes the photo.
  Status delete_pledge(const std::string& id);
  // Absolute path of the pledge's photo ("" when it has none, or when its path would lead
  // outside <data_dir>/photos).
  std::string photo_file(const Pledge& p) const;
  // Rows of this ledger that were read but not used, each a sentence naming the row and why
  // (a photo path leading outside the data dir, an id that is no pledge id): a ledger from
  // another booth's card is untrusted. get_pledge returns kCorrupt for such a row and
  // list_pledges leaves it out; no file outside the data dir is ever read or removed.
  const std::vector<std::string>& skipped_rows() const;
  // The clock saves and the outbox read "now" from (Clock::system() until set). It must
  // outlive the Ledger. Retention and tests move time through it.
  void set_clock(const Clock& clock);
  const Clock& clock() const;

  // --- retention and withdrawal (pb/retention.h has the policy) ---
  // The pledges a reference (pledge_reference: "7F3A-9C21", any case, dash optional) names,
  // oldest first: usually one, several only when two ids share their last 8 hex digits.
  // kInvalid when `ref` is not 8 hex digits.
  Result<std::vector<Pledge>> find_by_reference(const std::string& ref);
  // Pledges created before `before_ms` that still hold something to expire: a photo, a
  // name, an answer (the caller tells a quick pick from own words), or an undelivered outbox
  // row, or with `delivered` also a delivered one (a remote copy purge can remove).
  Result<std::vector<Pledge>> expirable_pledges(std::int64_t before_ms, bool delivered);
  // Pledges created before `before_ms` that still wait to be uploaded (pending or failed).
  Result<std::int64_t> undelivered_before(std::int64_t before_ms);
  // Retention: removes a pledge's photo, name and (unless keep_answer: a quick pick) answer,
  // and its undelivered outbox rows (with drop_delivered also the delivered ones: their
  // remote copies are gone). The row stays, so the pledge still counts. kNotFound when no
  // such pledge. Crash-safe as delete_pledge is: the photo goes with the row's change or at
  // the next start.
  Status expire_pledge(const std::string& id, bool keep_answer, bool drop_delivered);

  // The highest time (UTC ms) an id of this ledger carries: new ids and photo names are
  // made above it even when the clock went back. 0 for an empty ledger.
  Result<std::int64_t> clock_high_ms();

  // --- outbox (the upload worker's whole state lives here) ---
  // Pending rows whose next_attempt_ms <= now_ms, oldest pledge first.
  Result<std::vector<OutboxItem>> due_outbox(std::int64_t now_ms, int limit);
  // The earliest next_attempt_ms among pending rows, or nullopt when none is pending.
  Result<std::optional<std::int64_t>> next_due_ms();
  Status mark_done(std::int64_t outbox_id, const std::string& remote_key);
  // A retryable failure: attempts+1, next try at next_attempt_ms, error kept for ADMIN.
  Status mark_retry(std::int64_t outbox_id, std::int64_t next_attempt_ms, const std::string& error);
  // A permanent failure (server said no): stays until requeue_failed.
  Status mark_failed(std::int64_t outbox_id, const std::string& error);
  // Failed rows back to pending (target "" = all). Returns how many.
  Result<std::int64_t> requeue_failed(const std::string& target = "");
  // Adds pending rows for consented pledges that have none for a target (a target added
  // to the config later): pledges with link_consent for public_target, with share_consent
  // for every other target. Returns how many. Each pledge is looked at once per target (a mark
  // kept in the ledger); a deletion or forget_target makes the next call look at all again.
  Result<std::int64_t> ensure_outbox(const std::vector<std::string>& targets,
                                     const std::string& public_target = "");
  Result<std::vector<OutboxItem>> outbox_for(const std::string& pledge_id);
  Result<std::vector<OutboxItem>> outbox_items(std::optional<OutboxState> state = std::nullopt);
  Result<QueueCounts> queue_counts();
  // The undelivered (pending or failed) row with the newest error, or nullopt when none has
  // one: what ADMIN shows as the last upload error.
  Result<std::optional<OutboxItem>> newest_upload_error();
  // Counts per target of every target that has outbox rows, by name.
  Result<std::vector<TargetQueue>> queue_by_target();
  // Targets not in `configured` that still have undelivered (pending or failed) rows: rows
  // no upload will ever take, e.g. of a target removed from or renamed in the config.
  Result<std::vector<TargetQueue>> unconfigured_targets(const std::vector<std::string>& configured);
  // Drops the undelivered (pending and failed) rows of a target, e.g. one removed from the
  // config, so they no longer hold up the queue. Pledges and photos are untouched, and done
  // rows stay as the record of what that target holds. Returns how many rows were dropped.
  // Guarding against dropping a target that is still configured is the caller's job.
  Result<std::int64_t> forget_target(const std::string& target);

  // --- the campaign-wide count (what the other booths' tally documents said) ---
  // Replaces the count kept for count.event.
  Status save_campaign_count(const CampaignCount& count);
  // The count kept for an event; nullopt when none was saved (or the ledger predates them),
  // or when the row holds a negative number (it is not used then).
  Result<std::optional<CampaignCount>> campaign_count(const std::string& event);

  // UTF-8 CSV with a BOM (Excel shows Korean), one row per pledge with its choices. Without
  // include_private, first_name and answer are left empty in rows without campaign use (a).
  Status export_csv(const std::string& path, bool include_private = true);

 private:
  // Reads the counts kept beside the rows (pb/tally_counts.h).
  friend Result<std::vector<TallyCounts>> tally_counts(
      Ledger& ledger, const std::map<std::string, std::string>& pick_of_answer);
  struct Impl;
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A new UUIDv7 (time-ordered) as 36 lowercase hex-and-dash characters.
std::string new_uuid_v7(std::int64_t unix_ms);
// The time (UTC ms) in a UUIDv7's first 48 bits; 0 when `id` is not one.
std::int64_t uuid_v7_ms(const std::string& id);
// SHA-256 of bytes, lowercase hex.
std::string sha256_hex(const std::uint8_t* data, std::size_t size);
// "yyyy-mm-dd" (UTC) of a time in ms.
std::string utc_date(std::int64_t unix_ms);
// ISO 8601 UTC with milliseconds, e.g. 2026-11-25T08:30:00.123Z.
std::string utc_timestamp(std::int64_t unix_ms);
// Clock::system().now_ms(): code that takes no Clock (pb/clock.h) reads this.
std::int64_t now_ms();
// The short reference THANKS shows for a pledge id: its last 8 hex digits, upper case, as
// "7F3A-9C21" (the random part of a UUIDv7). find_by_reference reads it back.
std::string pledge_reference(const std::string& id);
// The 8 lower-case hex digits a typed reference stands for ("7f3a9c21"), or "" when it is
// not one (spaces and dashes are ignored, any case).
std::string reference_digits(std::string_view ref);

// Whether the wall clock can be believed (a box without a battery boots in 1970 until NTP
// answers): kBeforeBuild when it says a time before this build was made, kBehindLedger
// when it is more than a minute behind the highest time in the ledger (clock_high_ms).
enum class ClockState { kOk, kBeforeBuild, kBehindLedger };
ClockState check_clock(std::int64_t now_ms, std::int64_t ledger_high_ms);
// When this build was configured (SOURCE_DATE_EPOCH when set, as for Debian packages).
std::int64_t build_time_ms();

}  // namespace pb::store
