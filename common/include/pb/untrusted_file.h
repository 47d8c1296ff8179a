// SPDX-License-Identifier: Apache-2.0
// Reading files that another process or person may replace at any moment: a shared folder
// every booth of a campaign writes to, wall-hidden.txt after `sudo pledgebooth wall hide`.
// Whatever is put there (a FIFO, a device, a symlink, a huge file, a folder), the caller
// never blocks on opening it, never follows a link out of where it looks, and never reads
// more than it asked for.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>

#include "pb/status.h"

namespace pb::disk {

// Reads the regular file at path, whole, when it is at most max bytes. It is opened with
// O_NONBLOCK | O_NOFOLLOW | O_NOCTTY (a FIFO or a device cannot make the caller wait, a
// symlink as its last part is refused) and checked with fstat before a byte is read.
// kNotFound when absent; kInvalid when it is no regular file or larger than max; otherwise
// the errno as errno_status (EACCES, EMFILE, ELOOP for a symlink). *st gets the fstat of
// what was opened (also when kInvalid), so a caller can tell the same file from a new one.
Status read_untrusted_file(const std::string& path, std::size_t max, std::string& out,
                           struct stat* st = nullptr);

// Opens the regular file at path the same way, for a caller that hands the descriptor on
// (e.g. to sendfile) instead of reading it: the descriptor, with *st its fstat, or -1 with
// errno set (EINVAL when it is no regular file). The caller closes it.
int open_untrusted_file(const std::string& path, struct stat* st);

// The same for rel, a '/'-separated path below the folder root: each folder on the way is
// opened from the one before with O_NOFOLLOW | O_DIRECTORY, so no symlink below root (a
// `_booths` that links elsewhere) leads outside it. root itself may be a link (a mount
// point). A ".." part is refused (kInvalid).
Status read_untrusted_file_below(const std::string& root, const std::string& rel, std::size_t max,
                                 std::string& out);

// Opens the folder rel below root the same way (O_RDONLY | O_DIRECTORY | O_CLOEXEC; "" =
// root itself) for listing with fdopendir; the caller closes it. -1 with errno set on
// failure: ENOENT, ELOOP or ENOTDIR for a symlink below root, EINVAL for a ".." part.
int open_folder_below(const std::string& root, const std::string& rel);

}  // namespace pb::disk
