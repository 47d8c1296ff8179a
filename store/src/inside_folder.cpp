// SPDX-License-Identifier: Apache-2.0
// is_inside_folder: lexical and symlink-resolved containment, with error codes only.
#include "pb/inside_folder.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace pb::store {

namespace {

// `path` relative to `folder` has at least one part and does not begin with "..".
bool below(const fs::path& folder, const fs::path& path) {
  const fs::path rel = path.lexically_relative(folder);
  if (rel.empty() || rel == ".") return false;
  const auto first = *rel.begin();
  return first != ".." && first != ".";
}

}  // namespace

bool is_inside_folder(const std::string& folder, const std::string& path) {
  if (folder.empty() || path.empty()) return false;
  if (path.find('\0') != std::string::npos || folder.find('\0') != std::string::npos) return false;
  std::error_code ec;
  const fs::path f = fs::absolute(folder, ec).lexically_normal();
  if (ec) return false;
  const fs::path p = fs::absolute(path, ec).lexically_normal();
  if (ec || !below(f, p)) return false;
  const fs::path real_f = fs::weakly_canonical(f, ec);
  if (ec) return false;
  const fs::path real_p = fs::weakly_canonical(p, ec);
  if (ec) return false;
  return below(real_f, real_p);
}

}  // namespace pb::store
