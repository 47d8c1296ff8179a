// SPDX-License-Identifier: Apache-2.0
// A small tmpfs for tests of full and read-only disks (needs root; tests skip with a
// message where mounting is refused).
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "test_support.h"

namespace pb::test {

// A tmpfs of `size` mounted on a fresh dir; lazily unmounted on destruction. `extra` adds
// mount options ("nr_inodes=20": a disk that runs out of files before it runs out of bytes).
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& size, const std::string& extra = "") : dir_("pbdisk") {
    mount_point_ = dir_ / "mnt";
    std::filesystem::create_directory(mount_point_);
    std::string opts = "size=" + size + ",mode=0700" + (extra.empty() ? "" : "," + extra);
    if (mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, opts.c_str()) == 0) {
      mounted_ = true;
    } else {
      why_ = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    for (const auto& b : bind_mounts_) umount2(b.c_str(), MNT_DETACH);
    if (mounted_) umount2(mount_point_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::string& path() const { return mount_point_; }
  // Makes `sub` (a folder on this disk) read-only through a read-only bind mount, as a
  // card whose write-protect switch flips or a file system remounted ro after errors.
  bool make_read_only(const std::string& sub) {
    if (mount(sub.c_str(), sub.c_str(), nullptr, MS_BIND, nullptr) != 0) return false;
    bind_mounts_.push_back(sub);
    return mount(nullptr, sub.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0;
  }
  // Undoes make_read_only: the card's switch flips back.
  void make_writable() {
    for (const auto& b : bind_mounts_) umount2(b.c_str(), MNT_DETACH);
    bind_mounts_.clear();
  }

 private:
  TempDir dir_;
  std::string mount_point_;
  bool mounted_ = false;
  std::string why_;
  std::vector<std::string> bind_mounts_;
};

// Catch2 v2 has no SKIP: say why, loudly, and end the test case without failing it.
#define SKIP_UNLESS_MOUNTED(disk)                                                 \
  do {                                                                            \
    if (!(disk).mounted()) {                                                      \
      WARN("skipped: cannot mount a small tmpfs here ("                           \
           << (disk).why() << "); run as root to test full and read-only disks"); \
      return;                                                                     \
    }                                                                             \
  } while (0)

}  // namespace pb::test
