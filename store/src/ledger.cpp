// The pledge ledger: schema migrations, durable saves, start-up recovery, the outbox and
// exports, over one sqlite connection per Ledger.
#include "pb/ledger.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "files.h"
#include "pb/csv.h"
#include "pb/inside_folder.h"
#include "pb/utf8.h"
#include "sqlite.h"

namespace fs = std::filesystem;

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
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

const char* kPledgeColumns =
    "id, event, booth, created_ms, locale, first_name, answer, share_consent, consent_version, "
    "photo_path, "
    "photo_size, photo_sha256";

// Text as it may leave the ledger: a ledger from another booth's card may hold any bytes,
// and what is read goes into JSON, CSV and terminals. Clean text passes unchanged.
std::string clean(std::string s) {
  return is_clean_text(s) ? s : printable_text(s);
}

}  // namespace

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
  p.created_utc = utc_timestamp(p.created_ms);
  return p;
}

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

// ledger.db as an sqlite URI, so that a data dir with '?', '#' or '%' in its path still opens.
std::string sqlite_uri(const std::string& path, const char* params) {
  static const char* kHex = "0123456789ABCDEF";
  std::string uri = "file:";
  for (unsigned char c : path) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        std::strchr("/._~-", c) != nullptr) {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 15];
    }
  }
  return uri + "?" + params;
}

// The file system holding dir, or its nearest existing parent, is mounted read-only.
bool on_read_only_disk(const std::string& dir) {
  std::error_code ec;
  fs::path p = dir;
  while (!p.empty() && !fs::exists(p, ec) && p != p.parent_path()) p = p.parent_path();
  return disk_state(p.string()) == Status::Code::kReadOnly;
}

// errno_status's words for EROFS/EACCES, dropped where the message says more itself.
constexpr const char* kCannotBeWritten = "the data directory cannot be written (";

std::string without_prefix(const std::string& message, const std::string& prefix) {
  if (message.rfind(prefix, 0) != 0 || message.empty() || message.back() != ')') return message;
  return message.substr(prefix.size(), message.size() - prefix.size() - 1);
}

