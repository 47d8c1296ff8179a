// SPDX-License-Identifier: Apache-2.0
// The booth's settings: one struct per TOML section, each default and unit commented.
// load_config() reads booth.toml; a broken file throws ConfigError whose what() reads
// "file:line: key: what is wrong" (the CLI prints it and exits 2). Secrets are never in
// the file: a target names an environment variable, resolved by resolve_secret().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pb/target_kinds.h"

namespace pb::config {

struct EventConfig {
  std::string id = "heforshe-demo";  // slug [a-z0-9-]+, used in file and object names
  std::string name = "#HeForShe";    // shown on screens: "142 men have pledged at <name>"
  // Pledge text per locale (any of available_locales()). Empty → the texts of assets/i18n.
  std::map<std::string, std::string> pledge_text;
  // Share-consent wording per locale, and its version recorded with each pledge.
  std::map<std::string, std::string> consent_text;
  int consent_version = 1;
  std::string page_url = "https://www.heforshe.org";  // QR target when no public_base_url
  // Public URL under which uploaded photos appear (e.g. https://bucket.example/pledges);
  // when set, THANKS shows a QR code to <public_base_url>/<event>/<date>/<id>.jpg.
  std::string public_base_url;
  // The upload target whose copies appear under public_base_url. THANKS offers the photo's
  // QR code only when this names an enabled target (otherwise page_url): no link that never works.
  std::string public_target;
  // Who receives the pledges, named in the consent and "About your data" ("" = "the organiser").
  std::string organiser;
  // Where a participant asks to withdraw a pledge ("" = page_url).
  std::string privacy_contact;
  // How long the organiser keeps pledges and photos, in months (0 = not stated on screen).
  int keep_months = 0;
};

struct BoothConfig {
  std::string id = "booth-1";  // slug [a-z0-9-]+, names this booth in the ledger
  int idle_timeout_s = 45;     // seconds without a touch before returning to ATTRACT
  std::string
      admin_pin_hash;  // from `pledgebooth hash-pin`; empty → PIN 0000 is refused, admin disabled
  int max_retakes = 2;                // retakes allowed in REVIEW
  std::string default_locale = "en";  // one of available_locales()
  int thanks_timeout_s = 12;          // seconds THANKS stays before ATTRACT
  int countdown_s = 3;                // 3-2-1 before the shutter
  bool sound = true;                  // countdown beeps and shutter (silent without audio device)
};

struct CameraConfig {
  // "auto" | "synthetic" | "device:N" | "device:/dev/videoN" | "file:PATH" | "gst:PIPELINE"
  std::string source = "auto";
  int width = 1280;  // requested capture width, pixels
  int height = 720;  // requested capture height, pixels
  int fps = 30;      // requested frame rate
};

struct PhotoConfig {
  std::string frame = "assets/frames/heforshe.png";  // sign frame PNG (layout file beside it)
  std::string aspect = "4:5";                        // "4:5" (1080x1350) | "1:1" | "9:16"
  int jpeg_quality = 90;                             // 1..100
};

struct StorageConfig {
  std::string data_dir = "pledgebooth-data";  // ledger.db and photos/ live here (mode 0700)
  std::int64_t min_free_mb = 100;             // below this the booth goes OUT_OF_SERVICE
};

struct UploadTarget {
  std::string name;    // unique, names the target in the outbox (default: kind)
  std::string kind;    // one of target_kinds() (pb/target_kinds.h): file, s3, webdav, webhook
  std::string prefix;  // key prefix inside the target ("" = none)
  // The keys of the kind's own section (pb/target_kinds.h) as read and checked; a key
  // absent from the file is absent here (setting() gives its fallback).
  std::map<std::string, std::string> settings;
  // TLS and transport
  std::string ca_file;            // extra CA bundle for private CAs; verification is always on
  bool allow_plain_http = false;  // http:// to a non-loopback host only when true
  int connect_timeout_s = 10;     // connect timeout, seconds
  int low_speed_timeout_s = 20;   // abort when below 1 KB/s for this long, seconds

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

struct UploadConfig {
  std::vector<UploadTarget> targets;  // empty → one file target at <data_dir>/outbox-folder
  bool enabled = true;                // the kiosk's background worker
  int parallel = 4;                   // transfers at once in `pledgebooth upload`
  int booth_parallel_max = 4;         // kiosk uploads at once, at most (starts at 2)
  int max_backoff_s = 600;            // cap of the exponential backoff, seconds
  // Keep this booth's tally document per event on every target (docs/METADATA.md).
  bool tallies = true;
  // Seconds between reads of the other booths' tally documents of this event, from the
  // first target that can be read back, for ATTRACT's and THANKS's campaign-wide count
  // (0 = off: the booth shows its own count only; else 10..86400).
  int campaign_count_interval_s = 300;
};

// [status]: the fleet heartbeat, a small JSON POSTed every interval_s (docs/METADATA.md).
struct StatusConfig {
  std::string url;                // where the booth POSTs its heartbeat ("" = none is sent)
  std::string token_env;          // env var holding a bearer token ("" = no Authorization)
  int interval_s = 300;           // seconds between heartbeats
  bool allow_plain_http = false;  // http:// to a non-loopback host only when true
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
// Checks a whole Config (used by load and by tests that build one in code); throws.
void validate(const Config& config);

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
