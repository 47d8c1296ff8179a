// SPDX-License-Identifier: Apache-2.0
// A folder or a USB stick: each file written to a temp name, fsync'd, renamed into place,
// and the folder fsync'd, so a pulled stick never holds half a photo under its real name.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>

#include "pb/disk.h"
#include "pb/log.h"
#include "pb/untrusted_file.h"
#include "targets.h"

namespace fs = std::filesystem;

namespace pb::upload {
namespace {

// Each file goes to a temp name beside it (the booth's pid in it), then pb/disk.h's
// temp → fsync → rename → fsync(folder), the same code the ledger's photos go through.
std::string temp_for(const std::string& dest) {
  return dest + ".part-" + std::to_string(::getpid());
}

// A partial copy a killed upload left (`<name>.part-<pid>`, that pid no longer running on
// this machine): the row is uploaded again later under the real name, so the copy is junk.
bool is_stale_partial_copy(const std::string& name) {
  const auto at = name.rfind(".part-");
  if (at == std::string::npos || at + 6 == name.size() || name.size() - at > 6 + 10) return false;
  long pid = 0;
  for (std::size_t i = at + 6; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

class FileTarget : public Target {
 public:
  explicit FileTarget(config::UploadTarget config)
      : Target(std::move(config)), folder_(config_.folder()) {}

  bool is_local() const override { return true; }

  // The folder, or the folder it is made in, is there and this process may write in it. A
  // stick's mount point exists a moment before the stick is mounted on it (root's, not
  // writable): that is "not there yet", never a reason to give an upload up.
  bool local_reachable() const override { return unreachable_because().empty(); }

  Status upload_local(const store::Pledge& p, const std::string& photo_file,
                      const std::string& json) override {
    if (const std::string why = unreachable_because(); !why.empty())
      return Status::error(Status::Code::kUnavailable, why);
    sweep_partial_copies();
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
    if (const std::string why = unreachable_because(); !why.empty())
      return Status::error(Status::Code::kUnavailable, why);
    fs::path dest = fs::path(folder_) / key;
    if (Status s = disk::make_dirs(dest.parent_path().string(), 0755); !s) return s;
    return disk::write_file(dest.string(), temp_for(dest.string()), json, 0644);
  }

  // Reading back (`pledgebooth tally`, the campaign count): every booth of the campaign
  // writes here, so nothing below the folder is trusted. Folders are opened step by step
  // without following a symlink (a `_booths` that links elsewhere lists nothing), files
  // with O_NONBLOCK (a FIFO swapped in after the listing cannot hang the reader).
  ListingPage list_local(const std::string& dir) const override {
    ListingPage page;
    const std::string where = (fs::path(folder_) / dir).string();
    const int fd = disk::open_folder_below(folder_, dir);
    if (fd < 0) {
      if (errno == ENOENT)
        page.ok = true;  // an absent folder is empty
      else
        page.error = "cannot list " + where + ": " + std::strerror(errno) +
                     (errno == ELOOP || errno == ENOTDIR ? " (a symlink is not followed)" : "");
      return page;
    }
    std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(fd), ::closedir);
    if (!d) {
      ::close(fd);
      page.error = "cannot list " + where + ": " + std::strerror(errno);
      return page;
    }
    while (const dirent* e = ::readdir(d.get())) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (page.entries.size() >= kMaxListingEntries) {
        page.error = "more than " + std::to_string(kMaxListingEntries) + " entries";
        return page;
      }
      // Only real files and folders count, never a link.
      struct stat st {};
      if (::fstatat(::dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;
      page.entries.push_back({name, S_ISDIR(st.st_mode)});
    }
    page.ok = true;
    return page;
  }

  Status read_local(const std::string& key, std::size_t max, std::string& out) const override {
    return disk::read_untrusted_file_below(folder_, key, max, out);
  }

 private:
  // "" when the folder can be written (or made), else why not, for the operator.
  std::string unreachable_because() const {
    std::error_code ec;
    const fs::path root(folder_);
    const fs::path where = fs::is_directory(root, ec)                 ? root
                           : fs::is_directory(root.parent_path(), ec) ? root.parent_path()
                                                                      : fs::path();
    if (where.empty()) return "folder not there (stick unplugged?): " + folder_;
    if (::access(where.c_str(), W_OK | X_OK) != 0)
      return "folder not writable (a stick still being mounted, or its owner and mode): " +
             where.string() + ": " + std::strerror(errno);
    return "";
  }

  // Once per stick (per file system of the folder) and process: removes the partial copies
  // killed uploads left below the folder. Links are not followed; at most kMaxSwept entries
  // are looked at, so a huge folder costs a bounded walk once.
  void sweep_partial_copies() {
    static constexpr std::size_t kMaxSwept = 500000;
    struct stat root {};
    if (::stat(folder_.c_str(), &root) != 0) return;
    std::lock_guard<std::mutex> lock(sweep_mu_);
    if (swept_ && swept_dev_ == root.st_dev) return;
    swept_ = true;
    swept_dev_ = root.st_dev;
    std::error_code ec;
    fs::recursive_directory_iterator it(folder_, fs::directory_options::skip_permission_denied, ec);
    std::size_t seen = 0, removed = 0;
    for (; !ec && it != fs::recursive_directory_iterator() && seen < kMaxSwept;
         it.increment(ec), ++seen) {
      if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
      if (!is_stale_partial_copy(it->path().filename().string())) continue;
      if (::unlink(it->path().c_str()) == 0) ++removed;
    }
    if (removed > 0)
      pb::log::info(pb::log::cat("upload: ", removed,
                                 " partial copies of killed uploads removed from ", folder_));
  }

  std::string folder_;
  std::mutex sweep_mu_;
  bool swept_ = false;
  dev_t swept_dev_ = 0;
};

}  // namespace

std::unique_ptr<Target> make_file_target(const config::UploadTarget& config) {
  return std::make_unique<FileTarget>(config);
}

}  // namespace pb::upload
