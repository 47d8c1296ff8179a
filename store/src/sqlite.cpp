// The RAII sqlite3 statement wrapper and error mapping.
#include "sqlite.h"

namespace pb::store {

Status sqlite_status(sqlite3* db, int rc, const std::string& what) {
  int primary = rc & 0xff;
  std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (primary) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return Status::ok();
    case SQLITE_FULL:
      return Status::error(Status::Code::kDiskFull, "the disk is full (" + msg + ")");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return Status::error(Status::Code::kReadOnly,
                           "the data directory cannot be written (" + msg + ")");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::error(Status::Code::kCorrupt, msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::error(Status::Code::kUnavailable, msg);
    default:
      return Status::error(Status::Code::kIo, msg);
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
