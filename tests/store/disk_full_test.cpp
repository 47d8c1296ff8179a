// SPDX-License-Identifier: Apache-2.0
// A full or read-only disk: the save fails cleanly, earlier pledges stay intact, and saving
// works again once space is back. Uses a small tmpfs (needs root; skipped with a message
// where mounting is refused).
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "pb/ledger.h"
#include "sample_pledge.h"
#include "small_disk.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::Status;
using pb::test::SmallDisk;
using namespace pb::store;

namespace {

PledgeInput photo_pledge(std::uint8_t seed) {
  PledgeInput in = pb::test::sample_pledge();
  in.photo_jpeg = pb::test::sample_photo(400 * 1024, seed);
  return in;
}

void check_all_intact(Ledger& ledger, const std::vector<Pledge>& saved) {
  for (const auto& p : saved) {
    auto got = ledger.get_pledge(p.id);
    REQUIRE(got.is_ok());
    REQUIRE(got->has_value());
    std::string bytes = pb::test::read_file(ledger.photo_file(p));
    CHECK(sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) ==
          p.photo_sha256);
  }
  auto all = ledger.list_pledges();
  REQUIRE(all.is_ok());
  CHECK(all->size() == saved.size());  // no partial row from the failed save
}

int temp_files(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp") != std::string::npos) ++n;
  return n;
}

}  // namespace

TEST_CASE("a full disk fails the save cleanly and keeps every earlier pledge", "[store][disk]") {
  SmallDisk disk("4m");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string data = disk.path() + "/data";
  auto opened = Ledger::open(data);
  REQUIRE(opened.is_ok());
  auto& ledger = **opened;
  // Something a volunteer can delete to make room.
  pb::test::write_file(disk.path() + "/filler", std::string(1200 * 1024, 'x'));

  std::vector<Pledge> saved;
  Status failure;
  for (int i = 0; i < 40; ++i) {
    auto r = ledger.save_pledge(photo_pledge(static_cast<std::uint8_t>(i)));
    if (!r) {
      failure = r.status();
      break;
    }
    saved.push_back(*r);
  }
  INFO(failure.message());
  REQUIRE_FALSE(failure.is_ok());
  CHECK(failure.code() == Status::Code::kDiskFull);
  CHECK(failure.message().find("disk is full") != std::string::npos);
  CHECK(saved.size() >= 2);
  CHECK(temp_files(data) == 0);
  check_all_intact(ledger, saved);

  // The volunteer frees space: the next save succeeds.
  fs::remove(disk.path() + "/filler");
  auto again = ledger.save_pledge(photo_pledge(200));
  REQUIRE(again.is_ok());
  saved.push_back(*again);
  check_all_intact(ledger, saved);
}

TEST_CASE("a read-only disk fails the save cleanly and keeps every earlier pledge",
          "[store][disk]") {
  SmallDisk disk("8m");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string data = disk.path() + "/data";
  std::vector<Pledge> saved;
  {
    auto opened = Ledger::open(data);
    REQUIRE(opened.is_ok());
    for (int i = 0; i < 3; ++i)
      saved.push_back(*(*opened)->save_pledge(photo_pledge(static_cast<std::uint8_t>(i))));
  }
  auto opened = Ledger::open(data);
  REQUIRE(opened.is_ok());
  REQUIRE(disk.make_read_only(data + "/photos"));
  auto r = (*opened)->save_pledge(photo_pledge(9));
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Status::Code::kReadOnly);
  check_all_intact(**opened, saved);
}

TEST_CASE("a full disk that fails the ledger commit leaves no partial row", "[store][disk]") {
  // Pledges without a photo only grow ledger.db: the failure then comes from sqlite (the WAL
  // write at COMMIT), not from the photo file, and must be the same clean kDiskFull.
  SmallDisk disk("4m");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string data = disk.path() + "/data";
  auto opened = Ledger::open(data);
  REQUIRE(opened.is_ok());
  auto& ledger = **opened;
  std::vector<Pledge> saved{*ledger.save_pledge(photo_pledge(1))};
  {
    std::string chunk(64 * 1024, 'x');
    FILE* f = std::fopen((disk.path() + "/filler").c_str(), "w");
    REQUIRE(f);
    while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size()) {
    }
    std::fclose(f);
  }
  Status failure;
  for (int i = 0; i < 200 && failure.is_ok(); ++i) {
    auto in = photo_pledge(2);
    in.photo_jpeg.clear();
    in.answer = std::string(20000, 'a');  // a long own-words answer
    auto r = ledger.save_pledge(in);
    if (r)
      saved.push_back(*r);
    else
      failure = r.status();
  }
  INFO(failure.message());
  REQUIRE_FALSE(failure.is_ok());
  CHECK(failure.code() == Status::Code::kDiskFull);
  CHECK(failure.message().find("disk is full") != std::string::npos);
  check_all_intact(ledger, saved);
  // A second booth process opening the same ledger on the full disk still can.
  CHECK(Ledger::open(data).is_ok());

  fs::remove(disk.path() + "/filler");
  auto again = ledger.save_pledge(photo_pledge(3));
  INFO(again.status().message());
  REQUIRE(again.is_ok());
  saved.push_back(*again);
  check_all_intact(ledger, saved);
}

