// SPDX-License-Identifier: Apache-2.0
// The on-screen keyboard on DETAILS as data: each language's string table holds its layout
// ([layout] in assets/i18n/<locale>.toml), so a language with letters of its own (ñ, è, ç,
// Hangul jamo) is one file. Screens lay the rows out; a key's target name is "key:<id>".
#pragma once

#include <string>
#include <vector>

#include "pb/status.h"

namespace pb::kiosk {

struct Key {
  std::string id;      // the character typed (UTF-8), or shift / back / space / mode / done
  std::string label;   // what the key shows ("" = the i18n string "keyboard.<id>", or for
                       // mode the label of the layout it switches to)
  float width = 1.0f;  // in key units
};
using KeyRows = std::vector<std::vector<Key>>;  // top to bottom

// One language's keyboard.
struct KeyboardLayout {
  KeyRows rows;     // unshifted, the last row (mode, space, done) included
  KeyRows shifted;  // with shift (one-shot: the next letter unshifts it)
  // The language whose layout the mode key switches to ("ko": Hangul for a name in Korean
  // while the screens speak English; "en": QWERTY from Korean); "" or an unregistered one:
  // no mode key.
  std::string switch_to;
  std::string label;  // what a mode key leading to this layout shows ("ABC", "한글")
};

// A language the booth speaks: its string table's name and the keyboard it types with.
struct Language {
  std::string code;  // "en", "es", "fr", "ko": assets/i18n/<code>.toml
  KeyboardLayout keyboard;
};

// The rows of a [layout] table: each row a string of keys separated by spaces, a key being
// the one character it types or {back} / {shift}; the last row (mode, space, done) is
// added. At most 6 rows of at most 16 keys. kInvalid names the row and the key.
Result<KeyRows> parse_key_rows(const std::vector<std::string>& rows);

}  // namespace pb::kiosk
