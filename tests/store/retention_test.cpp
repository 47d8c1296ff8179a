// SPDX-License-Identifier: Apache-2.0
// Retention ([event] keep_months) against the real SQLite ledger, with time moved through
// the ledger's Clock (pb/clock.h): no faketime. And pledge references read back.
#include <catch2/catch.hpp>

#include <filesystem>

#include "pb/clock.h"
#include "pb/ledger.h"
#include "pb/retention.h"
#include "pb/tally_counts.h"
#include "sample_pledge.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace pb::store;

namespace {

constexpr std::int64_t kDay = 24 * 3600 * 1000LL;
constexpr std::int64_t kT0 = 1764059400123;  // 2025-11-25T08:30:00.123Z
const IsPick kPicks = [](const std::string& a) { return a == "For my sister"; };

std::unique_ptr<Ledger> open(const std::string& dir, const Clock& clock) {
  auto l = Ledger::open(dir);
  INFO(l.status().message());
  REQUIRE(l.is_ok());
  (*l)->set_clock(clock);
  return std::move(*l);
}

Pledge save(Ledger& ledger, const std::string& name, const std::string& answer, bool photo) {
  PledgeInput in = pb::test::sample_pledge("campus-fair", "en", {"usb"});
  in.first_name = name;
  in.answer = answer;
  if (photo) in.photo_jpeg = pb::test::sample_photo(4096, 3);
  auto saved = ledger.save_pledge(in);
  INFO(saved.status().message());
  REQUIRE(saved.is_ok());
  return *saved;
}

}  // namespace

TEST_CASE("the retention cutoff counts calendar months back in UTC", "[store][retention]") {
  CHECK(utc_timestamp(retention_cutoff_ms(kT0, 12)) == "2024-11-25T08:30:00.123Z");
  CHECK(utc_timestamp(retention_cutoff_ms(kT0, 1)) == "2025-10-25T08:30:00.123Z");
  CHECK(utc_timestamp(retention_cutoff_ms(kT0, 13)) == "2024-10-25T08:30:00.123Z");
  CHECK(retention_cutoff_ms(kT0, 0) == 0);  // keep_months = 0: nothing expires
}

TEST_CASE("saves take their time from the ledger's clock", "[store][retention]") {
  pb::test::TempDir dir;
  ManualClock clock(kT0);
  auto ledger = open(dir / "data", clock);
  const Pledge p = save(*ledger, "Ana", "", true);
  CHECK(p.created_ms == kT0);
  CHECK(p.photo_path == "photos/campus-fair/2025-11-25/" + p.id + ".jpg");
  clock.advance(3 * kDay);
  CHECK(save(*ledger, "", "", false).created_ms == kT0 + 3 * kDay);
}

