// SPDX-License-Identifier: Apache-2.0
// pb::disk: durable writes that leave either the whole new file or the old one, free space
// and disk state, through the fault-injecting Env (no root needed).
#include <catch2/catch.hpp>

#include <cerrno>
#include <filesystem>

#include "fault_env.h"
#include "pb/disk.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::Status;
using pb::test::FaultEnv;
using pb::test::TempDir;

TEST_CASE("a durable write replaces the file whole and leaves no temp file", "[disk]") {
  TempDir dir("pb-disk");
  REQUIRE(pb::disk::write_file(dir / "a.txt", dir / ".a.tmp", "first").is_ok());
  REQUIRE(pb::disk::write_file(dir / "a.txt", dir / ".a.tmp", "second").is_ok());
  CHECK(pb::test::read_file(dir / "a.txt") == "second");
  CHECK_FALSE(fs::exists(dir / ".a.tmp"));
}

TEST_CASE("a write that runs out of room keeps the old file and removes the temp", "[disk]") {
  TempDir dir("pb-disk");
  REQUIRE(pb::disk::write_file(dir / "a.txt", dir / ".a.tmp", "old").is_ok());
  for (auto op : {FaultEnv::Op::kWrite, FaultEnv::Op::kSync, FaultEnv::Op::kRename}) {
    FaultEnv env;
    env.fail(op, ENOSPC, op == FaultEnv::Op::kWrite ? 3 : 0);
    Status s = pb::disk::write_file(dir / "a.txt", dir / ".a.tmp", "a longer new text", 0600, env);
    INFO(s.message());
    CHECK(s.code() == Status::Code::kDiskFull);
    CHECK(env.injected() == 1);
    CHECK(pb::test::read_file(dir / "a.txt") == "old");
    CHECK_FALSE(fs::exists(dir / ".a.tmp"));
  }
}

TEST_CASE("a read-only disk is kReadOnly with the call that failed in the message", "[disk]") {
  TempDir dir("pb-disk");
  FaultEnv env;
  env.fail_writes(EROFS);
  Status s = pb::disk::write_file(dir / "a.txt", dir / ".a.tmp", "x", 0600, env);
  CHECK(s.code() == Status::Code::kReadOnly);
  CHECK(s.message().find("create " + (dir / ".a.tmp")) != std::string::npos);
  CHECK(pb::disk::make_dirs(dir / "x/y", 0700, env).code() == Status::Code::kReadOnly);
  CHECK_FALSE(fs::exists(dir / "x"));
  pb::test::write_file(dir / "b.txt", "b");
  CHECK(pb::disk::remove_file(dir / "b.txt", env).code() == Status::Code::kReadOnly);
  CHECK(fs::exists(dir / "b.txt"));
}

TEST_CASE("a folder that cannot be synced after the rename takes the new file back", "[disk]") {
  TempDir dir("pb-disk");
  FaultEnv env;
  env.fail(FaultEnv::Op::kSyncDir, EIO);
  Status s = pb::disk::write_file(dir / "a.txt", dir / ".a.tmp", "x", 0600, env);
  CHECK(s.code() == Status::Code::kIo);
  CHECK_FALSE(fs::exists(dir / "a.txt"));
  CHECK_FALSE(fs::exists(dir / ".a.tmp"));
  // EINVAL: the file system cannot sync folders at all; nothing more can be done there.
  env.fail(FaultEnv::Op::kSyncDir, EINVAL);
  CHECK(pb::disk::write_file(dir / "a.txt", dir / ".a.tmp", "x", 0600, env).is_ok());
  CHECK(pb::disk::sync_dir(dir.path(), env).is_ok());
}

TEST_CASE("a copy through a temp file is whole or absent", "[disk]") {
  TempDir dir("pb-disk");
  const std::string big(300 * 1024, 'z');
  pb::test::write_file(dir / "src", big);
  REQUIRE(pb::disk::copy_file(dir / "src", dir / "dst", dir / ".dst.tmp").is_ok());
  CHECK(pb::test::read_file(dir / "dst") == big);
  FaultEnv env;
  env.fail(FaultEnv::Op::kWrite, ENOSPC, 100 * 1024);
  Status s = pb::disk::copy_file(dir / "src", dir / "dst2", dir / ".dst2.tmp", 0600, env);
  CHECK(s.code() == Status::Code::kDiskFull);
  CHECK_FALSE(fs::exists(dir / "dst2"));
  CHECK_FALSE(fs::exists(dir / ".dst2.tmp"));
}

TEST_CASE("free space is asked of the nearest folder that exists", "[disk]") {
  TempDir dir("pb-disk");
  auto here = pb::disk::free_bytes(dir.path());
  REQUIRE(here.has_value());
  CHECK(*here >= 0);
  CHECK(pb::disk::free_bytes(dir / "not/yet/made").has_value());
  FaultEnv env;
  env.report_space({123 * 1024 * 1024, false, false});
  CHECK(pb::disk::free_bytes(dir.path(), env) == 123 * 1024 * 1024);
  CHECK_FALSE(pb::disk::disk_state(dir.path(), env).has_value());
  env.report_space({0, false, false});
  CHECK(pb::disk::disk_state(dir.path(), env) == Status::Code::kDiskFull);
  env.report_space({5000, true, false});
  CHECK(pb::disk::disk_state(dir.path(), env) == Status::Code::kDiskFull);
  env.report_space({5000, false, true});
  CHECK(pb::disk::disk_state(dir.path(), env) == Status::Code::kReadOnly);
}

TEST_CASE("a write probe proves the bytes fit and leaves nothing behind", "[disk]") {
  TempDir dir("pb-disk");
  FaultEnv env;
  REQUIRE(pb::disk::probe_write(dir / "photos", 200 * 1024, env).is_ok());
  CHECK(env.calls(FaultEnv::Op::kWrite) >= 4);  // 200 KiB in 64 KiB blocks
  CHECK(env.calls(FaultEnv::Op::kSync) == 1);
  CHECK(fs::is_directory(dir / "photos"));
  CHECK(fs::is_empty(dir / "photos"));
}

TEST_CASE("a write probe fails on a full or read-only disk and removes its file", "[disk]") {
  TempDir dir("pb-disk");
  fs::create_directories(dir / "photos");
  struct Case {
    FaultEnv::Op op;
    int err;
    std::size_t after;
    Status::Code code;
  };
  for (const Case& c : {Case{FaultEnv::Op::kWrite, ENOSPC, 100 * 1024, Status::Code::kDiskFull},
                        Case{FaultEnv::Op::kSync, EDQUOT, 0, Status::Code::kDiskFull},
                        Case{FaultEnv::Op::kCreate, EROFS, 0, Status::Code::kReadOnly}}) {
    FaultEnv env;
    env.fail(c.op, c.err, c.after);
    Status s = pb::disk::probe_write(dir / "photos", 200 * 1024, env);
    INFO(s.message());
    CHECK(s.code() == c.code);
    CHECK(env.injected() >= 1);
    CHECK(s.message().find(".write-probe.tmp") != std::string::npos);
    CHECK(fs::is_empty(dir / "photos"));
  }
  // The disk has room again: the probe says so.
  FaultEnv env;
  CHECK(pb::disk::probe_write(dir / "photos", 200 * 1024, env).is_ok());
}
