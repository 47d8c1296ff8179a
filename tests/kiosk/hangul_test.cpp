// SPDX-License-Identifier: Apache-2.0
// The on-screen keyboard's text entry: Hangul 2-set composition, backspace, Latin.
#include <catch2/catch.hpp>

#include "pb/hangul.h"

using pb::decode_utf8;
using pb::kiosk::TextField;

namespace {
void type_all(TextField& f, const std::string& keys) {
  for (char32_t c : decode_utf8(keys)) f.type(c);
}
}  // namespace

TEST_CASE("typing the jamo of gamsahamnida composes the five syllables", "[kiosk][hangul]") {
  TextField f(40);
  type_all(f, "ㄱㅏㅁㅅㅏㅎㅏㅂㄴㅣㄷㅏ");
  CHECK(f.text() == "감사합니다");
  CHECK(f.length() == 5);
}

TEST_CASE("backspace undoes the last jamo before whole syllables", "[kiosk][hangul]") {
  TextField f(40);
  type_all(f, "ㄱㅏㅁ");
  CHECK(f.text() == "감");
  f.backspace();
  CHECK(f.text() == "가");
  f.backspace();
  CHECK(f.text() == "ㄱ");
  f.backspace();
  CHECK(f.text() == "");
  type_all(f, "ㄱㅏㅁㅅㅏ");
  CHECK(f.text() == "감사");
  f.backspace();
  CHECK(f.text() == "감ㅅ");
  f.backspace();
  CHECK(f.text() == "감");  // the committed syllable is now deleted whole
  f.backspace();
  CHECK(f.text() == "");
}

TEST_CASE("compound vowels and finals form and come apart jamo by jamo", "[kiosk][hangul]") {
  TextField f(40);
  type_all(f, "ㅇㅗㅏ");
  CHECK(f.text() == "와");
  f.backspace();
  CHECK(f.text() == "오");
  f.clear();
  type_all(f, "ㄷㅏㄹㄱ");
  CHECK(f.text() == "닭");
  f.backspace();
  CHECK(f.text() == "달");
  f.clear();
  // A compound final splits when a vowel follows: 닭 + ㅇ... vs 달 + 기
  type_all(f, "ㄷㅏㄹㄱㅣ");
  CHECK(f.text() == "달기");
  f.clear();
  type_all(f, "ㅇㅢㅅㅏ");
  CHECK(f.text() == "의사");
}

TEST_CASE("consonants that cannot end a syllable start a new one", "[kiosk][hangul]") {
  TextField f(40);
  type_all(f, "ㅇㅏㄸㅏ");
  CHECK(f.text() == "아따");
  f.clear();
  type_all(f, "ㄱㄴ");
  CHECK(f.text() == "ㄱㄴ");
  f.clear();
  type_all(f, "ㅏㅏ");
  CHECK(f.text() == "ㅏㅏ");
}

TEST_CASE("latin letters mix with hangul and a space ends composition", "[kiosk][hangul]") {
  TextField f(40);
  type_all(f, "Min ㅈㅜㄴ");
  CHECK(f.text() == "Min 준");
  f.type(U' ');
  f.backspace();
  CHECK(f.text() == "Min 준");
  f.backspace();
  CHECK(f.text() == "Min ");
}

TEST_CASE("a full field refuses more characters", "[kiosk][hangul]") {
  TextField f(3);
  type_all(f, "abcd");
  CHECK(f.text() == "abc");
  TextField k(2);
  type_all(k, "ㄱㅏㄴㅏ");
  CHECK(k.text() == "가나");
  type_all(k, "ㅁ");
  CHECK(k.text() == "가나");  // at the cap nothing merges into the last syllable
  type_all(k, "ㅏ");
  CHECK(k.text() == "가나");  // and no third syllable starts
}

TEST_CASE("at the length cap the next jamo changes nothing", "[kiosk][hangul]") {
  // The words field: 60 characters ending in 가나다라, then ㅁ (would make 람), a compound
  // vowel (라 + ㅣ is no vowel pair, 로 + ㅏ would make 롸) and a final pair (ㄹ + ㄱ).
  TextField f(60);
  type_all(f, std::string(56, 'x'));
  type_all(f, "ㄱㅏㄴㅏㄷㅏㄹㅏ");
  REQUIRE(f.length() == 60);
  const std::string full = f.text();
  for (const char* key : {"ㅁ", "ㄱ", "ㅏ", "ㅣ", "ㅗ"}) {
    type_all(f, key);
    CHECK(f.text() == full);
    CHECK(f.length() == 60);
  }
  f.commit();
  CHECK(f.text() == full);

  TextField o(3);
  type_all(o, "abㄹㅗ");
  REQUIRE(o.text() == "ab로");
  type_all(o, "ㅏ");
  CHECK(o.text() == "ab로");  // no 롸 at the cap
  TextField d(3);
  type_all(d, "abㄷㅏㄹㄱ");
  CHECK(d.text() == "ab다");  // neither 달 nor 닭 at the cap
}

TEST_CASE("at the length cap a lone consonant may still take its vowel", "[kiosk][hangul]") {
  TextField f(3);
  type_all(f, "abㄱ");
  REQUIRE(f.text() == "abㄱ");
  type_all(f, "ㅏ");
  CHECK(f.text() == "ab가");
  type_all(f, "ㅁ");
  CHECK(f.text() == "ab가");
}
