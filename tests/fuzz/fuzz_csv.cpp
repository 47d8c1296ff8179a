// SPDX-License-Identifier: Apache-2.0
// The CSV export: fields of any bytes, quoted by the exporter's csv_field, read back by a
// strict RFC 4180 reader give the same fields (a formula guard's ' included), raw and as the
// ledger hands text out (ledger_text), which is also valid UTF-8 without NUL or escapes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "pb/csv.h"
#include "pb/ledger.h"
#include "pb/utf8.h"

namespace {

// Reads one CSV record of `text` from `at`; false on malformed quoting.
bool read_record(const std::string& text, std::size_t& at, std::vector<std::string>& fields) {
  fields.assign(1, std::string());
  for (;;) {
    std::string& f = fields.back();
    if (at < text.size() && text[at] == '"') {
      ++at;
      for (;;) {
        if (at >= text.size()) return false;
        if (text[at] == '"') {
          if (at + 1 < text.size() && text[at + 1] == '"') {
            f += '"';
            at += 2;
            continue;
          }
          ++at;
          break;
        }
        f += text[at++];
      }
    } else {
      while (at < text.size() && text[at] != ',' && text[at] != '\r' && text[at] != '\n') {
        if (text[at] == '"') return false;  // a quote inside an unquoted field
        f += text[at++];
      }
    }
    if (at < text.size() && text[at] == ',') {
      ++at;
      fields.emplace_back();
      continue;
    }
    if (text.compare(at, 2, "\r\n") != 0) return false;
    at += 2;
    return true;
  }
}

std::string expected(const std::string& s) {
  const bool formula = !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                                      s[0] == '\t' || s[0] == '\r');
  return formula ? "'" + s : s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> raw(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0x1F)  // unit separator: the next field
      raw.emplace_back();
    else
      raw.back() += static_cast<char>(data[i]);
  }
  std::vector<std::string> shown;
  for (const auto& f : raw) shown.push_back(pb::store::ledger_text(f));
  std::string csv;
  for (const auto* row : {&raw, &shown}) {
    for (std::size_t i = 0; i < row->size(); ++i)
      csv += (i ? "," : "") + pb::store::csv_field((*row)[i]);
    csv += "\r\n";
  }
  std::size_t at = 0;
  std::vector<std::string> fields;
  for (const auto* row : {&raw, &shown}) {
    if (!read_record(csv, at, fields) || fields.size() != row->size()) std::abort();
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (fields[i] != expected((*row)[i])) std::abort();
  }
  if (at != csv.size()) std::abort();
  // What the ledger hands out is valid UTF-8 (U+FFFD marks stray bytes) without controls.
  for (const auto& f : shown) {
    const std::u32string decoded = pb::decode_utf8(f);
    if (pb::encode_utf8(decoded) != f) std::abort();
    for (char32_t c : decoded)
      if (pb::is_control_code_point(c) && c != U'\t' && c != U'\n' && c != U'\r') std::abort();
  }
  return 0;
}
