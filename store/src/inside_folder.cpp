// SPDX-License-Identifier: Apache-2.0
// is_inside_folder: lexical and symlink-resolved containment, with error codes only; and its
// per-folder cache for checking every photo of a ledger.
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

bool is_plain_relative_path(std::string_view rel) {
  if (rel.empty() || rel.front() == '/' || rel.find('\0') != std::string_view::npos) return false;
  for (std::size_t start = 0; start <= rel.size();) {
    std::size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    const std::string_view part = rel.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

InsideFolderCache::InsideFolderCache(std::string folder) : folder_(std::move(folder)) {}

bool InsideFolderCache::contains(std::string_view rel) {
  if (!is_plain_relative_path(rel)) return false;
  const std::size_t slash = rel.rfind('/');
  const std::string_view sub =
      slash == std::string_view::npos ? std::string_view() : rel.substr(0, slash);
  if (auto it = inside_.find(sub); it != inside_.end()) return it->second;
  std::error_code ec;
  if (!resolved_) {
    resolved_ = true;
    const fs::path real = fs::weakly_canonical(fs::absolute(folder_, ec), ec);
    real_folder_ = ec ? std::string() : real.string();
  }
  ++resolutions_;
  bool inside = false;
  if (!real_folder_.empty()) {
    const fs::path real_sub =
        fs::weakly_canonical(sub.empty() ? fs::path(folder_) : fs::path(folder_) / sub, ec);
    inside = !ec && (real_sub == fs::path(real_folder_) || below(real_folder_, real_sub));
  }
  inside_.emplace(std::string(sub), inside);
  return inside;
}

}  // namespace pb::store
