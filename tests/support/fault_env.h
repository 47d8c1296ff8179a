// SPDX-License-Identifier: Apache-2.0
// A disk that fails on demand (leveldb's fault_injection_test is the model): the real file
// system, with chosen calls failing with a chosen errno, so that a full disk (ENOSPC in the
// middle of a write, on fsync, on rename) and a read-only one (EROFS) are tested without
// root, without a small tmpfs, and on any machine.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "pb/disk.h"

namespace pb::test {

class FaultEnv : public pb::disk::Env {
 public:
  enum class Op {
    kCreate,
    kOpenRead,
    kWrite,
    kRead,
    kSync,
    kClose,
    kRename,
    kUnlink,
    kMkdir,
    kSyncDir
  };

  // From now on every `op` fails with `err`. For kWrite, `after_bytes` more bytes are written
  // first (the last write that fits is cut short): a disk filling up mid-photo.
  void fail(Op op, int err, std::size_t after_bytes = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    faults_[op] = Fault{err, after_bytes};
  }
  // Every call that changes the disk fails with err (EROFS: the card's write-protect switch).
  void fail_writes(int err) {
    for (Op op :
         {Op::kCreate, Op::kWrite, Op::kSync, Op::kRename, Op::kUnlink, Op::kMkdir, Op::kSyncDir})
      fail(op, err);
  }
  // statvfs answers this instead of the real disk's numbers.
  void report_space(const Space& space) {
    std::lock_guard<std::mutex> lock(mu_);
    space_ = space;
  }
  // The disk works again (and reports its real space).
  void heal() {
    std::lock_guard<std::mutex> lock(mu_);
    faults_.clear();
    space_.reset();
  }
  // How many calls failed because of a fault, and how many calls of op were made.
  int injected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return injected_;
  }
  int calls(Op op) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_.find(op);
    return it == calls_.end() ? 0 : it->second;
  }

  int create(const std::string& path, mode_t mode, int* fd) override {
    if (int err = fault(Op::kCreate)) return err;
    return real().create(path, mode, fd);
  }
  int open_read(const std::string& path, int* fd) override {
    if (int err = fault(Op::kOpenRead)) return err;
    return real().open_read(path, fd);
  }
  int write(int fd, const void* data, std::size_t size, std::size_t* done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_[Op::kWrite];
      auto it = faults_.find(Op::kWrite);
      if (it != faults_.end()) {
        if (it->second.after_bytes == 0) {
          ++injected_;
          return it->second.err;
        }
        std::size_t n = std::min(size, it->second.after_bytes);
        it->second.after_bytes -= n;
        size = n;
      }
    }
    return real().write(fd, data, size, done);
  }
  int read(int fd, void* data, std::size_t size, std::size_t* done) override {
    if (int err = fault(Op::kRead)) return err;
    return real().read(fd, data, size, done);
  }
  int sync(int fd) override {
    if (int err = fault(Op::kSync)) return err;
    return real().sync(fd);
  }
  int close(int fd) override {
    if (int err = fault(Op::kClose)) {
      real().close(fd);  // a failed close(2) still frees the descriptor
      return err;
    }
    return real().close(fd);
  }
  int rename(const std::string& from, const std::string& to) override {
    if (int err = fault(Op::kRename)) return err;
    return real().rename(from, to);
  }
  int unlink(const std::string& path) override {
    if (int err = fault(Op::kUnlink)) return err;
    return real().unlink(path);
  }
  int mkdir(const std::string& path, mode_t mode) override {
    if (int err = fault(Op::kMkdir)) return err;
    return real().mkdir(path, mode);
  }
  int sync_dir(const std::string& dir) override {
    if (int err = fault(Op::kSyncDir)) return err;
    return real().sync_dir(dir);
  }
  int space(const std::string& dir, Space* out) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (space_) {
        *out = *space_;
        return 0;
      }
    }
    return real().space(dir, out);
  }

 private:
  struct Fault {
    int err = 0;
    std::size_t after_bytes = 0;
  };
  static pb::disk::Env& real() { return pb::disk::Env::posix(); }
  int fault(Op op) {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_[op];
    auto it = faults_.find(op);
    if (it == faults_.end()) return 0;
    ++injected_;
    return it->second.err;
  }

  mutable std::mutex mu_;
  std::map<Op, Fault> faults_;
  std::map<Op, int> calls_;
  std::optional<Space> space_;
  int injected_ = 0;
};

}  // namespace pb::test
