// SPDX-License-Identifier: Apache-2.0
// The one rule for a slug: event and booth ids and target names, which name files, folders
// and uploaded objects. Checked by the config when read and by the ledger on every row.
#pragma once

#include <algorithm>
#include <string_view>

namespace pb {

// 1 to 64 of a-z, 0-9 and '-', starting and ending with a letter or digit (never "-x" or
// "x-", which a shell or a URL may take for something else). Plain comparisons, never
// std::regex or ::isalnum: any bytes are safe.
inline bool is_slug(std::string_view s) {
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return !s.empty() && s.size() <= 64 && alnum(s.front()) && alnum(s.back()) &&
         std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-'; });
}

}  // namespace pb
