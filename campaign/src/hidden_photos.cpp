// SPDX-License-Identifier: Apache-2.0
// Photos hidden from the wall: a small text file in the data dir, replaced atomically, read
// so that a list the wall cannot read hides everything it cannot vouch for.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hidden_watch.h"
#include "pb/log.h"
#include "pb/untrusted_file.h"
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

// A pledge id as a volunteer may have typed or pasted it: spaces, tabs and a CR around it
// dropped, upper-case hex taken as lower-case. "" when it is none.
std::string id_of(std::string_view line) {
  const auto first = line.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return "";
  const auto last = line.find_last_not_of(" \t\r\n\f\v");
  std::string id(line.substr(first, last - first + 1));
  for (char& c : id)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return is_pledge_id(id) ? id : "";
}

// What tells one version of the file from another without reading it: a new list comes
// by rename (a new inode), an edit in place changes size, mtime or ctime, chmod/chown ctime.
FileIdentity identity_of(const struct stat& st) {
  return {static_cast<std::uint64_t>(st.st_dev),
          static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::int64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec,
          static_cast<std::uint32_t>(st.st_mode)};
}

}  // namespace

std::string hidden_file(const std::string& data_dir) {
  return data_dir + "/wall-hidden.txt";
}

std::set<std::string> parse_hidden(std::string_view text) {
  std::set<std::string> out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM from an editor
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (std::string id = id_of(text.substr(0, nl)); !id.empty()) out.insert(std::move(id));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

Result<std::set<std::string>> read_hidden(const std::string& data_dir) {
  std::string text;
  Status s = disk::read_untrusted_file(hidden_file(data_dir), kMaxHiddenBytes, text);
  if (s.code() == Status::Code::kNotFound) return std::set<std::string>{};
  if (!s) return s;
  return parse_hidden(text);
}

std::optional<HiddenListProblem> hidden_list_problem(const std::string& data_dir) {
  auto read = read_hidden(data_dir);
  if (read) return std::nullopt;
  return HiddenListProblem{
      read.status().message() + ": the wall shows the count only, no photo or words",
      "make it a plain file the booth's user can read (`sudo chown pledgebooth: " +
          hidden_file(data_dir) + "`), or remove it and hide the photos again"};
}

Status set_hidden(const std::string& data_dir, const std::string& pledge_id, bool hidden) {
  const std::string id = id_of(pledge_id);
  if (id.empty())
    return Status::error(Status::Code::kInvalid,
                         "not a pledge id (36 characters such as "
                         "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b; `pledgebooth export` lists them)");
  // A list that cannot be read is not replaced by one without its ids.
  auto read = read_hidden(data_dir);
  if (!read)
    return Status::error(
        read.status().code() == Status::Code::kInvalid ? Status::Code::kIo : read.status().code(),
        "the hidden list cannot be read, so it is left as it is: " + read.status().message() +
            " (run this as the user the booth runs as, e.g. sudo -u pledgebooth)");
  std::set<std::string> ids = std::move(*read);
  if (hidden ? !ids.insert(id).second : ids.erase(id) == 0)
    return Status::ok();  // already so: nothing to write
  std::string text;
  for (const auto& i : ids) text += i + "\n";
  const std::string path = hidden_file(data_dir);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
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

// --- HiddenWatch ---

HiddenWatch::HiddenWatch(std::string data_dir) : path_(hidden_file(data_dir)) {}

HiddenPhotos HiddenWatch::current() {
  std::lock_guard<std::mutex> lock(mu_);
  struct stat st {};
  std::optional<FileIdentity> now;
  int stat_err = 0;
  if (::lstat(path_.c_str(), &st) == 0)
    now = identity_of(st);
  else
    stat_err = errno;
  // The file the ids were read from, unchanged: nothing to do.
  if (state_.vouched && looked_ && now == seen_) return state_;
  looked_ = true;
  seen_ = now;
  if (!now && stat_err == ENOENT) {
    update({}, true, "");
    return state_;
  }
  std::string text;
  Status s = disk::read_untrusted_file(path_, kMaxHiddenBytes, text);
  if (s)
    update(parse_hidden(text), true, "");
  else if (s.code() == Status::Code::kNotFound)
    update({}, true, "");
  else
    update(state_.ids, false, s.message());
  return state_;
}

void HiddenWatch::update(std::set<std::string> ids, bool vouched, const std::string& error) {
  if (vouched != state_.vouched || (!vouched && error != state_.error)) {
    if (vouched)
      pb::log::info("wall: the hidden list " + path_ +
                    " can be read again: photos and words are back on the wall");
    else
      pb::log::warn("wall: the hidden list cannot be read (" + error +
                    "): the wall shows the count only, no photo, name or answer, until it can");
  }
  const bool changed = vouched != state_.vouched || ids != state_.ids;
  state_.ids = std::move(ids);
  state_.vouched = vouched;
  state_.error = error;
  if (changed) ++state_.generation;
}

}  // namespace pb::campaign
