// SPDX-License-Identifier: Apache-2.0
// What the wall knows about the photos a volunteer hid (<data_dir>/wall-hidden.txt), kept
// fail-closed: a list that exists but cannot be read hides every photo and every word,
// because any of them may be the one taken off the wall since it was last read.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>

namespace pb::campaign {

struct HiddenPhotos {
  std::set<std::string> ids;  // hidden for sure (the last list read)
  // false: the list is there but cannot be read now (another owner and mode, no descriptor
  // left, a FIFO or a folder in its place, larger than 1 MB): no pledge can be vouched for.
  bool vouched = true;
  std::string error;            // why not, for the log ("" when vouched)
  std::int64_t generation = 0;  // grows whenever ids or vouched change
};

// One version of a file: a new list comes by rename (another inode); an edit in place
// changes size or mtime; chmod and chown change ctime.
struct FileIdentity {
  std::uint64_t dev = 0, ino = 0;
  std::int64_t size = 0, mtime_ns = 0, ctime_ns = 0;
  std::uint32_t mode = 0;
  bool operator==(const FileIdentity& o) const {
    return std::tie(dev, ino, size, mtime_ns, ctime_ns, mode) ==
           std::tie(o.dev, o.ino, o.size, o.mtime_ns, o.ctime_ns, o.mode);
  }
};

// The hidden list as the wall's poller and photo requests see it. Thread-safe.
class HiddenWatch {
 public:
  explicit HiddenWatch(std::string data_dir);
  // The list now. Looked at with lstat; read again (pb/untrusted_file.h, never blocking)
  // only when the file is another than the one read last time, or could not be read last
  // time. So the last good list stays in use while its file is unchanged, also when opening
  // it would fail now (no descriptor left). A file that changed and cannot be read keeps
  // the last ids but is not vouched for. Each change of vouched is logged once.
  HiddenPhotos current();

 private:
  void update(std::set<std::string> ids, bool vouched, const std::string& error);

  std::string path_;
  std::mutex mu_;  // guards the members below
  HiddenPhotos state_;
  bool looked_ = false;
  std::optional<FileIdentity> seen_;  // what lstat showed last time (nullopt: no file)
};

}  // namespace pb::campaign
