// Loads booth.toml into Config: a table of known keys per section, each with its setter and
// check, so every error can name the file, the line and the key.
#include "pb/config.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "pb/utf8.h"

namespace fs = std::filesystem;

namespace pb::config {

ConfigError::ConfigError(std::string file, int line, std::string key, std::string what)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + key + ": " + what),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

namespace {

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
    if (p[0] == '~') fail(n, key, "'~' is not expanded; write the full path, found '" + p + "'");
    fs::path fp(p);
    if (fp.is_relative() && !base_dir.empty()) fp = base_dir / fp;
    return fp.lexically_normal().string();
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

bool is_slug(const std::string& s) {
  static const std::regex re("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  return s.size() <= 64 && std::regex_match(s, re);
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
    if (loc != "en" && loc != "ko")
      r.fail(v, key + "." + loc, "unknown locale; the booth speaks 'en' and 'ko'");
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
        r.fail(n, key, "device must be a number or /dev/videoN, found '" + d + "'");
      // The camera would otherwise fail at start-up (std::stoi) instead of here with a line.
      if (digits && (d.size() > 3 || std::stoi(d) > 255))
        r.fail(n, key,
               "device number must be 0 to 255 (/dev/video0.../dev/video255), found '" + d + "'");
    }
    return;
  }
  r.fail(n, key,
         "expected auto, synthetic, device:N, file:PATH or gst:PIPELINE, found '" + s + "'");
}

void check_url(const Reader& r, const toml::node& n, const std::string& key,
               const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    r.fail(n, key, "expected an http:// or https:// URL, found '" + url + "'");
}

bool is_loopback_url(const std::string& url) {
  static const std::regex re(R"(^http://(127\.[0-9.]+|localhost|\[::1\])(:[0-9]+)?(/.*)?$)");
  return std::regex_match(url, re);
}

