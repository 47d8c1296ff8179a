// SPDX-License-Identifier: Apache-2.0
// The ledger's schema: the migrations, applied in order, one transaction each.
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "ledger_impl.h"

namespace pb::store {

namespace {

// Each entry moves the schema one version up; never edit a released entry, append.
const char* const kFixedMigrations[] = {
    // v1: pledges and their per-target outbox rows.
    R"sql(
    CREATE TABLE pledges(
      id TEXT PRIMARY KEY,
      event TEXT NOT NULL,
      booth TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      locale TEXT NOT NULL,
      first_name TEXT NOT NULL DEFAULT '',
      answer TEXT NOT NULL DEFAULT '',
      share_consent INTEGER NOT NULL,
      consent_version INTEGER NOT NULL DEFAULT 0,
      photo_path TEXT NOT NULL DEFAULT '',
      photo_size INTEGER NOT NULL DEFAULT 0,
      photo_sha256 TEXT NOT NULL DEFAULT '');
    CREATE INDEX pledges_by_event ON pledges(event, created_ms);
    CREATE TABLE outbox(
      id INTEGER PRIMARY KEY,
      pledge_id TEXT NOT NULL REFERENCES pledges(id) ON DELETE CASCADE,
      target TEXT NOT NULL,
      state TEXT NOT NULL CHECK(state IN ('pending','done','failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_ms INTEGER NOT NULL DEFAULT 0,
      last_error TEXT NOT NULL DEFAULT '',
      remote_key TEXT NOT NULL DEFAULT '',
      updated_ms INTEGER NOT NULL,
      UNIQUE(pledge_id, target));
    CREATE INDEX outbox_due ON outbox(state, next_attempt_ms);
    )sql",
    // v2: photos of deleted pledges not yet removed from disk (a crash or a read-only card
    // between the row's deletion and the file's); start-up finishes them.
    R"sql(
    CREATE TABLE photo_deletions(photo_path TEXT PRIMARY KEY);
    )sql",
    // v3: the highest id time issued, so a clock that went back (a box without a battery
    // boots in 1970) never makes an id or photo name lower than one already saved.
    R"sql(
    CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta(key, value)
      VALUES('clock_high_ms', coalesce((SELECT max(created_ms) FROM pledges), 0));
    )sql",
    // v4: the campaign-wide count per event as last read from the other booths' tally
    // documents, so that a restarted booth shows it before the next read.
    R"sql(
    CREATE TABLE campaign_counts(
      event TEXT PRIMARY KEY,
      others INTEGER NOT NULL,
      other_booths INTEGER NOT NULL,
      fetched_ms INTEGER NOT NULL);
    )sql",
};

// One pledge's change to pledge_counts, as trigger statements on row R ("NEW" or "OLD"):
// +1 or -1 in each dimension it is counted in, found by primary key; rows at 0 removed.
std::string count_pledge(const std::string& r, int sign) {
  const std::string day =
      "coalesce(strftime('%Y-%m-%d', " + r + ".created_ms / 1000, 'unixepoch'), '')";
  const std::pair<const char*, std::string> dims[] = {
      {"''", "''"}, {"'locale'", r + ".locale"}, {"'day'", day}, {"'answer'", r + ".answer"}};
  const std::string one = sign > 0 ? "1" : "-1";
  const std::string counts =
      one + ", (" + r + ".photo_path != '') * " + one + ", (" + r + ".share_consent != 0) * " + one;
  std::string sql = "INSERT INTO pledge_counts VALUES ";
  std::string zero = "DELETE FROM pledge_counts WHERE pledges <= 0 AND (";
  for (std::size_t i = 0; i < std::size(dims); ++i) {
    const auto& [dim, key] = dims[i];
    sql += std::string(i ? ", " : "") + "(" + dim + ", " + r + ".event, " + r + ".booth, " + key +
           ", " + counts + ")";
    zero += std::string(i ? " OR " : "") + "(dim = " + dim + " AND event = " + r +
            ".event AND booth = " + r + ".booth AND key = " + key + ")";
  }
  sql +=
      " ON CONFLICT(dim, event, booth, key) DO UPDATE SET pledges = pledges + excluded.pledges, "
      "with_photo = with_photo + excluded.with_photo, shared = shared + excluded.shared;\n";
  return sql + (sign < 0 ? zero + ");\n" : "");
}

