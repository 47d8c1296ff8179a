// SPDX-License-Identifier: Apache-2.0
// Loads booth.toml into Config: a table of known keys per section, each with its setter and
// check, so every error can name the file, the line and the key.
#include "pb/config.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "pb/slug.h"
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

// A value as an error message shows it: printable, and short enough to read.
std::string shown(const std::string& s) {
  return printable_text(s, 80);
}

// Where we are while reading: the file name and the node being read.
struct Reader {
  std::string file;
  fs::path base_dir;  // relative paths resolve against this

  [[noreturn]] void fail(const toml::node& node, const std::string& key,
                         const std::string& what) const {
    throw ConfigError(file, static_cast<int>(node.source().begin.line), key, what);
  }

  std::string str(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<std::string>()) return *v;
    fail(n, key, std::string("expected a string, found ") + type_name(n));
  }
  std::int64_t integer(const toml::node& n, const std::string& key, std::int64_t lo,
                       std::int64_t hi) const {
    auto v = n.value_exact<std::int64_t>();
    if (!v) fail(n, key, std::string("expected an integer, found ") + type_name(n));
    if (*v < lo || *v > hi)
      fail(n, key,
           "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", found " +
               std::to_string(*v));
    return *v;
  }
  bool boolean(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<bool>()) return *v;
    fail(n, key, std::string("expected true or false, found ") + type_name(n));
  }
  std::string path(const toml::node& n, const std::string& key) const {
    std::string p = str(n, key);
    if (p.empty()) return p;
    // No shell expands it here: "~/pledges" would become a folder named "~" beside the file.
    if (p[0] == '~')
      fail(n, key, "'~' is not expanded; write the full path, found '" + shown(p) + "'");
    if (p.size() > 4096) fail(n, key, "a path of more than 4096 characters");
    if (!is_clean_text(p)) fail(n, key, "control characters or invalid UTF-8 in the path");
    fs::path fp(p);
    for (const auto& part : fp)
      if (part.native().size() > 255)
        fail(n, key,
             "a part of the path is longer than 255 characters (no file system allows it): '" +
                 shown(part.native()) + "'");
    if (fp.is_relative() && !base_dir.empty()) fp = base_dir / fp;
    return fp.lexically_normal().string();
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

// Character classes over config values, never std::regex: it recurses per character and
// overflows the stack on a value of a few ten thousand characters.
bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool all_of_chars(const std::string& s, bool (*ok)(char)) {
  return std::all_of(s.begin(), s.end(), ok);
}

bool is_env_name(const std::string& s) {
  return !s.empty() && s.size() <= 128 && !(s[0] >= '0' && s[0] <= '9') &&
         all_of_chars(s, [](char c) { return is_alnum(c) || c == '_'; });
}

bool is_key_prefix(const std::string& s) {
  return s.size() <= 512 && s.find("..") == std::string::npos &&
         all_of_chars(s, [](char c) { return is_alnum(c) || std::strchr("._~/-", c) != nullptr; });
}

bool is_bucket_name(const std::string& s) {
  return s.size() >= 3 && s.size() <= 63 && is_lower_alnum(s.front()) && is_lower_alnum(s.back()) &&
         all_of_chars(s, [](char c) { return is_lower_alnum(c) || c == '.' || c == '-'; });
}

bool is_region_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         all_of_chars(s, [](char c) { return is_alnum(c) || std::strchr("_.-", c) != nullptr; });
}

using Setter = std::function<void(const toml::node&, const std::string& key)>;

