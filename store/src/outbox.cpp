// SPDX-License-Identifier: Apache-2.0
// The outbox: one row per pledge and target, the upload worker's whole state.
#include <algorithm>

#include "ledger_impl.h"

namespace pb::store {

namespace {

const char* kOutboxColumns =
    "id, pledge_id, target, state, attempts, next_attempt_ms, last_error, remote_key, updated_ms";

OutboxState parse_state(const std::string& s) {
  if (s == "done") return OutboxState::kDone;
  if (s == "failed") return OutboxState::kFailed;
  return OutboxState::kPending;
}

OutboxItem read_outbox(const Statement& st) {
  OutboxItem o;
  o.id = st.integer(0);
  o.pledge_id = clean(st.text(1));
  o.target = clean(st.text(2));
  o.state = parse_state(st.text(3));
  o.attempts = static_cast<int>(st.integer(4));
  o.next_attempt_ms = st.integer(5);
  o.last_error = clean(st.text(6));
  o.remote_key = clean(st.text(7));
  o.updated_ms = st.integer(8);
  return o;
}

Status update_outbox(sqlite3* db, const char* sql, std::int64_t id, const std::string& text,
                     std::int64_t num, std::int64_t now) {
  Statement st(db, sql);
  st.bind(1, id).bind(2, text).bind(3, num).bind(4, now);
  int rc = st.step();
  if (rc != SQLITE_DONE) return sqlite_status(db, rc, "update outbox");
  if (sqlite3_changes(db) == 0)
    return Status::error(Status::Code::kNotFound, "no outbox row " + std::to_string(id));
  return Status::ok();
}

}  // namespace

const char* to_string(OutboxState s) {
  switch (s) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kDone:
      return "done";
    case OutboxState::kFailed:
      return "failed";
  }
  return "pending";
}

Result<std::vector<OutboxItem>> Ledger::due_outbox(std::int64_t now, int limit) {
  std::string sql = std::string("SELECT ") + kOutboxColumns +
                    " FROM outbox WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY "
                    "pledge_id, id LIMIT ?2";
  Statement st(impl_->db, sql.c_str());
  st.bind(1, now).bind(2, limit);
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(read_outbox(st));
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "read outbox");
  return out;
}

Result<std::optional<std::int64_t>> Ledger::next_due_ms() {
  Statement st(impl_->db, "SELECT min(next_attempt_ms) FROM outbox WHERE state = 'pending'");
  int rc = st.step();
  if (rc != SQLITE_ROW) return impl_->db_error(rc, "read outbox");
  if (st.is_null(0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(st.integer(0));
}

Status Ledger::mark_done(std::int64_t id, const std::string& remote_key) {
  if (impl_->read_only) return impl_->read_only_error("record an upload");
  return update_outbox(
      impl_->db,
      "UPDATE outbox SET state='done', attempts=attempts+1, remote_key=?2, last_error='', "
      "next_attempt_ms=?3, updated_ms=?4 WHERE id=?1",
      id, remote_key, 0, impl_->clock->now_ms());
}

Status Ledger::mark_retry(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error) {
  if (impl_->read_only) return impl_->read_only_error("record an upload");
  return update_outbox(
      impl_->db,
      "UPDATE outbox SET state='pending', attempts=attempts+1, last_error=?2, next_attempt_ms=?3, "
      "updated_ms=?4 WHERE id=?1",
      id, error, next_attempt_ms, impl_->clock->now_ms());
}

Status Ledger::mark_failed(std::int64_t id, const std::string& error) {
  if (impl_->read_only) return impl_->read_only_error("record an upload");
  return update_outbox(
      impl_->db,
      "UPDATE outbox SET state='failed', attempts=attempts+1, last_error=?2, next_attempt_ms=?3, "
      "updated_ms=?4 WHERE id=?1",
      id, error, 0, impl_->clock->now_ms());
}

Result<std::int64_t> Ledger::requeue_failed(const std::string& target) {
  if (impl_->read_only) return impl_->read_only_error("requeue failed uploads");
  std::string sql =
      "UPDATE outbox SET state='pending', next_attempt_ms=0, updated_ms=?1 WHERE state='failed'";
  if (!target.empty()) sql += " AND target=?2";
  Statement st(impl_->db, sql.c_str());
  st.bind(1, impl_->clock->now_ms());
  if (!target.empty()) st.bind(2, target);
  int rc = st.step();
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "requeue failed uploads");
  return static_cast<std::int64_t>(sqlite3_changes(impl_->db));
}

Result<std::int64_t> Ledger::ensure_outbox(const std::vector<std::string>& targets,
                                           const std::string& public_target) {
  if (impl_->read_only) return impl_->read_only_error("queue pledges for upload");
  // Each target's pledges are looked at once: meta keeps, per target, the highest rowid
  // checked ("outbox_checked:<target>"), and only pledges above it are looked at again
  // (every save queues its pledge for the targets of its own config). A deletion forgets
  // the marks (a rowid may then be given again), forget_target its target's.
  sqlite3* db = impl_->db;
  if (Status s = impl_->exec("BEGIN IMMEDIATE", "begin queueing"); !s) return s;
  std::int64_t added = 0;
  auto fail = [&](int rc, const std::string& what) -> Result<std::int64_t> {
    Status s = impl_->db_error(rc, what);
    impl_->rollback();
    return s;
  };
  Statement top(db, "SELECT coalesce(max(rowid), 0) FROM pledges");
  int rc = top.step();
  if (rc != SQLITE_ROW) return fail(rc, "read the newest pledge");
  const std::int64_t newest = top.integer(0);
  top.finalize();
  Statement mark(db, "SELECT value FROM meta WHERE key = 'outbox_checked:' || ?1");
  Statement st(
      db,
      "INSERT OR IGNORE INTO outbox(pledge_id, target, state, next_attempt_ms, updated_ms) "
      "SELECT id, ?1, 'pending', 0, ?2 FROM pledges WHERE rowid > ?3 AND "
      "(CASE WHEN ?1 = ?4 THEN link_consent ELSE share_consent END) = 1");
  Statement keep(db,
                 "INSERT INTO meta(key, value) VALUES('outbox_checked:' || ?1, ?2) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  for (const auto& t : targets) {
    mark.reset();
    mark.bind(1, t);
    rc = mark.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(rc, "read the queue mark of " + t);
    const std::int64_t checked = rc == SQLITE_ROW ? mark.integer(0) : 0;
    if (checked >= newest) continue;
    st.reset();
    st.bind(1, t).bind(2, impl_->clock->now_ms()).bind(3, checked).bind(4, public_target);
    rc = st.step();
    if (rc != SQLITE_DONE) return fail(rc, "queue pledges for target " + t);
    added += sqlite3_changes(db);
    keep.reset();
    keep.bind(1, t).bind(2, newest);
    rc = keep.step();
    if (rc != SQLITE_DONE) return fail(rc, "keep the queue mark of " + t);
  }
  mark.finalize();
  st.finalize();
  keep.finalize();
  if (Status s = impl_->exec("COMMIT", "commit queueing"); !s) {
    impl_->rollback();
    return s;
  }
  return added;
}

Result<std::vector<OutboxItem>> Ledger::outbox_for(const std::string& pledge_id) {
  std::string sql =
      std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE pledge_id = ?1 ORDER BY id";
  Statement st(impl_->db, sql.c_str());
  st.bind(1, pledge_id);
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(read_outbox(st));
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "read outbox");
  return out;
}