UploadTarget read_target(const Reader& r, const toml::node& n, const std::string& key,
                         const fs::path& data_dir_hint) {
  (void)data_dir_hint;
  const toml::table* t = n.as_table();
  if (!t) r.fail(n, key, std::string("expected a table, found ") + Reader::type_name(n));
  UploadTarget u;
  auto s = [&](std::string UploadTarget::*m) {
    return [&r, &u, m](const toml::node& v, const std::string& k) { u.*m = r.str(v, k); };
  };
  auto env = [&](std::string UploadTarget::*m) {
    return [&r, &u, m](const toml::node& v, const std::string& k) {
      std::string name = r.str(v, k);
      static const std::regex re("[A-Za-z_][A-Za-z0-9_]*");
      if (!std::regex_match(name, re))
        r.fail(
            v, k,
            "expected the name of an environment variable (secrets never go in the file), found '" +
                name + "'");
      u.*m = name;
    };
  };
  read_table(
      r, *t, key,
      {{"name",
        [&](const toml::node& v, const std::string& k) {
          u.name = r.str(v, k);
          if (!is_slug(u.name))
            r.fail(v, k, "must be a slug of a-z, 0-9 and '-', found '" + u.name + "'");
        }},
       {"kind",
        [&](const toml::node& v, const std::string& k) {
          u.kind = r.str(v, k);
          if (u.kind != "file" && u.kind != "s3" && u.kind != "webdav" && u.kind != "webhook")
            r.fail(v, k, "expected file, s3, webdav or webhook, found '" + u.kind + "'");
        }},
       {"prefix",
        [&](const toml::node& v, const std::string& k) {
          u.prefix = r.str(v, k);
          static const std::regex re("[A-Za-z0-9._~/-]*");
          if (!std::regex_match(u.prefix, re) || u.prefix.find("..") != std::string::npos)
            r.fail(v, k,
                   "may hold only A-Z a-z 0-9 . _ ~ / - (and no '..'), found '" + u.prefix + "'");
          while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
          while (!u.prefix.empty() && u.prefix.front() == '/') u.prefix.erase(0, 1);
        }},
       {"path", [&](const toml::node& v, const std::string& k) { u.path = r.path(v, k); }},
       {"endpoint",
        [&](const toml::node& v, const std::string& k) {
          u.endpoint = r.str(v, k);
          check_url(r, v, k, u.endpoint);
        }},
       {"bucket",
        [&](const toml::node& v, const std::string& k) {
          u.bucket = r.str(v, k);
          static const std::regex re("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
          if (!std::regex_match(u.bucket, re))
            r.fail(v, k, "not a valid S3 bucket name: '" + u.bucket + "'");
        }},
       {"region",
        [&](const toml::node& v, const std::string& k) {
          // Part of every SigV4 signature: a wrong one fails each upload, not the start-up.
          u.region = r.str(v, k);
          static const std::regex re("[A-Za-z0-9_.-]+");  // also MinIO, Ceph, R2 (auto)
          if (!std::regex_match(u.region, re))
            r.fail(
                v, k,
                "expected a region name such as eu-west-1 or us-east-1, found '" + u.region + "'");
        }},
       {"access_key_env", env(&UploadTarget::access_key_env)},
       {"secret_key_env", env(&UploadTarget::secret_key_env)},
       {"url",
        [&](const toml::node& v, const std::string& k) {
          u.url = r.str(v, k);
          check_url(r, v, k, u.url);
        }},
       {"username", s(&UploadTarget::username)},
       {"password_env", env(&UploadTarget::password_env)},
       {"token_env", env(&UploadTarget::token_env)},
       {"ca_file", [&](const toml::node& v, const std::string& k) { u.ca_file = r.path(v, k); }},
       {"allow_plain_http",
        [&](const toml::node& v, const std::string& k) { u.allow_plain_http = r.boolean(v, k); }},
       {"connect_timeout_s",
        [&](const toml::node& v, const std::string& k) {
          u.connect_timeout_s = static_cast<int>(r.integer(v, k, 1, 300));
        }},
       {"low_speed_timeout_s", [&](const toml::node& v, const std::string& k) {
          u.low_speed_timeout_s = static_cast<int>(r.integer(v, k, 1, 600));
        }}});
  auto need = [&](const std::string& value, const char* what) {
    if (value.empty())
      r.fail(n, key + "." + what, std::string("is required for a ") + u.kind + " target");
  };
  if (u.kind.empty()) r.fail(n, key + ".kind", "is required (file, s3, webdav or webhook)");
  if (u.name.empty()) u.name = u.kind;
  if (u.kind == "file") need(u.path, "path");
  if (u.kind == "s3") {
    need(u.endpoint, "endpoint");
    need(u.bucket, "bucket");
    need(u.access_key_env, "access_key_env");
    need(u.secret_key_env, "secret_key_env");
  }
  if (u.kind == "webdav" || u.kind == "webhook") need(u.url, "url");
  const std::string& url = u.kind == "s3" ? u.endpoint : u.url;
  if (url.rfind("http://", 0) == 0 && !u.allow_plain_http && !is_loopback_url(url)) {
    const toml::node* at = t->get(u.kind == "s3" ? "endpoint" : "url");
    r.fail(at ? *at : n, key + (u.kind == "s3" ? ".endpoint" : ".url"),
           "plain http:// to a non-loopback host sends pledges unencrypted; use https:// or set "
           "allow_plain_http = true");
  }
  if (!u.ca_file.empty() && !fs::exists(u.ca_file)) {
    r.fail(*t->get("ca_file"), key + ".ca_file", "file not found: " + u.ca_file);
  }
  return u;
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
                            c.event.id + "'");
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
                    r.fail(v, k, "must be a slug of a-z, 0-9 and '-', found '" + c.booth.id + "'");
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
                  if (c.booth.default_locale != "en" && c.booth.default_locale != "ko")
                    r.fail(v, k, "expected 'en' or 'ko', found '" + c.booth.default_locale + "'");
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
          read_table(
              r, *t, key,
              {{"frame",
                [&](const toml::node& v, const std::string& k) {
                  c.photo.frame = r.path(v, k);
                  if (!fs::exists(c.photo.frame)) r.fail(v, k, "file not found: " + c.photo.frame);
                }},
               {"aspect",
                [&](const toml::node& v, const std::string& k) {
                  c.photo.aspect = r.str(v, k);
                  if (c.photo.aspect != "4:5" && c.photo.aspect != "1:1" &&
                      c.photo.aspect != "9:16")
                    r.fail(v, k,
                           "expected \"4:5\", \"1:1\" or \"9:16\", found '" + c.photo.aspect + "'");
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
               {"targets", [&](const toml::node& v, const std::string& k) {
                  const toml::array* a = v.as_array();
                  if (!a) r.fail(v, k, "expected [[upload.targets]] tables");
                  c.upload.targets.clear();
                  for (std::size_t i = 0; i < a->size(); ++i) {
                    std::string ik = k + "[" + std::to_string(i) + "]";
                    UploadTarget u = read_target(r, *a->get(i), ik, {});
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
    for (auto& u : c.upload.targets)
      if (u.kind == "file") u.path = c.storage.data_dir + "/outbox-folder";
  }
  if (!c.event.public_target.empty() &&
      std::none_of(c.upload.targets.begin(), c.upload.targets.end(),
                   [&](const UploadTarget& u) { return u.name == c.event.public_target; }))
    r.fail(*root.at_path("event.public_target").node(), "event.public_target",
           "names no [[upload.targets]] entry ('" + c.event.public_target + "')");
  return c;
}

}  // namespace

Config parse_config(const std::string& toml_text, const std::string& name) {
  Reader r{name, fs::path(name).parent_path()};
  if (!r.base_dir.empty()) r.base_dir = fs::absolute(r.base_dir);
  toml::table root;
  try {
    root = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    // toml++ says what it expected; we add where.
    std::string key = "(syntax)";
    throw ConfigError(name, static_cast<int>(e.source().begin.line), key,
                      std::string(e.description()));
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
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    throw ConfigError(path, 0, "(file)", std::string("cannot read: ") + std::strerror(errno));
  return parse_config(ss.str(), path);
}

std::string assets_dir() {
  if (const char* a = std::getenv("PLEDGEBOOTH_ASSETS"); a && *a) return a;
  return std::string(PB_SOURCE_DIR) + "/assets";
}

Config default_config() {
  Config c;
  c.photo.frame = assets_dir() + "/frames/heforshe.png";
  UploadTarget folder;
  folder.name = "folder";
  folder.kind = "file";
  folder.path = c.storage.data_dir + "/outbox-folder";
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
  for (const auto& u : c.upload.targets)
    if (u.kind != "file" && u.kind != "s3" && u.kind != "webdav" && u.kind != "webhook")
      throw ConfigError(f, 0, "upload.targets.kind", "expected file, s3, webdav or webhook");
}

std::optional<std::string> resolve_secret(const std::string& env_name) {
  if (env_name.empty()) return std::nullopt;
  const char* v = std::getenv(env_name.c_str());
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

}  // namespace pb::config
