// SPDX-License-Identifier: Apache-2.0
// Keyboard layouts: QWERTY with a few punctuation keys, Spanish QWERTY (ñ in its place on
// the home row, a row of accented vowels and ¿ ¡ above), and the standard Hangul 2-set.
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

// The Latin rows under a row of the letters Spanish adds.
std::vector<std::vector<Key>> with_top_row(const std::vector<std::string>& top,
                                           std::vector<std::vector<Key>> rows) {
  rows.insert(rows.begin(), letters(top));
  return rows;
}

}  // namespace

std::optional<KeyboardMode> keyboard_named(const std::string& name) {
  if (name == "latin") return KeyboardMode::kLatin;
  if (name == "spanish") return KeyboardMode::kSpanish;
  if (name == "hangul") return KeyboardMode::kHangul;
  return std::nullopt;
}

bool is_hangul(KeyboardMode mode) {
  return mode == KeyboardMode::kHangul || mode == KeyboardMode::kHangulShift;
}

bool is_shifted(KeyboardMode mode) {
  return mode == KeyboardMode::kLatinShift || mode == KeyboardMode::kHangulShift ||
         mode == KeyboardMode::kSpanishShift;
}

KeyboardMode toggle_shift(KeyboardMode mode) {
  switch (mode) {
    case KeyboardMode::kLatin:
      return KeyboardMode::kLatinShift;
    case KeyboardMode::kLatinShift:
      return KeyboardMode::kLatin;
    case KeyboardMode::kHangul:
      return KeyboardMode::kHangulShift;
    case KeyboardMode::kHangulShift:
      return KeyboardMode::kHangul;
    case KeyboardMode::kSpanish:
      return KeyboardMode::kSpanishShift;
    case KeyboardMode::kSpanishShift:
      return KeyboardMode::kSpanish;
  }
  return mode;
}

KeyboardMode unshifted(KeyboardMode mode) {
  return is_shifted(mode) ? toggle_shift(mode) : mode;
}

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
  static const auto spanish =
      with_top_row({"á", "é", "í", "ó", "ú", "ü", "¿", "¡"},
                   make({"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"},
                        {"a", "s", "d", "f", "g", "h", "j", "k", "l", "ñ"},
                        {"z", "x", "c", "v", "b", "n", "m", ",", ".", "!"}));
  static const auto spanish_shift =
      with_top_row({"Á", "É", "Í", "Ó", "Ú", "Ü", "'", "-"},
                   make({"Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"},
                        {"A", "S", "D", "F", "G", "H", "J", "K", "L", "Ñ"},
                        {"Z", "X", "C", "V", "B", "N", "M", ",", ".", "?"}));
  switch (mode) {
    case KeyboardMode::kSpanish:
      return spanish;
    case KeyboardMode::kSpanishShift:
      return spanish_shift;
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
