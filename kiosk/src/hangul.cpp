// SPDX-License-Identifier: Apache-2.0
// Hangul 2-set composition by replaying the keystrokes of the current syllable.
#include "pb/hangul.h"

#include <array>

namespace pb::kiosk {
namespace {

// Compatibility jamo in the order of the Unicode syllable formula.
constexpr std::array<char32_t, 19> kCho = {U'ㄱ', U'ㄲ', U'ㄴ', U'ㄷ', U'ㄸ', U'ㄹ', U'ㅁ',
                                           U'ㅂ', U'ㅃ', U'ㅅ', U'ㅆ', U'ㅇ', U'ㅈ', U'ㅉ',
                                           U'ㅊ', U'ㅋ', U'ㅌ', U'ㅍ', U'ㅎ'};
constexpr std::array<char32_t, 21> kJung = {U'ㅏ', U'ㅐ', U'ㅑ', U'ㅒ', U'ㅓ', U'ㅔ', U'ㅕ',
                                            U'ㅖ', U'ㅗ', U'ㅘ', U'ㅙ', U'ㅚ', U'ㅛ', U'ㅜ',
                                            U'ㅝ', U'ㅞ', U'ㅟ', U'ㅠ', U'ㅡ', U'ㅢ', U'ㅣ'};
constexpr std::array<char32_t, 28> kJong = {0,     U'ㄱ', U'ㄲ', U'ㄳ', U'ㄴ', U'ㄵ', U'ㄶ',
                                            U'ㄷ', U'ㄹ', U'ㄺ', U'ㄻ', U'ㄼ', U'ㄽ', U'ㄾ',
                                            U'ㄿ', U'ㅀ', U'ㅁ', U'ㅂ', U'ㅄ', U'ㅅ', U'ㅆ',
                                            U'ㅇ', U'ㅈ', U'ㅊ', U'ㅋ', U'ㅌ', U'ㅍ', U'ㅎ'};

struct Pair {
  char32_t a, b, both;
};
constexpr std::array<Pair, 7> kVowelPairs = {{{U'ㅗ', U'ㅏ', U'ㅘ'},
                                              {U'ㅗ', U'ㅐ', U'ㅙ'},
                                              {U'ㅗ', U'ㅣ', U'ㅚ'},
                                              {U'ㅜ', U'ㅓ', U'ㅝ'},
                                              {U'ㅜ', U'ㅔ', U'ㅞ'},
                                              {U'ㅜ', U'ㅣ', U'ㅟ'},
                                              {U'ㅡ', U'ㅣ', U'ㅢ'}}};
constexpr std::array<Pair, 11> kFinalPairs = {{{U'ㄱ', U'ㅅ', U'ㄳ'},
                                               {U'ㄴ', U'ㅈ', U'ㄵ'},
                                               {U'ㄴ', U'ㅎ', U'ㄶ'},
                                               {U'ㄹ', U'ㄱ', U'ㄺ'},
                                               {U'ㄹ', U'ㅁ', U'ㄻ'},
                                               {U'ㄹ', U'ㅂ', U'ㄼ'},
                                               {U'ㄹ', U'ㅅ', U'ㄽ'},
                                               {U'ㄹ', U'ㅌ', U'ㄾ'},
                                               {U'ㄹ', U'ㅍ', U'ㄿ'},
                                               {U'ㄹ', U'ㅎ', U'ㅀ'},
                                               {U'ㅂ', U'ㅅ', U'ㅄ'}}};

template <std::size_t N>
int index_of(const std::array<char32_t, N>& table, char32_t c) {
  for (std::size_t i = 0; i < N; ++i)
    if (table[i] == c && c != 0) return static_cast<int>(i);
  return -1;
}

template <std::size_t N>
char32_t combine(const std::array<Pair, N>& pairs, char32_t a, char32_t b) {
  for (const auto& p : pairs)
    if (p.a == a && p.b == b) return p.both;
  return 0;
}

}  // namespace

bool HangulComposer::is_jamo(char32_t c) {
  return c >= 0x3131 && c <= 0x3163;
}
bool HangulComposer::is_vowel(char32_t c) {
  return c >= 0x314F && c <= 0x3163;
}

HangulComposer::Syllable HangulComposer::build() const {
  Syllable s;
  for (char32_t k : keys_) {
    if (is_vowel(k)) {
      if (s.jung < 0 && s.cho < 0 && s.lone == 0) {
        s.lone = k;
      } else if (s.lone != 0 && is_vowel(s.lone)) {
        s.lone = combine(kVowelPairs, s.lone, k);
      } else if (s.lone != 0) {  // lone consonant + vowel → syllable
        s.cho = index_of(kCho, s.lone);
        s.jung = index_of(kJung, k);
        s.lone = 0;
      } else {
        s.jung = index_of(kJung, combine(kVowelPairs, kJung[s.jung], k));
      }
    } else {
      if (s.lone == 0 && s.cho < 0) {
        s.lone = k;
      } else if (s.jong == 0) {
        s.jong = index_of(kJong, k);
      } else {
        s.jong = index_of(kJong, combine(kFinalPairs, kJong[s.jong], k));
      }
    }
  }
  return s;
}

std::string HangulComposer::type(char32_t jamo) {
  if (!is_jamo(jamo)) return commit();
  if (keys_.empty()) {
    keys_.push_back(jamo);
    return "";
  }
  const Syllable s = build();
  std::string committed;
  const bool vowel = is_vowel(jamo);
  if (s.lone != 0) {
    const bool lone_vowel = is_vowel(s.lone);
    if (vowel && lone_vowel && combine(kVowelPairs, s.lone, jamo) != 0) {
      keys_.push_back(jamo);
    } else if (vowel && !lone_vowel && index_of(kCho, s.lone) >= 0) {
      keys_.push_back(jamo);
    } else {
      committed = commit();
      keys_.push_back(jamo);
    }
    return committed;
  }
  if (vowel) {
    if (s.jong == 0) {
      if (combine(kVowelPairs, kJung[s.jung], jamo) != 0) {
        keys_.push_back(jamo);
      } else {
        committed = commit();
        keys_.push_back(jamo);
      }
    } else {
      // The last consonant of the final moves on to start the next syllable.
      const char32_t moved = keys_.back();
      keys_.pop_back();
      committed = commit();
      keys_ = {moved, jamo};
    }
    return committed;
  }
  // A consonant after a syllable.
  if (s.jong == 0) {
    if (index_of(kJong, jamo) >= 0) {
      keys_.push_back(jamo);
    } else {  // ㄸ ㅃ ㅉ never end a syllable
      committed = commit();
      keys_.push_back(jamo);
    }
  } else if (combine(kFinalPairs, kJong[s.jong], jamo) != 0) {
    keys_.push_back(jamo);
  } else {
    committed = commit();
    keys_.push_back(jamo);
  }
  return committed;
}

bool HangulComposer::backspace() {
  if (keys_.empty()) return false;
  keys_.pop_back();
  return true;
}

std::string HangulComposer::composing() const {
  if (keys_.empty()) return "";
  const Syllable s = build();
  if (s.lone != 0) return encode_utf8(s.lone);
  const char32_t c = 0xAC00 + static_cast<char32_t>((s.cho * 21 + s.jung) * 28 + s.jong);
  return encode_utf8(c);
}

std::string HangulComposer::commit() {
  std::string out = composing();
  keys_.clear();
  return out;
}

void TextField::type(char32_t c) {
  if (HangulComposer::is_jamo(c)) {
    // At the cap the text stays as it is: no final consonant or compound vowel merged into
    // the last syllable. Only a lone consonant there may still take its vowel, so that the
    // last letter can be finished.
    if (length() >= max_chars_) {
      const std::string now = composer_.composing();
      const std::u32string last = decode_utf8(now);
      const bool lone_consonant = last.size() == 1 && HangulComposer::is_jamo(last[0]) &&
                                  !HangulComposer::is_vowel(last[0]);
      if (!(lone_consonant && HangulComposer::is_vowel(c))) return;
    }
    // Refuse a jamo that would start a syllable the field has no room for.
    HangulComposer probe = composer_;
    const std::size_t done = probe.type(c).empty() ? 0 : 1;
    if (committed_.size() + done + (probe.empty() ? 0 : 1) > max_chars_) return;
    committed_ += decode_utf8(composer_.type(c));
    return;
  }
  committed_ += decode_utf8(composer_.commit());
  if (committed_.size() >= max_chars_) return;
  committed_.push_back(c);
}

void TextField::backspace() {
  if (composer_.backspace()) return;
  if (!committed_.empty()) committed_.pop_back();
}

void TextField::commit() {
  committed_ += decode_utf8(composer_.commit());
}

void TextField::clear() {
  committed_.clear();
  composer_.commit();
}

std::string TextField::text() const {
  return encode_utf8(committed_) + composer_.composing();
}

std::size_t TextField::length() const {
  return committed_.size() + (composer_.empty() ? 0 : 1);
}

}  // namespace pb::kiosk
