// SPDX-License-Identifier: Apache-2.0
// Tally documents: counts of every pledge (shared or not), never a name, photo or id;
// written atomically on each target kind, a burst of pledges costing one write.
#include <catch2/catch.hpp>

#include <filesystem>

#include "engine.h"
#include "pb/tally.h"
#include "pb/tally_counts.h"
#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;

namespace {

const std::map<std::string, std::string> kPicks = {
    {"For my daughter", "daughter"}, {"딸을 위해", "daughter"}, {"For myself", "myself"}};

// Pledges with every kind of answer, some without photo or consent, over two UTC days.
std::vector<store::Pledge> mixed_pledges(store::Ledger& ledger, const std::string& booth,
                                         const std::vector<std::string>& targets) {
  std::vector<store::Pledge> out;
  const char* answers[] = {"For my daughter", "딸을 위해", "because it is right", "", "For myself"};
  for (int i = 0; i < 10; ++i) {
    store::PledgeInput in;
    in.event = i < 7 ? "heforshe-seoul" : "heforshe-busan";
    in.booth = booth;
    in.locale = i % 3 ? "en" : "ko";
    in.first_name = "Secretname" + std::to_string(i);
    in.answer = answers[i % 5];
    in.share_consent = i % 2 == 0;
    in.consent_version = 1;
    if (i % 4 != 3) in.photo_jpeg = test::fake_jpeg(3000 + static_cast<std::size_t>(i), i + 1u);
    in.targets = targets;
    in.created_ms = 1764028800000LL + (i < 4 ? 0 : 86400000LL) + i * 1000;  // 2025-11-25 / 26
    auto p = ledger.save_pledge(in);
    REQUIRE(p.is_ok());
    out.push_back(*p);
  }
  return out;
}

}  // namespace

TEST_CASE("tally counts hold every pledge of an event including those without consent",
          "[upload][tally]") {
  test::TempDir dir;
  auto ledger = std::move(*store::Ledger::open(dir / "data"));
  auto pledges = mixed_pledges(*ledger, "booth-7", {});
  auto counts = store::tally_counts(*ledger, kPicks);
  REQUIRE(counts.is_ok());
  REQUIRE(counts->size() == 2);
  const store::TallyCounts& busan = (*counts)[0];
  const store::TallyCounts& seoul = (*counts)[1];
  CHECK(busan.event == "heforshe-busan");
  CHECK(busan.pledges == 3);
  CHECK(seoul.event == "heforshe-seoul");
  CHECK(seoul.booth == "booth-7");
  CHECK(seoul.pledges == 7);
  CHECK(seoul.with_photo == 6);              // i = 3 has none
  CHECK(seoul.shared == 4);                  // i = 0 2 4 6
  CHECK(seoul.answers.at("daughter") == 4);  // i = 0 1 (ko) 5 6 (ko)
  CHECK(seoul.answers.at("other") == 1);     // i = 2: own words
  CHECK(seoul.answers.at("none") == 1);      // i = 3
  CHECK(seoul.answers.at("myself") == 1);    // i = 4
  CHECK(seoul.locales.at("ko") == 3);        // i = 0 3 6
  CHECK(seoul.locales.at("en") == 4);
  CHECK(seoul.days.at("2025-11-25").pledges == 4);
  CHECK(seoul.days.at("2025-11-26").pledges == 3);
  CHECK(seoul.days.at("2025-11-25").shared == 2);
  CHECK(seoul.newest_ms == pledges[6].created_ms);

  const std::string doc = upload::tally_document(seoul);
  for (const auto& p : pledges) {
    CHECK(doc.find(p.id) == std::string::npos);
    CHECK(doc.find(p.first_name) == std::string::npos);
    if (!p.photo_sha256.empty()) CHECK(doc.find(p.photo_sha256) == std::string::npos);
  }
  CHECK(doc.find("because it is right") == std::string::npos);  // own words: only "other"
  std::string why;
  auto back = upload::parse_tally_document(doc, &why);
  INFO(why);
  REQUIRE(back);
  CHECK(back->pledges == 7);
  CHECK(back->answers == seoul.answers);
  CHECK(back->locales == seoul.locales);
  CHECK(back->days.size() == 2);
  CHECK(back->days.at("2025-11-26").with_photo == seoul.days.at("2025-11-26").with_photo);
  CHECK(back->newest_ms == seoul.newest_ms);
  CHECK(upload::tally_key("campaign/", "heforshe-seoul", "booth-7") ==
        "campaign/heforshe-seoul/_booths/booth-7.json");
}

