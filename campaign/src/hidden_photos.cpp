// SPDX-License-Identifier: Apache-2.0
// Photos hidden from the wall: a small text file in the data dir, replaced atomically.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "pb/wall.h"
#include "wall_feed.h"

namespace pb::campaign {
namespace {

constexpr std::size_t kMaxHiddenBytes = 1 << 20;  // 27,000 ids; a real list has a handful

Status io_error(const std::string& what, int err) {
  Status::Code code = Status::Code::kIo;
  if (err == ENOSPC || err == EDQUOT) code = Status::Code::kDiskFull;
  if (err == EROFS || err == EACCES || err == EPERM) code = Status::Code::kReadOnly;
  return Status::error(code, what + ": " + std::strerror(err));
}

Status write_all(int fd, const std::string& text) {
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write", errno);
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

}  // namespace

std::string hidden_file(const std::string& data_dir) {
  return data_dir + "/wall-hidden.txt";
}

std::set<std::string> read_hidden(const std::string& data_dir) {
  std::set<std::string> out;
  std::ifstream in(hidden_file(data_dir), std::ios::binary);
  std::string line;
  std::size_t read = 0;
  while (read < kMaxHiddenBytes && std::getline(in, line)) {
    read += line.size() + 1;
    if (is_pledge_id(line)) out.insert(line);
  }
  return out;
}

Status set_hidden(const std::string& data_dir, const std::string& pledge_id, bool hidden) {
  if (!is_pledge_id(pledge_id))
    return Status::error(Status::Code::kInvalid,
                         "not a pledge id (36 characters such as "
                         "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b; `pledgebooth export` lists them)");
  std::set<std::string> ids = read_hidden(data_dir);
  if (hidden ? !ids.insert(pledge_id).second : ids.erase(pledge_id) == 0)
    return Status::ok();  // already so: nothing to write
  std::string text;
  for (const auto& id : ids) text += id + "\n";
  const std::string path = hidden_file(data_dir);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot write " + tmp, errno);
  Status s = write_all(fd, text);
  if (s && ::fsync(fd) != 0) s = io_error("fsync " + tmp, errno);
  ::close(fd);
  if (s && ::rename(tmp.c_str(), path.c_str()) != 0) s = io_error("rename to " + path, errno);
  if (!s) {
    ::unlink(tmp.c_str());
    return s;
  }
  const int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    const int rc = ::fsync(dir);
    const int err = errno;
    ::close(dir);
    if (rc != 0) return io_error("fsync " + data_dir, err);
  }
  return Status::ok();
}

}  // namespace pb::campaign
