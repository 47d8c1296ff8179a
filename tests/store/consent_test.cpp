// SPDX-License-Identifier: Apache-2.0
// The participant's choices per use in the ledger (issue 24): each kept with the wording's
// version, the language and the time; outbox rows only for the targets a choice names; an
// older ledger migrated to exactly what its one checkbox covered.
#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "pb/ledger.h"
#include "sample_pledge.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace pb::store;

namespace {

std::unique_ptr<Ledger> open_ok(const std::string& dir) {
  auto l = Ledger::open(dir);
  INFO(l.status().message());
  REQUIRE(l.is_ok());
  return std::move(*l);
}

void exec(const std::string& data_dir, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((data_dir + "/ledger.db").c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

std::map<std::string, std::vector<std::string>> targets_by_pledge(Ledger& ledger) {
  std::map<std::string, std::vector<std::string>> out;
  const auto items = ledger.outbox_items();
  REQUIRE(items);
  for (const auto& o : *items) out[o.pledge_id].push_back(o.target);
  for (auto& [id, t] : out) std::sort(t.begin(), t.end());
  return out;
}

}  // namespace

TEST_CASE("each choice is kept with the wording version the language and the time",
          "[store][consent]") {
  pb::test::TempDir dir;
  auto ledger = open_ok(dir / "data");
  PledgeInput in = pb::test::sample_pledge("campus-fair", "ko", {});
  in.share_consent = false;
  in.wall_consent = true;
  in.link_consent = true;
  in.consent_version = 4;
  in.consent_locale = "es";  // shown in Spanish, saved from a Korean session: kept as shown
  in.created_ms = 1764059400123;
  in.consent_ms = 1764059398000;
  const Pledge saved = ledger->save_pledge(in).value();
  const Pledge back = ledger->get_pledge(saved.id).value().value();
  CHECK_FALSE(back.share_consent);
  CHECK(back.wall_consent);
  CHECK(back.link_consent);
  CHECK(back.consent_version == 4);
  CHECK(back.consent_locale == "es");
  CHECK(back.consent_ms == 1764059398000);
  // Without a time or language of its own, the choice was made in the pledge's, when saved.
  PledgeInput plain = pb::test::sample_pledge("campus-fair", "ko", {});
  plain.consent_version = 1;
  plain.created_ms = 1764059500000;
  const Pledge p2 = ledger->save_pledge(plain).value();
  CHECK(p2.consent_locale == "ko");
  CHECK(p2.consent_ms == 1764059500000);
  CHECK(ledger->get_pledge(p2.id).value()->consent_ms == 1764059500000);
  // No choices shown (a pledge without a photo): none recorded.
  PledgeInput none = pb::test::sample_pledge("campus-fair", "ko", {});
  none.share_consent = false;
  const Pledge p3 = ledger->save_pledge(none).value();
  CHECK(p3.consent_locale.empty());
  CHECK(p3.consent_ms == 0);
  // The CSV carries every choice.
  REQUIRE(ledger->export_csv(dir / "out.csv").is_ok());
  const std::string csv = pb::test::read_file(dir / "out.csv");
  CHECK(csv.find(",wall_consent,link_consent,consent_locale,consent_utc\r\n") != std::string::npos);
  CHECK(csv.find(",yes,yes,es,2025-11-25T08:29:58.000Z\r\n") != std::string::npos);
}

TEST_CASE("a pledge is queued only for the targets its choices name", "[store][consent]") {
  pb::test::TempDir dir;
  auto ledger = open_ok(dir / "data");
  PledgeInput nothing = pb::test::sample_pledge("campus-fair", "en", {"archive", "public"});
  nothing.share_consent = false;
  const std::string none_id = ledger->save_pledge(nothing).value().id;
  PledgeInput wall = nothing;
  wall.wall_consent = true;  // the wall reads the ledger: nothing to upload
  const std::string wall_id = ledger->save_pledge(wall).value().id;
  CHECK(targets_by_pledge(*ledger).empty());

  // Targets added to the config later: (a) goes to every target but the public one, (c)
  // only to the public one.
  PledgeInput campaign = pb::test::sample_pledge("campus-fair", "en", {});
  const std::string campaign_id = ledger->save_pledge(campaign).value().id;
  PledgeInput link = pb::test::sample_pledge("campus-fair", "en", {});
  link.share_consent = false;
  link.link_consent = true;
  const std::string link_id = ledger->save_pledge(link).value().id;
  PledgeInput both = link;
  both.share_consent = true;
  const std::string both_id = ledger->save_pledge(both).value().id;
  CHECK(ledger->ensure_outbox({"archive", "public"}, "public").value() == 4);
  auto rows = targets_by_pledge(*ledger);
  CHECK(rows.count(none_id) == 0);
  CHECK(rows.count(wall_id) == 0);
  CHECK(rows[campaign_id] == std::vector<std::string>{"archive"});
  CHECK(rows[link_id] == std::vector<std::string>{"public"});
  CHECK(rows[both_id] == std::vector<std::string>{"archive", "public"});
}

TEST_CASE("an older ledger keeps exactly what its one checkbox covered", "[store][consent]") {
  pb::test::TempDir dir;
  const std::string data = dir / "data";
  std::string ticked, unticked, no_photo;
  {
    auto ledger = open_ok(data);
    PledgeInput in = pb::test::sample_pledge("campus-fair", "ko", {"archive"});
    in.consent_version = 2;
    in.created_ms = 1764059400123;
    in.wall_consent = true;  // cleared below: v5 had no such column
    ticked = ledger->save_pledge(in).value().id;
    in.share_consent = false;
    in.created_ms = 1764059401000;
    unticked = ledger->save_pledge(in).value().id;
    in.consent_version = 0;
    in.locale = "en";
    no_photo = ledger->save_pledge(in).value().id;
  }
  // Back to schema v5, as a booth of the previous release left it.
  exec(data,
       "ALTER TABLE pledges DROP COLUMN wall_consent; ALTER TABLE pledges DROP COLUMN "
       "link_consent; ALTER TABLE pledges DROP COLUMN consent_locale; ALTER TABLE pledges DROP "
       "COLUMN consent_ms; PRAGMA user_version = 5;");
  {
    // Read-only (an older booth's card): not migrated, read as the migration would make it.
    auto card = Ledger::open(data, Access::kReadOnly);
    REQUIRE(card);
    CHECK((*card)->schema_version() == 5);
    const Pledge a = (*card)->get_pledge(ticked).value().value();
    CHECK(a.share_consent);
    CHECK_FALSE(a.wall_consent);
    CHECK_FALSE(a.link_consent);
    CHECK(a.consent_locale == "ko");
    CHECK(a.consent_ms == 1764059400123);
    CHECK((*card)->list_pledges().value().size() == 3);
  }
  auto ledger = open_ok(data);
  CHECK(ledger->schema_version() == 6);
  const Pledge a = ledger->get_pledge(ticked).value().value();
  CHECK(a.share_consent);       // "Share my photo with {organiser}": campaign use, as ticked
  CHECK_FALSE(a.wall_consent);  // never said: not on the wall
  CHECK_FALSE(a.link_consent);  // nor at a public link
  CHECK(a.consent_version == 2);
  CHECK(a.consent_locale == "ko");
  CHECK(a.consent_ms == 1764059400123);
  const Pledge b = ledger->get_pledge(unticked).value().value();
  CHECK_FALSE(b.share_consent);
  CHECK_FALSE(b.wall_consent);
  CHECK_FALSE(b.link_consent);
  CHECK(b.consent_ms == 1764059401000);
  const Pledge c = ledger->get_pledge(no_photo).value().value();
  CHECK(c.consent_locale.empty());  // no wording was shown
  CHECK(c.consent_ms == 0);
  // Its outbox rows of (a) stay; a target added now queues (a) pledges, never the public one.
  CHECK(ledger->ensure_outbox({"archive", "public"}, "public").value() == 0);
  CHECK(targets_by_pledge(*ledger)[ticked] == std::vector<std::string>{"archive"});
}
