// SPDX-License-Identifier: Apache-2.0
// Tally counts from the ledger (see pb/tally_counts.h): read from pledge_counts, which the
// ledger's triggers keep with every save and deletion, so a tally document costs the same at
// the 10th pledge and the 100,000th. A ledger of an older schema is counted row by row.
#include "pb/tally_counts.h"

#include <algorithm>
#include <map>
#include <utility>

#include "ledger_impl.h"

namespace pb::store {

namespace {

Result<std::vector<TallyCounts>> count_every_row(
    Ledger& ledger, const std::map<std::string, std::string>& pick_of_answer) {
  auto pledges = ledger.list_pledges();
  if (!pledges) return pledges.status();
  std::map<std::pair<std::string, std::string>, TallyCounts> by;
  for (const Pledge& p : *pledges) {
    TallyCounts& t = by[{p.event, p.booth}];
    t.event = p.event;
    t.booth = p.booth;
    const bool photo = !p.photo_path.empty();
    ++t.pledges;
    t.with_photo += photo;
    t.shared += p.share_consent;
    std::string answer = "none";
    if (!p.answer.empty()) {
      auto it = pick_of_answer.find(p.answer);
      answer = it == pick_of_answer.end() ? "other" : it->second;
    }
    ++t.answers[answer];
    ++t.locales[p.locale];
    DayCounts& d = t.days[utc_date(p.created_ms)];
    ++d.pledges;
    d.with_photo += photo;
    d.shared += p.share_consent;
    if (p.created_ms > t.newest_ms) t.newest_ms = p.created_ms;
  }
  std::vector<TallyCounts> out;
  out.reserve(by.size());
  for (auto& [key, t] : by) out.push_back(std::move(t));
  return out;
}

// A count as kept; a row made negative by hand counts as none.
std::int64_t count_at(const Statement& st, int col) {
  return std::max<std::int64_t>(0, st.integer(col));
}

}  // namespace

Result<std::vector<TallyCounts>> tally_counts(
    Ledger& ledger, const std::map<std::string, std::string>& pick_of_answer) {
  Ledger::Impl& impl = *ledger.impl_;
  if (impl.schema_version < 5) return count_every_row(ledger, pick_of_answer);
  sqlite3* db = impl.db;
  std::vector<TallyCounts> out;
  {
    Statement all(db,
                  "SELECT event, booth, pledges, with_photo, shared FROM pledge_counts "
                  "WHERE dim = '' AND pledges > 0 ORDER BY event, booth");
    int rc;
    while ((rc = all.step()) == SQLITE_ROW) {
      TallyCounts t;
      t.event = all.text(0);
      t.booth = all.text(1);
      t.pledges = count_at(all, 2);
      t.with_photo = count_at(all, 3);
      t.shared = count_at(all, 4);
      out.push_back(std::move(t));
    }
    if (rc != SQLITE_DONE) return impl.db_error(rc, "read the tally counts");
  }
  // Locales and days: a handful of keys each. Answers: only the quick picks' texts are
  // looked up (own words are many and counted together as "other").
  Statement keys(db,
                 "SELECT dim, key, pledges, with_photo, shared FROM pledge_counts "
                 "WHERE dim IN ('locale', 'day') AND event = ?1 AND booth = ?2 AND pledges > 0");
  Statement answer(db,
                   "SELECT pledges FROM pledge_counts "
                   "WHERE dim = 'answer' AND event = ?1 AND booth = ?2 AND key = ?3");
  // The newest pledge: pledges_by_event read from its end, the first of this booth.
  Statement newest(db,
                   "SELECT created_ms FROM pledges WHERE event = ?1 AND booth = ?2 "
                   "ORDER BY created_ms DESC LIMIT 1");
  for (TallyCounts& t : out) {
    keys.reset();
    keys.bind(1, t.event).bind(2, t.booth);
    int rc;
    while ((rc = keys.step()) == SQLITE_ROW) {
      const std::string key = clean(keys.text(1));
      if (keys.text(0) == "locale") {
        t.locales[key] += count_at(keys, 2);
      } else {
        DayCounts& d = t.days[key];
        d.pledges += count_at(keys, 2);
        d.with_photo += count_at(keys, 3);
        d.shared += count_at(keys, 4);
      }
    }
    if (rc != SQLITE_DONE) return impl.db_error(rc, "read the tally counts");
    std::int64_t picked = 0;
    auto count_answer = [&](const std::string& text) -> Result<std::int64_t> {
      answer.reset();
      answer.bind(1, t.event).bind(2, t.booth).bind(3, text);
      int arc = answer.step();
      if (arc == SQLITE_DONE) return std::int64_t{0};
      if (arc != SQLITE_ROW) return impl.db_error(arc, "read the tally counts");
      return count_at(answer, 0);
    };
    auto none = count_answer("");
    if (!none) return none.status();
    if (*none > 0) t.answers["none"] = *none;
    for (const auto& [text, pick] : pick_of_answer) {
      if (text.empty()) continue;
      auto n = count_answer(text);
      if (!n) return n.status();
      if (*n > 0) t.answers[pick] += *n;
      picked += *n;
    }
    if (const std::int64_t other = t.pledges - *none - picked; other > 0)
      t.answers["other"] = other;
    newest.reset();
    newest.bind(1, t.event).bind(2, t.booth);
    rc = newest.step();
    if (rc == SQLITE_ROW)
      t.newest_ms = newest.integer(0);
    else if (rc != SQLITE_DONE)
      return impl.db_error(rc, "read the newest pledge");
    t.event = clean(t.event);
    t.booth = clean(t.booth);
  }
  return out;
}

}  // namespace pb::store
