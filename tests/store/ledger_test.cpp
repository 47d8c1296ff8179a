// SPDX-License-Identifier: Apache-2.0
// The ledger's contract: durable saves, ids, migrations, recovery, the outbox and exports.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "pb/ledger.h"
#include "sample_pledge.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace pb::store;

namespace {

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 31);
  return v;
}

PledgeInput pledge(bool photo = true, bool consent = true) {
  PledgeInput in = pb::test::sample_pledge("campus-fair", "ko", {"usb", "s3"});
  in.first_name = "민준";
  in.answer = "for my daughter";
  in.share_consent = consent;
  in.consent_version = 3;
  if (photo) in.photo_jpeg = bytes(4096, 7);
  return in;
}

std::unique_ptr<Ledger> open(const std::string& dir) {
  auto l = Ledger::open(dir);
  INFO(l.status().message());
  REQUIRE(l.is_ok());
  return std::move(*l);
}

}  // namespace

TEST_CASE("a saved pledge reads back with its photo checksum and outbox rows", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir / "data");
  auto in = pledge();
  in.created_ms = 1764059400123;  // 2025-11-25T08:30:00.123Z
  auto saved = ledger->save_pledge(in);
  REQUIRE(saved.is_ok());
  CHECK(saved->photo_path == "photos/campus-fair/2025-11-25/" + saved->id + ".jpg");
  CHECK(saved->created_utc == "2025-11-25T08:30:00.123Z");
  CHECK(saved->photo_sha256 == sha256_hex(in.photo_jpeg.data(), in.photo_jpeg.size()));
  CHECK(pb::test::read_file(ledger->photo_file(*saved)) ==
        std::string(in.photo_jpeg.begin(), in.photo_jpeg.end()));

  auto got = ledger->get_pledge(saved->id);
  REQUIRE(got.is_ok());
  REQUIRE(got->has_value());
  const Pledge& p = **got;
  CHECK(p.first_name == "민준");
  CHECK(p.share_consent);
  CHECK(p.consent_version == 3);
  CHECK(p.photo_size == 4096);
  auto outbox = ledger->outbox_for(p.id);
  REQUIRE(outbox.is_ok());
  REQUIRE(outbox->size() == 2);
  CHECK((*outbox)[0].target == "usb");
  CHECK((*outbox)[0].state == OutboxState::kPending);
}

TEST_CASE("a pledge without share consent gets no outbox rows", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  auto saved = ledger->save_pledge(pledge(true, false));
  REQUIRE(saved.is_ok());
  CHECK(ledger->outbox_for(saved->id)->empty());
  CHECK(ledger->queue_counts()->pending == 0);
}

TEST_CASE("a pledge without a photo has no photo file", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  auto saved = ledger->save_pledge(pledge(false, false));
  REQUIRE(saved.is_ok());
  CHECK(saved->photo_path.empty());
  CHECK(ledger->photo_file(*saved).empty());
  CHECK_FALSE(fs::exists(dir / "photos"));
}

