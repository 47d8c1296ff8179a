// A folder or a USB stick: each file written to a temp name, fsync'd, renamed into place,
// and the folder fsync'd, so a pulled stick never holds half a photo under its real name.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "targets.h"

namespace fs = std::filesystem;

namespace pb::upload {
namespace {

Status io_error(const std::string& what, int err) {
  Status::Code code = Status::Code::kIo;
  if (err == ENOSPC || err == EDQUOT) code = Status::Code::kDiskFull;
  if (err == EROFS || err == EACCES || err == EPERM) code = Status::Code::kReadOnly;
  return Status::error(code, what + ": " + std::strerror(err));
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::ok() : io_error("fsync " + dir, err);
}

// Writes bytes (from a file or memory) to dest via a temp file, fsync and rename.
Status write_atomically(const std::string& dest, const std::string& src_file,
                        const std::string& data) {
  std::string tmp = dest + ".part-" + std::to_string(::getpid());
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return io_error("create " + tmp, errno);
  auto fail = [&](const std::string& what, int err) {
    ::close(out);
    ::unlink(tmp.c_str());
    return io_error(what, err);
  };
  auto write_all = [&](const char* p, std::size_t n) -> int {
    while (n > 0) {
      ssize_t w = ::write(out, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return 0;
  };
  if (!src_file.empty()) {
    int in = ::open(src_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return fail("read " + src_file, errno);
    char buf[64 * 1024];
    for (;;) {
      ssize_t r = ::read(in, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        int err = errno;
        ::close(in);
        return fail("read " + src_file, err);
      }
      if (r == 0) break;
      if (int err = write_all(buf, static_cast<std::size_t>(r))) {
        ::close(in);
        return fail("write " + tmp, err);
      }
    }
    ::close(in);
  } else if (int err = write_all(data.data(), data.size())) {
    return fail("write " + tmp, err);
  }
  if (::fsync(out) != 0) return fail("fsync " + tmp, errno);
  if (::close(out) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("close " + tmp, err);
  }
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("rename " + dest, err);
  }
  return fsync_dir(fs::path(dest).parent_path().string());
}

class FileTarget : public Target {
 public:
  explicit FileTarget(config::UploadTarget config)
      : Target(std::move(config)), folder_(config_.folder()) {}

  bool is_local() const override { return true; }

  bool local_reachable() const override {
    std::error_code ec;
    fs::path root(folder_);
    return fs::is_directory(root, ec) || fs::is_directory(root.parent_path(), ec);
  }

  Status upload_local(const store::Pledge& p, const std::string& photo_file,
                        const std::string& json) override {
    if (!local_reachable())
      return Status::error(Status::Code::kUnavailable,
                           "folder not there (stick unplugged?): " + folder_);
    const std::string root = folder_;
    fs::path dir = fs::path(root) / dir_of(key(p, "json"));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return io_error("create " + dir.string(), ec.value());
    if (!p.photo_path.empty()) {
      std::string dest = (fs::path(root) / key(p, "jpg")).string();
      if (Status s = write_atomically(dest, photo_file, ""); !s) return s;
      struct stat st {};
      if (::stat(dest.c_str(), &st) != 0 || st.st_size != p.photo_size)
        return Status::error(Status::Code::kIo, "size of " + dest + " differs from the photo's");
    }
    return write_atomically((fs::path(root) / key(p, "json")).string(), "", json);
  }

  Status delete_local(const store::Pledge& p) const override {
    for (const char* ext : {"json", "jpg"}) {
      std::string f = (fs::path(folder_) / key(p, ext)).string();
      if (::unlink(f.c_str()) != 0 && errno != ENOENT) return io_error("remove " + f, errno);
    }
    return Status::ok();
  }

  Status write_document_local(const std::string& key, const std::string& json) override {
    if (!local_reachable())
      return Status::error(Status::Code::kUnavailable,
                           "folder not there (stick unplugged?): " + folder_);
    fs::path dest = fs::path(folder_) / key;
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec) return io_error("create " + dest.parent_path().string(), ec.value());
    return write_atomically(dest.string(), "", json);
  }

  ListingPage list_local(const std::string& dir) const override {
    ListingPage page;
    std::error_code ec;
    for (fs::directory_iterator it(fs::path(folder_) / dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (page.entries.size() >= kMaxListingEntries) {
        page.error = "more than " + std::to_string(kMaxListingEntries) + " entries";
        return page;
      }
      // Never follow a link out of the folder: only real files and folders count.
      const bool folder = it->is_directory(ec) && !it->is_symlink(ec);
      if (!folder && !(it->is_regular_file(ec) && !it->is_symlink(ec))) continue;
      page.entries.push_back({it->path().filename().string(), folder});
    }
    if (ec && ec != std::errc::no_such_file_or_directory) {
      page.error = "cannot list " + (fs::path(folder_) / dir).string() + ": " + ec.message();
      return page;
    }
    page.ok = true;
    return page;
  }

  Status read_local(const std::string& key, std::size_t max, std::string& out) const override {
    const std::string f = (fs::path(folder_) / key).string();
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return io_error("open " + f, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > max) {
      ::close(fd);
      return Status::error(Status::Code::kInvalid, "not a file of at most " +
                                                       std::to_string(max / 1024) + " KiB");
    }
    out.assign(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
      ssize_t r = ::read(fd, out.data() + got, out.size() - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += static_cast<std::size_t>(r);
    }
    ::close(fd);
    out.resize(got);
    return Status::ok();
  }

 private:
  std::string folder_;
};

}  // namespace

std::unique_ptr<Target> make_file_target(const config::UploadTarget& config) {
  return std::make_unique<FileTarget>(config);
}

}  // namespace pb::upload
