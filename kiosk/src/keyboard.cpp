// SPDX-License-Identifier: Apache-2.0
// Keyboard rows from a string table's [layout]: characters and the {back} / {shift} keys,
// then the row every layout ends with (switch layout, space, done).
#include "pb/keyboard.h"

#include "pb/utf8.h"

namespace pb::kiosk {

Result<KeyRows> parse_key_rows(const std::vector<std::string>& rows) {
  constexpr std::size_t kMaxRows = 6, kMaxKeys = 16;
  if (rows.empty() || rows.size() > kMaxRows)
    return Status::error(Status::Code::kInvalid, "a layout has 1 to 6 rows of keys");
  KeyRows out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string where = "row " + std::to_string(r + 1) + ": ";
    std::vector<Key> row;
    std::size_t at = 0;
    while (at < rows[r].size()) {
      const std::size_t end = std::min(rows[r].find(' ', at), rows[r].size());
      const std::string key = rows[r].substr(at, end - at);
      at = end + 1;
      if (key.empty()) continue;
      if (key == "{back}") {
        row.push_back({"back", "←", 1.5f});
      } else if (key == "{shift}") {
        row.push_back({"shift", "⇧", 1.5f});
      } else if (const std::u32string c = decode_utf8(key);
                 c.size() != 1 || !is_clean_text(key) || key.front() == '{') {
        return Status::error(Status::Code::kInvalid,
                             where + "\"" + (is_clean_text(key) ? key : "?") +
                                 "\" is not one character, {back} or {shift}");
      } else {
        row.push_back({key, key, 1.0f});
      }
    }
    if (row.empty() || row.size() > kMaxKeys)
      return Status::error(Status::Code::kInvalid, where + "1 to 16 keys");
    out.push_back(std::move(row));
  }
  out.push_back({{"mode", "", 2.0f}, {"space", "", 6.0f}, {"done", "", 2.0f}});
  return out;
}

}  // namespace pb::kiosk
