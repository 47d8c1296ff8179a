// SPDX-License-Identifier: Apache-2.0
// Durable files over an Env, and the POSIX Env itself.
#include "pb/disk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;

namespace pb::disk {
namespace {

class PosixEnv final : public Env {
 public:
  int create(const std::string& path, mode_t mode, int* fd) override {
    *fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    return *fd < 0 ? errno : 0;
  }
  int open_read(const std::string& path, int* fd) override {
    *fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    return *fd < 0 ? errno : 0;
  }
  int write(int fd, const void* data, std::size_t size, std::size_t* done) override {
    for (;;) {
      ssize_t n = ::write(fd, data, size);
      if (n >= 0) {
        *done = static_cast<std::size_t>(n);
        return 0;
      }
      if (errno != EINTR) return errno;
    }
  }
  int read(int fd, void* data, std::size_t size, std::size_t* done) override {
    for (;;) {
      ssize_t n = ::read(fd, data, size);
      if (n >= 0) {
        *done = static_cast<std::size_t>(n);
        return 0;
      }
      if (errno != EINTR) return errno;
    }
  }
  int sync(int fd) override { return ::fsync(fd) == 0 ? 0 : errno; }
  int close(int fd) override { return ::close(fd) == 0 ? 0 : errno; }
  int rename(const std::string& from, const std::string& to) override {
    return std::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
  }
  int unlink(const std::string& path) override { return ::unlink(path.c_str()) == 0 ? 0 : errno; }
  int mkdir(const std::string& path, mode_t mode) override {
    return ::mkdir(path.c_str(), mode) == 0 ? 0 : errno;
  }
  int sync_dir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return err;
  }
  int space(const std::string& dir, Space* out) override {
    struct statvfs v {};
    if (statvfs(dir.c_str(), &v) != 0) return errno;
    out->free_bytes = static_cast<std::int64_t>(v.f_bavail) * static_cast<std::int64_t>(v.f_frsize);
    out->no_inodes = v.f_files != 0 && v.f_favail == 0;
    out->read_only = (v.f_flag & ST_RDONLY) != 0;
    return 0;
  }
};

// dir, or its nearest existing parent.
std::string existing(const std::string& dir) {
  std::error_code ec;
  fs::path p = dir;
  while (!p.empty() && !fs::exists(p, ec) && p != p.parent_path()) p = p.parent_path();
  return p.string();
}

std::string folder_of(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// Writes everything in [data, data+size) to fd; 0 or an errno.
int write_all(Env& env, int fd, const char* data, std::size_t size) {
  while (size > 0) {
    std::size_t n = 0;
    if (int err = env.write(fd, data, size, &n)) return err;
    if (n == 0) return EIO;  // no progress and no error: do not spin
    data += n;
    size -= n;
  }
  return 0;
}

// temp is open as fd and `fill` writes it: fsync, close, rename over path, fsync the folder.
// On any failure temp is removed (and path too, when the rename happened but the folder
// could not be synced: a file that may vanish at power loss must not look saved).
template <typename Fill>
Status write_through_temp(Env& env, const std::string& path, const std::string& temp, int fd,
                          Fill fill) {
  auto fail = [&](int err, const std::string& what) {
    env.close(fd);  // the write already failed; the close cannot tell more
    env.unlink(temp);
    return errno_status(err, what);
  };
  if (Status s = fill(fd); !s) {
    env.close(fd);  // as above
    env.unlink(temp);
    return s;
  }
  if (int err = env.sync(fd)) return fail(err, "fsync " + temp);
  if (int err = env.close(fd)) {
    env.unlink(temp);
    return errno_status(err, "close " + temp);
  }
  if (int err = env.rename(temp, path)) {
    env.unlink(temp);
    return errno_status(err, "rename " + temp);
  }
  if (Status s = sync_dir(folder_of(path), env); !s) {
    env.unlink(path);
    return s;
  }
  return Status::ok();
}

}  // namespace

Env& Env::posix() {
  static PosixEnv env;
  return env;
}

Status errno_status(int err, const std::string& what) {
  std::string msg = what + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return Status::error(Status::Code::kDiskFull, msg);
    case EROFS:
    case EACCES:
    case EPERM:
      return Status::error(Status::Code::kReadOnly, msg);
    case ENOENT:
      return Status::error(Status::Code::kNotFound, msg);
    default:
      return Status::error(Status::Code::kIo, msg);
  }
}

