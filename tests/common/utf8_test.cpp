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
