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
                     std::int64_t num) {
  Statement st(db, sql);
  st.bind(1, id).bind(2, text).bind(3, num).bind(4, now_ms());
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
      id, remote_key, 0);
}

Status Ledger::mark_retry(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error) {
  if (impl_->read_only) return impl_->read_only_error("record an upload");
  return update_outbox(
      impl_->db,
      "UPDATE outbox SET state='pending', attempts=attempts+1, last_error=?2, next_attempt_ms=?3, "
      "updated_ms=?4 WHERE id=?1",
      id, error, next_attempt_ms);
}

Status Ledger::mark_failed(std::int64_t id, const std::string& error) {
  if (impl_->read_only) return impl_->read_only_error("record an upload");
  return update_outbox(
      impl_->db,
      "UPDATE outbox SET state='failed', attempts=attempts+1, last_error=?2, next_attempt_ms=?3, "
      "updated_ms=?4 WHERE id=?1",
      id, error, 0);
}

Result<std::int64_t> Ledger::requeue_failed(const std::string& target) {
  if (impl_->read_only) return impl_->read_only_error("requeue failed uploads");
  std::string sql =
      "UPDATE outbox SET state='pending', next_attempt_ms=0, updated_ms=?1 WHERE state='failed'";
  if (!target.empty()) sql += " AND target=?2";
  Statement st(impl_->db, sql.c_str());
  st.bind(1, now_ms());
  if (!target.empty()) st.bind(2, target);
  int rc = st.step();
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "requeue failed uploads");
  return static_cast<std::int64_t>(sqlite3_changes(impl_->db));
}

Result<std::int64_t> Ledger::ensure_outbox(const std::vector<std::string>& targets) {
  if (impl_->read_only) return impl_->read_only_error("queue pledges for upload");
  std::int64_t added = 0;
  Statement st(
      impl_->db,
      "INSERT OR IGNORE INTO outbox(pledge_id, target, state, next_attempt_ms, updated_ms) "
      "SELECT id, ?1, 'pending', 0, ?2 FROM pledges WHERE share_consent = 1");
  for (const auto& t : targets) {
    st.reset();
    st.bind(1, t).bind(2, now_ms());
    int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->db_error(rc, "queue pledges for target " + t);
    added += sqlite3_changes(impl_->db);
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
  Statement st(impl_->db, "SELECT state, count(*) FROM outbox GROUP BY state");
  QueueCounts q;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    switch (parse_state(st.text(0))) {
      case OutboxState::kPending:
        q.pending = st.integer(1);
        break;
      case OutboxState::kDone:
        q.done = st.integer(1);
        break;
      case OutboxState::kFailed:
        q.failed = st.integer(1);
        break;
    }
  }
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "count outbox");
  return q;
}

Result<std::vector<TargetQueue>> Ledger::queue_by_target() {
  Statement st(impl_->db,
               "SELECT target, sum(state = 'pending'), sum(state = 'done'), sum(state = 'failed') "
               "FROM outbox GROUP BY target ORDER BY target");
  std::vector<TargetQueue> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({clean(st.text(0)), st.integer(1), st.integer(2), st.integer(3)});
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "count outbox per target");
  return out;
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
  Statement st(impl_->db, "DELETE FROM outbox WHERE target = ?1 AND state != 'done'");
  st.bind(1, target);
  int rc = st.step();
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "drop the uploads for target " + target);
  return static_cast<std::int64_t>(sqlite3_changes(impl_->db));
}

}  // namespace pb::store
