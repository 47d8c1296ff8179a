// SPDX-License-Identifier: Apache-2.0
// pb/untrusted_file.h: whatever another process or person puts where a small file is read
// (a FIFO, a device, a symlink, a folder, a huge file), the reader neither blocks, nor
// follows a link out of its folder, nor reads more than it asked for.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>

#include "pb/untrusted_file.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::Status;
using pb::test::TempDir;
using namespace std::chrono_literals;

TEST_CASE("an untrusted file is read only when it is a regular file within its size",
          "[disk][untrusted]") {
  TempDir dir("pb-untrusted");
  std::string out;
  pb::test::write_file(dir / "ok.txt", "hello");
  struct stat st {};
  REQUIRE(pb::disk::read_untrusted_file(dir / "ok.txt", 5, out, &st));
  CHECK(out == "hello");
  CHECK(S_ISREG(st.st_mode));
  CHECK(pb::disk::read_untrusted_file(dir / "absent.txt", 5, out).code() ==
        Status::Code::kNotFound);
  CHECK(pb::disk::read_untrusted_file(dir / "ok.txt", 4, out).code() == Status::Code::kInvalid);
  fs::create_directory(dir / "folder");
  CHECK(pb::disk::read_untrusted_file(dir / "folder", 5, out).code() == Status::Code::kInvalid);
  fs::create_symlink(dir / "ok.txt", dir / "link.txt");
  CHECK_FALSE(pb::disk::read_untrusted_file(dir / "link.txt", 5, out));
  CHECK_FALSE(pb::disk::read_untrusted_file("/dev/zero", 5, out));

  // A FIFO with no writer: opening it must not wait for one.
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  auto read = std::async(std::launch::async, [&] {
    std::string body;
    return pb::disk::read_untrusted_file(dir / "fifo", 5, body).code();
  });
  const bool returned = read.wait_for(pb::test::scaled(5s)) == std::future_status::ready;
  if (!returned) {  // unblock the reader, so the test can end and report
    const int fd = ::open((dir / "fifo").c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  REQUIRE(returned);
  CHECK(read.get() == Status::Code::kInvalid);
  struct stat fst {};
  CHECK(pb::disk::open_untrusted_file(dir / "fifo", &fst) == -1);
  CHECK(errno == EINVAL);
  const int fd = pb::disk::open_untrusted_file(dir / "ok.txt", &fst);
  CHECK(fd >= 0);
  CHECK(fst.st_size == 5);
  if (fd >= 0) ::close(fd);
}

TEST_CASE("no symlink below a folder leads a reader outside it", "[disk][untrusted]") {
  TempDir dir("pb-untrusted");
  fs::create_directories(dir / "root/a/b");
  fs::create_directories(dir / "outside");
  pb::test::write_file(dir / "root/a/b/in.json", "inside");
  pb::test::write_file(dir / "outside/out.json", "outside");
  fs::create_directory_symlink(dir / "outside", dir / "root/a/linked");
  std::string out;
  REQUIRE(pb::disk::read_untrusted_file_below(dir / "root", "a/b/in.json", 100, out));
  CHECK(out == "inside");
  CHECK_FALSE(pb::disk::read_untrusted_file_below(dir / "root", "a/linked/out.json", 100, out));
  CHECK(pb::disk::read_untrusted_file_below(dir / "root", "a/../../outside/out.json", 100, out)
            .code() == Status::Code::kInvalid);
  const int listed = pb::disk::open_folder_below(dir / "root", "a/linked");
  CHECK(listed == -1);
  const int folder = pb::disk::open_folder_below(dir / "root", "a/b");
  CHECK(folder >= 0);
  if (folder >= 0) ::close(folder);
  // The root itself may be a link (a stick's mount point).
  fs::create_directory_symlink(dir / "root", dir / "root-link");
  CHECK(pb::disk::read_untrusted_file_below(dir / "root-link", "a/b/in.json", 100, out));
}
