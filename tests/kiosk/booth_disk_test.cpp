// SPDX-License-Identifier: Apache-2.0
// A disk that refuses writes while statvfs still shows room (a ballast file under
// min_free_mb = 0, or a tmpfs out of inodes): the real booth tells the participant his pledge
// was not saved, goes OUT_OF_SERVICE, stays there while the disk refuses writes, and opens
// again once a write really succeeds. Needs root for the tmpfs (skipped with a message).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "../store/small_disk.h"
#include "booth_run.h"
#include "pb/ledger.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::RunningBooth;
using pb::test::SmallDisk;

namespace {

// One participant with a photo whose save fails, the booth out of service and staying so,
// then (after the test frees the disk) open again for a participant whose save works.
std::string failing_then_working_script(const std::string& locale) {
  return "expect attract 20\ntap lang:" + locale +
         "\ntap attract:start\nexpect pledge\ntap pledge:agree\nexpect details\n"
         "tap details:skip\nexpect photo-choice\ntap photo-choice:take\n"
         "expect review 15\ntouch review:wall\ntouch review:use\nexpect thanks 15\n"
         "expect out-of-service 20\n"
         // Still out after several of the back office's refreshes (one a second). Out of
         // service speaks the volunteer's language (the booth's default, en), which its own
         // pills switch (docs/screens: out-of-service-not-saved-*).
         "wait 2.5\nexpect out-of-service 1\ntap lang:ko\nshot volunteer\ntap lang:es\n"
         "shot volunteer\ntap lang:en\nshot still-out\n"
         // The test frees the disk when it sees that screenshot.
         "expect attract 60\ntap lang:" +
         locale +
         "\ntap attract:start\nexpect pledge\ntap pledge:agree\nexpect details\n"
         "tap details:skip\nexpect photo-choice\ntap photo-choice:take\n"
         "expect review 15\ntouch review:wall\ntouch review:use\nexpect thanks 15\n"
         "expect attract 20\n";
}

pb::store::PledgeInput earlier_pledge() {
  pb::store::PledgeInput in;
  in.event = "booth-test";
  in.booth = "booth-t";
  in.locale = "en";
  in.photo_jpeg.assign(50 * 1024, 0x42);
  return in;
}

// Writes `ballast` until the disk has no byte left: statvfs says 0 MB free (at min_free_mb = 0
// no reason to stop), but no photo fits.
void fill_disk(const std::string& ballast) {
  const int fd = open(ballast.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  const std::vector<char> block(64 * 1024, 'b');
  for (;;) {
    const ssize_t n = write(fd, block.data(), block.size());
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(fd);
}

// The pledges in the ledger once the booth has stopped and the test's own connection is
// closed: the earlier pledge first, and `more` after it.
std::vector<pb::store::Pledge> pledges_after_run(
    pb::Result<std::unique_ptr<pb::store::Ledger>>& held, const std::string& data,
    const std::string& earlier_id, std::size_t more, std::unique_ptr<pb::store::Ledger>& ledger) {
  held->reset();
  auto opened = pb::store::Ledger::open(data);
  REQUIRE(opened);
  ledger = std::move(*opened);
  auto all = ledger->list_pledges();
  REQUIRE(all);
  REQUIRE(all->size() == more + 1);
  CHECK((*all)[0].id == earlier_id);
  return *all;
}

int files_named(const std::string& dir, const std::string& part) {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    n += it->path().filename().string().find(part) != std::string::npos;
  return n;
}

// Runs the booth on `disk` after `fill` made it refuse writes; `unfill` gives the space back.
void check_booth_on_refusing_disk(SmallDisk& disk, std::int64_t min_free_mb,
                                  const std::function<void()>& fill,
                                  const std::function<void()>& unfill, const std::string& locale) {
  pb::test::TempDir dir("booth-disk");
  const std::string data = disk.path() + "/data";
  // The earlier pledge, and a ledger held open (as a second process would) so that the WAL
  // and its index stay on the disk before it fills.
  auto held = pb::store::Ledger::open(data);
  REQUIRE(held);
  auto earlier = (*held)->save_pledge(earlier_pledge());
  REQUIRE(earlier);
  fill();

  RunningBooth booth(dir.path(), pb::test::booth_config(data, min_free_mb),
                     failing_then_working_script(locale));
  const auto long_wait = pb::test::scaled(std::chrono::seconds(90));
  const bool still_out = pb::test::eventually(
      [&] { return booth.has_shot("still-out-en.png") || !booth.process().running(); }, long_wait);
  INFO(booth.log());
  REQUIRE(still_out);
  REQUIRE(booth.has_shot("still-out-en.png"));
  // He was told, on THANKS, that his pledge was not saved, and THANKS showed no number.
  CHECK(booth.lines("kiosk: thanks shown: not saved").size() == 1);
  CHECK(booth.lines("kiosk: thanks shown: supporter").empty());
  CHECK(booth.has_shot("thanks-" + locale + ".png"));
  CHECK(booth.has_shot("volunteer-ko.png"));
  CHECK(booth.has_shot("volunteer-es.png"));
  // The journal has the technical cause; the screens had the tables' words only.
  const auto failed = booth.lines("kiosk: save failed: ");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].find(" (") != std::string::npos);
  // What the participant saw, kept for docs/screens (thanks-not-saved-*.png) when asked.
  if (const char* keep = std::getenv("PB_TEST_ARTIFACTS"); keep && *keep) {
    std::error_code ec;
    const fs::path to = fs::path(keep) / ("booth-disk-" + locale);
    fs::create_directories(to, ec);
    fs::copy(booth.shots_dir(), to,
             fs::copy_options::overwrite_existing | fs::copy_options::recursive, ec);
  }
  unfill();
  REQUIRE(booth.process().wait(long_wait) == 0);
  INFO(booth.log());
  CHECK(booth.log().find("kiosk: script finished") != std::string::npos);
  const auto shown = booth.lines("kiosk: thanks shown: supporter #2 pledge ");
  REQUIRE(shown.size() == 1);

  // The ledger: the earlier pledge and the one after the disk came back, nothing of the
  // failed save (no row, no temp file, no orphan photo).
  std::unique_ptr<pb::store::Ledger> ledger;
  const auto all = pledges_after_run(held, data, earlier->id, 1, ledger);
  CHECK(shown[0].substr(shown[0].size() - all[1].id.size()) == all[1].id);
  for (const auto& p : all) {
    const std::string bytes = pb::test::read_file(ledger->photo_file(p));
    CHECK(pb::store::sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                bytes.size()) == p.photo_sha256);
  }
  CHECK(ledger->recovery().orphans_recovered.empty());
  CHECK(files_named(data, ".tmp") == 0);
  CHECK(files_named(data + "/photos", ".jpg") == 2);
}

}  // namespace

