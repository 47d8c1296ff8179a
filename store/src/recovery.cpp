// SPDX-License-Identifier: Apache-2.0
// Start-up recovery: temp files of interrupted saves removed, photos with no row moved to
// recovered/ (never deleted), deletions a crash interrupted finished, missing photos listed.
// Its cost grows with the ledger in a straight line: the files under photos/ are listed once
// and sorted, the rows' photo paths are read once in the same order (pledges_by_photo), and
// the two lists are merged; each folder's links are resolved once.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>

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

bool is_temp_name(std::string_view name) {
  const std::string_view suffix = kTempSuffix;
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Folders deeper than this under photos/ are not looked into (ours are two deep).
constexpr int kMaxDepth = 16;

// The files under photos/, as paths relative to the data dir, back to back in one buffer:
// 100,000 photos take a few MB, given back when recovery ends.
class PhotoFiles {
 public:
  void add(std::string_view rel) {
    spans_.push_back(
        {static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(rel.size())});
    text_.append(rel);
  }
  void sort() {
    std::sort(spans_.begin(), spans_.end(),
              [this](const Span& a, const Span& b) { return at(a) < at(b); });
  }
  std::size_t size() const { return spans_.size(); }
  std::string_view operator[](std::size_t i) const { return at(spans_[i]); }
  // The index of rel, or size() when it is not among them (after sort()).
  std::size_t find(std::string_view rel) const {
    auto it = std::lower_bound(spans_.begin(), spans_.end(), rel,
                               [this](const Span& a, std::string_view r) { return at(a) < r; });
    return it != spans_.end() && at(*it) == rel ? static_cast<std::size_t>(it - spans_.begin())
                                                : size();
  }

 private:
  struct Span {
    std::uint32_t offset, size;
  };
  std::string_view at(const Span& s) const {
    return std::string_view(text_).substr(s.offset, s.size);
  }
  std::string text_;
  std::vector<Span> spans_;
};

struct Listing {
  PhotoFiles files;                // regular files, and links to regular files
  std::vector<std::string> temps;  // files of unfinished saves
  std::vector<std::string> links;  // links among files
  std::int64_t entries = 0;
};

// Lists dir (abs, and rel to the data dir) and the folders below it, without following a
// link to a folder (as std::filesystem's recursive iterator does not).
void list_photos(const std::string& abs, const std::string& rel, int depth, Listing& out) {
  DIR* dir = opendir(abs.c_str());
  if (!dir) return;
  std::vector<std::string> folders;
  while (const dirent* e = readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    ++out.entries;
    const std::string path = rel + "/" + std::string(name);
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {  // a file system that does not say: ask
      struct stat st {};
      if (lstat((abs + "/" + std::string(name)).c_str(), &st) != 0) continue;
      type = S_ISDIR(st.st_mode)   ? DT_DIR
             : S_ISLNK(st.st_mode) ? DT_LNK
             : S_ISREG(st.st_mode) ? DT_REG
                                   : DT_UNKNOWN;
    }
    if (type == DT_DIR) {
      folders.emplace_back(name);
      continue;
    }
    if (type == DT_LNK) {
      struct stat st {};
      if (stat((abs + "/" + std::string(name)).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      out.links.push_back(path);
    } else if (type != DT_REG) {
      continue;
    }
    if (is_temp_name(name))
      out.temps.push_back(path);
    else
      out.files.add(path);
  }
  closedir(dir);
  if (depth >= kMaxDepth) return;
  for (const auto& f : folders) list_photos(abs + "/" + f, rel + "/" + f, depth + 1, out);
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
    if (auto why = photo_problem(rel, true)) {
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
  if (Status s = finish_photo_deletions(); !s) return s;
  return survey_photos(true);
}

Status Ledger::Impl::survey_photos(bool repair) {
  const std::string photos = data_dir + "/photos";
  Listing found;
  list_photos(photos, "photos", 0, found);
  found.files.sort();
  recovery.entries_listed = found.entries;
  linked_photos.insert(found.links.begin(), found.links.end());
  if (repair) {
    for (const auto& rel : found.temps) {
      if (Status s = remove_durably(data_dir + "/" + rel, *env); !s) return s;
      ++recovery.temp_files_removed;
    }
  }
  std::vector<char> has_row(found.files.size(), 0);
  // A photo whose deletion is still to be finished is no orphan either.
  if (schema_version >= 2) {
    Statement st(db, "SELECT photo_path FROM photo_deletions");
    while (st.step() == SQLITE_ROW)
      if (std::size_t i = found.files.find(st.text(0)); i < has_row.size()) has_row[i] = 1;
  }
  {
    // Both lists in the same (byte) order: one merge, no lookup per file or per row.
    Statement rows(db,
                   "SELECT rowid, photo_path FROM pledges WHERE photo_path != '' "
                   "ORDER BY photo_path");
    Statement id_of(db, "SELECT id FROM pledges WHERE rowid = ?1");
    auto pledge_id = [&](std::int64_t rowid) {
      id_of.reset();
      id_of.bind(1, rowid);
      return id_of.step() == SQLITE_ROW ? clean(id_of.text(0)) : std::string("?");
    };
    std::size_t next = 0;
    int rc;
    while ((rc = rows.step()) == SQLITE_ROW) {
      ++recovery.rows_read;
      const std::string rel = rows.text(1);
      while (next < found.files.size() && found.files[next] < rel) ++next;
      // A file a row names is never an orphan, even where the row must not be used.
      const bool there = next < found.files.size() && found.files[next] == rel;
      if (there) has_row[next] = 1;
      if (auto why = photo_problem(rel)) {
        report("pledge " + printable_text(pledge_id(rows.integer(0)), 80) + ": " + *why);
      } else if (!there) {
        recovery.missing_photos.push_back(pledge_id(rows.integer(0)));
      }
    }
    if (rc != SQLITE_DONE) return db_error(rc, "read the photos' paths");
  }
  if (!repair) return Status::ok();
  for (std::size_t i = 0; i < found.files.size(); ++i) {
    if (has_row[i]) continue;
    // A photo whose transaction never committed: keep it aside, never delete a face.
    const fs::path f = fs::path(data_dir) / found.files[i];
    const fs::path dest =
        fs::path(data_dir) / "recovered" / fs::path(found.files[i]).lexically_relative("photos");
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
  return Status::ok();
}

}  // namespace pb::store
