// SPDX-License-Identifier: Apache-2.0
// Costs that stay flat as the ledger grows: the open with its recovery reads each row and
// each file once, and a save with what the booth reads after it costs the same at 10,000
// pledges as at 10. Held as counts (sqlite page requests, read syscalls, rows, folders), not
// as times, so they hold on a busy machine. The counts the ledger keeps beside its rows
// (stats, the queue, the tally) are checked against the rows themselves.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "pb/inside_folder.h"
#include "pb/ledger.h"
#include "pb/tally_counts.h"
#include "sample_pledge.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace pb::store;

namespace {

constexpr std::int64_t kDayMs = 24 * 3600 * 1000;
constexpr std::int64_t kStartMs = 1764028800000;  // 2025-11-25T00:00:00Z

const std::map<std::string, std::string> kPicks = {
    {"For my daughter", "daughter"}, {"딸을 위해", "daughter"}, {"For everyone", "everyone"}};

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& data_dir) {
    REQUIRE(sqlite3_open((data_dir + "/ledger.db").c_str(), &db) == SQLITE_OK);
  }
  ~Db() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  }
};

// A ledger of n pledges over `days` days, made fast: the rows go in as one transaction (the
// ledger's triggers count them as they count a save) and the photo files are written without
// fsync. Every third pledge has no photo; consented ones get an outbox row, most of them
// done. Returns the ids in the order saved.
std::vector<std::string> grow(const std::string& data_dir, int n, int days) {
  { REQUIRE(Ledger::open(data_dir)); }  // the schema
  Db db(data_dir);
  db.exec("BEGIN");
  sqlite3_stmt* pledge = nullptr;
  sqlite3_stmt* outbox = nullptr;
  REQUIRE(
      sqlite3_prepare_v2(db.db,
                         "INSERT INTO pledges(id, event, booth, created_ms, locale, first_name, "
                         "answer, share_consent, consent_version, photo_path, photo_size, "
                         "photo_sha256) VALUES(?1, 'campus-fair', 'booth-1', ?2, ?3, 'Alex', "
                         "?4, ?5, 1, ?6, 9, '')",
                         -1, &pledge, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_prepare_v2(db.db,
                             "INSERT INTO outbox(pledge_id, target, state, updated_ms) "
                             "VALUES(?1, 'usb', ?2, ?3)",
                             -1, &outbox, nullptr) == SQLITE_OK);
  const char* answers[] = {"For my daughter", "딸을 위해", "For everyone", "", "my own words"};
  std::vector<std::string> ids;
  const std::int64_t step = std::max<std::int64_t>(1, days * kDayMs / n);
  for (int i = 0; i < n; ++i) {
    const std::int64_t ms = kStartMs + i * step;
    const std::string id = new_uuid_v7(ms);
    const bool photo = i % 3 != 0;
    const bool consent = photo && i % 2 == 0;
    const std::string rel =
        photo ? "photos/campus-fair/" + utc_date(ms) + "/" + id + ".jpg" : std::string();
    if (photo) {
      fs::create_directories(fs::path(data_dir) / rel.substr(0, rel.rfind('/')));
      std::ofstream(data_dir + "/" + rel) << "photo " << i;
    }
    sqlite3_reset(pledge);
    sqlite3_bind_text(pledge, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(pledge, 2, ms);
    sqlite3_bind_text(pledge, 3, i % 3 == 1 ? "ko" : "en", -1, SQLITE_STATIC);
    sqlite3_bind_text(pledge, 4, answers[i % 5], -1, SQLITE_STATIC);
    sqlite3_bind_int(pledge, 5, consent ? 1 : 0);
    sqlite3_bind_text(pledge, 6, rel.c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(pledge) == SQLITE_DONE);
    if (consent) {
      sqlite3_reset(outbox);
      sqlite3_bind_text(outbox, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(outbox, 2, i % 10 == 0 ? "pending" : "done", -1, SQLITE_STATIC);
      sqlite3_bind_int64(outbox, 3, ms);
      REQUIRE(sqlite3_step(outbox) == SQLITE_DONE);
    }
    ids.push_back(id);
  }
  sqlite3_finalize(pledge);
  sqlite3_finalize(outbox);
  db.exec("COMMIT");
  return ids;
}

// read(2)-like system calls this process made so far (pread of sqlite pages among them).
std::int64_t read_syscalls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::int64_t value = 0;
  while (io >> key >> value)
    if (key == "syscr:") return value;
  return -1;
}

std::unique_ptr<Ledger> open_ok(const std::string& dir, Access access = Access::kReadWrite) {
  auto opened = Ledger::open(dir, access);
  INFO(opened.status().message());
  REQUIRE(opened);
  return std::move(*opened);
}

PledgeInput participant(int i) {
  PledgeInput in = pb::test::sample_pledge("campus-fair", i % 2 ? "ko" : "en", {"usb"});
  in.first_name = "민준";
  in.answer = "For my daughter";
  in.consent_version = 1;
  in.photo_jpeg = pb::test::sample_photo(2048, static_cast<std::uint8_t>(i));
  return in;
}

// What the booth does for one participant and reads after it (back office: save, THANKS'
// number, ADMIN's status), plus the tally document's counts; the page requests it cost.
std::int64_t one_participant(Ledger& ledger, int i) {
  const std::int64_t before = ledger.cost().page_requests;
  REQUIRE(ledger.save_pledge(participant(i)));
  REQUIRE(ledger.count_pledges("campus-fair"));
  REQUIRE(ledger.clock_high_ms());
  REQUIRE(ledger.event_stats());
  REQUIRE(ledger.queue_counts());
  REQUIRE(ledger.unconfigured_targets({"usb"}));
  REQUIRE(ledger.last_pledge("campus-fair"));
  REQUIRE(ledger.newest_upload_error());
  REQUIRE(ledger.campaign_count("campus-fair"));
  REQUIRE(tally_counts(ledger, kPicks));
  return ledger.cost().page_requests - before;
}

// The tally as counted row by row (what tally_counts did before the ledger kept counts).
std::vector<TallyCounts> count_rows(Ledger& ledger) {
  std::map<std::pair<std::string, std::string>, TallyCounts> by;
  const auto pledges = ledger.list_pledges();
  REQUIRE(pledges);
  for (const Pledge& p : *pledges) {
    TallyCounts& t = by[{p.event, p.booth}];
    t.event = p.event;
    t.booth = p.booth;
    ++t.pledges;
    t.with_photo += !p.photo_path.empty();
    t.shared += p.share_consent;
    const auto pick = kPicks.find(p.answer);
    ++t.answers[p.answer.empty() ? "none" : pick == kPicks.end() ? "other" : pick->second];
    ++t.locales[p.locale];
    DayCounts& d = t.days[utc_date(p.created_ms)];
    ++d.pledges;
    d.with_photo += !p.photo_path.empty();
    d.shared += p.share_consent;
    t.newest_ms = std::max(t.newest_ms, p.created_ms);
  }
  std::vector<TallyCounts> out;
  for (auto& [key, t] : by) out.push_back(t);
  return out;
}

void check_counts_match_rows(Ledger& ledger) {
  const auto kept = tally_counts(ledger, kPicks).value();
  const auto counted = count_rows(ledger);
  REQUIRE(kept.size() == counted.size());
  for (std::size_t i = 0; i < kept.size(); ++i) {
    INFO(counted[i].event << " / " << counted[i].booth);
    CHECK(kept[i].event == counted[i].event);
    CHECK(kept[i].booth == counted[i].booth);
    CHECK(kept[i].pledges == counted[i].pledges);
    CHECK(kept[i].with_photo == counted[i].with_photo);
    CHECK(kept[i].shared == counted[i].shared);
    CHECK(kept[i].answers == counted[i].answers);
    CHECK(kept[i].locales == counted[i].locales);
    CHECK(kept[i].newest_ms == counted[i].newest_ms);
    REQUIRE(kept[i].days.size() == counted[i].days.size());
    for (const auto& [day, d] : counted[i].days) {
      INFO(day);
      CHECK(kept[i].days.at(day).pledges == d.pledges);
      CHECK(kept[i].days.at(day).with_photo == d.with_photo);
      CHECK(kept[i].days.at(day).shared == d.shared);
    }
  }
  // stats and the queue
  std::map<std::string, EventStats> events;
  const auto pledges = ledger.list_pledges();
  REQUIRE(pledges);
  for (const Pledge& p : *pledges) {
    EventStats& e = events[p.event];
    e.event = p.event;
    ++e.pledges;
    e.photos += !p.photo_path.empty();
    e.shared += p.share_consent;
  }
  const auto stats = ledger.event_stats().value();
  REQUIRE(stats.size() == events.size());
  for (const auto& e : stats) {
    CHECK(e.pledges == events[e.event].pledges);
    CHECK(e.photos == events[e.event].photos);
    CHECK(e.shared == events[e.event].shared);
    CHECK(ledger.count_pledges(e.event).value() == e.pledges);
  }
  const auto q = ledger.queue_counts().value();
  CHECK(q.pending == static_cast<std::int64_t>(ledger.outbox_items(OutboxState::kPending)->size()));
  CHECK(q.done == static_cast<std::int64_t>(ledger.outbox_items(OutboxState::kDone)->size()));
  CHECK(q.failed == static_cast<std::int64_t>(ledger.outbox_items(OutboxState::kFailed)->size()));
  std::map<std::string, std::int64_t> last_done;
  const auto done = ledger.outbox_items(OutboxState::kDone);
  REQUIRE(done);
  for (const auto& o : *done) last_done[o.target] = std::max(last_done[o.target], o.updated_ms);
  const auto targets = ledger.queue_by_target();
  REQUIRE(targets);
  for (const auto& t : *targets) CHECK(t.last_done_ms == last_done[t.target]);
}

}  // namespace

TEST_CASE("opening a ledger of 10000 pledges reads each row and each file once", "[store][scale]") {
  constexpr int kPledges = 10000, kDays = 20;
  pb::test::TempDir dir("pbscale");
  const std::string data = dir / "data";
  const auto ids = grow(data, kPledges, kDays);
  // Something for recovery to do: a temp file, an orphan, a lost photo.
  const std::string day = data + "/photos/campus-fair/" + utc_date(kStartMs);
  pb::test::write_file(day + "/.unfinished.jpg.tmp", "partial");
  pb::test::write_file(day + "/0199aaaa-orphan.jpg", "orphan");
  // One with a photo (not a multiple of 3). new_uuid_v7 keeps ids in order within the
  // process, so an id's time may be later than the day its photo was filed under.
  const int lost_at = kPledges / 2 + 2;
  const std::string lost = ids[lost_at];
  REQUIRE(fs::remove(data + "/photos/campus-fair/" +
                     utc_date(kStartMs + lost_at * (kDays * kDayMs / kPledges)) + "/" + lost +
                     ".jpg"));
  const std::int64_t photos = kPledges - (kPledges + 2) / 3;

  for (auto access : {Access::kReadWrite, Access::kReadOnly}) {
    INFO((access == Access::kReadWrite ? "read-write, with recovery" : "read-only"));
    const std::int64_t reads_before = read_syscalls();
    auto opened = Ledger::open(data, access);
    const std::int64_t reads = read_syscalls() - reads_before;
    REQUIRE(opened);
    Ledger& ledger = **opened;
    const RecoveryReport& rec = ledger.recovery();
    CHECK(rec.missing_photos == std::vector<std::string>{lost});
    if (access == Access::kReadWrite) {
      CHECK(rec.temp_files_removed == 1);
      CHECK(rec.orphans_recovered.size() == 1);
    }
    // Each row with a photo read once, each entry under photos/ listed once, each folder
    // resolved once: linear, with nothing per file or per row that scans.
    CHECK(rec.rows_read == photos);
    CHECK(rec.entries_listed <= photos + 2 + kDays + 2);
    CHECK(ledger.cost().folders_resolved <= kDays + 2);
    // sqlite: the photo index read in order, a few pages per 100 rows (a lookup per file
    // that scans the table costs thousands of page requests per file).
    INFO("page requests: " << ledger.cost().page_requests << ", read syscalls: " << reads);
    CHECK(ledger.cost().page_requests <= kPledges / 10);
    if (reads >= 0) CHECK(reads <= kPledges / 10);
    // Listing every pledge resolves no folder again.
    REQUIRE(ledger.list_pledges()->size() == static_cast<std::size_t>(kPledges));
    CHECK(ledger.cost().folders_resolved <= kDays + 2);
  }
}

TEST_CASE("a save and what the booth reads after it cost the same at 10000 pledges as at 10",
          "[store][scale]") {
  pb::test::TempDir dir("pbscale");
  grow(dir / "small", 10, 1);
  grow(dir / "large", 10000, 20);
  auto small = Ledger::open(dir / "small");
  auto large = Ledger::open(dir / "large");
  REQUIRE(small);
  REQUIRE(large);
  std::int64_t small_cost = 0, large_cost = 0;
  for (int i = 0; i < 5; ++i) {
    small_cost = std::max(small_cost, one_participant(**small, i));
    large_cost = std::max(large_cost, one_participant(**large, i));
  }
  INFO("page requests per participant: " << small_cost << " at 10 pledges, " << large_cost
                                         << " at 10,000");
  // A deeper b-tree costs a page or two more per lookup; reading the rows would cost
  // thousands.
  CHECK(large_cost <= 2 * small_cost + 40);
}

TEST_CASE("the counts the ledger keeps agree with its rows through saves deletions and uploads",
          "[store][scale]") {
  pb::test::TempDir dir("pbscale");
  grow(dir.path(), 60, 3);
  auto ledger = open_ok(dir.path());
  check_counts_match_rows(*ledger);
  std::vector<std::string> saved;
  for (int i = 0; i < 6; ++i) {
    PledgeInput in = participant(i);
    in.answer = i % 3 == 0 ? "" : i % 3 == 1 ? "딸을 위해" : "words of " + std::to_string(i);
    in.share_consent = i % 2 == 0;
    if (i == 5) in.photo_jpeg.clear();
    in.event = i < 4 ? "campus-fair" : "launch-day";
    saved.push_back(ledger->save_pledge(in)->id);
  }
  check_counts_match_rows(*ledger);
  // Uploads done, retried, failed; a pledge withdrawn; a row changed by hand.
  auto items = ledger->outbox_items(OutboxState::kPending).value();
  REQUIRE(items.size() >= 3);
  REQUIRE(ledger->mark_done(items[0].id, "k"));
  REQUIRE(ledger->mark_retry(items[1].id, 5, "HTTP 503"));
  REQUIRE(ledger->mark_failed(items[2].id, "HTTP 403"));
  REQUIRE(ledger->delete_pledge(saved[2]));
  REQUIRE(ledger->delete_pledge(saved[5]));
  check_counts_match_rows(*ledger);
  std::int64_t newest_error_ms = -1;
  const auto all_items = ledger->outbox_items();
  REQUIRE(all_items);
  for (const auto& o : *all_items)
    if (!o.last_error.empty() && o.state != OutboxState::kDone)
      newest_error_ms = std::max(newest_error_ms, o.updated_ms);
  const auto newest_error = ledger->newest_upload_error().value();
  REQUIRE(newest_error.has_value());
  CHECK(newest_error->updated_ms == newest_error_ms);
  CHECK((newest_error->last_error == "HTTP 403" || newest_error->last_error == "HTTP 503"));
  {
    Db db(dir.path());
    db.exec("UPDATE pledges SET locale = 'ko', answer = 'For everyone' WHERE id = '" + saved[0] +
            "'");
  }
  check_counts_match_rows(*ledger);
  CHECK(ledger->requeue_failed().value() == 1);
  REQUIRE(ledger->forget_target("usb"));
  check_counts_match_rows(*ledger);
  // A withdrawn pledge's own words leave the counts with it.
  {
    Db db(dir.path());
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.db, "SELECT count(*) FROM pledge_counts WHERE key = 'words of 2'",
                               -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 0) == 0);
    sqlite3_finalize(st);
  }
  // The newest pledge of each event, and none of an event without any.
  CHECK(ledger->last_pledge("launch-day").value()->id == saved[4]);
  CHECK_FALSE(ledger->last_pledge("no-such-event").value().has_value());
}