// Reads one table: every key must be known; each known key's setter reads and checks it.
void read_table(const Reader& r, const toml::table& t, const std::string& prefix,
                const std::vector<std::pair<std::string, Setter>>& fields) {
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

void check_camera_source(const Reader& r, const toml::node& n, const std::string& key,
                         const std::string& s) {
  if (s == "auto" || s == "synthetic") return;
  auto starts = [&](const char* p) { return s.rfind(p, 0) == 0 && s.size() > std::strlen(p); };
  if (starts("device:") || starts("file:") || starts("gst:")) {
    if (starts("device:")) {
      std::string d = s.substr(7);
      // Bytes of UTF-8 are negative chars: compare, never ::isdigit (undefined for them).
      bool digits = d.find_first_not_of("0123456789") == std::string::npos;
      if (!digits && d.rfind("/dev/", 0) != 0)
        r.fail(n, key, "device must be a number or /dev/videoN, found '" + shown(d) + "'");
      // The camera would otherwise fail at start-up (std::stoi) instead of here with a line.
      if (digits && (d.size() > 3 || std::stoi(d) > 255))
        r.fail(n, key,
               "device number must be 0 to 255 (/dev/video0.../dev/video255), found '" + shown(d) +
                   "'");
    }
    return;
  }
  r.fail(n, key,
         "expected auto, synthetic, device:N, file:PATH or gst:PIPELINE, found '" + shown(s) + "'");
}

void check_url(const Reader& r, const toml::node& n, const std::string& key,
               const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    r.fail(n, key, "expected an http:// or https:// URL, found '" + shown(url) + "'");
  if (url.size() > 4096) r.fail(n, key, "a URL of more than 4096 characters");
  if (!is_clean_text(url)) r.fail(n, key, "control characters or invalid UTF-8 in the URL");
  // Never print the URL here: the part before '@' is a password.
  if (url::has_userinfo(url))
    r.fail(n, key,
           "user:password@ in a URL puts a secret into the file; use username and password_env "
           "(or token_env), the password then comes from the environment");
}

// One key of a kind's own section (pb/target_kinds.h), read and checked by its type.
std::string read_setting(const Reader& r, const toml::node& v, const std::string& k,
                         SettingType type) {
  switch (type) {
    case SettingType::kFolder:
      return r.path(v, k);
    case SettingType::kUrl: {
      std::string url = r.str(v, k);
      check_url(r, v, k, url);
      return url;
    }
    case SettingType::kEnv: {
      std::string name = r.str(v, k);
      if (!is_env_name(name))
        r.fail(
            v, k,
            "expected the name of an environment variable (secrets never go in the file), found '" +
                shown(name) + "'");
      return name;
    }
    case SettingType::kBucket: {
      std::string bucket = r.str(v, k);
      if (!is_bucket_name(bucket))
        r.fail(v, k, "not a valid S3 bucket name: '" + shown(bucket) + "'");
      return bucket;
    }
    case SettingType::kRegion: {
      // Part of every SigV4 signature: a wrong one fails each upload, not the start-up.
      std::string region = r.str(v, k);
      if (!is_region_name(region))  // also MinIO, Ceph, R2 (auto)
        r.fail(
            v, k,
            "expected a region name such as eu-west-1 or us-east-1, found '" + shown(region) + "'");
      return region;
    }
    case SettingType::kText:
      break;
  }
  return r.str(v, k);
}

UploadTarget read_target(const Reader& r, const toml::node& n, const std::string& key) {
  const toml::table* t = n.as_table();
  if (!t) r.fail(n, key, std::string("expected a table, found ") + Reader::type_name(n));
  UploadTarget u;
  // The kind first: its section says which other keys the table may hold.
  const TargetKind* kind = nullptr;
  if (const toml::node* k = t->get("kind")) {
    u.kind = r.str(*k, key + ".kind");
    kind = find_target_kind(u.kind);
    if (!kind)
      r.fail(*k, key + ".kind",
             "expected " + target_kind_list() + ", found '" + shown(u.kind) + "'");
  }
  std::vector<std::pair<std::string, Setter>> fields = {
      {"name",
       [&](const toml::node& v, const std::string& k) {
         u.name = r.str(v, k);
         if (!is_slug(u.name))
           r.fail(v, k, "must be a slug of a-z, 0-9 and '-', found '" + shown(u.name) + "'");
       }},
      {"kind", [](const toml::node&, const std::string&) {}},  // read above
      {"prefix",
       [&](const toml::node& v, const std::string& k) {
         u.prefix = r.str(v, k);
         if (!is_key_prefix(u.prefix))
           r.fail(v, k,
                  "may hold only A-Z a-z 0-9 . _ ~ / - (no '..', at most 512), found '" +
                      shown(u.prefix) + "'");
         while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
         while (!u.prefix.empty() && u.prefix.front() == '/') u.prefix.erase(0, 1);
       }},
      {"ca_file", [&](const toml::node& v, const std::string& k) { u.ca_file = r.path(v, k); }},
      {"allow_plain_http",
       [&](const toml::node& v, const std::string& k) { u.allow_plain_http = r.boolean(v, k); }},
      {"connect_timeout_s",
       [&](const toml::node& v, const std::string& k) {
         u.connect_timeout_s = static_cast<int>(r.integer(v, k, 1, 300));
       }},
      {"low_speed_timeout_s", [&](const toml::node& v, const std::string& k) {
         u.low_speed_timeout_s = static_cast<int>(r.integer(v, k, 1, 600));
       }}};
  // Without a kind (an error below) every kind's keys are read, so a typo is still named.
  for (const TargetKind& k : target_kinds()) {
    if (kind && kind != &k) continue;
    for (const SettingSpec& spec : k.settings) {
      if (std::any_of(fields.begin(), fields.end(),
                      [&](const auto& f) { return f.first == spec.key; }))
        continue;
      fields.push_back({spec.key, [&r, &u, spec](const toml::node& v, const std::string& k) {
                          u.settings[spec.key] = read_setting(r, v, k, spec.type);
                        }});
    }
  }
  read_table(r, *t, key, fields);
  if (!kind) r.fail(n, key + ".kind", "is required (" + target_kind_list() + ")");
  if (u.name.empty()) u.name = u.kind;
  const SettingSpec* url_spec = nullptr;
  for (const SettingSpec& spec : kind->settings) {
    if (spec.required && u.setting(spec.key).empty())
      r.fail(n, key + "." + spec.key, std::string("is required for a ") + u.kind + " target");
    if (spec.type == SettingType::kUrl && !url_spec) url_spec = &spec;
  }
  if (url_spec) {
    const std::string url = u.setting(url_spec->key);
    if (url::plain_http_refused(url, u.allow_plain_http)) {
      const toml::node* at = t->get(url_spec->key);
      r.fail(at ? *at : n, key + "." + url_spec->key,
             "plain http:// to a non-loopback host sends pledges unencrypted; use https:// or set "
             "allow_plain_http = true");
    }
  }
  if (!u.ca_file.empty()) r.readable_file(*t->get("ca_file"), key + ".ca_file", u.ca_file);
  return u;
}

// [status]: the fleet heartbeat (url, token_env, interval_s, allow_plain_http).
void read_status(const Reader& r, const toml::node& n, const std::string& key, StatusConfig& s) {
  const toml::table* t = n.as_table();
  if (!t) r.fail(n, key, "expected a table [status]");
  read_table(r, *t, key,
             {{"url",
               [&](const toml::node& v, const std::string& k) {
                 s.url = r.str(v, k);
                 check_url(r, v, k, s.url);
               }},
              {"token_env",
               [&](const toml::node& v, const std::string& k) {
                 s.token_env = r.str(v, k);
                 if (!is_env_name(s.token_env))
                   r.fail(v, k,
                          "expected the name of an environment variable (secrets never go in the "
                          "file), found '" +
                              shown(s.token_env) + "'");
               }},
              {"interval_s",
               [&](const toml::node& v, const std::string& k) {
                 s.interval_s = static_cast<int>(r.integer(v, k, 1, 86400));
               }},
              {"allow_plain_http", [&](const toml::node& v, const std::string& k) {
                 s.allow_plain_http = r.boolean(v, k);
               }}});
  if (url::plain_http_refused(s.url, s.allow_plain_http))
    r.fail(*t->get("url"), key + ".url",
           "plain http:// to a non-loopback host sends the booth's status unencrypted; use "
           "https:// or set allow_plain_http = true");
}

Config parse(const toml::table& root, const Reader& r) {
  Config c = default_config();
  c.source_path = r.file;
  c.upload.targets.clear();  // the built-in target is added below only when the file has none
  read_table(
      r, root, "",
      {{"event",
        [&](const toml::node& n, const std::string& key) {
          const toml::table* t = n.as_table();
          if (!t) r.fail(n, key, "expected a table [event]");
          read_table(
              r, *t, key,
              {{"id",
                [&](const toml::node& v, const std::string& k) {
                  c.event.id = r.str(v, k);
                  if (!is_slug(c.event.id))
                    r.fail(
                        v, k,
                        "must be a slug of a-z, 0-9 and '-' (it names files and objects), found '" +
                            shown(c.event.id) + "'");
                }},
               {"name",
                [&](const toml::node& v, const std::string& k) {
                  c.event.name = r.str(v, k);
                  if (c.event.name.empty()) r.fail(v, k, "must not be empty");
                }},
               {"pledge_text",
                [&](const toml::node& v, const std::string& k) {
                  c.event.pledge_text = read_locale_table(r, v, k);
                }},
               {"consent_text",
                [&](const toml::node& v, const std::string& k) {
                  c.event.consent_text = read_locale_table(r, v, k);
                }},
               {"consent_version",
                [&](const toml::node& v, const std::string& k) {
                  c.event.consent_version = static_cast<int>(r.integer(v, k, 1, 1000000));
                }},
               {"page_url",
                [&](const toml::node& v, const std::string& k) {
                  c.event.page_url = r.str(v, k);
                  check_url(r, v, k, c.event.page_url);
                }},
               {"public_base_url",
                [&](const toml::node& v, const std::string& k) {
                  c.event.public_base_url = r.str(v, k);
                  check_url(r, v, k, c.event.public_base_url);
                  while (c.event.public_base_url.back() == '/') c.event.public_base_url.pop_back();
                }},
               {"public_target",
                [&](const toml::node& v, const std::string& k) {
                  c.event.public_target = r.str(v, k);
                }},
               {"organiser",
                [&](const toml::node& v, const std::string& k) {
                  c.event.organiser = r.str(v, k);
                  if (c.event.organiser.size() > 80 || !is_clean_text(c.event.organiser))
                    r.fail(v, k, "must be at most 80 bytes of printable text");
                }},
               {"privacy_contact",
                [&](const toml::node& v, const std::string& k) {
                  c.event.privacy_contact = r.str(v, k);
                  if (c.event.privacy_contact.size() > 120 ||
                      !is_clean_text(c.event.privacy_contact))
                    r.fail(v, k, "must be at most 120 bytes of printable text");
                }},
               {"keep_months", [&](const toml::node& v, const std::string& k) {
                  c.event.keep_months = static_cast<int>(r.integer(v, k, 0, 120));
                }}});
        }},
       {"booth",
        [&](const toml::node& n, const std::string& key) {
          const toml::table* t = n.as_table();
          if (!t) r.fail(n, key, "expected a table [booth]");
          read_table(
              r, *t, key,
              {{"id",
                [&](const toml::node& v, const std::string& k) {
                  c.booth.id = r.str(v, k);
                  if (!is_slug(c.booth.id))
                    r.fail(v, k,
                           "must be a slug of a-z, 0-9 and '-', found '" + shown(c.booth.id) + "'");
                }},
               {"idle_timeout_s",
                [&](const toml::node& v, const std::string& k) {
                  c.booth.idle_timeout_s = static_cast<int>(r.integer(v, k, 10, 3600));
                }},
               {"admin_pin_hash",
                [&](const toml::node& v, const std::string& k) {
                  c.booth.admin_pin_hash = r.str(v, k);
                  if (!c.booth.admin_pin_hash.empty() &&
                      c.booth.admin_pin_hash.rfind("pbkdf2-sha256$", 0) != 0)
                    r.fail(v, k,
                           "expected a hash made by `pledgebooth hash-pin` (pbkdf2-sha256$...), "
                           "never the PIN itself");
                }},
               {"max_retakes",
                [&](const toml::node& v, const std::string& k) {
                  c.booth.max_retakes = static_cast<int>(r.integer(v, k, 0, 10));
                }},
               {"default_locale",
                [&](const toml::node& v, const std::string& k) {
                  c.booth.default_locale = r.str(v, k);
                  if (!is_available_locale(c.booth.default_locale))
                    r.fail(v, k,
                           "expected one of " + spoken_locales() + ", found '" +
                               shown(c.booth.default_locale) + "'");
                }},
               {"thanks_timeout_s",
                [&](const toml::node& v, const std::string& k) {
                  c.booth.thanks_timeout_s = static_cast<int>(r.integer(v, k, 3, 120));
                }},
               {"countdown_s",
                [&](const toml::node& v, const std::string& k) {
                  c.booth.countdown_s = static_cast<int>(r.integer(v, k, 1, 10));
                }},
               {"sound", [&](const toml::node& v, const std::string& k) {
                  c.booth.sound = r.boolean(v, k);
                }}});
        }},
       {"camera",
        [&](const toml::node& n, const std::string& key) {
          const toml::table* t = n.as_table();
          if (!t) r.fail(n, key, "expected a table [camera]");
          read_table(r, *t, key,
                     {{"source",
                       [&](const toml::node& v, const std::string& k) {
                         c.camera.source = r.str(v, k);
                         check_camera_source(r, v, k, c.camera.source);
                         if (c.camera.source.rfind("file:", 0) == 0) {
                           fs::path p(c.camera.source.substr(5));
                           if (p.is_relative() && !r.base_dir.empty())
                             c.camera.source =
                                 "file:" + (r.base_dir / p).lexically_normal().string();
                         }
                       }},
                      {"width",
                       [&](const toml::node& v, const std::string& k) {
                         c.camera.width = static_cast<int>(r.integer(v, k, 160, 7680));
                       }},
                      {"height",
                       [&](const toml::node& v, const std::string& k) {
                         c.camera.height = static_cast<int>(r.integer(v, k, 120, 4320));
                       }},
                      {"fps", [&](const toml::node& v, const std::string& k) {
                         c.camera.fps = static_cast<int>(r.integer(v, k, 1, 120));
                       }}});
        }},
       {"photo",
        [&](const toml::node& n, const std::string& key) {
          const toml::table* t = n.as_table();
          if (!t) r.fail(n, key, "expected a table [photo]");
          read_table(r, *t, key,
                     {{"frame",
                       [&](const toml::node& v, const std::string& k) {
                         c.photo.frame = r.path(v, k);
                         r.readable_file(v, k, c.photo.frame);
                       }},
                      {"aspect",
                       [&](const toml::node& v, const std::string& k) {
                         c.photo.aspect = r.str(v, k);
                         if (c.photo.aspect != "4:5" && c.photo.aspect != "1:1" &&
                             c.photo.aspect != "9:16")
                           r.fail(v, k,
                                  "expected \"4:5\", \"1:1\" or \"9:16\", found '" +
                                      shown(c.photo.aspect) + "'");
                       }},
                      {"jpeg_quality", [&](const toml::node& v, const std::string& k) {
                         c.photo.jpeg_quality = static_cast<int>(r.integer(v, k, 1, 100));
                       }}});
        }},
       {"storage",
        [&](const toml::node& n, const std::string& key) {
          const toml::table* t = n.as_table();
          if (!t) r.fail(n, key, "expected a table [storage]");
          read_table(r, *t, key,
                     {{"data_dir",
                       [&](const toml::node& v, const std::string& k) {
                         c.storage.data_dir = r.path(v, k);
                         if (c.storage.data_dir.empty()) r.fail(v, k, "must not be empty");
                       }},
                      {"min_free_mb", [&](const toml::node& v, const std::string& k) {
                         c.storage.min_free_mb = r.integer(v, k, 0, 1000000);
                       }}});
        }},
       {"status",
        [&](const toml::node& n, const std::string& key) { read_status(r, n, key, c.status); }},
       {"upload", [&](const toml::node& n, const std::string& key) {
          const toml::table* t = n.as_table();
          if (!t) r.fail(n, key, "expected a table [upload]");
          read_table(
              r, *t, key,
              {{"enabled", [&](const toml::node& v,
                               const std::string& k) { c.upload.enabled = r.boolean(v, k); }},
               {"parallel",
                [&](const toml::node& v, const std::string& k) {
                  c.upload.parallel = static_cast<int>(r.integer(v, k, 1, 64));
                }},
               {"max_backoff_s",
                [&](const toml::node& v, const std::string& k) {
                  c.upload.max_backoff_s = static_cast<int>(r.integer(v, k, 1, 86400));
                }},
               {"tallies", [&](const toml::node& v,
                               const std::string& k) { c.upload.tallies = r.boolean(v, k); }},
               {"campaign_count_interval_s",
                [&](const toml::node& v, const std::string& k) {
                  const auto s = r.integer(v, k, 0, 86400);
                  // A read is a listing and a GET per booth: not every few seconds.
                  if (s > 0 && s < kMinCampaignCountIntervalS)
                    r.fail(v, k,
                           "must be 0 (off) or at least " +
                               std::to_string(kMinCampaignCountIntervalS) + " seconds, found " +
                               std::to_string(s));
                  c.upload.campaign_count_interval_s = static_cast<int>(s);
                }},
               {"booth_parallel_max",
                [&](const toml::node& v, const std::string& k) {
                  c.upload.booth_parallel_max = static_cast<int>(r.integer(v, k, 1, 16));
                }},
               {"targets", [&](const toml::node& v, const std::string& k) {
                  const toml::array* a = v.as_array();
                  if (!a) r.fail(v, k, "expected [[upload.targets]] tables");
                  c.upload.targets.clear();
                  for (std::size_t i = 0; i < a->size(); ++i) {
                    std::string ik = k + "[" + std::to_string(i) + "]";
                    UploadTarget u = read_target(r, *a->get(i), ik);
                    for (const auto& other : c.upload.targets)
                      if (other.name == u.name)
                        r.fail(*a->get(i), ik + ".name",
                               "two targets are named '" + u.name + "'; give each a unique name");
                    c.upload.targets.push_back(std::move(u));
                  }
                }}});
        }}});
  if (c.upload.targets.empty()) {
    // The built-in folder target follows this file's data_dir, not the built-in one.
    c.upload.targets = default_config().upload.targets;
    for (auto& u : c.upload.targets)  // the built-in list is one folder target
      u.settings["path"] = c.storage.data_dir + "/outbox-folder";
  }
  if (!c.event.public_target.empty() &&
      std::none_of(c.upload.targets.begin(), c.upload.targets.end(),
                   [&](const UploadTarget& u) { return u.name == c.event.public_target; }))
    r.fail(*root.at_path("event.public_target").node(), "event.public_target",
           "names no [[upload.targets]] entry ('" + c.event.public_target + "')");
  return c;
}

}  // namespace

