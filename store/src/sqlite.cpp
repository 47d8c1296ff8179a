// SPDX-License-Identifier: Apache-2.0
// The RAII sqlite3 statement wrapper and error mapping.
#include "sqlite.h"

#include "files.h"

#include <cerrno>
#include <cstring>

namespace pb::store {

Status sqlite_status(sqlite3* db, int rc, const std::string& what, const std::string& dir) {
  int primary = rc & 0xff;
  std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  Status::Code code = Status::Code::kIo;
  switch (primary) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return Status::ok();
    case SQLITE_FULL:
      code = Status::Code::kDiskFull;
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      code = Status::Code::kReadOnly;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::error(Status::Code::kCorrupt, msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::error(Status::Code::kUnavailable, msg);
    default:
      break;
  }
  // sqlite says "unable to open database file" or "disk I/O error" where the OS said ENOSPC
  // (no inode left for the WAL, an fsync with no room): the OS's reason, or else the state
  // of the disk, is what a volunteer can act on.
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR) {
    switch (db ? sqlite3_system_errno(db) : 0) {
      case ENOSPC:
      case EDQUOT:
        code = Status::Code::kDiskFull;
        break;
      case EROFS:
        code = Status::Code::kReadOnly;
        break;
      default:
        if (auto disk = disk_state(dir)) code = *disk;
    }
  }
  switch (code) {
    case Status::Code::kDiskFull:
      return Status::error(code, "the disk is full (" + msg + ")");
    case Status::Code::kReadOnly:
      return Status::error(code, "the data directory cannot be written (" + msg + ")");
    default:
      return Status::error(code, msg);
  }
}

Statement::Statement(sqlite3* db, const char* sql) : db_(db) {
  prepare_rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  if (prepare_rc_ != SQLITE_OK) stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int i, const std::string& v) {
  if (stmt_) sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int i, std::int64_t v) {
  if (stmt_) sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

int Statement::step() {
  return stmt_ ? sqlite3_step(stmt_) : prepare_rc_;
}

std::string Statement::text(int col) const {
  const unsigned char* t = sqlite3_column_text(stmt_, col);
  return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(stmt_, col))
           : std::string();
}

std::int64_t Statement::integer(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

void Statement::finalize() {
  if (stmt_) sqlite3_finalize(stmt_);
  stmt_ = nullptr;
}

void Statement::reset() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

}  // namespace pb::store
