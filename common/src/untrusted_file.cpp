// SPDX-License-Identifier: Apache-2.0
// Files another process or person may replace (pb/untrusted_file.h): openat step by step,
// never blocking on open, fstat before reading.
#include "pb/untrusted_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "pb/disk.h"

namespace pb::disk {
namespace {

// Closes a descriptor at the end of a scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status read_open_file(int fd, const std::string& what, std::size_t max, std::string& out,
                      struct stat* st) {
  struct stat got {};
  if (::fstat(fd, &got) != 0) return errno_status(errno, "fstat " + what);
  if (st) *st = got;
  if (!S_ISREG(got.st_mode))
    return Status::error(Status::Code::kInvalid, what + " is not a regular file");
  if (got.st_size < 0 || static_cast<std::uint64_t>(got.st_size) > max)
    return Status::error(Status::Code::kInvalid,
                         what + " is larger than " + std::to_string(max) + " bytes");
  // A regular file opened O_NONBLOCK reads as usual; one that grows meanwhile is still
  // read no further than max.
  out.clear();
  out.reserve(static_cast<std::size_t>(got.st_size));
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(errno, "read " + what);
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max)
      return Status::error(Status::Code::kInvalid,
                           what + " is larger than " + std::to_string(max) + " bytes");
  }
  return Status::ok();
}

constexpr int kReadFlags = O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;

// The folder below root holding the last part of rel, opened step by step; *last is that
// part. -1 with errno on failure.
int open_parent_below(const std::string& root, const std::string& rel, std::string* last) {
  int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = rel.find('/', start);
    const std::string part =
        rel.substr(start, slash == std::string::npos ? rel.npos : slash - start);
    if (part == "..") {
      ::close(dir);
      errno = EINVAL;
      return -1;
    }
    if (slash == std::string::npos) {
      if (last) *last = part;
      return dir;
    }
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    const int next = ::openat(dir, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const int err = errno;
    ::close(dir);
    if (next < 0) {
      errno = err;
      return -1;
    }
    dir = next;
  }
}

}  // namespace

int open_untrusted_file(const std::string& path, struct stat* st) {
  const int fd = ::open(path.c_str(), kReadFlags);
  if (fd < 0) return -1;
  const int err = ::fstat(fd, st) != 0 ? errno : S_ISREG(st->st_mode) ? 0 : EINVAL;
  if (err == 0) return fd;
  ::close(fd);
  errno = err;
  return -1;
}

Status read_untrusted_file(const std::string& path, std::size_t max, std::string& out,
                           struct stat* st) {
  Fd f{::open(path.c_str(), kReadFlags)};
  if (f.fd < 0) return errno_status(errno, "open " + path);
  return read_open_file(f.fd, path, max, out, st);
}

Status read_untrusted_file_below(const std::string& root, const std::string& rel, std::size_t max,
                                 std::string& out) {
  const std::string what = root + "/" + rel;
  std::string name;
  Fd dir{open_parent_below(root, rel, &name)};
  if (dir.fd < 0) {
    if (errno == EINVAL)
      return Status::error(Status::Code::kInvalid, what + ": \"..\" in the path");
    return errno_status(errno, "open " + what);
  }
  if (name.empty() || name == "." || name == "..")
    return Status::error(Status::Code::kInvalid, what + " names no file");
  Fd f{::openat(dir.fd, name.c_str(), kReadFlags)};
  if (f.fd < 0) return errno_status(errno, "open " + what);
  return read_open_file(f.fd, what, max, out, nullptr);
}

int open_folder_below(const std::string& root, const std::string& rel) {
  std::string name;
  Fd dir{open_parent_below(root, rel, &name)};
  if (dir.fd < 0) return -1;
  if (name == "..") {
    errno = EINVAL;
    return -1;
  }
  if (name.empty() || name == ".") {
    const int fd = dir.fd;
    dir.fd = -1;
    return fd;
  }
  return ::openat(dir.fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

}  // namespace pb::disk
