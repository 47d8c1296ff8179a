// SPDX-License-Identifier: Apache-2.0
// Every key of booth.toml, declared once (keys.h says how): name, member, type with default
// and range or check, and what it means. Adding a key: its member in pb/config.h, one line
// here, and its documentation in config/booth.example.toml (a test holds the three together).
#include "keys.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "pb/slug.h"
#include "pb/url.h"
#include "pb/utf8.h"

namespace fs = std::filesystem;

namespace pb::config {
namespace keys {

std::string shown(const std::string& s) {
  return printable_text(s, 80);
}

namespace {

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

std::string slug(const std::string& v) {
  return is_slug(v) ? "" : "must be a slug of a-z, 0-9 and '-', found '" + shown(v) + "'";
}

std::string event_slug(const std::string& v) {
  return is_slug(v) ? ""
                    : "must be a slug of a-z, 0-9 and '-' (it names files and objects), found '" +
                          shown(v) + "'";
}

std::string not_empty(const std::string& v) {
  return v.empty() ? "must not be empty" : "";
}

std::string printable_80(const std::string& v) {
  return v.size() > 80 || !is_clean_text(v) ? "must be at most 80 bytes of printable text" : "";
}

std::string printable_120(const std::string& v) {
  return v.size() > 120 || !is_clean_text(v) ? "must be at most 120 bytes of printable text" : "";
}

std::string pin_hash(const std::string& v) {
  return !v.empty() && v.rfind("pbkdf2-sha256$", 0) != 0
             ? "expected a hash made by `pledgebooth hash-pin` (pbkdf2-sha256$...), never the "
               "PIN itself"
             : "";
}

std::string locale(const std::string& v) {
  return is_available_locale(v)
             ? ""
             : "expected one of " + spoken_locales() + ", found '" + shown(v) + "'";
}

std::string aspect(const std::string& v) {
  return v == "4:5" || v == "1:1" || v == "9:16"
             ? ""
             : "expected \"4:5\", \"1:1\" or \"9:16\", found '" + shown(v) + "'";
}

std::string key_prefix(const std::string& s) {
  const bool ok =
      s.size() <= 512 && s.find("..") == std::string::npos &&
      all_of_chars(s, [](char c) { return is_alnum(c) || std::strchr("._~/-", c) != nullptr; });
  return ok ? ""
            : "may hold only A-Z a-z 0-9 . _ ~ / - (no '..', at most 512), found '" + shown(s) +
                  "'";
}

std::string camera_source(const std::string& s) {
  if (s == "auto" || s == "synthetic") return "";
  auto starts = [&](const char* p) { return s.rfind(p, 0) == 0 && s.size() > std::strlen(p); };
  if (starts("device:")) {
    const std::string d = s.substr(7);
    // Bytes of UTF-8 are negative chars: compare, never ::isdigit (undefined for them).
    const bool digits = d.find_first_not_of("0123456789") == std::string::npos;
    if (!digits && d.rfind("/dev/", 0) != 0)
      return "device must be a number or /dev/videoN, found '" + shown(d) + "'";
    // The camera would otherwise fail at start-up (std::stoi) instead of here with a line.
    if (digits && (d.size() > 3 || std::stoi(d) > 255))
      return "device number must be 0 to 255 (/dev/video0.../dev/video255), found '" + shown(d) +
             "'";
    return "";
  }
  if (starts("file:") || starts("gst:")) return "";
  return "expected auto, synthetic, device:N, file:PATH or gst:PIPELINE, found '" + shown(s) + "'";
}

std::string campaign_interval(std::int64_t s) {
  // A read is a listing and a GET per booth: not every few seconds.
  if (s > 0 && s < kMinCampaignCountIntervalS)
    return "must be 0 (off) or at least " + std::to_string(kMinCampaignCountIntervalS) +
           " seconds, found " + std::to_string(s);
  return "";
}

std::string data_dir(const std::string& v) {
  return v.empty() ? "must not be empty" : path_problem(v);
}

std::string resolve_camera_file(const std::string& v, const std::string& base_dir) {
  if (v.rfind("file:", 0) != 0) return v;
  const fs::path p(v.substr(5));
  if (!p.is_relative() || base_dir.empty()) return v;
  return "file:" + (fs::path(base_dir) / p).lexically_normal().string();
}

std::string trim_trailing_slashes(const std::string& v, const std::string&) {
  std::string out = v;
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string trim_slashes(const std::string& v, const std::string& base_dir) {
  std::string out = trim_trailing_slashes(v, base_dir);
  while (!out.empty() && out.front() == '/') out.erase(0, 1);
  return out;
}

}  // namespace

std::string path_problem(const std::string& p) {
  if (p.empty()) return "";
  // No shell expands it here: "~/pledges" would become a folder named "~" beside the file.
  if (p[0] == '~') return "'~' is not expanded; write the full path, found '" + shown(p) + "'";
  if (p.size() > 4096) return "a path of more than 4096 characters";
  if (!is_clean_text(p)) return "control characters or invalid UTF-8 in the path";
  for (const auto& part : fs::path(p))
    if (part.native().size() > 255)
      return "a part of the path is longer than 255 characters (no file system allows it): '" +
             shown(part.native()) + "'";
  return "";
}

std::string url_problem(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return "expected an http:// or https:// URL, found '" + shown(url) + "'";
  if (url.size() > 4096) return "a URL of more than 4096 characters";
  if (!is_clean_text(url)) return "control characters or invalid UTF-8 in the URL";
  // Never print the URL here: the part before '@' is a password.
  if (url::has_userinfo(url))
    return "user:password@ in a URL puts a secret into the file; use username and password_env "
           "(or token_env), the password then comes from the environment";
  return "";
}

std::string env_name_problem(const std::string& s) {
  const bool ok = !s.empty() && s.size() <= 128 && !(s[0] >= '0' && s[0] <= '9') &&
                  all_of_chars(s, [](char c) { return is_alnum(c) || c == '_'; });
  return ok ? ""
            : "expected the name of an environment variable (secrets never go in the file), "
              "found '" +
                  shown(s) + "'";
}

std::string bucket_problem(const std::string& s) {
  const bool ok = s.size() >= 3 && s.size() <= 63 && is_lower_alnum(s.front()) &&
                  is_lower_alnum(s.back()) &&
                  all_of_chars(s, [](char c) { return is_lower_alnum(c) || c == '.' || c == '-'; });
  return ok ? "" : "not a valid S3 bucket name: '" + shown(s) + "'";
}

std::string region_problem(const std::string& s) {
  // Part of every SigV4 signature: a wrong one fails each upload, not the start-up. Also
  // MinIO, Ceph, R2 (auto).
  const bool ok = !s.empty() && s.size() <= 64 && all_of_chars(s, [](char c) {
    return is_alnum(c) || std::strchr("_.-", c) != nullptr;
  });
  return ok ? ""
            : "expected a region name such as eu-west-1 or us-east-1, found '" + shown(s) + "'";
}

// The path as the booth will use it: relative to the config file's folder, normalised.
std::string resolve_path(const std::string& v, const std::string& base_dir) {
  if (v.empty()) return v;
  fs::path p(v);
  if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

// --- the declarations ---------------------------------------------------------------------

const std::vector<Key<EventConfig>>& event_keys() {
  using E = EventConfig;
  static const std::vector<Key<E>> k = {
      {"id", &E::id, Text{"heforshe-demo", event_slug},
       "slug naming photo folders and uploaded objects", "\"heforshe-seoul-launch\""},
      {"name", &E::name, Text{"#HeForShe", not_empty},
       "shown on screens: \"142 men have pledged at <name>\"", "\"#HeForShe Korea launch\""},
      {"pledge_text", &E::pledge_text, LocaleTable{},
       "the pledge per locale; none = the texts of assets/i18n"},
      {"consent_text", &E::consent_text, LocaleTable{},
       "the wording of REVIEW's campaign-use choice per locale; none = the texts of assets/i18n"},
      {"consent_version", &E::consent_version, Integer{1, 1, 1000000},
       "version of the consent wording, recorded with every pledge"},
      {"page_url", &E::page_url, Text{"https://www.heforshe.org", url_problem},
       "where THANKS's QR code points when no photo URL is offered"},
      {"public_base_url", &E::public_base_url, Text{"", url_problem, trim_trailing_slashes},
       "public URL of uploaded photos: THANKS's QR code goes to <it>/<event>/<date>/<id>.jpg"},
      {"public_target", &E::public_target, Text{""},
       "the [[upload.targets]] name whose copies appear under public_base_url"},
      {"wall", &E::wall, Flag{false},
       "the event shows pledges on a projector wall (pledgebooth wall): REVIEW asks for it"},
      {"organiser", &E::organiser, Text{"", printable_80},
       "who receives the pledges, named in the consent (\"\" = \"the organiser\")",
       "\"UN Women Korea\""},
      {"privacy_contact", &E::privacy_contact, Text{"", printable_120},
       "where a participant asks to withdraw a pledge (\"\" = page_url)",
       "\"privacy@example.org\""},
      {"keep_months", &E::keep_months, Integer{0, 0, 120},
       "months pledges keep photo, name and words; then the booth deletes them (0 = never)", "12"},
      {"min_age", &E::min_age, Integer{0, 0, 99},
       "age asked after the pledge (\"I am <it> or older\"); younger: no photo, name or words "
       "(0 = not asked)",
       "14"},
  };
  return k;
}

const std::vector<Key<BoothConfig>>& booth_keys() {
  using B = BoothConfig;
  static const std::vector<Key<B>> k = {
      {"id", &B::id, Text{"booth-1", slug}, "slug naming this booth in the ledger and uploads"},
      {"idle_timeout_s", &B::idle_timeout_s, Integer{45, 10, 3600},
       "seconds without a touch before the booth returns to the start"},
      {"admin_pin_hash", &B::admin_pin_hash, Text{"", pin_hash},
       "from `pledgebooth hash-pin`; empty = the admin corner is disabled"},
      {"max_retakes", &B::max_retakes, Integer{2, 0, 10}, "retakes allowed on the review screen"},
      {"default_locale", &B::default_locale, Text{"en", locale},
       "the language the attract screen starts in (a table of assets/i18n)"},
      {"thanks_timeout_s", &B::thanks_timeout_s, Integer{12, 3, 120},
       "seconds the thank-you screen stays"},
      {"countdown_s", &B::countdown_s, Integer{3, 1, 10}, "seconds of 3-2-1 before the shutter"},
      {"sound", &B::sound, Flag{true},
       "countdown beeps and shutter sound (silent without an audio device)"},
      {"high_contrast", &B::high_contrast, Flag{false},
       "every participant starts with high contrast and large text (ADMIN switches it too)"},
      {"speech_volume", &B::speech_volume, Integer{7, 0, 10},
       "volume of audio mode's spoken guidance (ADMIN and the keypad's + and - change it)"},
  };
  return k;
}

const std::vector<Key<CameraConfig>>& camera_keys() {
  using C = CameraConfig;
  static const std::vector<Key<C>> k = {
      {"source", &C::source, Text{"auto", camera_source, resolve_camera_file},
       "auto | synthetic | device:N | device:/dev/videoN | file:PATH | gst:PIPELINE"},
      {"width", &C::width, Integer{1280, 160, 7680}, "requested capture width, pixels"},
      {"height", &C::height, Integer{720, 120, 4320}, "requested capture height, pixels"},
      {"fps", &C::fps, Integer{30, 1, 120}, "requested frame rate"},
  };
  return k;
}

const std::vector<Key<PhotoConfig>>& photo_keys() {
  using P = PhotoConfig;
  static const std::vector<Key<P>> k = {
      // default_config() puts the shipped sign (<assets>/frames/heforshe.png) here.
      {"frame", &P::frame,
       Text{"assets/frames/heforshe.png", path_problem, resolve_path, File::kRequired},
       "the sign frame PNG with alpha; its layout file sits beside it"},
      {"aspect", &P::aspect, Text{"4:5", aspect},
       "output aspect: \"4:5\" (1080x1350), \"1:1\" or \"9:16\""},
      {"jpeg_quality", &P::jpeg_quality, Integer{90, 1, 100}, "JPEG quality"},
  };
  return k;
}

const std::vector<Key<StorageConfig>>& storage_keys() {
  using S = StorageConfig;
  static const std::vector<Key<S>> k = {
      {"data_dir", &S::data_dir, Text{"pledgebooth-data", data_dir, resolve_path},
       "ledger.db and photos/ live here (mode 0700)", "\"../pledgebooth-data\""},
      {"min_free_mb", &S::min_free_mb, Integer{100, 0, 1000000},
       "below this much free space (MB) the booth goes out of service"},
  };
  return k;
}

const std::vector<Key<UploadConfig>>& upload_keys() {
  using U = UploadConfig;
  static const std::vector<Key<U>> k = {
      {"enabled", &U::enabled, Flag{true}, "upload in the background while the booth runs"},
      {"parallel", &U::parallel, Integer{4, 1, 64}, "transfers at once in `pledgebooth upload`"},
      {"booth_parallel_max", &U::booth_parallel_max, Integer{4, 1, 16},
       "the booth's own uploads at once, at most (it starts at 2)"},
      {"max_backoff_s", &U::max_backoff_s, Integer{600, 1, 86400},
       "cap of the exponential retry backoff, seconds"},
      {"tallies", &U::tallies, Flag{true},
       "keep this booth's counts per event on every target (docs/METADATA.md)"},
      {"campaign_count_interval_s", &U::campaign_count_interval_s,
       Integer{300, 0, 86400, campaign_interval},
       "seconds between reads of the other booths' counts (0 = off; else 10..86400)"},
  };
  return k;
}

const std::vector<Key<UploadTarget>>& target_keys() {
  using T = UploadTarget;
  static const std::vector<Key<T>> k = {
      {"name", &T::name, Text{"", slug}, "unique; names the target in the outbox (\"\" = kind)"},
      // kind = "..." is read first, by the reader: it says which section keys the table has.
      {"prefix", &T::prefix, Text{"", key_prefix, trim_slashes},
       "key prefix inside the target (\"\" = none)"},
      {"ca_file", &T::ca_file, Text{"", path_problem, resolve_path, File::kIfSet},
       "extra CA bundle for a private CA; verification is always on"},
      {"allow_plain_http", &T::allow_plain_http, Flag{false},
       "http:// to a non-loopback host only when true"},
      {"connect_timeout_s", &T::connect_timeout_s, Integer{10, 1, 300}, "connect timeout, seconds"},
      {"low_speed_timeout_s", &T::low_speed_timeout_s, Integer{20, 1, 600},
       "abort when below 1 KB/s for this long, seconds"},
  };
  return k;
}

const std::vector<Key<StatusConfig>>& status_keys() {
  using S = StatusConfig;
  static const std::vector<Key<S>> k = {
      {"url", &S::url, Text{"", url_problem}, "where the booth POSTs its heartbeat (\"\" = none)"},
      {"token_env", &S::token_env, Text{"", env_name_problem},
       "env var holding a bearer token (\"\" = no Authorization)"},
      {"interval_s", &S::interval_s, Integer{300, 1, 86400}, "seconds between heartbeats"},
      {"allow_plain_http", &S::allow_plain_http, Flag{false},
       "http:// to a non-loopback host only when true"},
  };
  return k;
}

}  // namespace keys

// Each section starts from its declared defaults.
EventConfig::EventConfig() {
  keys::apply_defaults(*this, keys::event_keys());
}
BoothConfig::BoothConfig() {
  keys::apply_defaults(*this, keys::booth_keys());
}
CameraConfig::CameraConfig() {
  keys::apply_defaults(*this, keys::camera_keys());
}
PhotoConfig::PhotoConfig() {
  keys::apply_defaults(*this, keys::photo_keys());
}
StorageConfig::StorageConfig() {
  keys::apply_defaults(*this, keys::storage_keys());
}
UploadConfig::UploadConfig() {
  keys::apply_defaults(*this, keys::upload_keys());
}
UploadTarget::UploadTarget() {
  keys::apply_defaults(*this, keys::target_keys());
}
StatusConfig::StatusConfig() {
  keys::apply_defaults(*this, keys::status_keys());
}

namespace {

template <class S>
void describe(std::vector<KeyInfo>& out, const std::string& section,
              const std::vector<keys::Key<S>>& list) {
  for (const auto& k : list) {
    KeyInfo info{section + "." + k.name, "", k.example ? k.example : "", k.doc};
    if (auto f = std::get_if<keys::Flag>(&k.type))
      info.fallback = f->fallback ? "true" : "false";
    else if (auto i = std::get_if<keys::Integer>(&k.type))
      info.fallback = std::to_string(i->fallback);
    else if (auto t = std::get_if<keys::Text>(&k.type))
      info.fallback = std::string("\"") + t->fallback + "\"";
    if (info.example.empty()) info.example = info.fallback;
    out.push_back(std::move(info));
  }
}

}  // namespace

std::vector<KeyInfo> declared_keys() {
  std::vector<KeyInfo> out;
  describe(out, "event", keys::event_keys());
  describe(out, "booth", keys::booth_keys());
  describe(out, "camera", keys::camera_keys());
  describe(out, "photo", keys::photo_keys());
  describe(out, "storage", keys::storage_keys());
  describe(out, "upload", keys::upload_keys());
  describe(out, "upload.targets", keys::target_keys());
  describe(out, "status", keys::status_keys());
  return out;
}

}  // namespace pb::config
