// Durable file operations for photos: temp → fsync → rename → fsync(dir), with errno
// turned into a Status a volunteer can act on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pb/status.h"

namespace pb::store {

// The suffix of in-progress photo files; start-up recovery removes any it finds.
inline constexpr const char* kTempSuffix = ".tmp";

Status errno_status(int err, const std::string& what);
// What the file system holding dir says about writing there: kDiskFull when no block or
// inode is free, kReadOnly when mounted read-only, nullopt when neither (or dir is unknown).
std::optional<Status::Code> disk_state(const std::string& dir);
// Creates dir and missing parents (mode 0700), fsyncing each parent of a new directory.
Status make_dirs_durable(const std::string& dir);
Status fsync_dir(const std::string& dir);
// Writes bytes to dir/name durably: dir/.name.tmp, fsync, rename, fsync(dir). On failure
// no file of that name and no temp file remain.
Status write_file_durably(const std::string& dir, const std::string& name,
                          const std::vector<std::uint8_t>& bytes);
// Removes a file and fsyncs its directory; a missing file is fine.
Status remove_durably(const std::string& path);

}  // namespace pb::store