bool is_slug(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

// A pledge id as new_uuid_v7 makes it (it names files and remote objects).
bool is_pledge_id(const std::string& s) {
  return s.size() == 36 && s.find_first_not_of("0123456789abcdef-") == std::string::npos;
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

struct Ledger::Impl {
  std::string data_dir;
  sqlite3* db = nullptr;
  int lock_fd = -1;
  RecoveryReport recovery;
  int schema_version = 0;
  bool read_only = false;
  std::string snapshot_dir;          // a private copy of a read-only ledger, removed on close
  std::vector<std::string> skipped;  // rows not used, each a sentence (Ledger::skipped_rows)

  // Why a photo path read from the ledger must not be used, or nullopt when it is a path
  // under photos/ that stays inside it, also after resolving symlinks (photos/ itself may
  // link to another disk). A ledger from another booth's card is untrusted input.
  std::optional<std::string> photo_problem(const std::string& rel) const {
    if (rel.empty()) return std::nullopt;
    bool lexical_ok = rel.rfind("photos/", 0) == 0 && rel.size() < 4096 && is_clean_text(rel);
    for (const auto& part : fs::path(rel))
      if (part == ".." || part == ".") lexical_ok = false;
    if (lexical_ok && is_inside_folder(data_dir + "/photos", data_dir + "/" + rel))
      return std::nullopt;
    return "photo path '" + printable_text(rel, 200) + "' leads outside " + data_dir + "/photos";
  }

  // Why a pledge row must not be used (its id or slugs would name files, its photo path
  // would be read, sent or removed), or nullopt.
  std::optional<std::string> row_problem(const Pledge& p) const {
    const std::string which = "pledge " + printable_text(p.id, 80);
    if (!is_pledge_id(p.id)) return which + ": not a pledge id";
    if (!is_slug(p.event) || !is_slug(p.booth)) return which + ": event or booth is not a slug";
    if (auto why = photo_problem(p.photo_path)) return which + ": " + *why;
    return std::nullopt;
  }

  void report(const std::string& what) {
    const std::string line = "ledger " + data_dir + ": " + what + "; skipped";
    if (std::find(skipped.begin(), skipped.end(), line) == skipped.end()) skipped.push_back(line);
  }

  ~Impl() {
    close_db();
    if (lock_fd >= 0) close(lock_fd);  // releases the shared lock
    if (!snapshot_dir.empty()) {
      std::error_code ec;
      fs::remove_all(snapshot_dir, ec);
    }
  }

  void close_db() {
    if (db) sqlite3_close_v2(db);
    db = nullptr;
  }

  // What every write on a read-only ledger returns.
  Status read_only_error(const std::string& what) const {
    return Status::error(Status::Code::kReadOnly,
                         "cannot " + what + ": the ledger in " + data_dir + " is open read-only");
  }

  // An sqlite failure as a Status, with the disk asked when sqlite's code is vague: it says
  // "unable to open database file" when the disk has no inode left for the WAL.
  Status db_error(int rc, const std::string& what) { return sqlite_status(db, rc, what, data_dir); }

  Status exec(const char* sql, const std::string& what) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (err) sqlite3_free(err);
    return db_error(rc, what);
  }

  // The version is read inside the write transaction: two Ledgers opening a new data dir
  // at once must not both run the same migration ("table pledges already exists").
  Status migrate() {
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
        exec("ROLLBACK", "rollback");
        return s;
      }
      int version = static_cast<int>(v.integer(0));
      v.finalize();
      if (version > kSchemaVersion) {
        exec("ROLLBACK", "rollback");
        return Status::error(Status::Code::kCorrupt,
                             "ledger.db has schema v" + std::to_string(version) +
                                 ", newer than this pledgebooth (v" +
                                 std::to_string(kSchemaVersion) + "): update pledgebooth");
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
        exec("ROLLBACK", "rollback");
        return s;
      }
      if (Status s = exec("COMMIT", "commit migration"); !s) {
        exec("ROLLBACK", "rollback");
        return s;
      }
    }
    schema_version = kSchemaVersion;
    return Status::ok();
  }

  // Removes the photos of deleted pledges that are still on disk; a file that still cannot
  // be removed keeps its entry for the next start.
  Status finish_photo_deletions() {
    std::vector<std::string> paths;
    {
      Statement st(db, "SELECT photo_path FROM photo_deletions");
      int rc;
      while ((rc = st.step()) == SQLITE_ROW) paths.push_back(st.text(0));
      if (rc != SQLITE_DONE) return db_error(rc, "read pending photo deletions");
    }
    for (const auto& rel : paths) {
      if (auto why = photo_problem(rel)) {
        report("a photo deletion: " + *why);
        continue;
      }
      if (!remove_durably(data_dir + "/" + rel)) continue;
      Statement del(db, "DELETE FROM photo_deletions WHERE photo_path = ?1");
      del.bind(1, rel);
      if (int rc = del.step(); rc != SQLITE_DONE) return db_error(rc, "finish photo deletion");
      ++recovery.photo_deletions_finished;
    }
    return Status::ok();
  }

  static Status copy_then_remove(const fs::path& from, const fs::path& to) {
    std::ifstream in(from, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    if (in.bad()) return errno_status(errno, "read " + from.string());
    if (Status s = write_file_durably(to.parent_path().string(), to.filename().string(), bytes); !s)
      return s;
    return remove_durably(from.string());
  }

  // Runs only when no other Ledger has this data dir open (exclusive lock), so that no
  // save in flight elsewhere loses its temp file or its just-renamed photo.
  Status recover() {
    fs::path photos = fs::path(data_dir) / "photos";
    std::error_code ec;
    if (Status s = finish_photo_deletions(); !s) return s;
    if (!fs::exists(photos, ec)) return Status::ok();
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(photos, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec)) files.push_back(it->path());
    }
    Statement has(db,
                  "SELECT 1 FROM pledges WHERE photo_path = ?1 "
                  "UNION ALL SELECT 1 FROM photo_deletions WHERE photo_path = ?1");
    for (const auto& f : files) {
      std::string name = f.filename().string();
      if (name.size() > std::strlen(kTempSuffix) &&
          name.compare(name.size() - std::strlen(kTempSuffix), std::string::npos, kTempSuffix) ==
              0) {
        if (Status s = remove_durably(f.string()); !s) return s;
        ++recovery.temp_files_removed;
        continue;
      }
      // Lexical, not fs::relative: that resolves symlinks, and a photos/ folder linked to
      // another card would then match no row and every photo would be moved aside.
      std::string rel = f.lexically_relative(data_dir).string();
      has.reset();
      has.bind(1, rel);
      int rc = has.step();
      if (rc == SQLITE_ROW) continue;
      if (rc != SQLITE_DONE) return db_error(rc, "recovery lookup");
      // A photo whose transaction never committed: keep it aside, never delete a face.
      fs::path dest = fs::path(data_dir) / "recovered" / f.lexically_relative(photos);
      if (Status s = make_dirs_durable(dest.parent_path().string()); !s) return s;
      if (std::rename(f.c_str(), dest.c_str()) == 0) {
        fsync_dir(dest.parent_path().string());
        fsync_dir(f.parent_path().string());
      } else if (errno == EXDEV) {
        // photos/ links to another file system: copy durably, then remove the original.
        if (Status s = copy_then_remove(f, dest); !s) return s;
      } else {
        return errno_status(errno, "move " + f.string());
      }
      recovery.orphans_recovered.push_back(dest.string());
    }
    find_missing_photos();
    return Status::ok();
  }

  // Pledges whose photo file is gone; rows whose photo path leads elsewhere are reported.
  void find_missing_photos() {
    std::error_code ec;
    Statement rows(db, "SELECT id, photo_path FROM pledges WHERE photo_path != ''");
    while (rows.step() == SQLITE_ROW) {
      const std::string id = clean(rows.text(0));
      if (auto why = photo_problem(rows.text(1))) {
        report("pledge " + printable_text(id, 80) + ": " + *why);
        continue;
      }
      if (!fs::exists(fs::path(data_dir) / rows.text(1), ec)) recovery.missing_photos.push_back(id);
    }
  }

  Status open_all() {
    struct stat before {};
    const bool existed = stat(data_dir.c_str(), &before) == 0;
    if (Status s = make_dirs_durable(data_dir); !s) return s;
    // Pledges are personal data: a folder made here is owner only. One that was there is
    // left as it is (a shared 1777 folder given by mistake must not become 0700).
    if (!existed) chmod(data_dir.c_str(), 0700);
    std::string lock_path = data_dir + "/ledger.lock";
    lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0) return errno_status(errno, "open " + lock_path);
    bool exclusive = flock(lock_fd, LOCK_EX | LOCK_NB) == 0;

    std::string db_path = data_dir + "/ledger.db";
    int rc =
        sqlite3_open_v2(db_path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return db_error(rc, "open " + db_path);
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    // Switching a new database to WAL needs the exclusive lock, and sqlite returns BUSY
    // there without calling the busy handler (a lock upgrade could deadlock): when another
    // ledger opens the same new data dir at the same moment, wait here instead.
    for (int waited_ms = 0;; waited_ms += 5) {
      Statement wal(db, "PRAGMA journal_mode=WAL");
      rc = wal.step();
      if (rc == SQLITE_ROW) break;
      if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= 10000)
        return db_error(rc, "set WAL mode on " + db_path);
      wal.finalize();
      usleep(5000);
    }
    if (Status s = exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "pragmas"); !s)
      return s;
    if (Status s = migrate(); !s) return s;
    if (exclusive) {
      if (Status s = recover(); !s) return s;
    }
    // From here on, hold a shared lock: recovery elsewhere waits until we are closed. Without
    // it another open would recover (remove or move aside) our in-flight photos, so a signal
    // (EINTR) means wait again and any other failure means no ledger.
    while (flock(lock_fd, LOCK_SH) != 0) {
      if (errno != EINTR) return errno_status(errno, "lock " + lock_path);
    }
    return Status::ok();
  }

  // Opens `uri` read-only and reads the schema, which is where sqlite finds out whether it
  // can see the WAL at all (sqlite3_open_v2 itself touches nothing).
  Status open_uri_read_only(const std::string& uri) {
    close_db();
    int rc = sqlite3_open_v2(uri.c_str(), &db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc == SQLITE_OK) {
      sqlite3_busy_timeout(db, 10000);
      sqlite3_extended_result_codes(db, 1);
      Statement probe(db, "SELECT count(*) FROM sqlite_master");
      rc = probe.step();
      if (rc == SQLITE_ROW) return Status::ok();
    }
    Status s = sqlite_status(db, rc, "open " + data_dir + "/ledger.db read-only", data_dir);
    close_db();
    return s;
  }

  // Copies ledger.db and its WAL into a private temp folder and reads the copy: for a WAL
  // that holds commits but has no -shm beside it, on a disk where none can be made.
  Status open_snapshot(const std::string& db_path) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/pledgebooth-ro-XXXXXX";
    if (!mkdtemp(tmpl.data()))
      return errno_status(errno, "make a temp folder for a copy of the ledger");
    snapshot_dir = tmpl;
    std::error_code ec;
    fs::copy_file(db_path, snapshot_dir + "/ledger.db", ec);
    if (!ec && fs::exists(db_path + "-wal"))
      fs::copy_file(db_path + "-wal", snapshot_dir + "/ledger.db-wal", ec);
    if (ec)
      return Status::error(Status::Code::kIo, "copy " + db_path + " to read it: " + ec.message());
    return open_uri_read_only(sqlite_uri(snapshot_dir + "/ledger.db", "mode=ro"));
  }

  Status open_read_only() {
    read_only = true;
    std::string db_path = data_dir + "/ledger.db";
    struct stat st {};
    if (stat(db_path.c_str(), &st) != 0) {
      if (errno == ENOENT)
        return Status::error(Status::Code::kNotFound,
                             data_dir + " holds no ledger.db: is it a pledgebooth data folder?");
      return errno_status(errno, "open " + db_path);
    }
    // A shared lock when the lock file can be read: recovery elsewhere then waits, and does
    // not move a photo aside while it is being exported.
    lock_fd = ::open((data_dir + "/ledger.lock").c_str(), O_RDONLY | O_CLOEXEC);
    if (lock_fd >= 0) {
      while (flock(lock_fd, LOCK_SH) != 0 && errno == EINTR) {
      }
    }
    // 1. mode=ro reads the WAL through an existing -shm (sqlite >= 3.22), also one it may
    //    not write: the usual case after a booth lost power on this card.
    Status s = open_uri_read_only(sqlite_uri(db_path, "mode=ro"));
    if (!s) {
      // 2. No -shm, and none can be made here. immutable=1 ignores the WAL, so it is used
      //    only when there is no WAL (a booth closed cleanly) and the disk is mounted
      //    read-only, so that nothing can change the file while we read it.
      struct stat wal {};
      bool has_wal = stat((db_path + "-wal").c_str(), &wal) == 0 && wal.st_size > 0;
      if (!has_wal && disk_state(data_dir) == Status::Code::kReadOnly)
        s = open_uri_read_only(sqlite_uri(db_path, "immutable=1"));
      // 3. Otherwise read a private copy, where sqlite can rebuild the -shm from the WAL.
      if (!s) s = open_snapshot(db_path);
    }
    if (!s) return s;
    exec("PRAGMA query_only=1", "pragmas");
    Statement v(db, "PRAGMA user_version");
    int rc = v.step();
    if (rc != SQLITE_ROW) return db_error(rc, "read schema version");
    schema_version = static_cast<int>(v.integer(0));
    if (schema_version == 0)
      return Status::error(Status::Code::kNotFound,
                           db_path + " holds no pledges: it was never set up by pledgebooth");
    if (schema_version > kSchemaVersion)
      return Status::error(Status::Code::kCorrupt,
                           "ledger.db has schema v" + std::to_string(schema_version) +
                               ", newer than this pledgebooth (v" + std::to_string(kSchemaVersion) +
                               "): update pledgebooth");
    // An older schema is read as it is: migrating would be a write.
    find_missing_photos();
    return Status::ok();
  }
};

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::~Ledger() = default;

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& data_dir, Access access) {
  auto impl = std::make_unique<Impl>();
  impl->data_dir = fs::absolute(data_dir).lexically_normal().string();
  while (impl->data_dir.size() > 1 && impl->data_dir.back() == '/') impl->data_dir.pop_back();
  if (access == Access::kReadOnly) {
    if (Status s = impl->open_read_only(); !s) return s;
  } else if (Status s = impl->open_all(); !s) {
    // "open ledger.lock: Read-only file system" says little to a volunteer holding a card:
    // name the folder first, and the card when that is the reason.
    if (s.code() == Status::Code::kReadOnly) {
      if (on_read_only_disk(impl->data_dir))
        return Status::error(Status::Code::kReadOnly,
                             impl->data_dir +
                                 " is on a read-only disk (a write-protected card or a read-only "
                                 "mount)");
      return Status::error(Status::Code::kReadOnly,
                           impl->data_dir + " cannot be written (" +
                               without_prefix(s.message(), kCannotBeWritten) + ")");
    }
    return s;
  }
  return std::unique_ptr<Ledger>(new Ledger(std::move(impl)));
}

