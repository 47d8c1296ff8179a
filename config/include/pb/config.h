// SPDX-License-Identifier: Apache-2.0
// The booth's settings: one struct per TOML section. Each key is declared once, in
// config/src/keys.cpp (name, member, type, default, range or check, meaning); a section
// struct starts from those defaults, load_config() reads and checks by them, and a broken
// file throws ConfigError whose what() reads "file:line: key: what is wrong" (the CLI prints
// it and exits 2). Secrets are never in the file: a target names an environment variable,
// resolved by resolve_secret(). config/booth.example.toml documents every key for users.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pb/target_kinds.h"

namespace pb::config {

// [event]: what the pledges are for and who receives them.
struct EventConfig {
  EventConfig();     // the declared defaults
  std::string id;    // a slug: names photo folders and uploaded objects
  std::string name;  // shown on screens
  // Texts per locale (any of available_locales()). Empty → the texts of assets/i18n.
  std::map<std::string, std::string> pledge_text;
  std::map<std::string, std::string> consent_text;
  int consent_version{};
  std::string page_url;         // the QR code's target when no photo URL is offered
  std::string public_base_url;  // "" = no photo URL; never ends in '/'
  std::string public_target;    // names an enabled upload target, or ""
  bool wall{};                  // the event has a projector wall (REVIEW asks for it)
  std::string organiser;        // "" = "the organiser"
  std::string privacy_contact;  // "" = page_url
  int keep_months{};            // photo, name, words kept this long (0 = no limit)
  int min_age{};                // years; > 0 asks "I am {min_age} or older" first; 0 = not asked
};

// [booth]: this booth and its session.
struct BoothConfig {
  BoothConfig();
  std::string id;  // a slug
  int idle_timeout_s{};
  std::string admin_pin_hash;  // "" → the admin corner is disabled
  int max_retakes{};
  std::string default_locale;  // one of available_locales()
  int thanks_timeout_s{};
  int countdown_s{};
  bool sound{};
  bool high_contrast{};  // #26: the default of every participant (ADMIN switches it too)
  int speech_volume{};   // #26: audio mode's volume, 0..10
};

// [camera]
struct CameraConfig {
  CameraConfig();
  // "auto" | "synthetic" | "device:N" | "device:/dev/videoN" | "file:PATH" | "gst:PIPELINE"
  std::string source;
  int width{}, height{}, fps{};  // requested; pixels, pixels, frames a second
};

// [photo]
struct PhotoConfig {
  PhotoConfig();
  std::string frame;   // the sign frame PNG (its layout file beside it)
  std::string aspect;  // "4:5" (1080x1350) | "1:1" | "9:16"
  int jpeg_quality{};
};

// [storage]
struct StorageConfig {
  StorageConfig();
  std::string data_dir;        // ledger.db and photos/ (mode 0700)
  std::int64_t min_free_mb{};  // below this the booth goes OUT_OF_SERVICE
};

// One [[upload.targets]] table.
struct UploadTarget {
  UploadTarget();
  std::string name;    // unique, names the target in the outbox (default: kind)
  std::string kind;    // one of target_kinds() (pb/target_kinds.h): file, s3, webdav, webhook
  std::string prefix;  // key prefix inside the target ("" = none), no '/' at either end
  // The keys of the kind's own section (pb/target_kinds.h) as read and checked; a key
  // absent from the file is absent here (setting() gives its fallback).
  std::map<std::string, std::string> settings;
  // TLS and transport
  std::string ca_file;  // extra CA bundle for private CAs; verification is always on
  bool allow_plain_http{};
  int connect_timeout_s{};    // seconds
  int low_speed_timeout_s{};  // abort when below 1 KB/s for this long, seconds

