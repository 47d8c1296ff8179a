// SPDX-License-Identifier: Apache-2.0
// Start-up recovery: temp files of interrupted saves removed, photos with no row moved to
// recovered/ (never deleted), deletions a crash interrupted finished, missing photos listed.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "files.h"
#include "ledger_impl.h"
#include "pb/utf8.h"

namespace fs = std::filesystem;

namespace pb::store {

namespace {

Status copy_then_remove(const fs::path& from, const fs::path& to, disk::Env& env) {
  std::ifstream in(from, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) return errno_status(errno, "read " + from.string());
  if (Status s = write_file_durably(to.parent_path().string(), to.filename().string(), bytes, env);
      !s)
    return s;
  return remove_durably(from.string(), env);
}

}  // namespace

// Removes the photos of deleted pledges that are still on disk; a file that still cannot
// be removed keeps its entry for the next start.
Status Ledger::Impl::finish_photo_deletions() {
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
    if (!remove_durably(data_dir + "/" + rel, *env)) continue;
    Statement del(db, "DELETE FROM photo_deletions WHERE photo_path = ?1");
    del.bind(1, rel);
    if (int rc = del.step(); rc != SQLITE_DONE) return db_error(rc, "finish photo deletion");
    ++recovery.photo_deletions_finished;
  }
  return Status::ok();
}

// Runs only when no other Ledger has this data dir open (exclusive lock), so that no
// save in flight elsewhere loses its temp file or its just-renamed photo.
Status Ledger::Impl::recover() {
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
        name.compare(name.size() - std::strlen(kTempSuffix), std::string::npos, kTempSuffix) == 0) {
      if (Status s = remove_durably(f.string(), *env); !s) return s;
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
    if (Status s = make_dirs_durable(dest.parent_path().string(), *env); !s) return s;
    if (int err = env->rename(f.string(), dest.string()); err == EXDEV) {
      // photos/ links to another file system: copy durably, then remove the original.
      if (Status s = copy_then_remove(f, dest, *env); !s) return s;
    } else if (err != 0) {
      return errno_status(err, "move " + f.string());
    } else {
      // Both folders synced, or the move could be undone by a power cut after the start.
      if (Status s = fsync_dir(dest.parent_path().string(), *env); !s) return s;
      if (Status s = fsync_dir(f.parent_path().string(), *env); !s) return s;
    }
    recovery.orphans_recovered.push_back(dest.string());
  }
  find_missing_photos();
  return Status::ok();
}

// Pledges whose photo file is gone; rows whose photo path leads elsewhere are reported.
void Ledger::Impl::find_missing_photos() {
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

}  // namespace pb::store
