// SPDX-License-Identifier: Apache-2.0
// How a key of booth.toml is declared (keys.cpp holds the declarations): its name, the
// member it fills, its type with default and range or check, and one line saying what it
// means. The reader (config.cpp), validate(), the defaults of every section struct and the
// test that booth.example.toml agrees are all derived from these declarations.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "pb/config.h"

namespace pb::config::keys {

// Why a value is wrong, as the text after "file:line: key: " ("" when it is right). Pure, so
// the same check runs on a value read from the file and on a Config built in code.
using TextCheck = std::string (*)(const std::string& value);
using IntCheck = std::string (*)(std::int64_t value);
// Rewrites a value as read from the file, after its check: a path relative to the file's
// folder made absolute, a trailing '/' dropped. Never on a Config built in code.
using TextFix = std::string (*)(const std::string& value, const std::string& base_dir);

struct Flag {
  bool fallback;
};
struct Integer {
  std::int64_t fallback, lo, hi;  // the default and the range, inclusive
  IntCheck more = nullptr;        // a rule inside the range (e.g. "0 or at least 10")
};
// A file the booth reads at start-up: there and readable when the file is read (never by
// validate(), which looks at no disk).
enum class File { kNone, kIfSet, kRequired };
struct Text {
  const char* fallback;
  TextCheck check = nullptr;
  TextFix fix = nullptr;
  File file = File::kNone;
};
// A table of strings keyed by locale: [event.pledge_text] en = "...", ko = "...".
struct LocaleTable {};

using Type = std::variant<Flag, Integer, Text, LocaleTable>;

template <class S>
using Member = std::variant<bool S::*, int S::*, std::int64_t S::*, std::string S::*,
                            std::map<std::string, std::string> S::*>;

template <class S>
struct Key {
  const char* name;  // within its section: "idle_timeout_s"
  Member<S> member;
  Type type;
  const char* doc;                // what it means, in one line
  const char* example = nullptr;  // the TOML value booth.example.toml shows, when not the default
};

// The checks and fixes the declarations use, also for the keys of a target kind's own
// section (pb/target_kinds.h).
std::string shown(const std::string& value);  // a value as a message quotes it
std::string path_problem(const std::string& path);
std::string url_problem(const std::string& url);
std::string env_name_problem(const std::string& name);
std::string bucket_problem(const std::string& bucket);
std::string region_problem(const std::string& region);
std::string resolve_path(const std::string& path, const std::string& base_dir);

// The keys of each section, in the order booth.example.toml documents them.
const std::vector<Key<EventConfig>>& event_keys();
const std::vector<Key<BoothConfig>>& booth_keys();
const std::vector<Key<CameraConfig>>& camera_keys();
const std::vector<Key<PhotoConfig>>& photo_keys();
const std::vector<Key<StorageConfig>>& storage_keys();
const std::vector<Key<UploadConfig>>& upload_keys();  // [upload] itself; targets below
const std::vector<Key<UploadTarget>>& target_keys();  // every [[upload.targets]] table
const std::vector<Key<StatusConfig>>& status_keys();

// --- reading and writing a member through its declaration ------------------------------

// The bug of a declaration whose type does not fit its member (found by any test, since
// every section's constructor applies the declarations).
[[noreturn]] inline void mismatch(const char* name) {
  throw std::logic_error(std::string("config key '") + name +
                         "' is declared with a type "
                         "that does not fit its member");
}

template <class S>
void set_bool(const Key<S>& k, S& s, bool v) {
  if (auto m = std::get_if<bool S::*>(&k.member)) return void(s.**m = v);
  mismatch(k.name);
}
template <class S>
void set_int(const Key<S>& k, S& s, std::int64_t v) {
  if (auto m = std::get_if<int S::*>(&k.member)) return void(s.**m = static_cast<int>(v));
  if (auto m = std::get_if<std::int64_t S::*>(&k.member)) return void(s.**m = v);
  mismatch(k.name);
}
template <class S>
void set_text(const Key<S>& k, S& s, std::string v) {
  if (auto m = std::get_if<std::string S::*>(&k.member)) return void(s.**m = std::move(v));
  mismatch(k.name);
}
template <class S>
void set_table(const Key<S>& k, S& s, std::map<std::string, std::string> v) {
  using Table = std::map<std::string, std::string>;
  if (auto m = std::get_if<Table S::*>(&k.member)) return void(s.**m = std::move(v));
  mismatch(k.name);
}

template <class S>
bool get_bool(const Key<S>& k, const S& s) {
  if (auto m = std::get_if<bool S::*>(&k.member)) return s.**m;
  mismatch(k.name);
}
template <class S>
std::int64_t get_int(const Key<S>& k, const S& s) {
  if (auto m = std::get_if<int S::*>(&k.member)) return s.**m;
  if (auto m = std::get_if<std::int64_t S::*>(&k.member)) return s.**m;
  mismatch(k.name);
}
template <class S>
const std::string& get_text(const Key<S>& k, const S& s) {
  if (auto m = std::get_if<std::string S::*>(&k.member)) return s.**m;
  mismatch(k.name);
}

// Sets every declared member of `s` to its default.
template <class S>
void apply_defaults(S& s, const std::vector<Key<S>>& keys) {
  for (const auto& k : keys) {
    if (auto f = std::get_if<Flag>(&k.type))
      set_bool(k, s, f->fallback);
    else if (auto i = std::get_if<Integer>(&k.type))
      set_int(k, s, i->fallback);
    else if (auto t = std::get_if<Text>(&k.type))
      set_text(k, s, t->fallback);
    else
      set_table(k, s, {});
  }
}

// What is wrong with an integer for this key ("" when it is right): its range, then its rule.
inline std::string integer_problem(const Integer& i, std::int64_t v) {
  if (v < i.lo || v > i.hi)
    return "must be between " + std::to_string(i.lo) + " and " + std::to_string(i.hi) + ", found " +
           std::to_string(v);
  return i.more ? i.more(v) : "";
}

}  // namespace pb::config::keys
