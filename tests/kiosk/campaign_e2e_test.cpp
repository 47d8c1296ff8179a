// SPDX-License-Identifier: Apache-2.0
// The campaign-wide count on the real booth (`pledgebooth kiosk` under SDL's offscreen
// driver): read from two other booths' tally documents on a folder target, shown on ATTRACT
// and THANKS with the booth's own ledger count; a kept count shown at once after a restart
// while the target is offline, and a stale one never.
#include <catch2/catch.hpp>

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include "booth_run.h"
#include "pb/ledger.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using pb::test::TempDir;

namespace {

// A booth's tally document as upload/src/tally.cpp writes it (schema 1), counts only.
std::string tally_document(const std::string& booth, std::int64_t pledges) {
  const std::string n = std::to_string(pledges);
  return "{\"schema\":1,\"event\":\"booth-test\",\"booth\":\"" + booth + "\",\"pledges\":" + n +
         ",\"with_photo\":" + n + ",\"shared\":0,\"answers\":{\"none\":" + n +
         "},\"locales\":{\"en\":" + n + "},\"days\":{\"2025-11-25\":{\"pledges\":" + n +
         ",\"with_photo\":" + n + ",\"shared\":0}},\"newest_pledge_ms\":1764028800000}";
}

// n pledges of this booth (booth_run.h's booth-t at booth-test) in its ledger, no consent.
void own_pledges(const std::string& data_dir, int n) {
  auto ledger = pb::store::Ledger::open(data_dir);
  REQUIRE(ledger);
  for (int i = 0; i < n; ++i) {
    pb::store::PledgeInput in;
    in.event = "booth-test";
    in.booth = "booth-t";
    in.locale = "en";
    REQUIRE((*ledger)->save_pledge(in));
  }
}

void keep_count(const std::string& data_dir, std::int64_t others, std::int64_t booths,
                std::int64_t fetched_ms) {
  auto ledger = pb::store::Ledger::open(data_dir);
  REQUIRE(ledger);
  REQUIRE((*ledger)->save_campaign_count({"booth-test", others, booths, fetched_ms}));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("attract and thanks show the campaign count of two other booths on a folder target",
          "[kiosk][e2e][campaign]") {
  TempDir dir("kiosk-campaign");
  const std::string stick = dir / "stick";
  const std::string booths = stick + "/campaign/booth-test/_booths";
  fs::create_directories(booths);
  pb::test::write_file(booths + "/booth-2.json", tally_document("booth-2", 1240));
  pb::test::write_file(booths + "/booth-3.json", tally_document("booth-3", 2));
  // This booth's own document says 99: the booth counts from its ledger (3) instead.
  pb::test::write_file(booths + "/booth-t.json", tally_document("booth-t", 99));
  own_pledges(dir / "data", 3);
  const std::string upload =
      "[upload]\nenabled = true\ncampaign_count_interval_s = 60\n"
      "[[upload.targets]]\nname = \"shared\"\nkind = \"file\"\n"
      "prefix = \"campaign\"\npath = \"" +
      stick + "\"\n";
  pb::test::RunningBooth booth(dir.path(), pb::test::booth_config(dir / "data", 1, upload), R"(
expect attract 20
campaign 20
shot attract-campaign
tap attract:start
expect pledge
tap pledge:agree
expect details
tap details:next
expect photo-choice
tap photo-choice:take
expect review 20
tap review:no-photo
tap no-photo:confirm
expect thanks 20
campaign 10
shot thanks-campaign
)");
  const int rc = booth.process().wait(pb::test::scaled(120s));
  const std::string log = booth.log();
  INFO(log);
  REQUIRE(rc == 0);
  CHECK(contains(log, "kiosk: script finished"));
  CHECK(contains(log,
                 "upload: campaign count of booth-test read from shared: 1242 pledges at 2 "
                 "other booth(s)"));
  CHECK(contains(log,
                 "kiosk: attract counter: 1,245 men have pledged at #HeForShe Booth Test "
                 "across 3 booths"));
  CHECK(contains(log,
                 "kiosk: thanks counter: You are one of 1,246 men who have pledged at "
                 "#HeForShe Booth Test across 3 booths"));
  CHECK(booth.has_shot("attract-campaign-en.png"));
  CHECK(booth.has_shot("thanks-campaign-en.png"));
}

TEST_CASE("offline the booth shows a fresh kept campaign count at once and never a stale one",
          "[kiosk][e2e][campaign]") {
  // An S3 target where nothing listens: every read fails at once.
  ::setenv("PB_E2E_CAMPAIGN_KEY", "key", 1);
  ::setenv("PB_E2E_CAMPAIGN_SECRET", "secret", 1);
  const std::string upload =
      "[upload]\nenabled = true\ncampaign_count_interval_s = 60\n"
      "[[upload.targets]]\nname = \"bucket\"\nkind = \"s3\"\nendpoint = \"http://127.0.0.1:" +
      std::to_string(pb::test::free_port()) +
      "\"\nbucket = \"pledges\"\naccess_key_env = \"PB_E2E_CAMPAIGN_KEY\"\n"
      "secret_key_env = \"PB_E2E_CAMPAIGN_SECRET\"\n";
  const std::int64_t now = pb::store::now_ms();

  SECTION("kept a minute ago: shown while the target cannot be read") {
    TempDir dir("kiosk-campaign-kept");
    own_pledges(dir / "data", 3);
    keep_count(dir / "data", 40, 2, now - 60 * 1000);
    pb::test::RunningBooth booth(dir.path(), pb::test::booth_config(dir / "data", 1, upload),
                                 "expect attract 20\ncampaign 20\n");
    const int rc = booth.process().wait(pb::test::scaled(60s));
    const std::string log = booth.log();
    INFO(log);
    REQUIRE(rc == 0);
    CHECK(contains(log,
                   "kiosk: attract counter: 43 men have pledged at #HeForShe Booth Test "
                   "across 3 booths"));
  }

  SECTION("kept three hours ago: the booth's own count, as before any read") {
    TempDir dir("kiosk-campaign-stale");
    own_pledges(dir / "data", 3);
    keep_count(dir / "data", 40, 2, now - 3 * 3600 * 1000);
    pb::test::RunningBooth booth(dir.path(), pb::test::booth_config(dir / "data", 1, upload),
                                 "expect attract 20\nwait 600\n", "booth", false);
    // Both events: the read failed, and ATTRACT has drawn its counter from the open ledger.
    const bool seen = pb::test::eventually(
        [&] {
          const std::string log = booth.log();
          return contains(log, "upload: campaign count of booth-test not read from bucket") &&
                 contains(log, "kiosk: attract counter: ");
        },
        pb::test::scaled(30s));
    booth.process().signal(SIGTERM);
    booth.process().wait(pb::test::scaled(30s));
    const std::string log = booth.log();
    INFO(log);
    REQUIRE(seen);
    CHECK(contains(log, "kiosk: attract counter: 3 men have pledged at #HeForShe Booth Test\n"));
    CHECK_FALSE(contains(log, "across"));
  }
}
