// SPDX-License-Identifier: Apache-2.0
// A thin RAII layer over sqlite3: a connection and prepared statements with typed binds.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "pb/status.h"

namespace pb::store {

// Maps an sqlite result code to a Status a volunteer can act on. `dir` (the data dir, may be
// "") is asked whether it is full or read-only when sqlite's own code is vague.
Status sqlite_status(sqlite3* db, int rc, const std::string& what, const std::string& dir = "");

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }
  int prepare_rc() const { return prepare_rc_; }
  Statement& bind(int i, const std::string& v);
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  std::string text(int col) const;
  std::int64_t integer(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  void reset();
  // Ends the statement early so its read transaction does not hold up a commit.
  void finalize();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int prepare_rc_ = SQLITE_OK;
};

}  // namespace pb::store
