// SPDX-License-Identifier: Apache-2.0
// The ledger's schema: the migrations, applied in order, one transaction each.
#include <string>

#include "ledger_impl.h"

namespace pb::store {

namespace {

// Each entry moves the schema one version up; never edit a released entry, append.
const char* const kMigrations[] = {
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
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

}  // namespace

int latest_schema_version() {
  return kSchemaVersion;
}

// The version is read inside the write transaction: two Ledgers opening a new data dir
// at once must not both run the same migration ("table pledges already exists").
Status Ledger::Impl::migrate() {
  {
    // Up to date (the usual case): no write lock, so a read-only ledger still opens.
    Statement v(db, "PRAGMA user_version");
    if (v.step() == SQLITE_ROW && v.integer(0) == kSchemaVersion) {
      schema_version = kSchemaVersion;
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
    if (version > kSchemaVersion) {
      rollback();
      return Status::error(Status::Code::kCorrupt,
                           "ledger.db has schema v" + std::to_string(version) +
                               ", newer than this pledgebooth (v" + std::to_string(kSchemaVersion) +
                               "): update pledgebooth");
    }
    if (version == kSchemaVersion) {
      if (Status s = exec("COMMIT", "end migration check"); !s) return s;
      break;
    }
    std::string sql = std::string(kMigrations[version]) +
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
  schema_version = kSchemaVersion;
  return Status::ok();
}

}  // namespace pb::store