TEST_CASE("the data directory is private to the booth user", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir / "data");
  struct stat st {};
  REQUIRE(stat((dir / "data").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("uuid v7 ids are time ordered and unique", "[store]") {
  std::set<std::string> seen;
  std::string prev;
  for (int i = 0; i < 5000; ++i) {
    std::string id = new_uuid_v7(1764059400000 + i / 100);  // 100 ids per millisecond
    REQUIRE(id.size() == 36);
    CHECK(id[14] == '7');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    CHECK(id > prev);
    prev = id;
    seen.insert(id);
  }
  CHECK(seen.size() == 5000);
}

TEST_CASE("the schema is migrated once and reopening keeps the data", "[store]") {
  pb::test::TempDir dir;
  std::string id;
  {
    auto ledger = open(dir.path());
    CHECK(ledger->schema_version() >= 1);
    id = ledger->save_pledge(pledge())->id;
  }
  auto again = open(dir.path());
  CHECK(again->get_pledge(id)->has_value());
  CHECK(again->count_pledges("campus-fair").value() == 1);
}

TEST_CASE("start-up recovery removes temp files and moves orphan photos aside", "[store]") {
  pb::test::TempDir dir;
  std::string kept_id;
  {
    auto ledger = open(dir.path());
    auto saved = ledger->save_pledge(pledge());
    kept_id = saved->id;
    // A crash mid-save leaves a temp file; one after rename but before commit leaves an orphan.
    std::string day = dir.path() + "/photos/campus-fair/" + utc_date(saved->created_ms);
    pb::test::write_file(day + "/.0199-unfinished.jpg.tmp", "partial");
    pb::test::write_file(day + "/0199aaaa-orphan.jpg", "orphan photo");
    // And a pledge whose photo vanished (someone deleted it by hand).
    auto lost = ledger->save_pledge(pledge());
    fs::remove(ledger->photo_file(*lost));
  }
  auto ledger = open(dir.path());
  const auto& rec = ledger->recovery();
  CHECK(rec.temp_files_removed == 1);
  REQUIRE(rec.orphans_recovered.size() == 1);
  CHECK(pb::test::read_file(rec.orphans_recovered[0]) == "orphan photo");
  CHECK(rec.orphans_recovered[0].find("/recovered/campus-fair/") != std::string::npos);
  CHECK(rec.missing_photos.size() == 1);
  CHECK(ledger->get_pledge(kept_id)->has_value());
}

TEST_CASE("recovery waits while another ledger has the data dir open", "[store]") {
  pb::test::TempDir dir;
  auto first = open(dir.path());
  auto saved = first->save_pledge(pledge());
  std::string day = dir.path() + "/photos/campus-fair/" + utc_date(saved->created_ms);
  // Looks like an in-flight save of the first ledger: a second open must not touch it.
  pb::test::write_file(day + "/.in-flight.jpg.tmp", "being written");
  auto second = open(dir.path());
  CHECK(second->recovery().temp_files_removed == 0);
  CHECK(fs::exists(day + "/.in-flight.jpg.tmp"));
}

TEST_CASE("the outbox moves through retry done and failed states", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  auto a = ledger->save_pledge(pledge())->id;
  auto due = ledger->due_outbox(now_ms(), 10);
  REQUIRE(due->size() == 2);
  const std::int64_t later = now_ms() + 60000;
  REQUIRE(ledger->mark_retry((*due)[0].id, later, "HTTP 503 Service Unavailable").is_ok());
  REQUIRE(ledger->mark_failed((*due)[1].id, "HTTP 403: SignatureDoesNotMatch").is_ok());
  CHECK(ledger->due_outbox(now_ms(), 10)->empty());
  CHECK(ledger->next_due_ms()->value() == later);
  auto q = ledger->queue_counts();
  CHECK(q->pending == 1);
  CHECK(q->failed == 1);
  auto failed = ledger->outbox_items(OutboxState::kFailed);
  REQUIRE(failed->size() == 1);
  CHECK((*failed)[0].last_error == "HTTP 403: SignatureDoesNotMatch");
  CHECK((*failed)[0].attempts == 1);
  CHECK(ledger->requeue_failed().value() == 1);
  auto due2 = ledger->due_outbox(now_ms(), 10);
  REQUIRE(due2->size() == 1);
  REQUIRE(ledger->mark_done((*due2)[0].id, "pledges/campus-fair/x.jpg").is_ok());
  CHECK(ledger->queue_counts()->done == 1);
  CHECK(ledger->outbox_for(a)->at(1).remote_key == "pledges/campus-fair/x.jpg");
  CHECK(ledger->mark_done(999999, "k").code() == pb::Status::Code::kNotFound);
}

TEST_CASE("a target added later gets rows for every consented pledge", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  REQUIRE(ledger->save_pledge(pledge(true, true)));
  REQUIRE(ledger->save_pledge(pledge(true, false)));
  CHECK(ledger->ensure_outbox({"usb", "webdav"}).value() == 1);
  CHECK(ledger->ensure_outbox({"usb", "webdav"}).value() == 0);
  CHECK(ledger->queue_counts()->pending == 3);
}

TEST_CASE("the queue is counted per target and targets left out of the config are named",
          "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  for (int i = 0; i < 3; ++i) REQUIRE(ledger->save_pledge(pledge()));  // rows for usb and s3
  auto s3 = ledger->outbox_items();
  std::vector<std::int64_t> s3_rows;
  for (const auto& o : *s3)
    if (o.target == "s3") s3_rows.push_back(o.id);
  REQUIRE(s3_rows.size() == 3);
  REQUIRE(ledger->mark_done(s3_rows[0], "k").is_ok());
  REQUIRE(ledger->mark_failed(s3_rows[1], "HTTP 403").is_ok());
  auto per = ledger->queue_by_target();
  REQUIRE(per->size() == 2);
  CHECK((*per)[0].target == "s3");
  CHECK((*per)[0].pending == 1);
  CHECK((*per)[0].done == 1);
  CHECK((*per)[0].failed == 1);
  CHECK((*per)[1].target == "usb");
  CHECK((*per)[1].pending == 3);
  CHECK(ledger->unconfigured_targets({"usb", "s3"})->empty());
  auto left_out = ledger->unconfigured_targets({"usb", "webdav"});
  REQUIRE(left_out->size() == 1);
  CHECK((*left_out)[0].target == "s3");
  CHECK((*left_out)[0].pending == 1);
  CHECK((*left_out)[0].failed == 1);
  // Only delivered rows left: nothing waits for that target.
  REQUIRE(ledger->forget_target("s3").value() == 2);
  CHECK(ledger->unconfigured_targets({"usb"})->empty());
}

TEST_CASE("forgetting a target drops only its undelivered rows and keeps pledges and photos",
          "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  std::vector<Pledge> saved;
  for (int i = 0; i < 3; ++i) saved.push_back(*ledger->save_pledge(pledge()));
  std::int64_t done_row = 0, failed_row = 0;
  auto rows = ledger->outbox_items();
  for (const auto& o : *rows) {
    if (o.target != "s3") continue;
    if (o.pledge_id == saved[0].id) done_row = o.id;
    if (o.pledge_id == saved[1].id) failed_row = o.id;
  }
  REQUIRE(ledger->mark_done(done_row, "pledges/a.jpg").is_ok());
  REQUIRE(ledger->mark_failed(failed_row, "HTTP 403").is_ok());

  CHECK(ledger->forget_target("s3").value() == 2);  // one pending, one failed
  CHECK(ledger->forget_target("s3").value() == 0);
  CHECK(ledger->forget_target("never-there").value() == 0);
  auto q = ledger->queue_counts();
  CHECK(q->pending == 3);  // usb's rows are untouched
  CHECK(q->failed == 0);
  CHECK(q->done == 1);  // the record that s3 holds pledge 0 stays
  CHECK(ledger->outbox_for(saved[0].id)->size() == 2);
  CHECK(ledger->outbox_for(saved[1].id)->size() == 1);
  for (const auto& p : saved) {
    CHECK(ledger->get_pledge(p.id)->has_value());
    CHECK(fs::exists(ledger->photo_file(p)));
  }
  // Put back in the config later: only what was never delivered is queued again.
  CHECK(ledger->ensure_outbox({"usb", "s3"}).value() == 2);
}

TEST_CASE("deleting a pledge removes its row photo and outbox rows", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  auto saved = ledger->save_pledge(pledge());
  std::string photo = ledger->photo_file(*saved);
  REQUIRE(fs::exists(photo));
  REQUIRE(ledger->delete_pledge(saved->id).is_ok());
  CHECK_FALSE(fs::exists(photo));
  CHECK_FALSE(ledger->get_pledge(saved->id)->has_value());
  CHECK(ledger->outbox_for(saved->id)->empty());
  CHECK(ledger->delete_pledge(saved->id).code() == pb::Status::Code::kNotFound);
}

TEST_CASE("the csv export has a BOM and quotes Korean text and commas", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir / "data");
  auto in = pledge();
  in.answer = "for my sister, and \"everyone\"";
  REQUIRE(ledger->save_pledge(in));
  auto formula = pledge(false, false);
  formula.first_name = "=HYPERLINK(\"x\")";
  REQUIRE(ledger->save_pledge(formula));
  REQUIRE(ledger->export_csv(dir / "out.csv").is_ok());
  std::string csv = pb::test::read_file(dir / "out.csv");
  CHECK(csv.rfind("\xEF\xBB\xBFid,event,booth,created_utc", 0) == 0);
  CHECK(csv.find(",민준,\"for my sister, and \"\"everyone\"\"\",yes,3,") != std::string::npos);
  CHECK(csv.find("'=HYPERLINK") != std::string::npos);  // no formula injection
  std::size_t lines = 0;
  for (char c : csv) lines += c == '\n';
  CHECK(lines == 3);
}

TEST_CASE("a bad event slug is refused before anything is written", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  auto in = pledge();
  in.event = "../../etc";
  auto r = ledger->save_pledge(in);
  CHECK(r.status().code() == pb::Status::Code::kInvalid);
  CHECK_FALSE(fs::exists(dir / "photos"));
  // The config's rule too: no dash at either end.
  for (const char* id : {"-demo", "demo-"}) {
    in.event = id;
    CHECK(ledger->save_pledge(in).status().code() == pb::Status::Code::kInvalid);
  }
}

TEST_CASE("two ledgers on one data dir save concurrently without losing a pledge", "[store]") {
  pb::test::TempDir dir;
  auto a = open(dir.path());
  auto b = open(dir.path());
  std::atomic<int> failures{0};
  auto save_many = [&](Ledger* l) {
    for (int i = 0; i < 50; ++i) failures += l->save_pledge(pledge()).is_ok() ? 0 : 1;
  };
  std::thread ta(save_many, a.get());
  std::thread tb(save_many, b.get());
  ta.join();
  tb.join();
  CHECK(failures == 0);
  CHECK(a->count_pledges("campus-fair").value() == 100);
}

TEST_CASE("ledgers opened at once on a fresh data dir all open", "[store]") {
  // A booth's saver and upload threads (or the kiosk and `pledgebooth upload`) may start
  // together on a new data dir: each must open, none may trip over the other's migration.
  for (int round = 0; round < 60; ++round) {
    pb::test::TempDir dir;
    const std::string data = dir / "data";
    std::atomic<int> failures{0};
    std::string why;
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        auto l = Ledger::open(data);
        if (!l) {
          ++failures;
          std::lock_guard<std::mutex> lock(mu);
          why = l.status().message();
        }
      });
    for (auto& t : threads) t.join();
    INFO("round " << round << ": " << why);
    REQUIRE(failures == 0);
  }
}

