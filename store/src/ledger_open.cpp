// SPDX-License-Identifier: Apache-2.0
// The ways to open a ledger: read-write (the booth and every command that changes it; makes
// the data dir, migrates, recovers) and read-only (a write-protected card, a read-only
// mount, another user's folder: mode=ro, immutable=1, or a private snapshot copy).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "files.h"
#include "ledger_impl.h"

namespace fs = std::filesystem;

namespace pb::store {

namespace {

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
bool on_read_only_disk(const std::string& dir, disk::Env& env) {
  std::error_code ec;
  fs::path p = dir;
  while (!p.empty() && !fs::exists(p, ec) && p != p.parent_path()) p = p.parent_path();
  return disk::disk_state(p.string(), env) == Status::Code::kReadOnly;
}

// errno_status's words for EROFS/EACCES, dropped where the message says more itself.
constexpr const char* kCannotBeWritten = "the data directory cannot be written (";

std::string without_prefix(const std::string& message, const std::string& prefix) {
  if (message.rfind(prefix, 0) != 0 || message.empty() || message.back() != ')') return message;
  return message.substr(prefix.size(), message.size() - prefix.size() - 1);
}

}  // namespace

Status Ledger::Impl::open_all() {
  struct stat before {};
  const bool existed = stat(data_dir.c_str(), &before) == 0;
  if (Status s = make_dirs_durable(data_dir, *env); !s) return s;
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
  if (Status s = exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "pragmas"); !s) return s;
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
Status Ledger::Impl::open_uri_read_only(const std::string& uri) {
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
Status Ledger::Impl::open_snapshot(const std::string& db_path) {
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

Status Ledger::Impl::open_read_only() {
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
    if (!has_wal && disk::disk_state(data_dir, *env) == Status::Code::kReadOnly)
      s = open_uri_read_only(sqlite_uri(db_path, "immutable=1"));
    // 3. Otherwise read a private copy, where sqlite can rebuild the -shm from the WAL.
    if (!s) s = open_snapshot(db_path);
  }
  if (!s) return s;
  if (Status q = exec("PRAGMA query_only=1", "pragmas"); !q) return q;
  Statement v(db, "PRAGMA user_version");
  int rc = v.step();
  if (rc != SQLITE_ROW) return db_error(rc, "read schema version");
  schema_version = static_cast<int>(v.integer(0));
  if (schema_version == 0)
    return Status::error(Status::Code::kNotFound,
                         db_path + " holds no pledges: it was never set up by pledgebooth");
  if (schema_version > latest_schema_version())
    return Status::error(Status::Code::kCorrupt,
                         "ledger.db has schema v" + std::to_string(schema_version) +
                             ", newer than this pledgebooth (v" +
                             std::to_string(latest_schema_version()) + "): update pledgebooth");
  // An older schema is read as it is: migrating would be a write. What is missing or leads
  // elsewhere is reported, nothing is changed; a failure here only leaves that unsaid.
  (void)survey_photos(false);
  return Status::ok();
}

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& data_dir, Access access,
                                             disk::Env* env) {
  auto impl = std::make_unique<Impl>();
  if (env) impl->env = env;
  impl->data_dir = fs::absolute(data_dir).lexically_normal().string();
  while (impl->data_dir.size() > 1 && impl->data_dir.back() == '/') impl->data_dir.pop_back();
  if (access == Access::kReadOnly) {
    if (Status s = impl->open_read_only(); !s) return s;
  } else if (Status s = impl->open_all(); !s) {
    // "open ledger.lock: Read-only file system" says little to a volunteer holding a card:
    // name the folder first, and the card when that is the reason.
    if (s.code() == Status::Code::kReadOnly) {
      if (on_read_only_disk(impl->data_dir, *impl->env))
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

}  // namespace pb::store