TEST_CASE("a ledger from before the kept counts is counted once when it is migrated",
          "[store][scale]") {
  pb::test::TempDir dir("pbscale");
  grow(dir.path(), 300, 4);
  {
    // Back to schema v4, as a booth of the previous release left it.
    Db db(dir.path());
    db.exec(
        "DROP TRIGGER pledge_counted; DROP TRIGGER pledge_uncounted; DROP TRIGGER "
        "pledge_recounted; DROP TRIGGER outbox_counted; DROP TRIGGER outbox_uncounted; DROP "
        "TRIGGER outbox_recounted; DROP TABLE pledge_counts; DROP TABLE outbox_counts; DROP "
        "INDEX pledges_by_photo; DROP INDEX outbox_errors; ALTER TABLE pledges DROP COLUMN "
        "wall_consent; ALTER TABLE pledges DROP COLUMN link_consent; ALTER TABLE pledges DROP "
        "COLUMN consent_locale; ALTER TABLE pledges DROP COLUMN consent_ms; PRAGMA "
        "user_version = 4;");
  }
  {
    auto old = open_ok(dir.path(), Access::kReadOnly);
    CHECK(old->schema_version() == 4);
    check_counts_match_rows(*old);  // read row by row, without the counts
  }
  auto ledger = open_ok(dir.path());
  CHECK(ledger->schema_version() == 6);  // through v5's counts to v6's choices
  check_counts_match_rows(*ledger);
  CHECK(ledger->recovery().missing_photos.empty());
  CHECK(ledger->recovery().orphans_recovered.empty());
}

