// SPDX-License-Identifier: Apache-2.0
// Remote keys and the metadata JSON of a pledge (schema in docs/METADATA.md).
#include <cstdio>
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

void field(std::string& out, const char* name, const std::string& value, bool null_when_empty) {
  out += "\"";
  out += name;
  out += "\":";
  if (null_when_empty && value.empty()) {
    out += "null";
  } else {
    out += json_quote(value);
  }
  out += ",";
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

std::string metadata_json(const store::Pledge& pledge) {
  std::string out = "{";
  out += "\"schema\":" + std::to_string(kMetadataSchemaVersion) + ",";
  field(out, "id", pledge.id, false);
  field(out, "event", pledge.event, false);
  field(out, "booth", pledge.booth, false);
  field(out, "created_utc", pledge.created_utc, false);
  out += "\"created_ms\":" + std::to_string(pledge.created_ms) + ",";
  field(out, "locale", pledge.locale, false);
  field(out, "first_name", pledge.first_name, true);
  field(out, "answer", pledge.answer, true);
  out += std::string("\"share_consent\":") + (pledge.share_consent ? "true" : "false") + ",";
  out += "\"consent_version\":" + std::to_string(pledge.consent_version) + ",";
  out += "\"photo\":";
  if (pledge.photo_path.empty()) {
    out += "null";
  } else {
    out += "{";
    field(out, "name", clean(pledge.id) + ".jpg", false);
    field(out, "content_type", "image/jpeg", false);
    out += "\"size\":" + std::to_string(pledge.photo_size) + ",";
    out += "\"sha256\":";
    out += json_quote(pledge.photo_sha256);
    out += "}";
  }
  out += "}\n";
  return out;
}

}  // namespace pb::upload
