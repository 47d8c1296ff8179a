// SPDX-License-Identifier: Apache-2.0
// The ledger's durable file operations: pb::disk, in the words a volunteer reads.
#include "files.h"

#include <string_view>

namespace pb::store {
namespace {

// pb::disk's "<what>: <strerror>" with the ledger's words around it.
Status in_ledger_words(Status s) {
  if (s) return s;
  switch (s.code()) {
    case Status::Code::kDiskFull:
      return Status::error(s.code(), "the disk is full (" + s.message() + ")");
    case Status::Code::kReadOnly:
      return Status::error(s.code(), "the data directory cannot be written (" + s.message() + ")");
    default:
      return s;
  }
}

}  // namespace

Status errno_status(int err, const std::string& what) {
  return in_ledger_words(disk::errno_status(err, what));
}

std::optional<Status::Code> disk_state(const std::string& dir) {
  return disk::disk_state(dir);
}

Status make_dirs_durable(const std::string& dir, disk::Env& env) {
  return in_ledger_words(disk::make_dirs(dir, 0700, env));
}

Status write_file_durably(const std::string& dir, const std::string& name,
                          const std::vector<std::uint8_t>& bytes, disk::Env& env) {
  const std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return in_ledger_words(
      disk::write_file(dir + "/" + name, dir + "/." + name + kTempSuffix, view, 0600, env));
}

Status fsync_dir(const std::string& dir, disk::Env& env) {
  return in_ledger_words(disk::sync_dir(dir, env));
}

Status remove_durably(const std::string& path, disk::Env& env) {
  return in_ledger_words(disk::remove_file(path, env));
}

}  // namespace pb::store
