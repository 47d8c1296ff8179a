// SPDX-License-Identifier: Apache-2.0
// The booth's campaign-wide count: one event's booth documents read from a folder and from
// moto S3, summed without the booth's own (possibly stale) document, bounded against absurd
// documents, kept in the real ledger by the worker thread; an unreachable target leaves no
// figure and stops the worker at once.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>

#include "pb/campaign_count.h"
#include "pb/tally.h"
#include "pb/tally_counts.h"
#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;
using namespace std::chrono_literals;

namespace {

std::string booth_document(const std::string& event, const std::string& booth,
                           std::int64_t pledges) {
  store::TallyCounts t;
  t.event = event;
  t.booth = booth;
  t.pledges = pledges;
  t.with_photo = pledges;
  t.answers["none"] = pledges;
  t.locales["en"] = pledges;
  t.days["2025-11-25"] = store::DayCounts{pledges, pledges, 0};
  t.newest_ms = 1764028800000LL;
  return upload::tally_document(t);
}

// Documents on a folder target under <root>/campaign/<event>/_booths/.
void put_document(const std::string& root, const std::string& event, const std::string& booth,
                  const std::string& body) {
  const std::string dir = root + "/campaign/" + event + "/_booths";
  fs::create_directories(dir);
  test::write_file(dir + "/" + booth + ".json", body);
}

config::Config booth_config(const std::string& data_dir, config::UploadTarget target) {
  config::Config c = test::base_config(data_dir);
  c.event.id = "campus-fair";
  c.booth.id = "booth-1";
  c.upload.targets = {std::move(target)};
  return c;
}

config::UploadTarget folder_target(const std::string& path) {
  config::UploadTarget t;
  t.name = "shared";
  t.kind = "file";
  t.prefix = "campaign";
  t.settings["path"] = path;
  return t;
}

std::optional<store::CampaignCount> kept_count(const std::string& data_dir) {
  auto ledger = store::Ledger::open(data_dir);
  REQUIRE(ledger);
  auto c = (*ledger)->campaign_count("campus-fair");
  REQUIRE(c);
  return *c;
}

}  // namespace

TEST_CASE("the campaign count sums the other booths of the event and never its own document",
          "[upload][campaign]") {
  std::vector<store::TallyCounts> docs(6);
  const std::tuple<const char*, const char*, std::int64_t> rows[] = {
      {"campus-fair", "booth-1", 99},  // this booth: counted from its own ledger instead
      {"campus-fair", "booth-2", 40},  //
      {"campus-fair", "booth-3", 2},   //
      {"campus-fair", "booth-4", 0},   // no pledge: not a booth men have pledged at
      {"seoul-launch", "booth-5", 7},  // another event
      {"campus-fair", "booth-6", store::kMaxBoothPledges + 1}};  // not believed
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].event = std::get<0>(rows[i]);
    docs[i].booth = std::get<1>(rows[i]);
    docs[i].pledges = std::get<2>(rows[i]);
  }
  const store::CampaignCount c = upload::campaign_count_of(docs, "campus-fair", "booth-1", 1234);
  CHECK(c.event == "campus-fair");
  CHECK(c.others == 42);
  CHECK(c.other_booths == 2);
  CHECK(c.fetched_ms == 1234);

  // Any number of documents at the maximum sum up without overflow, counted up to the cap.
  std::vector<store::TallyCounts> many(static_cast<std::size_t>(store::kMaxCampaignBooths) + 50);
  for (std::size_t i = 0; i < many.size(); ++i) {
    many[i].event = "campus-fair";
    many[i].booth = "b-" + std::to_string(i);
    many[i].pledges = store::kMaxBoothPledges;
  }
  const store::CampaignCount big = upload::campaign_count_of(many, "campus-fair", "booth-1", 1);
  CHECK(big.other_booths == store::kMaxCampaignBooths);
  CHECK(big.others == store::kMaxCampaignBooths * store::kMaxBoothPledges);
  // ... and such a sum is no figure the booth shows.
  CHECK_FALSE(store::campaign_count_fresh(big, "campus-fair", 1, store::campaign_max_age_ms(300)));
}

TEST_CASE("one event's booth documents are read from a folder, bounded and checked",
          "[upload][campaign]") {
  test::TempDir dir;
  const std::string root = dir / "stick";
  put_document(root, "campus-fair", "booth-2", booth_document("campus-fair", "booth-2", 40));
  put_document(root, "campus-fair", "booth-3", booth_document("campus-fair", "booth-3", 2));
  put_document(root, "campus-fair", "booth-4", "{\"schema\":1,");  // broken
  put_document(root, "campus-fair", "liar", booth_document("campus-fair", "booth-2", 40));
  put_document(root, "seoul-launch", "booth-5", booth_document("seoul-launch", "booth-5", 7));

  auto read = upload::read_event_tally(folder_target(root), "campus-fair");
  REQUIRE(read);
  REQUIRE(read->documents.size() == 2);
  CHECK(read->documents[0].booth == "booth-2");
  CHECK(read->documents[1].booth == "booth-3");
  CHECK(read->skipped.size() == 2);  // the broken one and the one named for another booth

  // At most N documents are read; the rest are named as one skipped entry.
  auto bounded = upload::read_event_tally(folder_target(root), "campus-fair", 4, 1);
  REQUIRE(bounded);
  CHECK(bounded->documents.size() <= 1);
  bool named = false;
  for (const auto& [key, why] : bounded->skipped)
    named = named || why.find("no more than 1 booth documents") != std::string::npos;
  CHECK(named);

  // An event nobody has pledged at yet is empty, not an error.
  auto none = upload::read_event_tally(folder_target(root), "nobody-yet");
  REQUIRE(none);
  CHECK(none->documents.empty());
}