TEST_CASE("the photo of a deleted pledge is gone after a restart even when removing it failed",
          "[store][disk]") {
  // Deletion on request is a promise to the participant: if the photo cannot be removed at
  // once (read-only card, crash right after the row went), the next start removes it; it must
  // never be kept as an orphan in recovered/.
  SmallDisk disk("8m");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string data = disk.path() + "/data";
  Pledge gone, kept;
  {
    auto opened = Ledger::open(data);
    REQUIRE(opened.is_ok());
    gone = *(*opened)->save_pledge(photo_pledge(1));
    kept = *(*opened)->save_pledge(photo_pledge(2));
    REQUIRE(disk.make_read_only(data + "/photos"));
    Status s = (*opened)->delete_pledge(gone.id);
    INFO(s.message());
    CHECK(s.code() == Status::Code::kReadOnly);
    CHECK_FALSE((*opened)->get_pledge(gone.id)->has_value());
    disk.make_writable();
  }
  auto opened = Ledger::open(data);
  INFO(opened.status().message());
  REQUIRE(opened.is_ok());
  CHECK((*opened)->recovery().orphans_recovered.empty());
  CHECK_FALSE(fs::exists(data + "/" + gone.photo_path));
  int left = 0;
  for (const auto& e : fs::recursive_directory_iterator(data))
    if (e.path().filename().string().find(gone.id) != std::string::npos) ++left;
  CHECK(left == 0);
  check_all_intact(**opened, {kept});
}

TEST_CASE("a disk with no room for one more file says disk full at start-up", "[store][disk]") {
  // Out of inodes (thousands of small files on a card): sqlite cannot create ledger.db or its
  // WAL. The volunteer must read "disk full", not "cannot be written" (the card's switch).
  int failed_opens = 0;
  for (int inodes = 2; inodes <= 6; ++inodes) {
    SmallDisk disk("4m,nr_inodes=" + std::to_string(inodes));
    SKIP_UNLESS_MOUNTED(disk);
    auto l = Ledger::open(disk.path() + "/data");
    if (l) continue;
    ++failed_opens;
    INFO(inodes << " inodes: " << l.status().message());
    CHECK(l.status().code() == Status::Code::kDiskFull);
    CHECK(l.status().message().find("disk is full") != std::string::npos);
  }
  CHECK(failed_opens >= 2);
}

TEST_CASE("an orphan photo on a photos folder linked to another card is still set aside",
          "[store][disk]") {
  // photos/ is a symlink to a second file system; a crash left a photo with no row. Moving it
  // to recovered/ crosses file systems (rename gives EXDEV): the booth must still start.
  SmallDisk card("8m");
  SKIP_UNLESS_MOUNTED(card);
  pb::test::TempDir dir("pbxdev");
  const std::string data = dir / "data";
  fs::create_directories(data);
  fs::create_directories(card.path() + "/photos");
  fs::create_directory_symlink(card.path() + "/photos", data + "/photos");
  Pledge kept;
  std::string orphan;
  {
    auto opened = Ledger::open(data);
    REQUIRE(opened.is_ok());
    kept = *(*opened)->save_pledge(photo_pledge(1));
    orphan = data + "/" + fs::path(kept.photo_path).parent_path().string() + "/0199-orphan.jpg";
    pb::test::write_file(orphan, "a face whose row never committed");
  }
  auto opened = Ledger::open(data);
  INFO(opened.status().message());
  REQUIRE(opened.is_ok());
  const auto& rec = (*opened)->recovery();
  REQUIRE(rec.orphans_recovered.size() == 1);
  CHECK(pb::test::read_file(rec.orphans_recovered[0]) == "a face whose row never committed");
  CHECK_FALSE(fs::exists(orphan));
  check_all_intact(**opened, {kept});
}