// One outbox row's change to outbox_counts (row R, +1 or -1 in its state).
std::string count_outbox(const std::string& r, int sign) {
  const std::string one = sign > 0 ? "1" : "-1";
  return "INSERT INTO outbox_counts VALUES(" + r + ".target, (" + r + ".state = 'pending') * " +
         one + ", (" + r + ".state = 'done') * " + one + ", (" + r + ".state = 'failed') * " + one +
         ", CASE WHEN " + r + ".state = 'done' AND " + one + " > 0 THEN " + r +
         ".updated_ms ELSE 0 END) ON CONFLICT(target) DO UPDATE SET pending = pending + "
         "excluded.pending, done = done + excluded.done, failed = failed + excluded.failed, "
         "last_done_ms = max(last_done_ms, excluded.last_done_ms);\n";
}

// v5: costs that stay flat as the ledger grows. Counts kept by triggers in the same
// transaction as the rows they count (stats, the queue, the tally documents and ADMIN read
// them instead of every row); an index for recovery to match photo files to rows in one
// ordered pass; one for the newest upload error. pledge_counts holds, per dimension ('' =
// all, 'locale', 'day' (UTC yyyy-mm-dd), 'answer' (the text as saved)) and key, the
// pledges of one event and booth; a row that falls to 0 is removed (a withdrawn pledge's
// own words go with it).
std::string flat_costs_migration() {
  return R"sql(
    CREATE INDEX pledges_by_photo ON pledges(photo_path) WHERE photo_path != '';
    CREATE INDEX outbox_errors ON outbox(updated_ms) WHERE last_error != '';
    CREATE TABLE pledge_counts(
      dim TEXT NOT NULL,
      event TEXT NOT NULL,
      booth TEXT NOT NULL,
      key TEXT NOT NULL,
      pledges INTEGER NOT NULL,
      with_photo INTEGER NOT NULL,
      shared INTEGER NOT NULL,
      PRIMARY KEY(dim, event, booth, key)) WITHOUT ROWID;
    CREATE TABLE outbox_counts(
      target TEXT PRIMARY KEY,
      pending INTEGER NOT NULL,
      done INTEGER NOT NULL,
      failed INTEGER NOT NULL,
      last_done_ms INTEGER NOT NULL) WITHOUT ROWID;
    )sql"
         // The booth never changes a saved pledge; a row changed by hand is counted anew.
         "CREATE TRIGGER pledge_counted AFTER INSERT ON pledges BEGIN\n" +
         count_pledge("NEW", 1) +
         "END;\nCREATE TRIGGER pledge_uncounted AFTER DELETE ON pledges BEGIN\n" +
         count_pledge("OLD", -1) +
         "END;\nCREATE TRIGGER pledge_recounted AFTER UPDATE OF event, booth, created_ms, "
         "locale, answer, photo_path, share_consent ON pledges BEGIN\n" +
         count_pledge("OLD", -1) + count_pledge("NEW", 1) +
         "END;\nCREATE TRIGGER outbox_counted AFTER INSERT ON outbox BEGIN\n" +
         count_outbox("NEW", 1) +
         "END;\nCREATE TRIGGER outbox_uncounted AFTER DELETE ON outbox BEGIN\n" +
         count_outbox("OLD", -1) +
         "END;\nCREATE TRIGGER outbox_recounted AFTER UPDATE OF target, state, updated_ms ON "
         "outbox WHEN OLD.target != NEW.target OR OLD.state != NEW.state OR NEW.state = 'done' "
         "BEGIN\n" +
         count_outbox("OLD", -1) + count_outbox("NEW", 1) + "END;\n" + R"sql(
    INSERT INTO pledge_counts
      SELECT '', event, booth, '', count(*), sum(photo_path != ''), sum(share_consent != 0)
        FROM pledges GROUP BY event, booth;
    INSERT INTO pledge_counts
      SELECT 'locale', event, booth, locale, count(*), sum(photo_path != ''),
          sum(share_consent != 0)
        FROM pledges GROUP BY event, booth, locale;
    INSERT INTO pledge_counts
      SELECT 'day', event, booth, day, count(*), sum(photo_path != ''), sum(share_consent != 0)
        FROM (SELECT *, coalesce(strftime('%Y-%m-%d', created_ms / 1000, 'unixepoch'), '') AS day
              FROM pledges)
        GROUP BY event, booth, day;
    INSERT INTO pledge_counts
      SELECT 'answer', event, booth, answer, count(*), sum(photo_path != ''),
          sum(share_consent != 0)
        FROM pledges GROUP BY event, booth, answer;
    INSERT INTO outbox_counts
      SELECT target, sum(state = 'pending'), sum(state = 'done'), sum(state = 'failed'),
          coalesce(max(CASE WHEN state = 'done' THEN updated_ms END), 0)
        FROM outbox GROUP BY target;
    )sql";
}