  // A key of the kind's section: its value, else the kind's fallback, else "".
  std::string setting(const std::string& key) const;
  // The http(s) URL the kind talks to (its kUrl key), "" for a folder.
  std::string url() const;
  // The local folder the kind writes to (its kFolder key), "" for network kinds.
  std::string folder() const;
  // Where pledges go, for messages: the folder, "endpoint/bucket", the URL.
  std::string where() const;
  // The environment variables holding its secrets (kEnv keys that are set), with what
  // each holds ("access key"), in the order of the kind's section.
  std::vector<std::pair<std::string, std::string>> secret_envs() const;
};

// The shortest campaign_count_interval_s but 0 (off): a read lists a folder and GETs a
// document per booth.
inline constexpr int kMinCampaignCountIntervalS = 10;

// [upload]
struct UploadConfig {
  UploadConfig();
  std::vector<UploadTarget>
      targets;               // empty in a file → one file target at <data_dir>/outbox-folder
  bool enabled{};            // the kiosk's background worker
  int parallel{};            // transfers at once in `pledgebooth upload`
  int booth_parallel_max{};  // kiosk uploads at once, at most (starts at 2)
  int max_backoff_s{};
  bool tallies{};  // this booth's tally document per event on every target (docs/METADATA.md)
  // Seconds between reads of the other booths' tally documents (0 = off).
  int campaign_count_interval_s{};
};

// [status]: the fleet heartbeat, a small JSON POSTed every interval_s (docs/METADATA.md).
struct StatusConfig {
  StatusConfig();
  std::string url;        // "" = none is sent
  std::string token_env;  // env var holding a bearer token ("" = no Authorization)
  int interval_s{};
  bool allow_plain_http{};
};

struct Config {
  std::string source_path;  // the file it was loaded from ("" for built-in defaults)
  EventConfig event;
  BoothConfig booth;
  CameraConfig camera;
  PhotoConfig photo;
  StorageConfig storage;
  UploadConfig upload;
  StatusConfig status;
};

// A broken config: what() is "file:line: key: what is wrong".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string key, std::string what);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& key() const { return key_; }

 private:
  std::string file_;
  int line_;
  std::string key_;
};

// Reads and validates a TOML file. Relative paths in it (frame, data_dir, file targets,
// ca_file) are resolved against the file's directory. Throws ConfigError.
Config load_config(const std::string& path);
// Same from a string; `name` stands for the file name in messages.
Config parse_config(const std::string& toml_text, const std::string& name);
// The embedded default: synthetic-or-auto camera, data in ./pledgebooth-data, uploads to a
// local folder. Used when no --config is given and no booth.toml is found.
Config default_config();
// Checks a whole Config built in code by the same declarations the reader uses (line 0 in
// messages; a value left at its default passes; no file is looked at); throws ConfigError.
void validate(const Config& config);

// One key as declared (config/src/keys.cpp): for booth.example.toml's test and for tools.
struct KeyInfo {
  std::string name;      // "booth.idle_timeout_s"; a target's as "upload.targets.prefix"
  std::string fallback;  // the default as TOML writes it: 45, "auto", true ("" for a table)
  std::string example;   // what booth.example.toml sets it to (the default unless declared)
  std::string doc;       // what it means, in one line
};
// Every key of every section, in the example file's order. A target kind's own keys are
// declared in target_kinds().
std::vector<KeyInfo> declared_keys();

// The value of the environment variable a target names, or nullopt when unset/empty.
std::optional<std::string> resolve_secret(const std::string& env_name);

// The root of the assets: PLEDGEBOOTH_ASSETS, else <exe dir>/../share/pledgebooth (an
// installed tree), else the source tree's assets/ (build-tree runs; off in packages).
std::string assets_dir();

// The languages the booth speaks: one per string table <i18n_dir>/<locale>.toml (default
// <assets>/i18n), "en" first (the reference table), then in code order. Reads the folder.
std::vector<std::string> available_locales(const std::string& i18n_dir);
std::vector<std::string> available_locales();
bool is_available_locale(const std::string& locale);
// "'en', 'es' and 'ko'": the available locales, for messages.
std::string spoken_locales();

}  // namespace pb::config
