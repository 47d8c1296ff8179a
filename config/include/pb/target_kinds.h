// SPDX-License-Identifier: Apache-2.0
// The kinds of upload target, declared once: each kind's name and its own config section
// (the keys it adds to an [[upload.targets]] table, their checks and fallbacks). The config
// parser reads a target's section from here, `pledgebooth doctor` describes a target from
// here, and the upload module makes one class per kind under the same name
// (upload/src/targets/). Adding a kind: docs/TARGETS.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pb::config {

// What a key of a kind's section holds, and so how it is checked when read.
enum class SettingType {
  kText,    // any printable text (e.g. a user name)
  kFolder,  // a local path; relative to the config file; the kind writes there
  kUrl,     // an http(s) URL the kind talks to; plain http only to loopback or when allowed
  kEnv,     // the name of an environment variable holding a secret (never the secret)
  kBucket,  // an S3 bucket name
  kRegion,  // an S3 region name (part of every SigV4 signature)
};

struct SettingSpec {
  const char* key;
  SettingType type;
  bool required = false;
  const char* fallback = "";     // the value when the key is absent
  const char* secret_what = "";  // kEnv: what the variable holds, for messages ("access key")
};

struct TargetKind {
  const char* name;                   // the value of kind = "..."
  std::vector<SettingSpec> settings;  // its own keys, beside the keys every target has
  std::vector<const char*> where;     // keys joined by '/' that say where pledges go
};

// Every kind, in the order messages list them.
const std::vector<TargetKind>& target_kinds();
// The kind named so, or nullptr.
const TargetKind* find_target_kind(const std::string& name);
// "file, s3, webdav or webhook": for messages.
std::string target_kind_list();

}  // namespace pb::config