// Every migration in order.
const std::vector<std::string>& migrations() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> m(std::begin(kFixedMigrations), std::end(kFixedMigrations));
    m.push_back(flat_costs_migration());
    // v6 (issue 24): one choice per use, each recorded with the wording's version, the
    // language and the time. share_consent stays (a) campaign use. An older pledge keeps
    // exactly what its one checkbox said ("Share my photo with {organiser} for the
    // campaign"): (a) as ticked, never (b) the wall nor (c) a public link; its choice was
    // shown in its own language when it was saved (docs/METADATA.md).
    m.push_back(R"sql(
    ALTER TABLE pledges ADD COLUMN wall_consent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE pledges ADD COLUMN link_consent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE pledges ADD COLUMN consent_locale TEXT NOT NULL DEFAULT '';
    ALTER TABLE pledges ADD COLUMN consent_ms INTEGER NOT NULL DEFAULT 0;
    UPDATE pledges SET consent_locale = locale, consent_ms = created_ms WHERE consent_version > 0;
    )sql");
    return m;
  }();
  return all;
}

}  // namespace

int latest_schema_version() {
  return static_cast<int>(migrations().size());
}

// The version is read inside the write transaction: two Ledgers opening a new data dir
// at once must not both run the same migration ("table pledges already exists").
Status Ledger::Impl::migrate() {
  {
    // Up to date (the usual case): no write lock, so a read-only ledger still opens.
    Statement v(db, "PRAGMA user_version");
    if (v.step() == SQLITE_ROW && v.integer(0) == latest_schema_version()) {
      schema_version = latest_schema_version();
      return Status::ok();
    }
  }
  for (;;) {
    if (Status s = exec("BEGIN IMMEDIATE", "begin migration"); !s) return s;
    Statement v(db, "PRAGMA user_version");
    int rc = v.step();
    if (rc != SQLITE_ROW) {
      Status s = db_error(rc, "read schema version");
      v.finalize();
      rollback();
      return s;
    }
    int version = static_cast<int>(v.integer(0));
    v.finalize();
    if (version > latest_schema_version()) {
      rollback();
      return Status::error(Status::Code::kCorrupt,
                           "ledger.db has schema v" + std::to_string(version) +
                               ", newer than this pledgebooth (v" +
                               std::to_string(latest_schema_version()) + "): update pledgebooth");
    }
    if (version == latest_schema_version()) {
      if (Status s = exec("COMMIT", "end migration check"); !s) return s;
      break;
    }
    std::string sql = migrations()[static_cast<std::size_t>(version)] +
                      "; PRAGMA user_version = " + std::to_string(version + 1) + ";";
    char* err = nullptr;
    rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (err) sqlite3_free(err);
    if (rc != SQLITE_OK) {
      Status s = db_error(rc, "schema migration to v" + std::to_string(version + 1));
      rollback();
      return s;
    }
    if (Status s = exec("COMMIT", "commit migration"); !s) {
      rollback();
      return s;
    }
  }
  schema_version = latest_schema_version();
  return Status::ok();
}

}  // namespace pb::store
