// The on-screen keyboard's layouts (Latin QWERTY and Hangul 2-set), as rows of keys.
// Screens lay them out; a key's target name is "key:<id>".
#pragma once

#include <string>
#include <vector>

namespace pb::kiosk {

enum class KeyboardMode { kLatin, kLatinShift, kHangul, kHangulShift };

struct Key {
  std::string id;      // the character typed (UTF-8), or shift / back / space / mode / done
  std::string label;   // what the key shows ("" = the i18n string "keyboard.<id>")
  float width = 1.0f;  // in key units
};

// The rows of keys of a mode, top to bottom.
const std::vector<std::vector<Key>>& keyboard_rows(KeyboardMode mode);

}  // namespace pb::kiosk
