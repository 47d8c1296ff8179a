// Keyboard layouts: QWERTY with a few punctuation keys, and the standard Hangul 2-set.
#include "pb/keyboard.h"

namespace pb::kiosk {
namespace {

std::vector<Key> letters(const std::vector<std::string>& chars) {
  std::vector<Key> row;
  for (const auto& c : chars) row.push_back({c, c, 1.0f});
  return row;
}

std::vector<std::vector<Key>> make(const std::vector<std::string>& r1,
                                   const std::vector<std::string>& r2,
                                   const std::vector<std::string>& r3) {
  std::vector<std::vector<Key>> rows;
  rows.push_back(letters(r1));
  rows.back().push_back({"back", "←", 1.5f});
  rows.push_back(letters(r2));
  rows.push_back({{"shift", "⇧", 1.5f}});
  for (auto& k : letters(r3)) rows.back().push_back(k);
  rows.push_back({{"mode", "", 2.0f}, {"space", "", 6.0f}, {"done", "", 2.0f}});
  return rows;
}

}  // namespace

const std::vector<std::vector<Key>>& keyboard_rows(KeyboardMode mode) {
  static const auto latin = make({"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"},
                                 {"a", "s", "d", "f", "g", "h", "j", "k", "l", "'"},
                                 {"z", "x", "c", "v", "b", "n", "m", ",", ".", "!"});
  static const auto latin_shift = make({"Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"},
                                       {"A", "S", "D", "F", "G", "H", "J", "K", "L", "-"},
                                       {"Z", "X", "C", "V", "B", "N", "M", ",", ".", "?"});
  static const auto hangul = make({"ㅂ", "ㅈ", "ㄷ", "ㄱ", "ㅅ", "ㅛ", "ㅕ", "ㅑ", "ㅐ", "ㅔ"},
                                  {"ㅁ", "ㄴ", "ㅇ", "ㄹ", "ㅎ", "ㅗ", "ㅓ", "ㅏ", "ㅣ", "'"},
                                  {"ㅋ", "ㅌ", "ㅊ", "ㅍ", "ㅠ", "ㅜ", "ㅡ", ",", ".", "!"});
  static const auto hangul_shift =
      make({"ㅃ", "ㅉ", "ㄸ", "ㄲ", "ㅆ", "ㅛ", "ㅕ", "ㅑ", "ㅒ", "ㅖ"},
           {"ㅁ", "ㄴ", "ㅇ", "ㄹ", "ㅎ", "ㅗ", "ㅓ", "ㅏ", "ㅣ", "-"},
           {"ㅋ", "ㅌ", "ㅊ", "ㅍ", "ㅠ", "ㅜ", "ㅡ", ",", ".", "?"});
  switch (mode) {
    case KeyboardMode::kLatin:
      return latin;
    case KeyboardMode::kLatinShift:
      return latin_shift;
    case KeyboardMode::kHangul:
      return hangul;
    case KeyboardMode::kHangulShift:
      return hangul_shift;
  }
  return latin;
}

}  // namespace pb::kiosk