TEST_CASE("the campaign count worker keeps the other booths' sum in the ledger from a folder",
          "[upload][campaign]") {
  test::TempDir dir;
  const std::string root = dir / "stick";
  put_document(root, "campus-fair", "booth-1", booth_document("campus-fair", "booth-1", 3));
  put_document(root, "campus-fair", "booth-2", booth_document("campus-fair", "booth-2", 1200));
  put_document(root, "campus-fair", "booth-3", booth_document("campus-fair", "booth-3", 84));
  const config::Config c = booth_config(dir / "data", folder_target(root));
  REQUIRE(upload::campaign_count_target(c) == &c.upload.targets[0]);

  const std::int64_t before = store::now_ms();
  upload::CampaignCountWorker worker(c);
  worker.start();
  REQUIRE(test::eventually([&] { return worker.stats().reads >= 1; }, test::scaled(10s)));
  worker.stop();
  CHECK(worker.stats().failures == 0);
  auto kept = kept_count(dir / "data");
  REQUIRE(kept);
  CHECK(kept->others == 1284);
  CHECK(kept->other_booths == 2);
  CHECK(kept->fetched_ms >= before);
  CHECK(kept->fetched_ms <= store::now_ms());
}

TEST_CASE("the campaign count is off at interval 0 and without a target that can be read",
          "[upload][campaign]") {
  test::TempDir dir;
  config::Config c = booth_config(dir / "data", folder_target(dir / "stick"));
  c.upload.campaign_count_interval_s = 0;
  upload::CampaignCountWorker off(c);
  off.start();
  off.stop();
  CHECK(off.stats().reads == 0);
  CHECK(off.stats().failures == 0);

  config::UploadTarget hook;
  hook.name = "hook";
  hook.kind = "webhook";
  hook.settings["url"] = "http://127.0.0.1:9/hook";
  const config::Config webhook_only = booth_config(dir / "data", hook);
  CHECK(upload::campaign_count_target(webhook_only) == nullptr);
}

TEST_CASE("the campaign count is read from moto S3 and an unreachable target keeps no figure",
          "[upload][campaign][s3]") {
  test::MotoServer moto;
  test::TempDir dir;
  const std::string local = dir / "docs";
  put_document(local, "campus-fair", "booth-2", booth_document("campus-fair", "booth-2", 17));
  put_document(local, "campus-fair", "booth-3", booth_document("campus-fair", "booth-3", 25));
  put_document(local, "campus-fair", "booth-1", booth_document("campus-fair", "booth-1", 500));
  put_document(local, "other-day", "booth-9", booth_document("other-day", "booth-9", 1000));
  REQUIRE(moto.aws({"s3", "cp", "--recursive", "--quiet", local, "s3://pledges"}).exit_code == 0);

  ::setenv("PB_CC_KEY", moto.key_id().c_str(), 1);
  ::setenv("PB_CC_SECRET", moto.secret().c_str(), 1);
  config::UploadTarget s3;
  s3.name = "bucket";
  s3.kind = "s3";
  s3.prefix = "campaign";
  s3.settings["endpoint"] = moto.endpoint();
  s3.settings["bucket"] = "pledges";
  s3.settings["access_key_env"] = "PB_CC_KEY";
  s3.settings["secret_key_env"] = "PB_CC_SECRET";
  {
    const config::Config c = booth_config(dir / "data", s3);
    upload::CampaignCountWorker worker(c);
    worker.start();
    REQUIRE(test::eventually([&] { return worker.stats().reads >= 1; }, test::scaled(20s)));
    worker.stop();
    auto kept = kept_count(dir / "data");
    REQUIRE(kept);
    CHECK(kept->others == 42);
    CHECK(kept->other_booths == 2);
  }
  {
    // Nothing listens there: the read fails, nothing is kept, and stop() does not wait for
    // the connect timeout.
    s3.settings["endpoint"] = "http://127.0.0.1:" + std::to_string(test::free_port());
    const config::Config c = booth_config(dir / "offline", s3);
    upload::CampaignCountWorker worker(c);
    worker.start();
    REQUIRE(test::eventually([&] { return worker.stats().failures >= 1; }, test::scaled(20s)));
    const auto t0 = std::chrono::steady_clock::now();
    worker.stop();
    CHECK(std::chrono::steady_clock::now() - t0 < test::scaled(5s));
    CHECK(worker.stats().reads == 0);
    CHECK_FALSE(worker.stats().last_error.empty());
    CHECK_FALSE(kept_count(dir / "offline").has_value());
  }
}
