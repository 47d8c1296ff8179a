// SPDX-License-Identifier: Apache-2.0
// The class of each target kind, by the name config::target_kinds() gives it. Like curl's
// table of protocol handlers: one line per kind, the kind's code in its own file.
#include <stdexcept>

#include "targets.h"

namespace pb::upload {

std::unique_ptr<Target> make_file_target(const config::UploadTarget& config);
std::unique_ptr<Target> make_s3_target(const config::UploadTarget& config);
std::unique_ptr<Target> make_webdav_target(const config::UploadTarget& config);
std::unique_ptr<Target> make_webhook_target(const config::UploadTarget& config);

namespace {

struct TargetClass {
  const char* kind;
  std::unique_ptr<Target> (*make)(const config::UploadTarget&);
};

constexpr TargetClass kTargetClasses[] = {
    {"file", make_file_target},
    {"s3", make_s3_target},
    {"webdav", make_webdav_target},
    {"webhook", make_webhook_target},
};

}  // namespace

std::unique_ptr<Target> make_target(const config::UploadTarget& config) {
  for (const TargetClass& c : kTargetClasses)
    if (config.kind == c.kind) return c.make(config);
  throw std::invalid_argument("no upload target class for kind '" + config.kind + "'");
}

std::vector<std::string> registered_target_kinds() {
  std::vector<std::string> out;
  for (const TargetClass& c : kTargetClasses) out.emplace_back(c.kind);
  return out;
}

}  // namespace pb::upload
