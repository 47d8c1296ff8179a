// SPDX-License-Identifier: Apache-2.0
// The pledge ledger: durable saves, reads and deletions of pledges, over one sqlite
// connection per Ledger. The rest of the ledger is in the files named in ledger_impl.h.
#include "pb/ledger.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "files.h"
#include "ledger_impl.h"
#include "pb/inside_folder.h"
#include "pb/utf8.h"

namespace fs = std::filesystem;

namespace pb::store {

namespace {

// The columns read_pledge reads. A ledger opened read-only is not migrated: one from before
// the choices per use (schema < 6, e.g. an older booth's card) reads as its migration would
// make it (docs/METADATA.md): no wall, no link, shown in its language when it was saved.
std::string pledge_columns(int schema_version) {
  return std::string(
             "id, event, booth, created_ms, locale, first_name, answer, share_consent, "
             "consent_version, photo_path, photo_size, photo_sha256, ") +
         (schema_version >= 6 ? "wall_consent, link_consent, consent_locale, consent_ms"
                              : "0, 0, CASE WHEN consent_version > 0 THEN locale ELSE '' END, "
                                "CASE WHEN consent_version > 0 THEN created_ms ELSE 0 END");
}

}  // namespace

std::string clean(std::string s) {
  return is_clean_text(s) ? s : printable_text(s);
}

bool is_pledge_id(const std::string& s) {
  return s.size() == 36 && s.find_first_not_of("0123456789abcdef-") == std::string::npos;
}

std::string ledger_text(std::string_view s, std::size_t max_bytes) {
  std::string out;
  for (char32_t c : decode_utf8(s.substr(0, std::min(s.size(), max_bytes * 2 + 16)))) {
    if (is_control_code_point(c) && c != U'\t' && c != U'\n' && c != U'\r') continue;
    const std::string piece = encode_utf8(c);
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
  }
  return out;
}

namespace {

Pledge read_pledge(const Statement& st) {
  Pledge p;
  p.id = clean(st.text(0));
  p.event = clean(st.text(1));
  p.booth = clean(st.text(2));
  p.created_ms = st.integer(3);
  p.locale = clean(st.text(4));
  p.first_name = ledger_text(st.text(5));
  p.answer = ledger_text(st.text(6));
  p.share_consent = st.integer(7) != 0;
  p.consent_version = static_cast<int>(st.integer(8));
  p.photo_path = st.text(9);  // checked by Impl::row_problem before it is used
  p.photo_size = st.integer(10);
  p.photo_sha256 = clean(st.text(11));
  p.wall_consent = st.integer(12) != 0;
  p.link_consent = st.integer(13) != 0;
  p.consent_locale = printable_text(st.text(14), 16);
  p.consent_ms = st.integer(15);
  p.created_utc = utc_timestamp(p.created_ms);
  return p;
}

}  // namespace

Ledger::Impl::~Impl() {
  close_db();
  if (lock_fd >= 0) close(lock_fd);  // releases the shared lock
  if (!snapshot_dir.empty()) {
    std::error_code ec;
    fs::remove_all(snapshot_dir, ec);
  }
}

void Ledger::Impl::close_db() {
  if (db) sqlite3_close_v2(db);
  db = nullptr;
}

std::optional<std::string> Ledger::Impl::photo_problem(const std::string& rel, bool fresh) {
  if (rel.empty()) return std::nullopt;
  const std::string photos = data_dir + "/photos";
  constexpr std::string_view kPhotos = "photos/";
  bool inside = rel.rfind(kPhotos, 0) == 0 && rel.size() < 4096 && is_clean_text(rel) &&
                is_plain_relative_path(rel);
  if (inside && (fresh || linked_photos.count(rel) > 0)) {
    inside = is_inside_folder(photos, data_dir + "/" + rel);
  } else if (inside) {
    if (!photos_guard) photos_guard.emplace(photos);
    inside = photos_guard->contains(std::string_view(rel).substr(kPhotos.size()));
  }
  if (inside) return std::nullopt;
  return "photo path '" + printable_text(rel, 200) + "' leads outside " + photos;
}

std::optional<std::string> Ledger::Impl::row_problem(const Pledge& p) {
  const std::string which = "pledge " + printable_text(p.id, 80);
  if (!is_pledge_id(p.id)) return which + ": not a pledge id";
  if (!is_slug(p.event) || !is_slug(p.booth)) return which + ": event or booth is not a slug";
  if (auto why = photo_problem(p.photo_path)) return which + ": " + *why;
  return std::nullopt;
}

void Ledger::Impl::report(const std::string& what) {
  const std::string line = "ledger " + data_dir + ": " + what + "; skipped";
  if (std::find(skipped.begin(), skipped.end(), line) == skipped.end()) skipped.push_back(line);
}

Status Ledger::Impl::read_only_error(const std::string& what) const {
  return Status::error(Status::Code::kReadOnly,
                       "cannot " + what + ": the ledger in " + data_dir + " is open read-only");
}

void Ledger::Impl::rollback() {
  // Not reported: the caller returns the failure that made it roll back, and sqlite ends a
  // transaction left open when the connection closes.
  (void)exec("ROLLBACK", "rollback");
}

void Ledger::Impl::forget_photo(const std::string& path) {
  // Not reported: the save already failed for the reason the caller returns. A photo that
  // cannot be removed now has no row, and start-up recovery moves it to recovered/.
  (void)remove_durably(path, *env);
}

Status Ledger::Impl::exec(const char* sql, const std::string& what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  return db_error(rc, what);
}

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::~Ledger() = default;

const std::string& Ledger::data_dir() const {
  return impl_->data_dir;
}
const RecoveryReport& Ledger::recovery() const {
  return impl_->recovery;
}
LedgerCost Ledger::cost() const {
  LedgerCost c;
  int hit = 0, miss = 0, high = 0;
  if (impl_->db) {
    sqlite3_db_status(impl_->db, SQLITE_DBSTATUS_CACHE_HIT, &hit, &high, 0);
    sqlite3_db_status(impl_->db, SQLITE_DBSTATUS_CACHE_MISS, &miss, &high, 0);
  }
  c.page_requests = std::int64_t{hit} + miss;
  c.folders_resolved = impl_->photos_guard ? impl_->photos_guard->resolutions() : 0;
  return c;
}
int Ledger::schema_version() const {
  return impl_->schema_version;
}
bool Ledger::read_only() const {
  return impl_->read_only;
}

const std::vector<std::string>& Ledger::skipped_rows() const {
  return impl_->skipped;
}

std::string Ledger::photo_file(const Pledge& p) const {
  if (p.photo_path.empty() || impl_->photo_problem(p.photo_path, true)) return std::string();
  return impl_->data_dir + "/" + p.photo_path;
}

Result<Pledge> Ledger::save_pledge(const PledgeInput& in) {
  if (impl_->read_only) return impl_->read_only_error("save a pledge");
  if (!is_slug(in.event))
    return Status::error(Status::Code::kInvalid, "event id is not a slug: '" + in.event + "'");
  if (!is_slug(in.booth))
    return Status::error(Status::Code::kInvalid, "booth id is not a slug: '" + in.booth + "'");
  Pledge p;
  // Never below the highest time already issued, whatever the clock says now.
  auto high = clock_high_ms();
  if (!high) return high.status();
  const std::int64_t now = impl_->clock->now_ms();
  p.created_ms = in.created_ms.value_or(now > *high ? now : *high + 1);
  p.id = new_uuid_v7(in.created_ms ? p.created_ms : std::max(p.created_ms, *high + 1));
  p.event = in.event;
  p.booth = in.booth;
  // Typed text is stored as ledger_text, so that every JSON and CSV made from the ledger is
  // valid (a NUL or an escape code is dropped, a stray byte becomes U+FFFD).
  p.locale = printable_text(in.locale, 16);
  p.first_name = ledger_text(in.first_name);
  p.answer = ledger_text(in.answer);
  p.share_consent = in.share_consent;
  p.wall_consent = in.wall_consent;
  p.link_consent = in.link_consent;
  p.consent_version = in.consent_version;
  if (p.consent_version > 0) {
    p.consent_locale =
        printable_text(in.consent_locale.empty() ? in.locale : in.consent_locale, 16);
    p.consent_ms = in.consent_ms.value_or(p.created_ms);
  }

  std::string photo_abs;
  if (!in.photo_jpeg.empty()) {
    std::string rel_dir = "photos/" + p.event + "/" + utc_date(p.created_ms);
    std::string dir = impl_->data_dir + "/" + rel_dir;
    if (Status s = make_dirs_durable(dir, *impl_->env); !s) return s;
    std::string name = p.id + ".jpg";
    if (Status s = write_file_durably(dir, name, in.photo_jpeg, *impl_->env); !s) return s;
    p.photo_path = rel_dir + "/" + name;
    p.photo_size = static_cast<std::int64_t>(in.photo_jpeg.size());
    p.photo_sha256 = sha256_hex(in.photo_jpeg.data(), in.photo_jpeg.size());
    photo_abs = dir + "/" + name;
  }

  sqlite3* db = impl_->db;
  auto undo = [&](Status s) -> Result<Pledge> {
    impl_->rollback();
    if (!photo_abs.empty()) impl_->forget_photo(photo_abs);
    return s;
  };
  if (Status s = impl_->exec("BEGIN IMMEDIATE", "begin save"); !s) {
    if (!photo_abs.empty()) impl_->forget_photo(photo_abs);
    return s;
  }
  {
    Statement ins(
        db,
        "INSERT INTO pledges(id, event, booth, created_ms, locale, first_name, answer, "
        "share_consent, "
        "consent_version, photo_path, photo_size, photo_sha256, wall_consent, link_consent, "
        "consent_locale, consent_ms) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)");
    ins.bind(1, p.id).bind(2, p.event).bind(3, p.booth).bind(4, p.created_ms).bind(5, p.locale);
    ins.bind(6, p.first_name)
        .bind(7, p.answer)
        .bind(8, p.share_consent ? 1 : 0)
        .bind(9, p.consent_version);
    ins.bind(10, p.photo_path).bind(11, p.photo_size).bind(12, p.photo_sha256);
    ins.bind(13, p.wall_consent ? 1 : 0)
        .bind(14, p.link_consent ? 1 : 0)
        .bind(15, p.consent_locale)
        .bind(16, p.consent_ms);
    int rc = ins.step();
    if (rc != SQLITE_DONE) return undo(impl_->db_error(rc, "save pledge"));
  }
  if (p.share_consent || p.link_consent) {  // nothing else ever leaves the booth
    Statement ob(db,
                 // A target listed twice is one upload, never a reason to lose the pledge.
                 "INSERT OR IGNORE INTO outbox(pledge_id, target, state, next_attempt_ms, "
                 "updated_ms) VALUES(?1, ?2, 'pending', 0, ?3)");
    for (const auto& t : in.targets) {
      ob.reset();
      ob.bind(1, p.id).bind(2, t).bind(3, p.created_ms);
      int rc = ob.step();
      if (rc != SQLITE_DONE) return undo(impl_->db_error(rc, "queue pledge for upload"));
    }
  }
  {
    Statement mark(db, "UPDATE meta SET value = max(value, ?1) WHERE key = 'clock_high_ms'");
    mark.bind(1, uuid_v7_ms(p.id));
    int rc = mark.step();
    if (rc != SQLITE_DONE) return undo(impl_->db_error(rc, "record the clock"));
  }
  if (Status s = impl_->exec("COMMIT", "commit save"); !s) return undo(s);
  p.created_utc = utc_timestamp(p.created_ms);
  return p;
}

std::unique_ptr<Ledger> Ledger::open_until(const std::string& data_dir,
                                           const std::function<bool(const Status&)>& failed) {
  for (;;) {
    auto opened = open(data_dir);
    if (opened) return std::move(*opened);
    if (!failed(opened.status())) return nullptr;
  }
}

Result<std::int64_t> Ledger::clock_high_ms() {
  sqlite3* db = impl_->db;
  // A read-only ledger of an older schema has no meta row: its newest pledge says the same.
  if (impl_->schema_version < 3) {
    Statement st(db, "SELECT coalesce(max(created_ms), 0) FROM pledges");
    int rc = st.step();
    if (rc != SQLITE_ROW) return impl_->db_error(rc, "read the clock mark");
    return st.integer(0);
  }
  // The mark every save raises, and the time in the highest id (ids are time-ordered, so
  // the primary key finds it at once), for a row that came in another way.
  Statement st(db,
               "SELECT (SELECT coalesce(max(value), 0) FROM meta WHERE key = 'clock_high_ms'), "
               "(SELECT max(id) FROM pledges)");
  int rc = st.step();
  if (rc != SQLITE_ROW) return impl_->db_error(rc, "read the clock mark");
  return std::max(st.integer(0), st.is_null(1) ? 0 : uuid_v7_ms(st.text(1)));
}

// The one pledge `st` finds (its first row), or nullopt; kCorrupt for a row not to be used.
Result<std::optional<Pledge>> Ledger::Impl::one_pledge(Statement& st, const std::string& what) {
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::optional<Pledge>();
  if (rc != SQLITE_ROW) return db_error(rc, what);
  Pledge p = read_pledge(st);
  if (auto why = row_problem(p)) {
    report(*why);
    return Status::error(Status::Code::kCorrupt,
                         "ledger " + data_dir + ": " + *why + "; this row is not used");
  }
  return std::optional<Pledge>(std::move(p));
}

Result<std::optional<Pledge>> Ledger::get_pledge(const std::string& id) {
  Statement st(
      impl_->db,
      ("SELECT " + pledge_columns(impl_->schema_version) + " FROM pledges WHERE id = ?1").c_str());
  st.bind(1, id);
  return impl_->one_pledge(st, "read pledge");
}

std::string select_pledges(int schema_version, const std::string& rest) {
  return "SELECT " + pledge_columns(schema_version) + " FROM pledges" + rest;
}

Result<std::vector<Pledge>> Ledger::Impl::pledge_rows(Statement& st, const std::string& what) {
  std::vector<Pledge> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    Pledge p = read_pledge(st);
    if (auto why = row_problem(p))
      report(*why);
    else
      out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return db_error(rc, what);
  return out;
}

Result<std::vector<Pledge>> Ledger::list_pledges(const std::string& event) {
  Statement st(impl_->db,
               select_pledges(impl_->schema_version, (event.empty() ? "" : " WHERE event = ?1") +
                                                         std::string(" ORDER BY created_ms, id"))
                   .c_str());
  if (!event.empty()) st.bind(1, event);
  return impl_->pledge_rows(st, "list pledges");
}

Result<PledgePage> Ledger::newest_pledges(const std::string& event, int limit,
                                          const PageCursor* after) {
  std::string sql = "SELECT " + pledge_columns(impl_->schema_version) +
                    " FROM pledges WHERE event = ?1" +
                    (after ? " AND (created_ms, id) < (?3, ?4)" : "") +
                    " ORDER BY created_ms DESC, id DESC LIMIT ?2";
  Statement st(impl_->db, sql.c_str());
  limit = std::max(limit, 1);
  st.bind(1, event).bind(2, limit);
  if (after) st.bind(3, after->created_ms).bind(4, after->id);
  PledgePage page;
  PageCursor last;
  int rc, rows = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    Pledge p = read_pledge(st);
    ++rows;
    last = {p.created_ms, p.id};
    if (auto why = impl_->row_problem(p))
      impl_->report(*why);
    else
      page.pledges.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "list the newest pledges");
  if (rows == limit) page.next = std::move(last);
  return page;
}

