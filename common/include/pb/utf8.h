// SPDX-License-Identifier: Apache-2.0
// UTF-8 ⇄ UTF-32 for text the booth composes (Hangul jamo, names on the sign), and the
// one cleaner for text from outside the process before it is stored, shown or printed.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace pb {

// The code point of the UTF-8 sequence at s[i] and its length in bytes; length 0 for a
// malformed or truncated sequence, an overlong form, a surrogate or a value past U+10FFFF.
struct Utf8Step {
  char32_t code_point;
  std::size_t length;
};
inline Utf8Step utf8_step(std::string_view s, std::size_t i) {
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};  // shortest form per length
  const auto b = static_cast<unsigned char>(s[i]);
  const std::size_t len = b < 0x80         ? 1
                          : (b >> 5) == 6  ? 2
                          : (b >> 4) == 14 ? 3
                          : (b >> 3) == 30 ? 4
                                           : 0;
  if (len == 0 || len > s.size() - i) return {U'\uFFFD', 0};
  char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 2) return {U'\uFFFD', 0};
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {U'\uFFFD', 0};
  return {cp, len};
}

// Decodes UTF-8; each malformed or truncated sequence, overlong form, surrogate or value
// past U+10FFFF becomes U+FFFD (one per byte skipped), so untrusted text never throws or
// reads past the end.
inline std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Step step = utf8_step(s, i);
    out.push_back(step.code_point);
    i += step.length == 0 ? 1 : step.length;
  }
  return out;
}

// True when `s` is well-formed UTF-8 throughout (any code point, controls included).
inline bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_step(s, i).length;
    if (len == 0) return false;
    i += len;
  }
  return true;
}

inline std::string encode_utf8(std::u32string_view text) {
  std::string out;
  for (char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

inline std::string encode_utf8(char32_t c) {
  return encode_utf8(std::u32string_view(&c, 1));
}

// A code point that must never reach a terminal, a log, the ledger or a screen from outside
// the process: C0 and C1 controls, DEL, and the bidi overrides that reorder what follows.
inline bool is_control_code_point(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

// True when `s` is valid UTF-8 with no control code point (see above): what the ledger
// accepts for a name or an answer.
inline bool is_clean_text(std::string_view s) {
  for (char32_t c : decode_utf8(s))
    if (c == U'\uFFFD' || is_control_code_point(c)) return false;
  return true;
}

// `s` (any bytes: a server's message, a name from someone else's ledger) as valid UTF-8
// with no control code point, at most `max_bytes` long. Malformed bytes become U+FFFD, tab
// and line breaks a space, other controls are dropped; a cut is marked with "…" and never
// splits a character. Safe to store, print to a terminal or put into JSON/CSV.
inline std::string printable_text(std::string_view s, std::size_t max_bytes = 2000) {
  std::string out;
  bool cut = false;
  for (char32_t c : decode_utf8(s.substr(0, std::min(s.size(), max_bytes * 2 + 16)))) {
    if (c == U'\t' || c == U'\n' || c == U'\r') c = U' ';
    if (is_control_code_point(c)) continue;
    const std::string piece = encode_utf8(c);
    if (out.size() + piece.size() > max_bytes) {
      cut = true;
      break;
    }
    out += piece;
  }
  if (!cut && s.size() > max_bytes * 2 + 16) cut = true;
  if (cut) {
    const std::string ellipsis = "\u2026";
    while (!out.empty() && out.size() + ellipsis.size() > max_bytes) {
      // Drop whole characters from the end: continuation bytes first, then the lead byte.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
        out.pop_back();
      if (!out.empty()) out.pop_back();
    }
    if (out.size() + ellipsis.size() <= max_bytes) out += ellipsis;
  }
  return out;
}

}  // namespace pb
