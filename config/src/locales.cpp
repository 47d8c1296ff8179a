// SPDX-License-Identifier: Apache-2.0
// The booth's languages: one string table each in <assets>/i18n/<locale>.toml. The folder
// is the register; config, the string tables and the language toggle all read it here.
#include <algorithm>
#include <filesystem>

#include "pb/config.h"

namespace pb::config {
namespace {

// "en", "es", "ko", "pt-BR": two or three lower-case letters, an optional -REGION.
bool is_locale_code(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
  if (i < 2 || i > 3) return false;
  if (i == s.size()) return true;
  if (s.size() != i + 3 || s[i] != '-') return false;
  return s[i + 1] >= 'A' && s[i + 1] <= 'Z' && s[i + 2] >= 'A' && s[i + 2] <= 'Z';
}

}  // namespace

std::vector<std::string> available_locales(const std::string& i18n_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(i18n_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".toml" || !it->is_regular_file(ec)) continue;
    if (std::string code = p.stem().string(); is_locale_code(code)) out.push_back(code);
  }
  std::sort(out.begin(), out.end());
  // English is the reference table (every other one has its keys) and comes first.
  out.erase(std::remove(out.begin(), out.end(), "en"), out.end());
  out.insert(out.begin(), "en");
  return out;
}

std::vector<std::string> available_locales() {
  return available_locales(assets_dir() + "/i18n");
}

bool is_available_locale(const std::string& locale) {
  const auto all = available_locales();
  return std::find(all.begin(), all.end(), locale) != all.end();
}

std::string spoken_locales() {
  const auto all = available_locales();
  std::string out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0) out += i + 1 == all.size() ? " and " : ", ";
    out += "'" + all[i] + "'";
  }
  return out;
}

}  // namespace pb::config
