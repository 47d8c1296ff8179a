// SPDX-License-Identifier: Apache-2.0
// Durable files and the disk they are on, in one place: temp → fsync → rename → fsync(dir),
// durable removal and directory creation, free space and whether a disk takes writes.
// Every call goes through an Env (leveldb's `Env` is the model): the real one is POSIX, and
// a test passes a fake that fails a chosen call with ENOSPC or EROFS, so the disk-full and
// read-only cases run without root and without a small disk.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pb/status.h"

namespace pb::disk {

// The file-system calls the durable operations below are made of. Each returns 0 or the
// errno of the failure, as the system call would set it; none throws. Thread-safe.
class Env {
 public:
  virtual ~Env() = default;
  // The POSIX file system; lives for the whole process.
  static Env& posix();

  // open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode); *fd is set on success.
  virtual int create(const std::string& path, mode_t mode, int* fd) = 0;
  // open(path, O_RDONLY | O_CLOEXEC).
  virtual int open_read(const std::string& path, int* fd) = 0;
  // One write(2) or read(2) (EINTR already retried); *done is how many bytes moved.
  virtual int write(int fd, const void* data, std::size_t size, std::size_t* done) = 0;
  virtual int read(int fd, void* data, std::size_t size, std::size_t* done) = 0;
  virtual int sync(int fd) = 0;
  virtual int close(int fd) = 0;
  virtual int rename(const std::string& from, const std::string& to) = 0;
  virtual int unlink(const std::string& path) = 0;
  virtual int mkdir(const std::string& path, mode_t mode) = 0;
  // open(dir, O_RDONLY | O_DIRECTORY) + fsync + close.
  virtual int sync_dir(const std::string& dir) = 0;

  struct Space {
    std::int64_t free_bytes = 0;  // for an unprivileged user (f_bavail)
    bool no_inodes = false;       // no file can be created even with bytes free
    bool read_only = false;       // mounted read-only
  };
  // statvfs(dir).
  virtual int space(const std::string& dir, Space* out) = 0;
};

// An errno as a Status: kDiskFull for ENOSPC/EDQUOT, kReadOnly for EROFS/EACCES/EPERM,
// kNotFound for ENOENT, kIo otherwise; the message is "<what>: <strerror>".
Status errno_status(int err, const std::string& what);

// The bytes free for an unprivileged user on the file system holding `dir` (or its nearest
// existing parent, for a folder not made yet); nullopt when there is none to ask.
std::optional<std::int64_t> free_bytes(const std::string& dir, Env& env = Env::posix());
// What the file system holding dir says about writing there: kDiskFull when no block or
// inode is free, kReadOnly when mounted read-only, nullopt when neither (or dir is unknown).
std::optional<Status::Code> disk_state(const std::string& dir, Env& env = Env::posix());

// Whether `bytes` can be written and made durable under dir (made if missing): a temp file
// `.write-probe.tmp` (a name ledger recovery removes, should the process die mid-probe)
// written, fsynced and removed. statvfs alone misses a disk out of inodes, a reserve it cannot
// see, a file system refusing writes. The failing call's errno_status otherwise.
Status probe_write(const std::string& dir, std::size_t bytes, Env& env = Env::posix());

// fsyncs a directory, so that a rename or unlink in it survives power loss. A file system
// that cannot sync directories (EINVAL: some FUSE and network mounts) is not an error: there
// is nothing more to do there.
Status sync_dir(const std::string& dir, Env& env = Env::posix());
// Creates dir and missing parents (with mode), fsyncing each parent of a new directory.
Status make_dirs(const std::string& dir, mode_t mode = 0700, Env& env = Env::posix());

// Writes `bytes` (or, with copy_file, the contents of file `from`) to `path` durably: into
// `temp` (same folder), fsync, rename over path, fsync the folder. On failure neither `temp`
// nor a new `path` remains (an older file at path is kept when the rename did not happen).
Status write_file(const std::string& path, const std::string& temp, std::string_view bytes,
                  mode_t mode = 0600, Env& env = Env::posix());
Status copy_file(const std::string& from, const std::string& path, const std::string& temp,
                 mode_t mode = 0600, Env& env = Env::posix());
// Renames a file and fsyncs both folders. EXDEV (another file system) comes back as such.
Status rename_file(const std::string& from, const std::string& to, Env& env = Env::posix());
// Removes a file and fsyncs its folder; a file already gone is fine.
Status remove_file(const std::string& path, Env& env = Env::posix());

}  // namespace pb::disk