const std::string& Ledger::data_dir() const {
  return impl_->data_dir;
}
const RecoveryReport& Ledger::recovery() const {
  return impl_->recovery;
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
  if (p.photo_path.empty() || impl_->photo_problem(p.photo_path)) return std::string();
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
  const std::int64_t now = now_ms();
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
  p.consent_version = in.consent_version;

  std::string photo_abs;
  if (!in.photo_jpeg.empty()) {
    std::string rel_dir = "photos/" + p.event + "/" + utc_date(p.created_ms);
    std::string dir = impl_->data_dir + "/" + rel_dir;
    if (Status s = make_dirs_durable(dir); !s) return s;
    std::string name = p.id + ".jpg";
    if (Status s = write_file_durably(dir, name, in.photo_jpeg); !s) return s;
    p.photo_path = rel_dir + "/" + name;
    p.photo_size = static_cast<std::int64_t>(in.photo_jpeg.size());
    p.photo_sha256 = sha256_hex(in.photo_jpeg.data(), in.photo_jpeg.size());
    photo_abs = dir + "/" + name;
  }

  sqlite3* db = impl_->db;
  auto undo = [&](Status s) -> Result<Pledge> {
    impl_->exec("ROLLBACK", "rollback");
    if (!photo_abs.empty()) remove_durably(photo_abs);
    return s;
  };
  if (Status s = impl_->exec("BEGIN IMMEDIATE", "begin save"); !s) {
    if (!photo_abs.empty()) remove_durably(photo_abs);
    return s;
  }
  {
    Statement ins(db,
                  "INSERT INTO pledges(id, event, booth, created_ms, locale, first_name, answer, "
                  "share_consent, "
                  "consent_version, photo_path, photo_size, photo_sha256) "
                  "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
    ins.bind(1, p.id).bind(2, p.event).bind(3, p.booth).bind(4, p.created_ms).bind(5, p.locale);
    ins.bind(6, p.first_name)
        .bind(7, p.answer)
        .bind(8, p.share_consent ? 1 : 0)
        .bind(9, p.consent_version);
    ins.bind(10, p.photo_path).bind(11, p.photo_size).bind(12, p.photo_sha256);
    int rc = ins.step();
    if (rc != SQLITE_DONE) return undo(impl_->db_error(rc, "save pledge"));
  }
  if (p.share_consent) {
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

Result<std::int64_t> Ledger::clock_high_ms() {
  // A read-only ledger of an older schema has no meta row: its newest pledge says the same.
  Statement st(impl_->db, impl_->schema_version >= 3
                              ? "SELECT max((SELECT coalesce(max(created_ms), 0) FROM pledges), "
                                "(SELECT coalesce(max(value), 0) FROM meta "
                                "WHERE key = 'clock_high_ms'))"
                              : "SELECT coalesce(max(created_ms), 0) FROM pledges");
  int rc = st.step();
  if (rc != SQLITE_ROW) return impl_->db_error(rc, "read the clock mark");
  return st.integer(0);
}

Result<std::optional<Pledge>> Ledger::get_pledge(const std::string& id) {
  Statement st(impl_->db,
               (std::string("SELECT ") + kPledgeColumns + " FROM pledges WHERE id = ?1").c_str());
  st.bind(1, id);
  int rc = st.step();
  if (rc == SQLITE_ROW) {
    Pledge p = read_pledge(st);
    if (auto why = impl_->row_problem(p)) {
      impl_->report(*why);
      return Status::error(Status::Code::kCorrupt,
                           "ledger " + impl_->data_dir + ": " + *why + "; this row is not used");
    }
    return std::optional<Pledge>(std::move(p));
  }
  if (rc == SQLITE_DONE) return std::optional<Pledge>();
  return impl_->db_error(rc, "read pledge");
}

Result<std::vector<Pledge>> Ledger::list_pledges(const std::string& event) {
  std::string sql = std::string("SELECT ") + kPledgeColumns + " FROM pledges" +
                    (event.empty() ? "" : " WHERE event = ?1") + " ORDER BY created_ms, id";
  Statement st(impl_->db, sql.c_str());
  if (!event.empty()) st.bind(1, event);
  std::vector<Pledge> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    Pledge p = read_pledge(st);
    if (auto why = impl_->row_problem(p))
      impl_->report(*why);
    else
      out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "list pledges");
  return out;
}

Result<std::int64_t> Ledger::count_pledges(const std::string& event) {
  Statement st(impl_->db, "SELECT count(*) FROM pledges WHERE event = ?1");
  st.bind(1, event);
  int rc = st.step();
  if (rc != SQLITE_ROW) return impl_->db_error(rc, "count pledges");
  return st.integer(0);
}

Result<std::vector<EventStats>> Ledger::event_stats() {
  Statement st(impl_->db,
               "SELECT event, count(*), sum(photo_path != ''), sum(share_consent) FROM pledges "
               "GROUP BY event "
               "ORDER BY min(created_ms)");
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
  if (rc == SQLITE_DONE && !p.photo_path.empty()) {
    Statement note(db, "INSERT OR IGNORE INTO photo_deletions(photo_path) VALUES(?1)");
    note.bind(1, p.photo_path);
    rc = note.step();
  }
  if (rc != SQLITE_DONE) {
    Status s = impl_->db_error(rc, "delete pledge");
    impl_->exec("ROLLBACK", "rollback");
    return s;
  }
  if (Status s = impl_->exec("COMMIT", "commit delete"); !s) {
    impl_->exec("ROLLBACK", "rollback");
    return s;
  }
  if (p.photo_path.empty()) return Status::ok();
  if (Status s = remove_durably(photo_file(p)); !s)
    return Status::error(
        s.code(),
        "pledge " + id + " deleted; its photo is removed at the next start (" + s.message() + ")");
  Statement done(db, "DELETE FROM photo_deletions WHERE photo_path = ?1");
  done.bind(1, p.photo_path);
  rc = done.step();
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "finish photo deletion");
  return Status::ok();
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

namespace {
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

Status Ledger::export_csv(const std::string& path) {
  auto pledges = list_pledges();
  if (!pledges) return pledges.status();
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel then reads UTF-8 (Korean) correctly
  out +=
      "id,event,booth,created_utc,locale,first_name,answer,share_consent,consent_version,photo_"
      "path,photo_size,"
      "photo_sha256\r\n";
  for (const auto& p : *pledges) {
    out += csv_field(p.id) + "," + csv_field(p.event) + "," + csv_field(p.booth) + "," +
           csv_field(p.created_utc) + "," + csv_field(p.locale) + "," + csv_field(p.first_name) +
           "," + csv_field(p.answer) + "," + (p.share_consent ? "yes" : "no") + "," +
           std::to_string(p.consent_version) + "," + csv_field(p.photo_path) + "," +
           std::to_string(p.photo_size) + "," + csv_field(p.photo_sha256) + "\r\n";
  }
  fs::path target = fs::absolute(path);
  std::string dir = target.parent_path().string();
  return write_file_durably(dir, target.filename().string(),
                            std::vector<std::uint8_t>(out.begin(), out.end()));
}

}  // namespace pb::store