Result<std::optional<Pledge>> Ledger::last_pledge(const std::string& event) {
  // Both halves use pledges_by_event (event, created_ms): a lookup, not a scan.
  Statement st(impl_->db,
               ("SELECT " + pledge_columns(impl_->schema_version) +
                " FROM pledges WHERE event = ?1 AND created_ms = (SELECT "
                "max(created_ms) FROM pledges WHERE event = ?1) ORDER BY id DESC LIMIT 1")
                   .c_str());
  st.bind(1, event);
  return impl_->one_pledge(st, "read the last pledge");
}

Result<std::int64_t> Ledger::count_pledges(const std::string& event) {
  Statement st(impl_->db, impl_->schema_version >= 5
                              ? "SELECT coalesce(sum(max(pledges, 0)), 0) FROM pledge_counts "
                                "WHERE dim = '' AND event = ?1"
                              : "SELECT count(*) FROM pledges WHERE event = ?1");
  st.bind(1, event);
  int rc = st.step();
  if (rc != SQLITE_ROW) return impl_->db_error(rc, "count pledges");
  return st.integer(0);
}

Result<std::vector<EventStats>> Ledger::event_stats() {
  // Events in the order of their first pledge (pledges_by_event finds it at once).
  Statement st(impl_->db,
               impl_->schema_version >= 5
                   ? "SELECT event, sum(max(pledges, 0)), sum(max(with_photo, 0)), "
                     "sum(max(shared, 0)) FROM pledge_counts AS c WHERE dim = '' GROUP BY event "
                     "HAVING sum(pledges) > 0 ORDER BY (SELECT min(created_ms) FROM pledges "
                     "AS p WHERE p.event = c.event), event"
                   : "SELECT event, count(*), sum(photo_path != ''), sum(share_consent) FROM "
                     "pledges GROUP BY event ORDER BY min(created_ms)");
  std::vector<EventStats> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({clean(st.text(0)), st.integer(1), st.integer(2), st.integer(3)});
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "event stats");
  return out;
}