std::optional<std::int64_t> free_bytes(const std::string& dir, Env& env) {
  Env::Space space;
  if (dir.empty() || env.space(existing(dir), &space) != 0) return std::nullopt;
  return space.free_bytes;
}

std::optional<Status::Code> disk_state(const std::string& dir, Env& env) {
  Env::Space space;
  if (dir.empty() || env.space(dir, &space) != 0) return std::nullopt;
  if (space.read_only) return Status::Code::kReadOnly;
  if (space.free_bytes == 0 || space.no_inodes) return Status::Code::kDiskFull;
  return std::nullopt;
}

Status sync_dir(const std::string& dir, Env& env) {
  int err = env.sync_dir(dir);
  if (err == 0 || err == EINVAL) return Status::ok();
  return errno_status(err, "fsync " + dir);
}

Status make_dirs(const std::string& dir, mode_t mode, Env& env) {
  fs::path p = fs::path(dir).lexically_normal();
  if (p.has_filename() == false) p = p.parent_path();
  struct stat st {};
  if (stat(p.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return Status::error(Status::Code::kIo, p.string() + " exists and is not a directory");
    return Status::ok();
  }
  if (p.has_parent_path() && p.parent_path() != p) {
    if (Status s = make_dirs(p.parent_path().string(), mode, env); !s) return s;
  }
  if (int err = env.mkdir(p.string(), mode); err != 0 && err != EEXIST)
    return errno_status(err, "mkdir " + p.string());
  return sync_dir(p.has_parent_path() ? p.parent_path().string() : ".", env);
}

Status write_file(const std::string& path, const std::string& temp, std::string_view bytes,
                  mode_t mode, Env& env) {
  int fd = -1;
  if (int err = env.create(temp, mode, &fd)) return errno_status(err, "create " + temp);
  return write_through_temp(env, path, temp, fd, [&](int out) {
    if (int err = write_all(env, out, bytes.data(), bytes.size()))
      return errno_status(err, "write " + temp);
    return Status::ok();
  });
}

Status copy_file(const std::string& from, const std::string& path, const std::string& temp,
                 mode_t mode, Env& env) {
  int in = -1;
  if (int err = env.open_read(from, &in)) return errno_status(err, "read " + from);
  int fd = -1;
  if (int err = env.create(temp, mode, &fd)) {
    env.close(in);  // only read from: nothing to report
    return errno_status(err, "create " + temp);
  }
  Status s = write_through_temp(env, path, temp, fd, [&](int out) {
    char buf[64 * 1024];
    for (;;) {
      std::size_t n = 0;
      if (int err = env.read(in, buf, sizeof buf, &n)) return errno_status(err, "read " + from);
      if (n == 0) return Status::ok();
      if (int err = write_all(env, out, buf, n)) return errno_status(err, "write " + temp);
    }
  });
  env.close(in);  // only read from: nothing to report
  return s;
}

Status probe_write(const std::string& dir, std::size_t bytes, Env& env) {
  (void)make_dirs(dir, 0700, env);  // a folder that cannot be made fails the create below
  const std::string path = dir + "/.write-probe.tmp";
  int fd = -1;
  if (int err = env.create(path, 0600, &fd)) return errno_status(err, "create " + path);
  const std::vector<char> block(64 * 1024, '\x5a');
  int err = 0;
  for (std::size_t left = bytes; left > 0 && err == 0;) {
    const std::size_t n = std::min(left, block.size());
    err = write_all(env, fd, block.data(), n);
    left -= n;
  }
  const std::string failed = err != 0 ? "write " : "fsync ";
  if (err == 0) err = env.sync(fd);
  env.close(fd);  // written to a file that is removed next: nothing more to learn
  env.unlink(path);
  if (err != 0) return errno_status(err, failed + path);
  return Status::ok();
}

Status rename_file(const std::string& from, const std::string& to, Env& env) {
  if (int err = env.rename(from, to)) return errno_status(err, "move " + from);
  if (Status s = sync_dir(folder_of(to), env); !s) return s;
  return sync_dir(folder_of(from), env);
}

Status remove_file(const std::string& path, Env& env) {
  if (int err = env.unlink(path)) {
    if (err == ENOENT) return Status::ok();
    return errno_status(err, "remove " + path);
  }
  return sync_dir(folder_of(path), env);
}

}  // namespace pb::disk
