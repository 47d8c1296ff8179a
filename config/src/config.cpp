// SPDX-License-Identifier: Apache-2.0
// Loads booth.toml into Config by the declarations of keys.cpp: every key read, checked and
// fixed up as declared, so every error can name the file, the line and the key; validate()
// runs the same checks on a Config built in code.
#include "pb/config.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "keys.h"
#include "pb/url.h"
#include "pb/utf8.h"

namespace fs = std::filesystem;

namespace pb::config {

ConfigError::ConfigError(std::string file, int line, std::string key, std::string what)
    // Keys and values come from the file: printed only as printable text of bounded size.
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + printable_text(key, 200) +
                         ": " + printable_text(what, 2000)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

namespace {

using keys::shown;

// Where we are while reading: the file name and the node being read.
struct Reader {
  std::string file;
  fs::path base_dir;  // relative paths resolve against this

  [[noreturn]] void fail(const toml::node& node, const std::string& key,
                         const std::string& what) const {
    throw ConfigError(file, static_cast<int>(node.source().begin.line), key, what);
  }
  // Fails when `problem` says something is wrong.
  void check(const toml::node& node, const std::string& key, const std::string& problem) const {
    if (!problem.empty()) fail(node, key, problem);
  }

  std::string str(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<std::string>()) return *v;
    fail(n, key, std::string("expected a string, found ") + type_name(n));
  }
  std::int64_t integer(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<std::int64_t>()) return *v;
    fail(n, key, std::string("expected an integer, found ") + type_name(n));
  }
  bool boolean(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<bool>()) return *v;
    fail(n, key, std::string("expected true or false, found ") + type_name(n));
  }
  const toml::table& table(const toml::node& n, const std::string& key,
                           const std::string& expected) const {
    if (const toml::table* t = n.as_table()) return *t;
    fail(n, key, "expected " + expected);
  }
  // A file the booth reads at start-up: there and readable, or a file:line error. Never
  // throws std::filesystem_error (a name too long, a folder this user may not enter).
  void readable_file(const toml::node& n, const std::string& key, const std::string& p) const {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
      fail(n, key, "cannot look at " + shown(p) + ": " + ec.message());
    if (!fs::exists(st)) fail(n, key, "file not found: " + shown(p));
    // A FIFO or a device would block or never end the read below.
    if (!fs::is_regular_file(st)) fail(n, key, "is not a regular file: " + shown(p));
    std::ifstream in(p, std::ios::binary);
    if (!in) fail(n, key, "cannot be read: " + shown(p) + ": " + std::strerror(errno));
  }
  static const char* type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a number with a fraction";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::table:
        return "a table";
      case toml::node_type::array:
        return "an array";
      default:
        return "a date or time";
    }
  }
};

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = 1000;
  for (const auto& k : known) {
    std::size_t d = edit_distance(key, k);
    if (d < best_d) best_d = d, best = k;
  }
  if (!best.empty() && best_d <= std::max<std::size_t>(2, key.size() / 3))
    return "; did you mean '" + best + "'?";
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  return "; known keys: " + list;
}

using Setter = std::function<void(const toml::node&, const std::string& key)>;
using Fields = std::vector<std::pair<std::string, Setter>>;

// Reads one table: every key must be known; each known key's setter reads and checks it.
void read_table(const Reader& r, const toml::table& t, const std::string& prefix,
                const Fields& fields) {
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.first);
  for (const auto& [k, node] : t) {
    std::string key(k.str());
    std::string full = prefix.empty() ? key : prefix + "." + key;
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == key; });
    if (it == fields.end()) {
      const toml::node& where = node;
      throw ConfigError(r.file,
                        static_cast<int>(k.source().begin.line ? k.source().begin.line
                                                               : where.source().begin.line),
                        full, "unknown key" + did_you_mean(key, names));
    }
    it->second(node, full);
  }
}

