// SPDX-License-Identifier: Apache-2.0
// pb/slug.h: event and booth ids and target names, as the config and the ledger check them.
#include <catch2/catch.hpp>

#include <string>

#include "pb/slug.h"

TEST_CASE("a slug is lower-case letters digits and inner dashes of at most 64", "[common]") {
  CHECK(pb::is_slug("heforshe-seoul-launch"));
  CHECK(pb::is_slug("booth-1"));
  CHECK(pb::is_slug("7"));
  CHECK(pb::is_slug(std::string(64, 'a')));
  CHECK_FALSE(pb::is_slug(std::string(65, 'a')));
  CHECK_FALSE(pb::is_slug(""));
  CHECK_FALSE(pb::is_slug("-booth"));
  CHECK_FALSE(pb::is_slug("booth-"));
  CHECK_FALSE(pb::is_slug("-"));
  CHECK_FALSE(pb::is_slug("Booth"));
  CHECK_FALSE(pb::is_slug("booth 1"));
  CHECK_FALSE(pb::is_slug("booth_1"));
  CHECK_FALSE(pb::is_slug("../x"));
  CHECK_FALSE(pb::is_slug("부스"));
}