namespace {

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
  if (!is_slug(c.event.id))
    throw ConfigError(f, 0, "event.id", "must be a slug of a-z, 0-9 and '-'");
  if (!is_slug(c.booth.id))
    throw ConfigError(f, 0, "booth.id", "must be a slug of a-z, 0-9 and '-'");
  if (c.photo.jpeg_quality < 1 || c.photo.jpeg_quality > 100)
    throw ConfigError(f, 0, "photo.jpeg_quality", "must be between 1 and 100");
  if (c.storage.data_dir.empty()) throw ConfigError(f, 0, "storage.data_dir", "must not be empty");
  if (c.upload.campaign_count_interval_s != 0 &&
      (c.upload.campaign_count_interval_s < kMinCampaignCountIntervalS ||
       c.upload.campaign_count_interval_s > 86400))
    throw ConfigError(
        f, 0, "upload.campaign_count_interval_s",
        "must be 0 (off) or between " + std::to_string(kMinCampaignCountIntervalS) + " and 86400");
  for (const auto& u : c.upload.targets)
    if (!find_target_kind(u.kind))
      throw ConfigError(f, 0, "upload.targets.kind", "expected " + target_kind_list());
}

std::optional<std::string> resolve_secret(const std::string& env_name) {
  if (env_name.empty()) return std::nullopt;
  const char* v = std::getenv(env_name.c_str());
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

}  // namespace pb::config
