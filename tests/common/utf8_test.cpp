// SPDX-License-Identifier: Apache-2.0
// The one cleaner for text from outside the process: valid UTF-8 out, no controls, bounded.
#include <catch2/catch.hpp>

#include "pb/utf8.h"

TEST_CASE("printable_text drops terminal escapes and keeps the words", "[common]") {
  CHECK(pb::printable_text("\x1b[2Jall uploads done\x07") == "[2Jall uploads done");
  CHECK(pb::printable_text("line one\r\nline\ttwo") == "line one  line two");
  CHECK(pb::printable_text("\xc2\x9b"
                           "31m red") == "31m red");  // C1 CSI
  CHECK(pb::printable_text("a\u202Eb") == "ab");      // right-to-left override
}

TEST_CASE("printable_text turns malformed bytes into valid UTF-8", "[common]") {
  const std::string latin1 =
      "Fehler: Gr\xf6\xdf"
      "e";
  const std::string out = pb::printable_text(latin1);
  CHECK(out == "Fehler: Gr\uFFFD\uFFFDe");
  CHECK(pb::is_clean_text("민준 Müller"));
  CHECK_FALSE(pb::is_clean_text(latin1));
  CHECK_FALSE(pb::is_clean_text(std::string("a\0b", 3)));
}

TEST_CASE("printable_text bounds its output without splitting a character", "[common]") {
  std::string korean;
  for (int i = 0; i < 1000; ++i) korean += "가";
  const std::string out = pb::printable_text(korean, 100);
  CHECK(out.size() <= 100);
  CHECK(pb::is_clean_text(out));
  CHECK(out.substr(out.size() - 3) == "\u2026");
  const std::string huge(10'000'000, ' ');
  CHECK(pb::printable_text(huge + "x", 50).size() <= 50);
}

TEST_CASE("is_valid_utf8 refuses overlong forms surrogates and truncated sequences", "[common]") {
  CHECK(pb::is_valid_utf8(""));
  CHECK(pb::is_valid_utf8("민준 Müller \U0001F600"));
  CHECK(pb::is_valid_utf8(std::string("a\0b", 3)));    // valid, though not clean text
  CHECK_FALSE(pb::is_valid_utf8("\xC0\xAF"));          // '/' in two bytes
  CHECK_FALSE(pb::is_valid_utf8("\xE0\x80\xAF"));      // '/' in three bytes
  CHECK_FALSE(pb::is_valid_utf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
  CHECK_FALSE(pb::is_valid_utf8("\xED\xA0\x80"));      // a UTF-16 surrogate
  CHECK_FALSE(pb::is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(pb::is_valid_utf8("\xEA\xB0"));          // 가 cut short
  CHECK_FALSE(
      pb::is_valid_utf8("Gr\xf6\xdf"
                        "e"));  // Latin-1
}

TEST_CASE("an overlong form is a replacement character, never the character it hides", "[common]") {
  // "\xC0\xAF" would read as '/' to a lenient decoder: a path separator through a name check.
  CHECK(pb::decode_utf8("a\xC0\xAF"
                        "b") == U"a\uFFFD\uFFFDb");
  CHECK_FALSE(pb::is_clean_text("..\xC0\xAF"));
  CHECK(pb::printable_text("x\xE0\x80\xAFy") == "x\uFFFD\uFFFD\uFFFDy");
}
