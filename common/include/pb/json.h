// SPDX-License-Identifier: Apache-2.0
// Minimal JSON text output: escaping strings for the few JSON documents we write
// (stats --json, upload metadata). Reading JSON is not needed by the booth.
#pragma once

#include <cstdio>
#include <string>

namespace pb {

// `s` (UTF-8) as a quoted JSON string.
inline std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace pb
