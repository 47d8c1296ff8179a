// SPDX-License-Identifier: Apache-2.0
// Text entry for the on-screen keyboard: Latin letters and Hangul 2-set (두벌식) jamo
// composed into syllables, with backspace that undoes the last jamo before whole letters.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pb/utf8.h"

namespace pb::kiosk {

// Composes compatibility jamo (U+3131..U+3163) typed one at a time into Hangul syllables
// the way a 2-set keyboard does: a final consonant followed by a vowel moves on to start
// the next syllable, and compound vowels (ㅗ+ㅏ=ㅘ) and finals (ㄱ+ㅅ=ㄳ) are formed.
class HangulComposer {
 public:
  // Feeds one jamo. Returns the text that is now final (committed), possibly "".
  std::string type(char32_t jamo);
  // Removes the last jamo of the syllable being composed. False when nothing is composing.
  bool backspace();
  // The syllable (or lone jamo) being composed, as UTF-8; "" when none.
  std::string composing() const;
  // Ends composition: returns composing() and clears it.
  std::string commit();
  bool empty() const { return keys_.empty(); }

  static bool is_jamo(char32_t c);
  static bool is_vowel(char32_t c);

 private:
  struct Syllable {
    int cho = -1, jung = -1, jong = 0;  // indices; jong 0 = none
    char32_t lone = 0;                  // a lone consonant or vowel (no syllable yet)
  };
  // Replays keys_ from scratch; they always form one syllable.
  Syllable build() const;
  std::vector<char32_t> keys_;  // the keystrokes of the syllable being composed
};

// One text field: committed text plus a Hangul syllable in composition.
class TextField {
 public:
  explicit TextField(std::size_t max_chars = 24) : max_chars_(max_chars) {}
  // A key from the keyboard: a Latin character/punctuation/space or a compatibility jamo.
  void type(char32_t c);
  // Undoes one jamo of the composing syllable, else deletes the last character.
  void backspace();
  // Ends Hangul composition (focus leaves the field, keyboard mode changes).
  void commit();
  void clear();
  // Everything shown, composing syllable included (what gets saved).
  std::string text() const;
  std::size_t length() const;  // in code points, composing syllable included

 private:
  std::u32string committed_;
  HangulComposer composer_;
  std::size_t max_chars_;
};

}  // namespace pb::kiosk