TEST_CASE("a folder's links are resolved once for all its files", "[store][scale][hostile]") {
  pb::test::TempDir dir("pbscale");
  fs::create_directories(dir / "photos/e/d1");
  fs::create_directories(dir / "elsewhere");
  fs::create_directory_symlink(dir / "elsewhere", dir / "photos/e/out");
  InsideFolderCache photos(dir / "photos");
  for (int i = 0; i < 100; ++i) CHECK(photos.contains("e/d1/" + std::to_string(i) + ".jpg"));
  CHECK(photos.resolutions() == 1);
  CHECK_FALSE(photos.contains("e/out/x.jpg"));
  CHECK_FALSE(photos.contains("e/out/y.jpg"));
  CHECK(photos.resolutions() == 2);
  CHECK(photos.contains("top.jpg"));
  CHECK(photos.contains("e/not-made-yet/x.jpg"));
  for (const char* bad : {"../x.jpg", "e/../../x.jpg", "/etc/passwd", "e//x.jpg", "e/./x.jpg", ""})
    CHECK_FALSE(photos.contains(bad));
}

TEST_CASE("queueing the configured targets again looks only at pledges saved since",
          "[store][scale]") {
  pb::test::TempDir dir("pbscale");
  grow(dir.path(), 10000, 20);
  auto ledger = open_ok(dir.path());
  // A target new to the config: every consented pledge is queued for it, once.
  const std::int64_t consented =
      ledger->queue_by_target()->at(0).pending + ledger->queue_by_target()->at(0).done;
  CHECK(ledger->ensure_outbox({"usb", "s3"}).value() == consented);
  const std::int64_t before = ledger->cost().page_requests;
  CHECK(ledger->ensure_outbox({"usb", "s3"}).value() == 0);
  CHECK(ledger->cost().page_requests - before <= 40);
  // A pledge saved by a booth whose config lacked s3 is queued for it at the next call.
  PledgeInput in = participant(1);
  in.targets = {"usb"};
  const std::string without_s3 = ledger->save_pledge(in)->id;
  CHECK(ledger->ensure_outbox({"usb", "s3"}).value() == 1);
  CHECK(ledger->outbox_for(without_s3)->size() == 2);
  // The newest pledge withdrawn: the next one may get its rowid, and is still queued.
  REQUIRE(ledger->delete_pledge(without_s3));
  const std::string next = ledger->save_pledge(in)->id;
  CHECK(ledger->ensure_outbox({"usb", "s3"}).value() == 1);
  CHECK(ledger->outbox_for(next)->size() == 2);
  // A target dropped and added back is queued again for every consented pledge.
  REQUIRE(ledger->forget_target("s3"));
  CHECK(ledger->ensure_outbox({"usb", "s3"}).value() > 0);
  CHECK(ledger->queue_by_target()->at(1).target == "usb");
  CHECK(ledger->queue_by_target()->at(0).pending == consented + 1);
}