namespace {
void ignore_signal(int) {}
}  // namespace

TEST_CASE("a signal while waiting for the data dir lock does not leave the ledger unlocked",
          "[store]") {
  // The kiosk installs signal handlers; a signal landing while open() waits for recovery
  // elsewhere must not let it go on without its shared lock, or the next start-up would
  // treat its in-flight photos as leftovers.
  pb::test::TempDir dir;
  open(dir.path()).reset();
  int recovering = ::open((dir / "ledger.lock").c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(recovering >= 0);
  REQUIRE(flock(recovering, LOCK_EX) == 0);  // as if another ledger were recovering
  struct sigaction sa {
  }, old{};
  sa.sa_handler = ignore_signal;  // no SA_RESTART: a blocked flock() returns EINTR
  sigemptyset(&sa.sa_mask);
  REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);
  std::atomic<bool> opened{false};
  std::unique_ptr<Ledger> first;
  std::thread opener([&] {
    auto l = Ledger::open(dir.path());
    if (l) first = std::move(*l);
    opened = true;
  });
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pthread_kill(opener.native_handle(), SIGUSR1);
  }
  close(recovering);
  opener.join();
  sigaction(SIGUSR1, &old, nullptr);
  REQUIRE(first);
  // An in-flight save of `first`: a second ledger's open must not recover it away.
  fs::create_directories(dir / "photos");
  pb::test::write_file(dir / "photos/.in-flight.jpg.tmp", "being written");
  auto second = open(dir.path());
  CHECK(second->recovery().temp_files_removed == 0);
  CHECK(fs::exists(dir / "photos/.in-flight.jpg.tmp"));
}