TEST_CASE("past keep_months a pledge loses photo, name and own words but still counts",
          "[store][retention]") {
  pb::test::TempDir dir;
  ManualClock clock(kT0);
  auto ledger = open(dir / "data", clock);
  const Pledge old_words = save(*ledger, "Ana", "Because my mother", true);
  const Pledge old_pick = save(*ledger, "Ben", "For my sister", true);
  // Ana's upload was delivered, Ben's waits still.
  auto rows = ledger->outbox_for(old_words.id);
  REQUIRE(rows.is_ok());
  REQUIRE(rows->size() == 1);
  REQUIRE(ledger->mark_done(rows->front().id, "campus-fair/x.jpg").is_ok());
  clock.advance(200 * kDay);
  const Pledge young = save(*ledger, "Chi", "Because", true);
  const std::string old_photo = ledger->photo_file(old_words);
  REQUIRE(fs::exists(old_photo));

  // Not yet: three days short of a year after the first saves.
  clock.set(kT0 + 362 * kDay);
  auto plan = retention_plan(*ledger, 12, kPicks, false);
  REQUIRE(plan.is_ok());
  CHECK(plan->empty());
  // A week before: Ben's undelivered pledge is warned about, Ana's delivered one is not.
  auto soon = undelivered_expiring_soon(*ledger, 12);
  REQUIRE(soon.is_ok());
  CHECK(*soon == 1);
  clock.set(kT0 + 300 * kDay);
  CHECK(*undelivered_expiring_soon(*ledger, 12) == 0);

  // A year and a day later.
  clock.set(kT0 + 366 * kDay);
  plan = retention_plan(*ledger, 12, kPicks, false);
  REQUIRE(plan.is_ok());
  REQUIRE(plan->size() == 2);
  CHECK(plan->at(0).pledge.id == old_words.id);
  CHECK(plan->at(0).words);
  CHECK(plan->at(0).delivered == 1);
  CHECK(plan->at(1).pledge.id == old_pick.id);
  CHECK_FALSE(plan->at(1).words);  // a quick pick is no personal text
  CHECK(plan->at(1).undelivered == 1);
  CHECK(describe(plan->at(1)) == "photo and name; 1 upload never sent");

  auto done = enforce_retention(*ledger, 12, kPicks);
  INFO(done.status().message());
  REQUIRE(done.is_ok());
  CHECK(*done == 2);
  CHECK_FALSE(fs::exists(old_photo));
  auto a = ledger->get_pledge(old_words.id);
  REQUIRE(a.is_ok());
  REQUIRE(a->has_value());
  CHECK((*a)->first_name.empty());
  CHECK((*a)->answer.empty());
  CHECK((*a)->photo_path.empty());
  auto b = ledger->get_pledge(old_pick.id);
  REQUIRE(b.is_ok());
  REQUIRE(b->has_value());
  CHECK((*b)->answer == "For my sister");
  CHECK((*b)->first_name.empty());
  // Ben's upload will never be sent; Ana's delivered copy stays recorded for purge.
  CHECK(ledger->outbox_for(old_pick.id)->empty());
  REQUIRE(ledger->outbox_for(old_words.id)->size() == 1);
  // The young pledge keeps everything.
  auto c = ledger->get_pledge(young.id);
  CHECK((*c)->first_name == "Chi");
  CHECK(fs::exists(ledger->photo_file(young)));
  // Counts stay; photos and own words do not.
  CHECK(*ledger->count_pledges("campus-fair") == 3);
  auto stats = ledger->event_stats();
  REQUIRE(stats.is_ok());
  REQUIRE(stats->size() == 1);
  CHECK(stats->front().photos == 1);
  auto tally = tally_counts(*ledger, {{"For my sister", "sister"}});
  REQUIRE(tally.is_ok());
  REQUIRE(tally->size() == 1);
  CHECK(tally->front().answers["sister"] == 1);
  CHECK(tally->front().answers["other"] == 1);  // Chi's own words
  CHECK(tally->front().answers["none"] == 1);   // Ana's, gone

  // A second run has nothing left to do; purge's view still sees Ana's remote copy.
  CHECK(*enforce_retention(*ledger, 12, kPicks) == 0);
  plan = retention_plan(*ledger, 12, kPicks, true);
  REQUIRE(plan->size() == 1);
  CHECK(plan->front().pledge.id == old_words.id);
  CHECK(describe(plan->front()) == "1 remote copy");
  REQUIRE(ledger->expire_pledge(old_words.id, true, true).is_ok());
  CHECK(retention_plan(*ledger, 12, kPicks, true)->empty());
}

TEST_CASE("an expiry survives reopening: the photo is gone and recovery keeps nothing",
          "[store][retention]") {
  pb::test::TempDir dir;
  ManualClock clock(kT0);
  std::string id, photo;
  {
    auto ledger = open(dir / "data", clock);
    const Pledge p = save(*ledger, "Ana", "", true);
    id = p.id;
    photo = ledger->photo_file(p);
    clock.advance(400 * kDay);
    REQUIRE(*enforce_retention(*ledger, 12, kPicks) == 1);
  }
  auto ledger = open(dir / "data", clock);
  CHECK(ledger->recovery().orphans_recovered.empty());
  CHECK(ledger->recovery().missing_photos.empty());
  CHECK_FALSE(fs::exists(photo));
  CHECK((*ledger->get_pledge(id))->photo_path.empty());
}

TEST_CASE("a pledge reference finds its pledge, in any case and with or without the dash",
          "[store][retention]") {
  pb::test::TempDir dir;
  ManualClock clock(kT0);
  auto ledger = open(dir / "data", clock);
  const Pledge p = save(*ledger, "Ana", "", false);
  save(*ledger, "Ben", "", false);
  const std::string ref = pledge_reference(p.id);
  REQUIRE(ref.size() == 9);
  CHECK(ref[4] == '-');
  for (const std::string& typed :
       {ref, ref.substr(0, 4) + ref.substr(5), reference_digits(ref), " " + ref + " "}) {
    INFO(typed);
    auto found = ledger->find_by_reference(typed);
    REQUIRE(found.is_ok());
    REQUIRE(found->size() == 1);
    CHECK(found->front().id == p.id);
  }
  CHECK(ledger->find_by_reference("0000-0000")->empty());
  for (const char* bad : {"", "7F3A", "7F3A-9C21-00", "7F3A-9C2G", "%%%%-%%%%"})
    CHECK(ledger->find_by_reference(bad).status().code() == pb::Status::Code::kInvalid);
}
