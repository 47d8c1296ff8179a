// SPDX-License-Identifier: Apache-2.0
// The guard for paths built from untrusted names (a ledger from another booth's card, an
// export folder): a path is used only when it stays inside the folder it belongs to.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace pb::store {

// True when `path` lies inside `folder` (not the folder itself): lexically (no ".." out of
// it, no absolute jump elsewhere) and also after resolving every symlink of the part of
// both that exists, so a link inside the folder that points out of it does not count.
// Never throws; a path that cannot be looked at is not inside.
bool is_inside_folder(const std::string& folder, const std::string& path);

// is_inside_folder for the many files of one folder tree (every photo of a ledger): each
// sub-folder is resolved once and remembered, so checking n files costs one resolution per
// folder, not one per file and component. What it cannot see is a file name that is itself
// a link: a caller that knows of such a name checks it with is_inside_folder.
class InsideFolderCache {
 public:
  explicit InsideFolderCache(std::string folder);
  // Whether folder/rel is a file inside folder: rel is relative, its parts are neither "",
  // "." nor "..", and the folder holding it resolves (symlinks followed) inside folder or to
  // folder itself. A folder that is replaced by a link after it was resolved is not seen
  // again: paths are checked afresh (is_inside_folder) right before a file is read.
  bool contains(std::string_view rel);
  // Sub-folders resolved so far (a test bounds it: one per folder, whatever the files).
  std::int64_t resolutions() const { return resolutions_; }

 private:
  std::string folder_;
  std::string real_folder_;  // folder_ with its links resolved; "" when it cannot be
  bool resolved_ = false;
  std::map<std::string, bool, std::less<>> inside_;  // by sub-folder ("" = folder_ itself)
  std::int64_t resolutions_ = 0;
};

// Whether rel is a relative path whose parts are neither "", "." nor "..": lexically it
// cannot lead out of the folder it is relative to.
bool is_plain_relative_path(std::string_view rel);

}  // namespace pb::store