// A table of strings keyed by locale: [event.pledge_text] en = "...", ko = "...".
std::map<std::string, std::string> read_locale_table(const Reader& r, const toml::node& n,
                                                     const std::string& key) {
  const toml::table* t = n.as_table();
  if (!t)
    r.fail(n, key,
           std::string("expected a table of locale = \"text\", found ") + Reader::type_name(n));
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : *t) {
    std::string loc(k.str());
    if (!is_available_locale(loc))
      r.fail(v, key + "." + loc, "unknown locale; the booth speaks " + spoken_locales());
    std::string text = r.str(v, key + "." + loc);
    if (text.empty()) r.fail(v, key + "." + loc, "must not be empty");
    out[loc] = text;
  }
  return out;
}

// One declared key of a section, read from the file as its declaration says.
template <class S>
void read_key(const Reader& r, const keys::Key<S>& k, S& s, const toml::node& v,
              const std::string& key) {
  if (std::holds_alternative<keys::Flag>(k.type)) {
    keys::set_bool(k, s, r.boolean(v, key));
  } else if (auto i = std::get_if<keys::Integer>(&k.type)) {
    const std::int64_t n = r.integer(v, key);
    r.check(v, key, keys::integer_problem(*i, n));
    keys::set_int(k, s, n);
  } else if (auto t = std::get_if<keys::Text>(&k.type)) {
    std::string text = r.str(v, key);
    if (t->check) r.check(v, key, t->check(text));
    if (t->fix) text = t->fix(text, r.base_dir.string());
    if (t->file == keys::File::kRequired || (t->file == keys::File::kIfSet && !text.empty()))
      r.readable_file(v, key, text);
    keys::set_text(k, s, std::move(text));
  } else {
    keys::set_table(k, s, read_locale_table(r, v, key));
  }
}

// The setters of a section's declared keys, to which a section may add its own.
template <class S>
Fields declared_fields(const Reader& r, S& s, const std::vector<keys::Key<S>>& list) {
  Fields fields;
  for (const auto& k : list)
    fields.push_back({k.name, [&r, &s, &k](const toml::node& v, const std::string& key) {
                        read_key(r, k, s, v, key);
                      }});
  return fields;
}

// A [section] of declared keys only.
template <class S>
Setter section(const Reader& r, S& s, const std::vector<keys::Key<S>>& list) {
  return [&r, &s, &list](const toml::node& n, const std::string& key) {
    read_table(r, r.table(n, key, "a table [" + key + "]"), key, declared_fields(r, s, list));
  };
}

// What is wrong with a key of a target kind's own section, by its type ("" when right).
std::string setting_problem(SettingType type, const std::string& value) {
  switch (type) {
    case SettingType::kFolder:
      return keys::path_problem(value);
    case SettingType::kUrl:
      return keys::url_problem(value);
    case SettingType::kEnv:
      return keys::env_name_problem(value);
    case SettingType::kBucket:
      return keys::bucket_problem(value);
    case SettingType::kRegion:
      return keys::region_problem(value);
    case SettingType::kText:
      break;
  }
  return "";
}

// --- the rules across keys, for the reader (with a line) and validate() (line 0) --------

// A problem found by looking at several keys: which key to name, and what is wrong.
struct Problem {
  std::string key;  // relative to the table checked: "url", "bucket", "public_target"
  std::string what;
};

std::optional<Problem> status_problem(const StatusConfig& s) {
  if (url::plain_http_refused(s.url, s.allow_plain_http))
    return Problem{"url",
                   "plain http:// to a non-loopback host sends the booth's status unencrypted; "
                   "use https:// or set allow_plain_http = true"};
  return std::nullopt;
}

// The kind's required keys, then the plain-http rule for its URL.
std::optional<Problem> target_problem(const UploadTarget& u, const TargetKind& kind) {
  const SettingSpec* url_spec = nullptr;
  for (const SettingSpec& spec : kind.settings) {
    if (spec.required && u.setting(spec.key).empty())
      return Problem{spec.key, std::string("is required for a ") + u.kind + " target"};
    if (spec.type == SettingType::kUrl && !url_spec) url_spec = &spec;
  }
  if (url_spec && url::plain_http_refused(u.setting(url_spec->key), u.allow_plain_http))
    return Problem{url_spec->key,
                   "plain http:// to a non-loopback host sends pledges unencrypted; use https:// "
                   "or set allow_plain_http = true"};
  return std::nullopt;
}

