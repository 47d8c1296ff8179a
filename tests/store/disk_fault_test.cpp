// SPDX-License-Identifier: Apache-2.0
// A full or read-only disk met by the ledger through a fault-injecting Env: ENOSPC in the
// middle of a photo, on its fsync, on its rename; EROFS on everything. No root and no small
// tmpfs needed (disk_full_test.cpp does the same on a real one where it may mount).
#include <catch2/catch.hpp>

#include <cerrno>
#include <filesystem>

#include "fault_env.h"
#include "pb/ledger.h"
#include "sample_pledge.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::Status;
using pb::test::FaultEnv;
using pb::test::TempDir;
using namespace pb::store;

namespace {

PledgeInput photo_pledge(std::uint8_t seed) {
  PledgeInput in = pb::test::sample_pledge();
  in.photo_jpeg = pb::test::sample_photo(64 * 1024, seed);
  return in;
}

// Files under dir whose name contains part.
int files_named(const std::string& dir, const std::string& part) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().find(part) != std::string::npos) ++n;
  return n;
}

// Every pledge in `saved` is there with its photo, byte for byte, and nothing else is.
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
  CHECK(all->size() == saved.size());  // no row of the failed save
  CHECK(files_named(ledger.data_dir() + "/photos", ".jpg") == static_cast<int>(saved.size()));
  CHECK(files_named(ledger.data_dir(), ".tmp") == 0);
}

struct Booth {
  TempDir dir{"pb-fault"};
  FaultEnv env;
  std::unique_ptr<Ledger> ledger;
  std::vector<Pledge> saved;

  Booth() {
    auto opened = Ledger::open(dir / "data", Access::kReadWrite, &env);
    REQUIRE(opened.is_ok());
    ledger = std::move(*opened);
    for (int i = 0; i < 3; ++i) {
      auto p = ledger->save_pledge(photo_pledge(static_cast<std::uint8_t>(i)));
      REQUIRE(p.is_ok());
      saved.push_back(*p);
    }
  }

  // The save fails with `code` and a message that says `words`; nothing of it remains.
  void save_fails(Status::Code code, const std::string& words) {
    auto r = ledger->save_pledge(photo_pledge(99));
    REQUIRE_FALSE(r.is_ok());
    INFO(r.status().message());
    CHECK(r.status().code() == code);
    CHECK(r.status().message().find(words) != std::string::npos);
    CHECK(env.injected() > 0);
    check_all_intact(*ledger, saved);
  }

  // The disk works again: the next save succeeds and keeps the rest.
  void save_works_again() {
    env.heal();
    auto again = ledger->save_pledge(photo_pledge(100));
    REQUIRE(again.is_ok());
    saved.push_back(*again);
    check_all_intact(*ledger, saved);
  }
};

}  // namespace

TEST_CASE("a disk that fills up in the middle of a photo loses no pledge", "[store][disk][fault]") {
  Booth booth;
  booth.env.fail(FaultEnv::Op::kWrite, ENOSPC, 10 * 1024);  // 10 KB of 64 KB fit
  booth.save_fails(Status::Code::kDiskFull, "the disk is full (write ");
  booth.save_works_again();
}

TEST_CASE("a disk full on the photo's fsync loses no pledge", "[store][disk][fault]") {
  Booth booth;
  booth.env.fail(FaultEnv::Op::kSync, ENOSPC);
  booth.save_fails(Status::Code::kDiskFull, "the disk is full (fsync ");
  booth.save_works_again();
}

TEST_CASE("a disk full on the photo's rename loses no pledge", "[store][disk][fault]") {
  Booth booth;
  booth.env.fail(FaultEnv::Op::kRename, ENOSPC);
  booth.save_fails(Status::Code::kDiskFull, "the disk is full (rename ");
  booth.save_works_again();
}

TEST_CASE("a folder that cannot be synced after the rename leaves no photo without a row",
          "[store][disk][fault]") {
  Booth booth;
  booth.env.fail(FaultEnv::Op::kSyncDir, EIO);
  booth.save_fails(Status::Code::kIo, "fsync ");
  booth.save_works_again();
}

TEST_CASE("a file system that cannot sync folders (EINVAL) still saves", "[store][disk][fault]") {
  Booth booth;
  booth.env.fail(FaultEnv::Op::kSyncDir, EINVAL);
  auto p = booth.ledger->save_pledge(photo_pledge(7));
  REQUIRE(p.is_ok());
  CHECK(booth.env.injected() > 0);
  booth.saved.push_back(*p);
  check_all_intact(*booth.ledger, booth.saved);
}

TEST_CASE("a disk that turns read-only keeps every pledge and says so", "[store][disk][fault]") {
  Booth booth;
  booth.env.fail_writes(EROFS);
  booth.save_fails(Status::Code::kReadOnly, "the data directory cannot be written (");
  booth.save_works_again();
}

TEST_CASE("a pledge deleted on a read-only disk loses its photo at the next start",
          "[store][disk][fault]") {
  Booth booth;
  const Pledge gone = booth.saved.front();
  const std::string photo = booth.ledger->photo_file(gone);
  booth.env.fail_writes(EROFS);
  Status s = booth.ledger->delete_pledge(gone.id);
  INFO(s.message());
  CHECK(s.code() == Status::Code::kReadOnly);
  CHECK(s.message().find("its photo is removed at the next start") != std::string::npos);
  CHECK(fs::exists(photo));  // still there: the disk refused
  booth.ledger.reset();

  booth.env.heal();
  auto reopened = Ledger::open(booth.dir / "data", Access::kReadWrite, &booth.env);
  REQUIRE(reopened.is_ok());
  CHECK((*reopened)->recovery().photo_deletions_finished == 1);
  CHECK_FALSE(fs::exists(photo));
  booth.saved.erase(booth.saved.begin());
  check_all_intact(**reopened, booth.saved);
}

TEST_CASE("an export to a full disk says so and leaves no partial file", "[store][disk][fault]") {
  Booth booth;
  booth.env.fail(FaultEnv::Op::kWrite, ENOSPC, 100);
  Status s = booth.ledger->export_csv(booth.dir / "pledges.csv");
  INFO(s.message());
  CHECK(s.code() == Status::Code::kDiskFull);
  CHECK_FALSE(fs::exists(booth.dir / "pledges.csv"));
  CHECK(files_named(booth.dir.path(), ".tmp") == 0);
  booth.env.heal();
  REQUIRE(booth.ledger->export_csv(booth.dir / "pledges.csv").is_ok());
  CHECK(pb::test::read_file(booth.dir / "pledges.csv").find(booth.saved[2].id) !=
        std::string::npos);
}
