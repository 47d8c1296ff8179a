// SPDX-License-Identifier: Apache-2.0
// csv_field: quoting and formula guard for the CSV export.
#include "pb/csv.h"

#include <cstring>

namespace pb::store {

std::string csv_field(const std::string& s) {
  bool quote = s.find_first_of(",\"\r\n") != std::string::npos;
  // A leading =, +, -, @, tab or CR would run as a formula in a spreadsheet: keep it text.
  bool formula = !s.empty() && s[0] != 0 && std::strchr("=+-@\t\r", s[0]) != nullptr;
  std::string v = formula ? "'" + s : s;
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace pb::store
