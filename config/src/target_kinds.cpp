// SPDX-License-Identifier: Apache-2.0
// The list of upload target kinds and each kind's own config section (pb/target_kinds.h).
// A kind's behaviour lives in upload/src/targets/<kind>_target.cpp under the same name.
#include "pb/target_kinds.h"

#include "pb/config.h"

namespace pb::config {

const std::vector<TargetKind>& target_kinds() {
  using T = SettingType;
  static const std::vector<TargetKind> kinds = {
      // A folder or a USB stick: temp file, fsync, rename, fsync folder.
      {"file", {{"path", T::kFolder, true}}, {"path"}},
      // S3-compatible object storage (AWS, MinIO, Ceph, R2): SigV4, path-style URLs.
      {"s3",
       {{"endpoint", T::kUrl, true},
        {"bucket", T::kBucket, true},
        {"region", T::kRegion, false, "us-east-1"},
        {"access_key_env", T::kEnv, true, "", "access key"},
        {"secret_key_env", T::kEnv, true, "", "secret key"}},
       {"endpoint", "bucket"}},
      // A WebDAV collection (Nextcloud, ownCloud): MKCOL + PUT, Basic auth.
      {"webdav",
       {{"url", T::kUrl, true},
        {"username", T::kText},
        {"password_env", T::kEnv, false, "", "password"}},
       {"url"}},
      // An HTTPS endpoint of the organiser's: multipart POST, bearer token.
      {"webhook",
       {{"url", T::kUrl, true}, {"token_env", T::kEnv, false, "", "token"}},
       {"url"}},
  };
  return kinds;
}

const TargetKind* find_target_kind(const std::string& name) {
  for (const auto& k : target_kinds())
    if (name == k.name) return &k;
  return nullptr;
}

std::string target_kind_list() {
  const auto& kinds = target_kinds();
  std::string out;
  for (std::size_t i = 0; i < kinds.size(); ++i)
    out += std::string(i == 0 ? "" : i + 1 == kinds.size() ? " or " : ", ") + kinds[i].name;
  return out;
}

namespace {

// The value of the first key of `type` in the target's kind.
std::string first_of_type(const UploadTarget& t, SettingType type) {
  if (const TargetKind* k = find_target_kind(t.kind))
    for (const auto& s : k->settings)
      if (s.type == type) return t.setting(s.key);
  return "";
}

}  // namespace

std::string UploadTarget::setting(const std::string& key) const {
  if (auto it = settings.find(key); it != settings.end()) return it->second;
  if (const TargetKind* k = find_target_kind(kind))
    for (const auto& s : k->settings)
      if (key == s.key) return s.fallback;
  return "";
}

std::string UploadTarget::url() const {
  return first_of_type(*this, SettingType::kUrl);
}

std::string UploadTarget::folder() const {
  return first_of_type(*this, SettingType::kFolder);
}

std::string UploadTarget::where() const {
  std::string out;
  if (const TargetKind* k = find_target_kind(kind))
    for (const char* key : k->where) out += (out.empty() ? "" : "/") + setting(key);
  return out;
}

std::vector<std::pair<std::string, std::string>> UploadTarget::secret_envs() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (const TargetKind* k = find_target_kind(kind))
    for (const auto& s : k->settings)
      if (s.type == SettingType::kEnv && !setting(s.key).empty())
        out.emplace_back(setting(s.key), s.secret_what);
  return out;
}

}  // namespace pb::config
