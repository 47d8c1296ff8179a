// SPDX-License-Identifier: Apache-2.0
// The on-screen keyboard's layouts (Latin QWERTY, Spanish QWERTY with ñ and accented
// vowels, Hangul 2-set), as rows of keys. Screens lay them out; a key's target name is
// "key:<id>". A language picks its layout by name in its string table ([language] keyboard).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pb::kiosk {

enum class KeyboardMode { kLatin, kLatinShift, kHangul, kHangulShift, kSpanish, kSpanishShift };

// "latin", "spanish", "hangul" → that layout unshifted; nullopt for any other name.
std::optional<KeyboardMode> keyboard_named(const std::string& name);
bool is_hangul(KeyboardMode mode);
bool is_shifted(KeyboardMode mode);
KeyboardMode toggle_shift(KeyboardMode mode);
KeyboardMode unshifted(KeyboardMode mode);

struct Key {
  std::string id;      // the character typed (UTF-8), or shift / back / space / mode / done
  std::string label;   // what the key shows ("" = the i18n string "keyboard.<id>")
  float width = 1.0f;  // in key units
};

// The rows of keys of a mode, top to bottom.
const std::vector<std::vector<Key>>& keyboard_rows(KeyboardMode mode);

}  // namespace pb::kiosk
