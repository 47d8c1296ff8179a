// SPDX-License-Identifier: Apache-2.0
// Ledger::Impl: what every part of the ledger shares (the connection, the data dir, the
// checks on rows read back), declared once. The parts live in their own files:
// ledger.cpp (pledges), schema.cpp (migrations), recovery.cpp (start-up recovery),
// ledger_open.cpp (the ways to open), outbox.cpp (the upload queue), ledger_export.cpp (CSV),
// retention.cpp (expiry and references).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pb/clock.h"
#include "pb/disk.h"
#include "pb/inside_folder.h"
#include "pb/ledger.h"
#include "pb/slug.h"  // is_slug: event and booth ids
#include "sqlite.h"

namespace pb::store {

// The schema version this build writes and reads (schema.cpp).
int latest_schema_version();
// Text as it may leave the ledger: a ledger from another booth's card may hold any bytes,
// and what is read goes into JSON, CSV and terminals. Clean text passes unchanged.
std::string clean(std::string s);
// A pledge id as new_uuid_v7 makes it (it names files and remote objects).
bool is_pledge_id(const std::string& s);
// "SELECT <every pledge column> FROM pledges" + rest, for Impl::pledge_rows (ledger.cpp),
// read as a ledger of this schema version can be (see pledge_columns).
std::string select_pledges(int schema_version, const std::string& rest);

struct Ledger::Impl {
  std::string data_dir;
  sqlite3* db = nullptr;
  int lock_fd = -1;
  RecoveryReport recovery;
  int schema_version = 0;
  bool read_only = false;
  std::string snapshot_dir;          // a private copy of a read-only ledger, removed on close
  std::vector<std::string> skipped;  // rows not used, each a sentence (Ledger::skipped_rows)
  // Photos, exports and recovery go through it (sqlite's own files do not).
  disk::Env* env = &disk::Env::posix();
  const Clock* clock = &Clock::system();  // Ledger::set_clock
  // Each folder under photos/ resolved once (made on first use, when data_dir is known).
  std::optional<InsideFolderCache> photos_guard;
  // Paths (relative to data_dir) of links found under photos/ when the ledger was opened:
  // a row naming one is checked in full, its folder's resolution does not cover it.
  std::set<std::string, std::less<>> linked_photos;

  ~Impl();
  void close_db();

  // Why a photo path read from the ledger must not be used, or nullopt when it is a path
  // under photos/ that stays inside it, also after resolving symlinks (photos/ itself may
  // link to another disk). A ledger from another booth's card is untrusted input.
  // Each folder is resolved once (photos_guard); `fresh` resolves the whole path now, as
  // right before a file is read.
  std::optional<std::string> photo_problem(const std::string& rel, bool fresh = false);
  // Why a pledge row must not be used (its id or slugs would name files, its photo path
  // would be read, sent or removed), or nullopt.
  std::optional<std::string> row_problem(const Pledge& p);
  // The pledge a statement's first row holds (ledger.cpp).
  Result<std::optional<Pledge>> one_pledge(Statement& st, const std::string& what);
  // Every pledge a statement of select_pledges yields, oldest first as it orders them; rows
  // that must not be used are reported and left out.
  Result<std::vector<Pledge>> pledge_rows(Statement& st, const std::string& what);
  // Records a row that was read but not used (Ledger::skipped_rows), once.
  void report(const std::string& what);

  // What every write on a read-only ledger returns.
  Status read_only_error(const std::string& what) const;
  // An sqlite failure as a Status, with the disk asked when sqlite's code is vague: it says
  // "unable to open database file" when the disk has no inode left for the WAL.
  Status db_error(int rc, const std::string& what) { return sqlite_status(db, rc, what, data_dir); }
  Status exec(const char* sql, const std::string& what);
  // Ends a failed transaction (a failed ROLLBACK is not reported).
  void rollback();
  // Removes the photo of a deleted or expired pledge whose removal photo_deletions notes,
  // then the note; when the file cannot go now, the next start-up removes it.
  Status remove_noted_photo(const Pledge& p, const std::string& done_what);
  // Removes the photo of a save that failed (a failed removal is left to recovery).
  void forget_photo(const std::string& path);

  // schema.cpp: brings the schema up to latest_schema_version().
  Status migrate();

  // recovery.cpp: runs only when no other Ledger has this data dir open.
  Status recover();
  Status finish_photo_deletions();
  // One pass over the files under photos/ and the rows' photo paths, in the same order:
  // finds missing photos, reports rows whose paths lead elsewhere, notes links; with
  // `repair`, also removes temp files and moves photos with no row to recovered/.
  Status survey_photos(bool repair);

  // ledger_open.cpp: the two ways to open (Access::kReadWrite, Access::kReadOnly).
  Status open_all();
  Status open_read_only();
  Status open_uri_read_only(const std::string& uri);
  Status open_snapshot(const std::string& db_path);
};

}  // namespace pb::store