Status Ledger::delete_pledge(const std::string& id) {
  if (impl_->read_only) return impl_->read_only_error("delete pledge " + id);
  auto got = get_pledge(id);
  if (!got) return got.status();
  if (!got->has_value()) return Status::error(Status::Code::kNotFound, "no pledge with id " + id);
  const Pledge& p = **got;
  // Row, outbox rows and a note that the photo must go, in one transaction; then the file.
  // A crash or a read-only card between leaves the note, and start-up removes the photo:
  // never a row without its photo, never a deleted face kept in recovered/.
  sqlite3* db = impl_->db;
  if (Status s = impl_->exec("BEGIN IMMEDIATE", "begin delete"); !s) return s;
  int rc;
  {
    Statement ob(db, "DELETE FROM outbox WHERE pledge_id = ?1");
    ob.bind(1, id);
    rc = ob.step();
  }
  if (rc == SQLITE_DONE) {
    Statement pl(db, "DELETE FROM pledges WHERE id = ?1");
    pl.bind(1, id);
    rc = pl.step();
  }
  if (rc == SQLITE_DONE) {
    // Its rowid may be given to the next pledge: ensure_outbox looks at every pledge again.
    Statement marks(db, "DELETE FROM meta WHERE key LIKE 'outbox\\_checked:%' ESCAPE '\\'");
    rc = marks.step();
  }
  if (rc == SQLITE_DONE && !p.photo_path.empty()) {
    Statement note(db, "INSERT OR IGNORE INTO photo_deletions(photo_path) VALUES(?1)");
    note.bind(1, p.photo_path);
    rc = note.step();
  }
  if (rc != SQLITE_DONE) {
    Status s = impl_->db_error(rc, "delete pledge");
    impl_->rollback();
    return s;
  }
  if (Status s = impl_->exec("COMMIT", "commit delete"); !s) {
    impl_->rollback();
    return s;
  }
  return impl_->remove_noted_photo(p, "deleted");
}

Status Ledger::Impl::remove_noted_photo(const Pledge& p, const std::string& done_what) {
  if (p.photo_path.empty()) return Status::ok();
  if (Status s = remove_durably(data_dir + "/" + p.photo_path, *env); !s)
    return Status::error(s.code(), "pledge " + p.id + " " + done_what +
                                       "; its photo is removed at the next start (" + s.message() +
                                       ")");
  Statement done(db, "DELETE FROM photo_deletions WHERE photo_path = ?1");
  done.bind(1, p.photo_path);
  const int rc = done.step();
  if (rc != SQLITE_DONE) return db_error(rc, "finish photo deletion");
  return Status::ok();
}

void Ledger::set_clock(const Clock& clock) {
  impl_->clock = &clock;
}

const Clock& Ledger::clock() const {
  return *impl_->clock;
}

}  // namespace pb::store