TEST_CASE("a full disk under min_free_mb 0 tells the participant and keeps the booth out",
          "[kiosk][e2e][disk]") {
  SmallDisk disk("12m");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string ballast = disk.path() + "/ballast";
  auto fill = [&] { fill_disk(ballast); };
  auto unfill = [&] { fs::remove(ballast); };
  check_booth_on_refusing_disk(disk, 0, fill, unfill, "en");
}

TEST_CASE("a disk out of inodes with space to spare tells the participant and keeps the booth out",
          "[kiosk][e2e][disk]") {
  // 400 MB with few inodes: 300+ MB free, above the default min_free_mb of 100.
  SmallDisk disk("400m", "nr_inodes=40");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string ballast = disk.path() + "/ballast";
  auto fill = [&] {
    fs::create_directory(ballast);
    for (int i = 0;; ++i) {
      const int fd = open((ballast + "/" + std::to_string(i)).c_str(), O_WRONLY | O_CREAT, 0600);
      if (fd < 0) break;
      close(fd);
    }
  };
  auto unfill = [&] { fs::remove_all(ballast); };
  check_booth_on_refusing_disk(disk, 100, fill, unfill, "ko");
}

// "Try again" on THANKS (issue 25): the save fails on a full disk, the participant is told,
// the disk is freed (the script waits for the test's signal), he taps "Try again" and THANKS
// thanks him with his number and reference; his pledge is saved with the photo he took.
TEST_CASE("try again on thanks saves the kept photo once the disk takes writes again",
          "[kiosk][e2e][disk]") {
  SmallDisk disk("12m");
  SKIP_UNLESS_MOUNTED(disk);
  pb::test::TempDir dir("booth-retry");
  const std::string data = disk.path() + "/data";
  const std::string ballast = disk.path() + "/ballast";
  const std::string freed = dir.path() + "/disk-freed";
  // An earlier pledge, and the ledger held open (as a second process would) so that its WAL
  // and index stay on the disk before it fills.
  auto held = pb::store::Ledger::open(data);
  REQUIRE(held);
  auto earlier = (*held)->save_pledge(earlier_pledge());
  REQUIRE(earlier);
  fill_disk(ballast);
  // THANKS long enough for the test to free the disk while it shows.
  std::string config = pb::test::booth_config(data, 0);
  const std::string short_thanks = "thanks_timeout_s = 3";
  REQUIRE(config.find(short_thanks) != std::string::npos);
  config.replace(config.find(short_thanks), short_thanks.size(), "thanks_timeout_s = 120");
  const std::string script =
      "expect attract 20\ntap lang:es\ntap attract:start\nexpect pledge\ntap pledge:agree\n"
      "expect details\ntap pick:sister\ntap details:next\nexpect photo-choice\n"
      "tap photo-choice:take\nexpect review 15\ntouch review:wall\ntouch review:use\n"
      "expect thanks 15\nsettle 15\nshot not-saved\nawait-file " +
      freed +
      " 90\ntap thanks:retry\nsettle 15\nexpect thanks 1\nshot retried\ntap thanks:done\n"
      "expect attract 20\n";
  RunningBooth booth(dir.path(), config, script);
  const auto long_wait = pb::test::scaled(std::chrono::seconds(90));
  REQUIRE(pb::test::eventually(
      [&] { return booth.has_shot("not-saved-es.png") || !booth.process().running(); }, long_wait));
  INFO(booth.log());
  REQUIRE(booth.lines("kiosk: thanks shown: not saved").size() == 1);
  CHECK(booth.lines("kiosk: thanks shown: supporter").empty());
  fs::remove(ballast);
  pb::test::write_file(freed, "");
  REQUIRE(booth.process().wait(long_wait) == 0);
  INFO(booth.log());
  CHECK(booth.has_shot("retried-es.png"));
  const auto shown = booth.lines("kiosk: thanks shown: supporter #2 pledge ");
  REQUIRE(shown.size() == 1);
  if (const char* keep = std::getenv("PB_TEST_ARTIFACTS"); keep && *keep) {
    std::error_code ec;
    const fs::path to = fs::path(keep) / "booth-retry-es";
    fs::create_directories(to, ec);
    fs::copy(booth.shots_dir(), to,
             fs::copy_options::overwrite_existing | fs::copy_options::recursive, ec);
  }
  // Saved once, with his photo and his choice to share it: the photo the retry saved is the
  // one kept in memory (no second shutter was taken).
  std::unique_ptr<pb::store::Ledger> ledger;
  const auto all = pledges_after_run(held, data, earlier->id, 1, ledger);
  const auto& p = all[1];
  CHECK(shown[0].substr(shown[0].size() - p.id.size()) == p.id);
  CHECK_FALSE(p.photo_path.empty());
  CHECK(p.wall_consent);
  CHECK(p.locale == "es");
  CHECK(p.answer == "Por mi hermana");
  const std::string bytes = pb::test::read_file(ledger->photo_file(p));
  CHECK(bytes.size() > 1000);
  CHECK(pb::store::sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) ==
        p.photo_sha256);
  CHECK(files_named(data, ".tmp") == 0);
  CHECK(booth.lines("kiosk: saving a pledge").size() == 2);
}
