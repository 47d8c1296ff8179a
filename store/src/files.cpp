// Durable photo file writes and removals (POSIX).
#include "files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace pb::store {

Status errno_status(int err, const std::string& what) {
  std::string msg = what + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return Status::error(Status::Code::kDiskFull, "the disk is full (" + msg + ")");
    case EROFS:
    case EACCES:
    case EPERM:
      return Status::error(Status::Code::kReadOnly,
                           "the data directory cannot be written (" + msg + ")");
    case ENOENT:
      return Status::error(Status::Code::kNotFound, msg);
    default:
      return Status::error(Status::Code::kIo, msg);
  }
}

std::optional<Status::Code> disk_state(const std::string& dir) {
  struct statvfs v {};
  if (dir.empty() || statvfs(dir.c_str(), &v) != 0) return std::nullopt;
  if (v.f_flag & ST_RDONLY) return Status::Code::kReadOnly;
  if (v.f_bavail == 0 || (v.f_files != 0 && v.f_favail == 0)) return Status::Code::kDiskFull;
  return std::nullopt;
}

Status fsync_dir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status(errno, "open " + dir);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0 && err != EINVAL) return errno_status(err, "fsync " + dir);
  return Status::ok();
}

Status make_dirs_durable(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  if (p.has_filename() == false) p = p.parent_path();
  struct stat st {};
  if (stat(p.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return Status::error(Status::Code::kIo, p.string() + " exists and is not a directory");
    return Status::ok();
  }
  if (p.has_parent_path() && p.parent_path() != p) {
    if (Status s = make_dirs_durable(p.parent_path().string()); !s) return s;
  }
  if (mkdir(p.c_str(), 0700) != 0 && errno != EEXIST)
    return errno_status(errno, "mkdir " + p.string());
  return fsync_dir(p.has_parent_path() ? p.parent_path().string() : ".");
}

Status write_file_durably(const std::string& dir, const std::string& name,
                          const std::vector<std::uint8_t>& bytes) {
  const std::string tmp = dir + "/." + name + kTempSuffix;
  const std::string final_path = dir + "/" + name;
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno_status(errno, "create " + tmp);
  auto fail = [&](int err, const std::string& what) {
    close(fd);
    unlink(tmp.c_str());
    return errno_status(err, what);
  };
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno, "write " + tmp);
    }
    off += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0) return fail(errno, "fsync " + tmp);
  if (close(fd) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return errno_status(err, "close " + tmp);
  }
  if (rename(tmp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return errno_status(err, "rename " + tmp);
  }
  if (Status s = fsync_dir(dir); !s) {
    unlink(final_path.c_str());
    return s;
  }
  return Status::ok();
}

Status remove_durably(const std::string& path) {
  if (unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::ok();
    return errno_status(errno, "remove " + path);
  }
  return fsync_dir(fs::path(path).parent_path().string());
}

}  // namespace pb::store