TEST_CASE("the newest pledges come a page at a time at the same cost at 10000 pledges as at 200",
          "[store][scale]") {
  pb::test::TempDir dir("pbscale");
  grow(dir / "small", 200, 1);
  const auto ids = grow(dir / "large", 10000, 20);
  auto small = open_ok(dir / "small");
  auto large = open_ok(dir / "large");
  // What the wall reads for its feed: the newest pages until it has enough.
  const auto newest_cost = [](Ledger& ledger) {
    const std::int64_t before = ledger.cost().page_requests;
    std::optional<PageCursor> after;
    for (int page = 0; page < 3; ++page) {
      auto got = ledger.newest_pledges("campus-fair", 64, after ? &*after : nullptr);
      REQUIRE(got);
      REQUIRE(got->next);
      after = got->next;
    }
    return ledger.cost().page_requests - before;
  };
  const std::int64_t small_cost = newest_cost(*small), large_cost = newest_cost(*large);
  INFO("page requests for 3 pages of 64: " << small_cost << " at 200 pledges, " << large_cost
                                           << " at 10,000");
  CHECK(large_cost <= 2 * small_cost + 40);

  // Page after page, newest first, they are every pledge of the event once, in order.
  std::vector<std::string> seen;
  std::optional<PageCursor> after;
  do {
    auto got = large->newest_pledges("campus-fair", 999, after ? &*after : nullptr);
    REQUIRE(got);
    for (const auto& p : got->pledges) seen.push_back(p.id);
    after = got->next;
  } while (after);
  CHECK(std::vector<std::string>(ids.rbegin(), ids.rend()) == seen);
  auto other = large->newest_pledges("another-event", 10);
  REQUIRE(other);
  CHECK(other->pledges.empty());
  CHECK_FALSE(other->next);
}
