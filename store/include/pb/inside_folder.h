// SPDX-License-Identifier: Apache-2.0
// The guard for paths built from untrusted names (a ledger from another booth's card, an
// export folder): a path is used only when it stays inside the folder it belongs to.
#pragma once

#include <string>

namespace pb::store {

// True when `path` lies inside `folder` (not the folder itself): lexically (no ".." out of
// it, no absolute jump elsewhere) and also after resolving every symlink of the part of
// both that exists, so a link inside the folder that points out of it does not count.
// Never throws; a path that cannot be looked at is not inside.
bool is_inside_folder(const std::string& folder, const std::string& path);

}  // namespace pb::store