std::optional<Problem> public_target_problem(const Config& c) {
  const std::string& wanted = c.event.public_target;
  if (wanted.empty() || std::any_of(c.upload.targets.begin(), c.upload.targets.end(),
                                    [&](const UploadTarget& u) { return u.name == wanted; }))
    return std::nullopt;
  return Problem{"public_target", "names no [[upload.targets]] entry ('" + wanted + "')"};
}

std::optional<Problem> duplicate_name(const std::vector<UploadTarget>& targets, std::size_t i) {
  for (std::size_t j = 0; j < i; ++j)
    if (targets[j].name == targets[i].name)
      return Problem{"name",
                     "two targets are named '" + targets[i].name + "'; give each a unique name"};
  return std::nullopt;
}

UploadTarget read_target(const Reader& r, const toml::node& n, const std::string& key) {
  const toml::table& t = r.table(n, key, std::string("a table, found ") + Reader::type_name(n));
  UploadTarget u;
  // The kind first: its section says which other keys the table may hold.
  const TargetKind* kind = nullptr;
  if (const toml::node* k = t.get("kind")) {
    u.kind = r.str(*k, key + ".kind");
    kind = find_target_kind(u.kind);
    if (!kind)
      r.fail(*k, key + ".kind",
             "expected " + target_kind_list() + ", found '" + shown(u.kind) + "'");
  }
  Fields fields = declared_fields(r, u, keys::target_keys());
  fields.insert(fields.begin() + 1, {"kind", [](const toml::node&, const std::string&) {}});
  // Without a kind (an error below) every kind's keys are read, so a typo is still named.
  for (const TargetKind& k : target_kinds()) {
    if (kind && kind != &k) continue;
    for (const SettingSpec& spec : k.settings) {
      if (std::any_of(fields.begin(), fields.end(),
                      [&](const auto& f) { return f.first == spec.key; }))
        continue;
      fields.push_back({spec.key, [&r, &u, spec](const toml::node& v, const std::string& k) {
                          std::string value = r.str(v, k);
                          r.check(v, k, setting_problem(spec.type, value));
                          if (spec.type == SettingType::kFolder)
                            value = keys::resolve_path(value, r.base_dir.string());
                          u.settings[spec.key] = value;
                        }});
    }
  }
  read_table(r, t, key, fields);
  if (!kind) r.fail(n, key + ".kind", "is required (" + target_kind_list() + ")");
  if (u.name.empty()) u.name = u.kind;
  if (auto p = target_problem(u, *kind)) {
    const toml::node* at = t.get(p->key);
    r.fail(at ? *at : n, key + "." + p->key, p->what);
  }
  return u;
}

Config parse(const toml::table& root, const Reader& r) {
  Config c = default_config();
  c.source_path = r.file;
  c.upload.targets.clear();  // the built-in target is added below only when the file has none
  Fields upload = declared_fields(r, c.upload, keys::upload_keys());
  upload.push_back({"targets", [&](const toml::node& v, const std::string& k) {
                      const toml::array* a = v.as_array();
                      if (!a) r.fail(v, k, "expected [[upload.targets]] tables");
                      c.upload.targets.clear();
                      for (std::size_t i = 0; i < a->size(); ++i) {
                        const std::string ik = k + "[" + std::to_string(i) + "]";
                        c.upload.targets.push_back(read_target(r, *a->get(i), ik));
                        if (auto p = duplicate_name(c.upload.targets, i))
                          r.fail(*a->get(i), ik + "." + p->key, p->what);
                      }
                    }});
  read_table(r, root, "",
             {{"event", section(r, c.event, keys::event_keys())},
              {"booth", section(r, c.booth, keys::booth_keys())},
              {"camera", section(r, c.camera, keys::camera_keys())},
              {"photo", section(r, c.photo, keys::photo_keys())},
              {"storage", section(r, c.storage, keys::storage_keys())},
              {"status",
               [&](const toml::node& n, const std::string& key) {
                 section(r, c.status, keys::status_keys())(n, key);
                 if (auto p = status_problem(c.status))
                   r.fail(*n.as_table()->get(p->key), key + "." + p->key, p->what);
               }},
              {"upload", [&](const toml::node& n, const std::string& key) {
                 read_table(r, r.table(n, key, "a table [upload]"), key, upload);
               }}});
  if (c.upload.targets.empty()) {
    // The built-in folder target follows this file's data_dir, not the built-in one.
    c.upload.targets = default_config().upload.targets;
    for (auto& u : c.upload.targets)  // the built-in list is one folder target
      u.settings["path"] = c.storage.data_dir + "/outbox-folder";
  }
  if (auto p = public_target_problem(c))
    r.fail(*root.at_path("event.public_target").node(), "event." + p->key, p->what);
  return c;
}

