// SPDX-License-Identifier: Apache-2.0
// Retention and references: Ledger::expire_pledge and the queries retention needs, and the
// policy of pb/retention.h on top of them.
#include "pb/retention.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "ledger_impl.h"
#include "pb/clock.h"

namespace pb::store {

std::string pledge_reference(const std::string& id) {
  std::string hex;
  for (char c : id)
    if (std::isxdigit(static_cast<unsigned char>(c)))
      hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (hex.size() < 8) return hex;
  hex = hex.substr(hex.size() - 8);
  return hex.substr(0, 4) + "-" + hex.substr(4);
}

std::string reference_digits(std::string_view ref) {
  std::string hex;
  for (char c : ref) {
    if (c == '-' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c)) || hex.size() == 8) return "";
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return hex.size() == 8 ? hex : "";
}

Result<std::vector<Pledge>> Ledger::find_by_reference(const std::string& ref) {
  const std::string digits = reference_digits(ref);
  if (digits.empty())
    return Status::error(Status::Code::kInvalid,
                         "not a pledge reference (8 hex digits, e.g. 7F3A-9C21)");
  // Ids are lower-case hex ending in the 8 digits (is_pledge_id); substr also reads a row
  // of another booth's ledger that is no id, which row_problem then leaves out.
  Statement st(impl_->db, select_pledges(impl_->schema_version,
                                         " WHERE substr(id, -8) = ?1 ORDER BY created_ms, id")
                              .c_str());
  st.bind(1, digits);
  return impl_->pledge_rows(st, "find pledge by reference");
}

Result<std::vector<Pledge>> Ledger::expirable_pledges(std::int64_t before_ms, bool delivered) {
  Statement st(impl_->db,
               select_pledges(impl_->schema_version,
                              " WHERE created_ms < ?1 AND (photo_path != '' OR first_name != '' "
                              "OR answer != '' OR EXISTS (SELECT 1 FROM outbox WHERE "
                              "outbox.pledge_id = pledges.id AND (?2 OR state != 'done'))) "
                              "ORDER BY created_ms, id")
                   .c_str());
  st.bind(1, before_ms).bind(2, delivered ? 1 : 0);
  return impl_->pledge_rows(st, "list pledges past retention");
}

Result<std::int64_t> Ledger::undelivered_before(std::int64_t before_ms) {
  Statement st(impl_->db,
               "SELECT count(DISTINCT pledge_id) FROM outbox JOIN pledges ON pledges.id = "
               "outbox.pledge_id WHERE outbox.state != 'done' AND pledges.created_ms < ?1");
  st.bind(1, before_ms);
  const int rc = st.step();
  if (rc != SQLITE_ROW) return impl_->db_error(rc, "count undelivered pledges");
  return st.integer(0);
}

Status Ledger::expire_pledge(const std::string& id, bool keep_answer, bool drop_delivered) {
  if (impl_->read_only) return impl_->read_only_error("expire pledge " + id);
  auto got = get_pledge(id);
  if (!got) return got.status();
  if (!got->has_value()) return Status::error(Status::Code::kNotFound, "no pledge with id " + id);
  const Pledge& p = **got;
  // As delete_pledge: the row's change, its outbox rows and a note that the photo must go in
  // one transaction, then the file. The count triggers move the pledge from "with photo"
  // and from its own words to none; it still counts.
  sqlite3* db = impl_->db;
  if (Status s = impl_->exec("BEGIN IMMEDIATE", "begin expiry"); !s) return s;
  int rc;
  {
    Statement ob(db, "DELETE FROM outbox WHERE pledge_id = ?1 AND (?2 OR state != 'done')");
    ob.bind(1, id).bind(2, drop_delivered ? 1 : 0);
    rc = ob.step();
  }
  if (rc == SQLITE_DONE) {
    Statement pl(db,
                 "UPDATE pledges SET first_name = '', answer = CASE WHEN ?2 THEN answer ELSE '' "
                 "END, photo_path = '', photo_size = 0, photo_sha256 = '' WHERE id = ?1");
    pl.bind(1, id).bind(2, keep_answer ? 1 : 0);
    rc = pl.step();
  }
  if (rc == SQLITE_DONE && !p.photo_path.empty()) {
    Statement note(db, "INSERT OR IGNORE INTO photo_deletions(photo_path) VALUES(?1)");
    note.bind(1, p.photo_path);
    rc = note.step();
  }
  if (rc != SQLITE_DONE) {
    Status s = impl_->db_error(rc, "expire pledge");
    impl_->rollback();
    return s;
  }
  if (Status s = impl_->exec("COMMIT", "commit expiry"); !s) {
    impl_->rollback();
    return s;
  }
  return impl_->remove_noted_photo(p, "expired");
}

std::int64_t retention_cutoff_ms(std::int64_t now_ms, int keep_months) {
  if (keep_months <= 0) return 0;
  const std::time_t now = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&now, &tm);
  tm.tm_mon -= keep_months;  // timegm normalises (31 March - 1 month = 3 March)
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + now_ms % 1000;
}

Result<std::vector<Expiry>> retention_plan(Ledger& ledger, int keep_months, const IsPick& is_pick,
                                           bool delivered) {
  std::vector<Expiry> plan;
  const std::int64_t cutoff = retention_cutoff_ms(ledger.clock().now_ms(), keep_months);
  if (cutoff <= 0) return plan;
  auto pledges = ledger.expirable_pledges(cutoff, delivered);
  if (!pledges) return pledges.status();
  for (auto& p : *pledges) {
    Expiry e;
    e.photo = !p.photo_path.empty();
    e.name = !p.first_name.empty();
    e.words = !p.answer.empty() && !(is_pick && is_pick(p.answer));
    auto rows = ledger.outbox_for(p.id);
    if (!rows) return rows.status();
    for (const auto& r : *rows) ++(r.state == OutboxState::kDone ? e.delivered : e.undelivered);
    e.pledge = std::move(p);
    if (e.photo || e.name || e.words || e.undelivered > 0 || (delivered && e.delivered > 0))
      plan.push_back(std::move(e));
  }
  return plan;
}

Result<std::int64_t> enforce_retention(Ledger& ledger, int keep_months, const IsPick& is_pick) {
  auto plan = retention_plan(ledger, keep_months, is_pick, false);
  if (!plan) return plan.status();
  std::int64_t expired = 0;
  for (const auto& e : *plan) {
    if (Status s = ledger.expire_pledge(e.pledge.id, !e.words, false); !s) return s;
    ++expired;
  }
  return expired;
}

Result<std::int64_t> undelivered_expiring_soon(Ledger& ledger, int keep_months) {
  const std::int64_t cutoff =
      retention_cutoff_ms(ledger.clock().now_ms() + kExpiryWarningMs, keep_months);
  if (cutoff <= 0) return std::int64_t{0};
  return ledger.undelivered_before(cutoff);
}

std::string describe(const Expiry& e) {
  std::vector<std::string> what;
  if (e.photo) what.push_back("photo");
  if (e.name) what.push_back("name");
  if (e.words) what.push_back("own words");
  std::string out;
  for (std::size_t i = 0; i < what.size(); ++i)
    out += (i == 0 ? "" : i + 1 == what.size() ? " and " : ", ") + what[i];
  const auto rows = [](int n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  if (e.undelivered > 0)
    out +=
        (out.empty() ? "" : "; ") + rows(e.undelivered, "upload never sent", "uploads never sent");
  if (e.delivered > 0)
    out += (out.empty() ? "" : "; ") + rows(e.delivered, "remote copy", "remote copies");
  return out;
}

}  // namespace pb::store