Result<std::vector<OutboxItem>> Ledger::outbox_items(std::optional<OutboxState> state) {
  std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox" +
                    (state ? " WHERE state = ?1" : "") + " ORDER BY pledge_id, id";
  Statement st(impl_->db, sql.c_str());
  if (state) st.bind(1, std::string(to_string(*state)));
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(read_outbox(st));
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "read outbox");
  return out;
}

Result<QueueCounts> Ledger::queue_counts() {
  auto targets = queue_by_target();
  if (!targets) return targets.status();
  QueueCounts q;
  for (const auto& t : *targets) {
    q.pending += t.pending;
    q.done += t.done;
    q.failed += t.failed;
  }
  return q;
}

Result<std::vector<TargetQueue>> Ledger::queue_by_target() {
  // From outbox_counts (schema v5, kept by triggers): one row per target, whatever the queue.
  Statement st(impl_->db,
               impl_->schema_version >= 5
                   ? "SELECT target, max(pending, 0), max(done, 0), max(failed, 0), last_done_ms "
                     "FROM outbox_counts WHERE pending > 0 OR done > 0 OR failed > 0 "
                     "ORDER BY target"
                   : "SELECT target, sum(state = 'pending'), sum(state = 'done'), "
                     "sum(state = 'failed'), coalesce(max(CASE WHEN state = 'done' THEN "
                     "updated_ms END), 0) FROM outbox GROUP BY target ORDER BY target");
  std::vector<TargetQueue> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({clean(st.text(0)), st.integer(1), st.integer(2), st.integer(3), st.integer(4)});
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "count outbox per target");
  return out;
}

Result<std::optional<OutboxItem>> Ledger::newest_upload_error() {
  // outbox_errors (schema v5) holds only rows with an error: newest first, done rows passed.
  std::string sql = std::string("SELECT ") + kOutboxColumns +
                    " FROM outbox WHERE last_error != '' AND state != 'done' ORDER BY "
                    "updated_ms DESC LIMIT 1";
  Statement st(impl_->db, sql.c_str());
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::optional<OutboxItem>();
  if (rc != SQLITE_ROW) return impl_->db_error(rc, "read the newest upload error");
  return std::optional<OutboxItem>(read_outbox(st));
}

Result<std::vector<TargetQueue>> Ledger::unconfigured_targets(
    const std::vector<std::string>& configured) {
  auto all = queue_by_target();
  if (!all) return all.status();
  std::vector<TargetQueue> out;
  for (auto& t : *all) {
    bool known = std::find(configured.begin(), configured.end(), t.target) != configured.end();
    if (!known && t.pending + t.failed > 0) out.push_back(std::move(t));
  }
  return out;
}

Result<std::int64_t> Ledger::forget_target(const std::string& target) {
  if (impl_->read_only) return impl_->read_only_error("drop the uploads for target " + target);
  if (Status s = impl_->exec("BEGIN IMMEDIATE", "begin dropping"); !s) return s;
  std::int64_t dropped = 0;
  int rc;
  {
    Statement st(impl_->db, "DELETE FROM outbox WHERE target = ?1 AND state != 'done'");
    st.bind(1, target);
    rc = st.step();
    dropped = sqlite3_changes(impl_->db);
  }
  if (rc == SQLITE_DONE && impl_->schema_version >= 3) {
    // Added back later, the target is queued again for every consented pledge.
    Statement st(impl_->db, "DELETE FROM meta WHERE key = 'outbox_checked:' || ?1");
    st.bind(1, target);
    rc = st.step();
  }
  if (rc != SQLITE_DONE) {
    Status s = impl_->db_error(rc, "drop the uploads for target " + target);
    impl_->rollback();
    return s;
  }
  if (Status s = impl_->exec("COMMIT", "commit dropping"); !s) {
    impl_->rollback();
    return s;
  }
  return dropped;
}

}  // namespace pb::store
