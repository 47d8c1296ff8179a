// SPDX-License-Identifier: Apache-2.0
// Remote keys and the metadata JSON of a pledge (schema in docs/METADATA.md).
#include <string>

#include "pb/json.h"
#include "pb/uploader.h"

namespace pb::upload {
namespace {

bool key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '~' || c == '/' || c == '-';
}

// Anything outside [A-Za-z0-9._~/-] becomes '-', so a key never needs escaping (and
// SigV4's canonical URI equals the path we send).
std::string clean(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (!key_char(c)) c = '-';
  return out;
}

}  // namespace

std::string object_key(const std::string& prefix, const store::Pledge& pledge,
                       const std::string& ext) {
  std::string key;
  std::string p = clean(prefix);
  while (!p.empty() && p.back() == '/') p.pop_back();
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  if (!p.empty()) key = p + "/";
  key += clean(pledge.event) + "/" + store::utc_date(pledge.created_ms) + "/" + clean(pledge.id) +
         "." + clean(ext);
  // ".." segments could climb out of a file target; they cannot come from slugs or UUIDs.
  for (std::size_t at = key.find(".."); at != std::string::npos; at = key.find("..")) key[at] = '-';
  return key;
}

std::string public_photo_url(const std::string& public_base_url, const store::Pledge& pledge) {
  std::string base = public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + object_key("", pledge, "jpg");
}

bool target_takes(const config::Config& config, const std::string& target, bool campaign,
                  bool link) {
  return target == config.event.public_target ? link : campaign;
}

std::vector<std::string> upload_targets_for(const config::Config& config, bool campaign,
                                            bool link) {
  std::vector<std::string> names;
  for (const auto& t : config.upload.targets)
    if (target_takes(config, t.name, campaign, link)) names.push_back(t.name);
  return names;
}

std::string metadata_json(const store::Pledge& pledge, bool for_public_link) {
  const bool personal = pledge.share_consent && !for_public_link;
  const auto or_null = [](const std::string& v) {
    return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
  };
  nlohmann::ordered_json photo = nullptr;
  if (!pledge.photo_path.empty())
    photo = {{"name", clean(pledge.id) + ".jpg"},
             {"content_type", "image/jpeg"},
             {"size", pledge.photo_size},
             {"sha256", pledge.photo_sha256}};
  // Each choice as made, with the wording's version, the language and the time.
  const nlohmann::ordered_json choices = {
      {"campaign", pledge.share_consent},
      {"wall", pledge.wall_consent},
      {"link", pledge.link_consent},
      {"version", pledge.consent_version},
      {"locale", or_null(pledge.consent_locale)},
      {"made_utc", pledge.consent_ms > 0
                       ? nlohmann::ordered_json(store::utc_timestamp(pledge.consent_ms))
                       : nlohmann::ordered_json(nullptr)}};
  const nlohmann::ordered_json doc = {{"schema", kMetadataSchemaVersion},
                                      {"id", pledge.id},
                                      {"event", pledge.event},
                                      {"booth", pledge.booth},
                                      {"created_utc", pledge.created_utc},
                                      {"created_ms", pledge.created_ms},
                                      {"locale", pledge.locale},
                                      {"first_name", or_null(personal ? pledge.first_name : "")},
                                      {"answer", or_null(personal ? pledge.answer : "")},
                                      {"share_consent", pledge.share_consent},
                                      {"consent_version", pledge.consent_version},
                                      {"choices", choices},
                                      {"photo", photo}};
  return json_text(doc) + "\n";
}

}  // namespace pb::upload