constexpr std::size_t kMaxConfigBytes = 1 << 20;  // a real booth.toml is a few KB
constexpr int kMaxKeyParts = 16;                  // [a.b.c] has 3; ours need at most 3
constexpr int kMaxNesting = 32;                   // arrays and inline tables inside each other

// Bounds what toml++ is handed: it recurses per dotted key part and per nesting level, so a
// header [a.a.a...] of 100,000 parts overflows the stack. A scan without recursion finds
// the first line that goes too deep; strings and comments are skipped as TOML reads them.
void check_shape(const std::string& text, const std::string& name) {
  if (text.size() > kMaxConfigBytes)
    throw ConfigError(name, 0, "(file)",
                      "is " + std::to_string(text.size()) +
                          " bytes or more; a booth.toml is at most " +
                          std::to_string(kMaxConfigBytes));
  int line = 1, depth = 0, parts = 0;
  auto too_deep = [&](const char* what) { throw ConfigError(name, line, "(syntax)", what); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      parts = 0;
    } else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      // A string: basic with escapes, literal, or either of them three quotes long.
      const std::string three(3, c);
      const bool multi = text.compare(i, 3, three) == 0;
      i += multi ? 3 : 1;
      for (; i < text.size(); ++i) {
        if (text[i] == '\n') {
          ++line;
          if (!multi) break;  // toml++ reports the unterminated string
        }
        if (c == '"' && text[i] == '\\') {
          if (i + 1 < text.size() && text[i + 1] == '\n') ++line;
          ++i;
          continue;
        }
        if (text[i] == c && (!multi || text.compare(i, 3, three) == 0)) {
          if (multi) i += 2;
          break;
        }
      }
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) too_deep("arrays or tables nested more than 32 deep");
      parts = 0;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
      parts = 0;
    } else if (c == '=' || c == ',') {
      parts = 0;
    } else if (c == '.') {
      if (++parts >= kMaxKeyParts) too_deep("a key of more than 16 dotted parts");
    }
  }
}

// validate(): each declared key of a section, as the reader would check it.
template <class S>
void validate_section(const std::string& f, const std::string& prefix, const S& s,
                      const std::vector<keys::Key<S>>& list) {
  static const S defaults;
  auto fail = [&](const keys::Key<S>& k, const std::string& what) {
    if (!what.empty()) throw ConfigError(f, 0, prefix + "." + k.name, what);
  };
  for (const auto& k : list) {
    if (auto i = std::get_if<keys::Integer>(&k.type)) {
      if (keys::get_int(k, s) != keys::get_int(k, defaults))
        fail(k, keys::integer_problem(*i, keys::get_int(k, s)));
    } else if (auto t = std::get_if<keys::Text>(&k.type)) {
      const std::string& v = keys::get_text(k, s);
      if (t->check && v != keys::get_text(k, defaults)) fail(k, t->check(v));
    } else if (std::holds_alternative<keys::LocaleTable>(k.type)) {
      using Table = std::map<std::string, std::string>;
      for (const auto& [loc, text] : s.*std::get<Table S::*>(k.member)) {
        if (!is_available_locale(loc))
          throw ConfigError(f, 0, prefix + "." + k.name + "." + loc,
                            "unknown locale; the booth speaks " + spoken_locales());
        if (text.empty())
          throw ConfigError(f, 0, prefix + "." + k.name + "." + loc, "must not be empty");
      }
    }
  }
}

}  // namespace