TEST_CASE("a target named twice queues one upload and still saves the pledge", "[store]") {
  pb::test::TempDir dir;
  auto ledger = open(dir.path());
  auto in = pledge();
  in.targets = {"usb", "s3", "usb"};  // e.g. a Config built in code without validation
  auto saved = ledger->save_pledge(in);
  INFO(saved.status().message());
  REQUIRE(saved.is_ok());
  CHECK(ledger->outbox_for(saved->id)->size() == 2);
}

TEST_CASE("photos kept through a symlinked photos folder are not taken for orphans", "[store]") {
  // A volunteer points photos/ at a bigger card with a symlink; start-up recovery must still
  // match each file to its row rather than move every photo to recovered/.
  pb::test::TempDir dir;
  const std::string data = dir / "data";
  fs::create_directories(data);
  fs::create_directories(dir / "bigger-card/photos");
  fs::create_directory_symlink(dir / "bigger-card/photos", data + "/photos");
  std::string id;
  {
    auto ledger = open(data);
    id = ledger->save_pledge(pledge())->id;
  }
  auto ledger = open(data);
  CHECK(ledger->recovery().orphans_recovered.empty());
  CHECK(ledger->recovery().missing_photos.empty());
  auto p = ledger->get_pledge(id);
  REQUIRE(p->has_value());
  CHECK(fs::exists(ledger->photo_file(**p)));
}

TEST_CASE("the csv export keeps tab and carriage return led answers as text", "[store]") {
  // OWASP's CSV-injection list: a cell starting with = + - @ tab or carriage return.
  pb::test::TempDir dir;
  auto ledger = open(dir / "data");
  auto tab = pledge(false, false);
  tab.answer = "\t=1+cmd|' /C calc'!A0";
  REQUIRE(ledger->save_pledge(tab));
  auto cr = pledge(false, false);
  cr.first_name = "\r=2+2";
  REQUIRE(ledger->save_pledge(cr));
  REQUIRE(ledger->export_csv(dir / "out.csv").is_ok());
  std::string csv = pb::test::read_file(dir / "out.csv");
  CHECK(csv.find(",'\t=1+cmd") != std::string::npos);
  CHECK(csv.find(",\"'\r=2+2\",") != std::string::npos);
}
