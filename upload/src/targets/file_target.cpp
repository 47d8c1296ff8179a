// SPDX-License-Identifier: Apache-2.0
// A folder or a USB stick: each file written to a temp name, fsync'd, renamed into place,
// and the folder fsync'd, so a pulled stick never holds half a photo under its real name.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pb/disk.h"
#include "targets.h"

namespace fs = std::filesystem;

namespace pb::upload {
namespace {

// Each file goes to a temp name beside it (the booth's pid in it), then pb/disk.h's
// temp → fsync → rename → fsync(folder), the same code the ledger's photos go through.
std::string temp_for(const std::string& dest) {
  return dest + ".part-" + std::to_string(::getpid());
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
    if (Status s = disk::make_dirs(dir.string(), 0755); !s) return s;
    if (!p.photo_path.empty()) {
      std::string dest = (fs::path(root) / key(p, "jpg")).string();
      if (Status s = disk::copy_file(photo_file, dest, temp_for(dest), 0644); !s) return s;
      struct stat st {};
      if (::stat(dest.c_str(), &st) != 0 || st.st_size != p.photo_size)
        return Status::error(Status::Code::kIo, "size of " + dest + " differs from the photo's");
    }
    const std::string json_dest = (fs::path(root) / key(p, "json")).string();
    return disk::write_file(json_dest, temp_for(json_dest), json, 0644);
  }

  Status delete_local(const store::Pledge& p) const override {
    for (const char* ext : {"json", "jpg"}) {
      if (Status s = disk::remove_file((fs::path(folder_) / key(p, ext)).string()); !s) return s;
    }
    return Status::ok();
  }

  Status write_document_local(const std::string& key, const std::string& json) override {
    if (!local_reachable())
      return Status::error(Status::Code::kUnavailable,
                           "folder not there (stick unplugged?): " + folder_);
    fs::path dest = fs::path(folder_) / key;
    if (Status s = disk::make_dirs(dest.parent_path().string(), 0755); !s) return s;
    return disk::write_file(dest.string(), temp_for(dest.string()), json, 0644);
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
    if (fd < 0) return disk::errno_status(errno, "open " + f);
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