Config parse_config(const std::string& toml_text, const std::string& name) {
  // Relative paths resolve against the file's folder, also for a bare "booth.toml".
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(name), ec).parent_path();
  Reader r{name, ec ? fs::path(name).parent_path() : dir};
  check_shape(toml_text, name);
  toml::table root;
  try {
    root = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    // toml++ says what it expected; we add where.
    std::string key = "(syntax)";
    throw ConfigError(name, static_cast<int>(e.source().begin.line), key,
                      printable_text(e.description(), 200));
  }
  return parse(root, r);
}

Config load_config(const std::string& path) {
  // A folder opens like an empty file and would load the built-in demo config silently.
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw ConfigError(path, 0, "(file)", "is a folder; give the booth.toml file inside it");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError(path, 0, "(file)", std::string("cannot open: ") + std::strerror(errno));
  // One byte past the cap is read, so that an endless file (a FIFO, /dev/zero) is refused.
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad())
    throw ConfigError(path, 0, "(file)", std::string("cannot read: ") + std::strerror(errno));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return parse_config(text, path);
}

std::string assets_dir() {
  if (const char* a = std::getenv("PLEDGEBOOTH_ASSETS"); a && *a) return a;
  // Installed: <prefix>/bin/pledgebooth-booth finds <prefix>/share/pledgebooth, wherever the
  // tree was put (/usr, /opt/..., a DESTDIR copy). PB_ASSETS_FROM_BIN comes from CMake.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  fs::path installed;
  if (!ec) {
    installed = (exe.parent_path() / PB_ASSETS_FROM_BIN).lexically_normal();
    if (fs::is_directory(installed / "frames", ec)) return installed.string();
  }
#ifdef PB_SOURCE_ASSETS
  // A build-tree run: the checkout's assets (not compiled into packaged binaries).
  return PB_SOURCE_ASSETS;
#else
  return installed.empty() ? std::string("/usr/share/pledgebooth") : installed.string();
#endif
}

Config default_config() {
  Config c;
  c.photo.frame = assets_dir() + "/frames/heforshe.png";
  UploadTarget folder;
  folder.name = "folder";
  folder.kind = "file";
  folder.settings["path"] = c.storage.data_dir + "/outbox-folder";
  c.upload.targets.push_back(folder);
  return c;
}

void validate(const Config& c) {
  const std::string f = c.source_path.empty() ? "(built-in)" : c.source_path;
  auto fail = [&](const std::string& key, const std::optional<Problem>& p) {
    if (p) throw ConfigError(f, 0, key + p->key, p->what);
  };
  validate_section(f, "event", c.event, keys::event_keys());
  validate_section(f, "booth", c.booth, keys::booth_keys());
  validate_section(f, "camera", c.camera, keys::camera_keys());
  validate_section(f, "photo", c.photo, keys::photo_keys());
  validate_section(f, "storage", c.storage, keys::storage_keys());
  validate_section(f, "upload", c.upload, keys::upload_keys());
  validate_section(f, "status", c.status, keys::status_keys());
  fail("status.", status_problem(c.status));
  for (std::size_t i = 0; i < c.upload.targets.size(); ++i) {
    const UploadTarget& u = c.upload.targets[i];
    const std::string key = "upload.targets[" + std::to_string(i) + "]";
    const TargetKind* kind = find_target_kind(u.kind);
    if (!kind) throw ConfigError(f, 0, key + ".kind", "expected " + target_kind_list());
    validate_section(f, key, u, keys::target_keys());
    for (const auto& setting : u.settings) {
      const std::string& name = setting.first;
      const auto& value = setting.second;
      const auto spec = std::find_if(kind->settings.begin(), kind->settings.end(),
                                     [&name](const SettingSpec& s) { return name == s.key; });
      if (spec == kind->settings.end())
        throw ConfigError(f, 0, key + "." + name,
                          std::string("unknown key for a ") + kind->name + " target");
      if (auto what = setting_problem(spec->type, value); !what.empty())
        throw ConfigError(f, 0, key + "." + name, what);
    }
    fail(key + ".", target_problem(u, *kind));
    fail(key + ".", duplicate_name(c.upload.targets, i));
  }
  fail("event.", public_target_problem(c));
}

std::optional<std::string> resolve_secret(const std::string& env_name) {
  if (env_name.empty()) return std::nullopt;
  const char* v = std::getenv(env_name.c_str());
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

}  // namespace pb::config