TEST_CASE("malformed tally documents are refused with a reason and never crash",
          "[upload][tally]") {
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[]",
      "{\"schema\":2}",
      "{\"schema\":1,\"booth\":\"b\",\"event\":\"e\",\"pledges\":-1,\"with_photo\":0,"
      "\"shared\":0,\"newest_pledge_ms\":0,\"answers\":{},\"locales\":{},\"days\":{}}",
      "{\"schema\":1,\"booth\":\"b\",\"event\":\"e\",\"pledges\":1.5,\"with_photo\":0,"
      "\"shared\":0,\"newest_pledge_ms\":0,\"answers\":{},\"locales\":{},\"days\":{}}",
      "{\"schema\":1,\"booth\":\"b\",\"event\":\"e\",\"pledges\":1,\"with_photo\":0,"
      "\"shared\":0,\"newest_pledge_ms\":0,\"answers\":{},\"locales\":{},\"days\":{\"x\":1}}",
      std::string(100000, '[') + std::string(100000, ']'),
      "{\"schema\":1,\"pad\":\"" + std::string(upload::kMaxTallyDocument, 'x') + "\"}",
  };
  for (const auto& text : bad) {
    std::string why;
    CHECK_FALSE(upload::parse_tally_document(text, &why));
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("a batch writes each event's tally document to a folder with no temp file left",
          "[upload][tally][file]") {
  test::TempDir dir;
  config::Config c = test::base_config(dir / "data");
  c.upload.targets.push_back(test::folder_target(dir / "stick"));
  c.upload.tallies = true;
  std::vector<store::Pledge> pledges;
  {
    auto ledger = std::move(*store::Ledger::open(dir / "data"));
    pledges = mixed_pledges(*ledger, "booth-7", {"stick"});
  }
  auto r = upload::upload_batch(c, dir / "data", upload::BatchOptions{});
  REQUIRE(r.is_ok());
  CHECK(r->queue_empty());
  auto seoul = upload::parse_tally_document(test::read_file(
      dir / ("stick/" + upload::tally_key("campaign", "heforshe-seoul", "booth-7"))));
  auto busan = upload::parse_tally_document(test::read_file(
      dir / ("stick/" + upload::tally_key("campaign", "heforshe-busan", "booth-7"))));
  REQUIRE(seoul);
  REQUIRE(busan);
  CHECK(seoul->pledges == 7);
  CHECK(seoul->shared == 4);
  CHECK(busan->pledges == 3);
  for (const auto& f : test::files_under(dir / "stick")) {
    CHECK(f.find(".part") == std::string::npos);
    for (const auto& p : pledges)
      if (!p.share_consent) CHECK(f.find(p.id) == std::string::npos);
  }
}

TEST_CASE("a burst of pledges costs one tally write and a new one after it another",
          "[upload][tally][file]") {
  test::TempDir dir;
  config::Config c = test::base_config(dir / "data");
  c.upload.targets.push_back(test::folder_target(dir / "stick"));
  c.upload.tallies = true;
  auto ledger = std::move(*store::Ledger::open(dir / "data"));
  CURLM* multi = curl_multi_init();
  upload::EngineOptions eo;
  eo.tally_delay_ms = 2000;
  int writes = 0;
  eo.on_tally_written = [&](const std::string& target, std::size_t docs) {
    CHECK(target == "stick");
    CHECK(docs == 1);
    ++writes;
  };
  const std::string doc_file =
      dir / ("stick/" + upload::tally_key("campaign", "heforshe-seoul", "booth-1"));
  {
    upload::Engine engine(c, *ledger, multi, eo);
    std::int64_t now = 1000000;
    for (int i = 0; i < 5; ++i) {  // five pledges, 300 ms apart (fake clock)
      test::save_pledges(*ledger, 1, {"stick"}, 2000);
      engine.kick();
      engine.fill(now);
      now += 300;
    }
    CHECK(writes == 0);  // still within the burst's settling time
    now += 2000;
    engine.fill(now);
    CHECK(writes == 1);
    auto doc = upload::parse_tally_document(test::read_file(doc_file));
    REQUIRE(doc);
    CHECK(doc->pledges == 5);
    engine.fill(now + 10000);  // nothing new: nothing written
    CHECK(writes == 1);
    test::save_pledges(*ledger, 1, {"stick"}, 2000);
    engine.kick();
    engine.fill(now + 20000);
    engine.fill(now + 23000);
    CHECK(writes == 2);
    CHECK(upload::parse_tally_document(test::read_file(doc_file))->pledges == 6);
  }
  curl_multi_cleanup(multi);
}
