// SPDX-License-Identifier: Apache-2.0
// The campaign-wide count: kept in the ledger across restarts, and shown only when fresh,
// of this event, from two booths or more, with numbers that make sense.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "pb/ledger.h"
#include "pb/tally_counts.h"
#include "test_support.h"

using namespace pb::store;

namespace {

constexpr std::int64_t kNow = 1764028800000LL;  // 2025-11-25 00:00 UTC
constexpr std::int64_t kMinute = 60 * 1000;

CampaignCount kept(std::int64_t others, std::int64_t booths, std::int64_t fetched_ms = kNow,
                   const std::string& event = "campus-fair") {
  return CampaignCount{event, others, booths, fetched_ms};
}

}  // namespace

TEST_CASE("the campaign count kept in the ledger survives a restart and is kept per event",
          "[store][campaign]") {
  pb::test::TempDir dir;
  {
    auto ledger = std::move(*Ledger::open(dir.path()));
    CHECK(ledger->schema_version() >= 4);
    auto none = ledger->campaign_count("campus-fair");
    REQUIRE(none);
    CHECK_FALSE(none->has_value());
    REQUIRE(ledger->save_campaign_count(kept(120, 3, kNow - kMinute)));
    REQUIRE(ledger->save_campaign_count(kept(7, 1, kNow, "seoul-launch")));
    // A newer read replaces the older one of its event.
    REQUIRE(ledger->save_campaign_count(kept(1284, 5, kNow)));
  }
  auto ledger = std::move(*Ledger::open(dir.path()));
  auto c = ledger->campaign_count("campus-fair");
  REQUIRE(c);
  REQUIRE(c->has_value());
  CHECK((*c)->event == "campus-fair");
  CHECK((*c)->others == 1284);
  CHECK((*c)->other_booths == 5);
  CHECK((*c)->fetched_ms == kNow);
  auto other = ledger->campaign_count("seoul-launch");
  REQUIRE(other);
  REQUIRE(other->has_value());
  CHECK((*other)->others == 7);

  // A read-only ledger reads it and refuses to write it.
  auto ro = std::move(*Ledger::open(dir.path(), Access::kReadOnly));
  REQUIRE(ro->campaign_count("campus-fair"));
  CHECK(ro->save_campaign_count(kept(1, 1)).code() == pb::Status::Code::kReadOnly);
}

TEST_CASE("a campaign count row with negative numbers is not used", "[store][campaign]") {
  pb::test::TempDir dir;
  { REQUIRE(Ledger::open(dir.path())); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "ledger.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "INSERT INTO campaign_counts VALUES('campus-fair', -5, 2, 1764028800000)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto ledger = std::move(*Ledger::open(dir.path()));
  auto c = ledger->campaign_count("campus-fair");
  REQUIRE(c);
  CHECK_FALSE(c->has_value());
}

TEST_CASE("a kept campaign count is fresh only for its event within its age and in bounds",
          "[store][campaign]") {
  const std::int64_t max_age = campaign_max_age_ms(300);
  CHECK(max_age == 15 * kMinute);                        // 3 × 5 min
  CHECK(campaign_max_age_ms(3600) == 3 * 60 * kMinute);  // 3 × 1 h
  CHECK(campaign_max_age_ms(10) == 15 * kMinute);        // never below 15 min

  CHECK(campaign_count_fresh(kept(100, 3), "campus-fair", kNow, max_age));
  CHECK(campaign_count_fresh(kept(100, 3, kNow - max_age), "campus-fair", kNow, max_age));
  CHECK_FALSE(campaign_count_fresh(kept(100, 3, kNow - max_age - 1), "campus-fair", kNow, max_age));
  CHECK_FALSE(campaign_count_fresh(kept(100, 3), "seoul-launch", kNow, max_age));
  // Read "in the future": the clock has gone back since; a minute of slack.
  CHECK(campaign_count_fresh(kept(100, 3, kNow + kMinute), "campus-fair", kNow, max_age));
  CHECK_FALSE(campaign_count_fresh(kept(100, 3, kNow + 2 * kMinute), "campus-fair", kNow, max_age));
  // Numbers that cannot be: negative, fewer pledges than booths, beyond the maxima.
  CHECK_FALSE(campaign_count_fresh(kept(-1, 1), "campus-fair", kNow, max_age));
  CHECK_FALSE(campaign_count_fresh(kept(2, 3), "campus-fair", kNow, max_age));
  CHECK_FALSE(campaign_count_fresh(kept(kMaxCampaignPledges + 1, 3), "campus-fair", kNow, max_age));
  CHECK_FALSE(
      campaign_count_fresh(kept(5000, kMaxCampaignBooths + 1), "campus-fair", kNow, max_age));
  CHECK(campaign_count_fresh(kept(kMaxCampaignPledges, kMaxCampaignBooths), "campus-fair", kNow,
                             max_age));
}

TEST_CASE("the campaign figure adds the booth's own ledger count and needs two booths",
          "[store][campaign]") {
  auto f = campaign_figure(kept(1130, 5), 154);
  REQUIRE(f);
  CHECK(f->pledges == 1284);
  CHECK(f->booths == 6);
  // This booth with no pledge yet is not one of the booths men have pledged at.
  f = campaign_figure(kept(40, 2), 0);
  REQUIRE(f);
  CHECK(f->pledges == 40);
  CHECK(f->booths == 2);
  // One booth in all: the booth's own count (or the other's alone) says it.
  CHECK_FALSE(campaign_figure(kept(40, 1), 0));
  CHECK_FALSE(campaign_figure(kept(0, 0), 12));
  f = campaign_figure(kept(1, 1), 1);
  REQUIRE(f);
  CHECK(f->pledges == 2);
  CHECK(f->booths == 2);
  // An own count out of bounds is no figure; the largest sum cannot overflow.
  CHECK_FALSE(campaign_figure(kept(40, 2), -1));
  CHECK_FALSE(campaign_figure(kept(40, 2), kMaxBoothPledges + 1));
  f = campaign_figure(kept(kMaxCampaignPledges, kMaxCampaignBooths), kMaxBoothPledges);
  REQUIRE(f);
  CHECK(f->pledges == kMaxCampaignPledges + kMaxBoothPledges);
}
