// SPDX-License-Identifier: Apache-2.0
// The on-screen keyboard's text field fed random key sequences: jamo, Latin letters, digits,
// punctuation, backspace, commit and clear. After every key the text is valid UTF-8 with no
// control character and never longer than the field's cap.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pb/hangul.h"
#include "pb/utf8.h"

namespace {

void check(const pb::kiosk::TextField& field, std::size_t cap) {
  const std::string text = field.text();
  if (!pb::is_clean_text(text)) std::abort();
  const std::size_t length = pb::decode_utf8(text).size();
  if (length > cap || field.length() != length) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  size = std::min<std::size_t>(size, 512);  // a field holds at most 32 characters
  const std::size_t cap = 1 + data[0] % 32;
  pb::kiosk::TextField field(cap);
  pb::kiosk::HangulComposer composer;
  for (std::size_t i = 1; i < size; ++i) {
    const std::uint8_t b = data[i];
    const std::uint8_t op = b >> 6;
    if (op == 0 || op == 1) {
      // A compatibility jamo: U+3131..U+3163 (51 of them).
      const char32_t jamo = 0x3131 + (b & 0x7F) % 51;
      field.type(jamo);
      const std::string done = composer.type(jamo);
      if (!pb::is_clean_text(done) || !pb::is_clean_text(composer.composing())) std::abort();
    } else if (op == 2) {
      // A Latin key: printable ASCII from space to '~'.
      field.type(static_cast<char32_t>(0x20 + (b & 0x3F) % 95));
    } else {
      switch (b & 3) {
        case 0:
          field.backspace();
          composer.backspace();
          break;
        case 1:
          field.commit();
          if (!pb::is_clean_text(composer.commit())) std::abort();
          break;
        case 2:
          field.clear();
          break;
        default:
          field.type(0xAC00 + (b & 0x3C));  // a whole syllable from a paste
          break;
      }
    }
    check(field, cap);
  }
  return 0;
}
