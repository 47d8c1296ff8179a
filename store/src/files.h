// SPDX-License-Identifier: Apache-2.0
// Durable file operations for photos and exports, in the ledger's words: pb::disk (temp →
// fsync → rename → fsync(dir)) with a failure turned into a Status a volunteer can act on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pb/disk.h"
#include "pb/status.h"

namespace pb::store {

// The suffix of in-progress photo files; start-up recovery removes any it finds.
inline constexpr const char* kTempSuffix = ".tmp";

// An errno as a Status in the ledger's words: "the disk is full (...)", "the data directory
// cannot be written (...)".
Status errno_status(int err, const std::string& what);
// What the file system holding dir says about writing there (pb::disk::disk_state).
std::optional<Status::Code> disk_state(const std::string& dir);
// Creates dir and missing parents (mode 0700), fsyncing each parent of a new directory.
Status make_dirs_durable(const std::string& dir, disk::Env& env = disk::Env::posix());
// Writes bytes to dir/name durably: dir/.name.tmp, fsync, rename, fsync(dir). On failure
// no file of that name and no temp file remain.
Status write_file_durably(const std::string& dir, const std::string& name,
                          const std::vector<std::uint8_t>& bytes,
                          disk::Env& env = disk::Env::posix());
// fsyncs a folder (a file system that cannot, EINVAL, is fine: pb::disk::sync_dir).
Status fsync_dir(const std::string& dir, disk::Env& env = disk::Env::posix());
// Removes a file and fsyncs its directory; a missing file is fine.
Status remove_durably(const std::string& path, disk::Env& env = disk::Env::posix());

}  // namespace pb::store
