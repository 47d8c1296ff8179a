// SPDX-License-Identifier: Apache-2.0
// Reads the [answer] table of every string table in assets/i18n (see pb/answer_picks.h).
#include "pb/answer_picks.h"

#include <filesystem>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "pb/config.h"

namespace fs = std::filesystem;

namespace pb::config {

std::map<std::string, std::string> answer_pick_texts(const std::string& assets) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  const fs::path dir = fs::path(assets.empty() ? assets_dir() : assets) / "i18n";
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".toml" || !it->is_regular_file(ec)) continue;
    if (it->file_size(ec) > 1024 * 1024) continue;  // a string table is a few KB
    try {
      toml::table t = toml::parse_file(it->path().string());
      if (const toml::table* answers = t["answer"].as_table())
        for (const auto& [id, text] : *answers)
          if (auto s = text.value_exact<std::string>(); s && !s->empty())
            out[*s] = std::string(id.str());
    } catch (const toml::parse_error&) {
      // skipped: its answers count as "other"
    }
  }
  return out;
}

}  // namespace pb::config
