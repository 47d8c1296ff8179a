// SPDX-License-Identifier: Apache-2.0
// booth.toml loading: defaults, the documented example, and errors that name file, line and key.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "pb/config.h"
#include "test_support.h"

using pb::config::ConfigError;
using pb::config::parse_config;

namespace {

struct Broken {
  const char* what;
  const char* toml;
  int line;
  const char* key;
  const char* message;  // a fragment the message must contain
};

const Broken kBroken[] = {
    {"unknown key with a near miss", "[camera]\nwidht = 640\n", 2, "camera.widht",
     "did you mean 'width'"},
    {"unknown section", "[event]\nid = \"x\"\n[camra]\nsource = \"auto\"\n", 3, "camra",
     "did you mean 'camera'"},
    {"wrong type", "[camera]\nsource = \"auto\"\nwidth = \"wide\"\n", 3, "camera.width",
     "expected an integer"},
    {"out of range", "[photo]\njpeg_quality = 150\n", 2, "photo.jpeg_quality", "between 1 and 100"},
    {"event id not a slug", "[event]\nname = \"x\"\nid = \"Seoul Launch!\"\n", 3, "event.id",
     "slug"},
    {"bad camera source", "[camera]\nsource = \"webcam\"\n", 2, "camera.source", "device:N"},
    {"bad aspect", "[photo]\naspect = \"16:9\"\n", 2, "photo.aspect", "\"4:5\""},
    {"unknown target kind", "[[upload.targets]]\nname = \"a\"\nkind = \"ftp\"\n", 3,
     "upload.targets[0].kind", "file, s3, webdav or webhook"},
    {"s3 target without bucket",
     "[[upload.targets]]\nkind = \"s3\"\nendpoint = \"https://s3.example.org\"\naccess_key_env = "
     "\"K\"\n"
     "secret_key_env = \"S\"\n",
     1, "upload.targets[0].bucket", "required for a s3 target"},
    {"secret written into the file",
     "[[upload.targets]]\nkind = \"webhook\"\nurl = \"https://x.org/h\"\n"
     "token_env = \"abc 123 secret!\"\n",
     4, "upload.targets[0].token_env", "environment variable"},
    {"plain http to a remote host",
     "[[upload.targets]]\nkind = \"webdav\"\nurl = \"http://cloud.example.org/dav\"\n", 3,
     "upload.targets[0].url", "allow_plain_http"},
    {"duplicate target names",
     "[[upload.targets]]\nkind = \"file\"\npath = \"/a\"\n[[upload.targets]]\nkind = "
     "\"file\"\npath = \"/b\"\n",
     4, "upload.targets[1].name", "unique"},
    {"syntax error", "[booth]\nid = \"booth-1\nidle_timeout_s = 30\n", 2, "(syntax)", ""},
    {"unknown locale in pledge text",
     "[event.pledge_text]\nen = \"I agree\"\nde = \"Ich verpflichte mich\"\n", 3,
     "event.pledge_text.de", "'en', 'es', 'fr' and 'ko'"},
    {"pin stored in clear", "[booth]\nadmin_pin_hash = \"1234\"\n", 2, "booth.admin_pin_hash",
     "hash-pin"},
    {"idle timeout too short", "[booth]\nidle_timeout_s = 2\n", 2, "booth.idle_timeout_s",
     "between 10 and 3600"},
    {"boolean expected", "[upload]\nenabled = \"yes\"\n", 2, "upload.enabled", "true or false"},
    {"booth uploads at once out of range", "[upload]\nbooth_parallel_max = 0\n", 2,
     "upload.booth_parallel_max", "between 1 and 16"},
    {"empty s3 region",
     "[[upload.targets]]\nkind = \"s3\"\nendpoint = \"https://s3.example.org\"\nbucket = "
     "\"pledges\"\naccess_key_env = \"K\"\nsecret_key_env = \"S\"\nregion = \"\"\n",
     7, "upload.targets[0].region", "eu-west-1"},
    {"camera device number out of range", "[camera]\nsource = \"device:99999999999999999999\"\n", 2,
     "camera.source", "0 to 255"},
    {"camera device in korean", "[camera]\nsource = \"device:카메라\"\n", 2, "camera.source",
     "/dev/videoN"},
    {"home-relative data dir", "[storage]\n\ndata_dir = \"~/pledges\"\n", 3, "storage.data_dir",
     "full path"},
    {"public target naming no target",
     "[event]\npublic_target = \"cdn\"\n[[upload.targets]]\nname = \"usb\"\nkind = "
     "\"file\"\npath = \"/a\"\n",
     2, "event.public_target", "names no [[upload.targets]]"},
    {"organiser with a control character", "[event]\norganiser = \"UN\\u0007Women\"\n", 2,
     "event.organiser", "printable"},
    {"keep months out of range", "[event]\nkeep_months = 500\n", 2, "event.keep_months",
     "between 0 and 120"},
    {"sound not a boolean", "[booth]\nsound = \"loud\"\n", 2, "booth.sound", "true or false"},
    {"campaign count read every second", "[upload]\n\ncampaign_count_interval_s = 5\n", 3,
     "upload.campaign_count_interval_s", "0 (off) or at least 10 seconds"},
    {"campaign count interval negative", "[upload]\ncampaign_count_interval_s = -1\n", 2,
     "upload.campaign_count_interval_s", "between 0 and 86400"},
    {"campaign count interval not a number", "[upload]\ncampaign_count_interval_s = \"5m\"\n", 2,
     "upload.campaign_count_interval_s", "expected an integer"},
    {"home-relative target path", "[[upload.targets]]\nkind = \"file\"\npath = \"~/usb\"\n", 3,
     "upload.targets[0].path", "full path"},
};

}  // namespace

TEST_CASE("each malformed config names the file line and key", "[config]") {
  for (const auto& b : kBroken) {
    INFO(b.what);
    try {
      parse_config(b.toml, "/etc/pledgebooth/booth.toml");
      FAIL("no error for: " << b.what);
    } catch (const ConfigError& e) {
      std::string msg = e.what();
      INFO(msg);
      CHECK(e.file() == "/etc/pledgebooth/booth.toml");
      CHECK(e.line() == b.line);
      CHECK(e.key() == b.key);
      std::string prefix =
          "/etc/pledgebooth/booth.toml:" + std::to_string(b.line) + ": " + b.key + ": ";
      CHECK(msg.rfind(prefix, 0) == 0);
      CHECK(msg.find(b.message) != std::string::npos);
    }
  }
}

TEST_CASE("an empty config gives the commented defaults", "[config]") {
  auto c = parse_config("", "booth.toml");
  CHECK(c.booth.idle_timeout_s == 45);
  CHECK(c.camera.source == "auto");
  CHECK(c.photo.aspect == "4:5");
  CHECK(c.photo.jpeg_quality == 90);
  CHECK(c.upload.booth_parallel_max == 4);
  CHECK(c.upload.campaign_count_interval_s == 300);
  CHECK(parse_config("[upload]\ncampaign_count_interval_s = 0\n", "b.toml")
            .upload.campaign_count_interval_s == 0);
  REQUIRE(c.upload.targets.size() == 1);
  CHECK(c.upload.targets[0].kind == "file");
  CHECK(c.upload.targets[0].folder() == c.storage.data_dir + "/outbox-folder");
}

TEST_CASE("the example config documents keys that load clean", "[config]") {
  auto c = pb::config::load_config(pb::test::source_dir() + "/config/booth.example.toml");
  CHECK(c.event.id == "heforshe-seoul-launch");
  CHECK(c.event.pledge_text.at("ko").find("수십억 명 중 한 사람") != std::string::npos);
  CHECK(c.event.organiser == "UN Women Korea");
  CHECK(c.event.keep_months == 12);
  CHECK(c.event.public_target.empty());  // no photo QR code until a public target is named
  CHECK(c.booth.sound);
  REQUIRE(c.upload.targets.size() == 1);
  CHECK(c.upload.targets[0].prefix == "pledges");
  // Relative paths are resolved against the file's folder.
  CHECK(c.storage.data_dir == pb::test::source_dir() + "/pledgebooth-data");
}

TEST_CASE("the commented-out targets of the example config load too when uncommented", "[config]") {
  std::string text = pb::test::read_file(pb::test::source_dir() + "/config/booth.example.toml");
  // Uncomment "# key = value" and "# [[upload.targets]]" lines of the target blocks.
  std::regex commented(R"((^|\n)# ((\[\[upload\.targets\]\])|([a-z_]+ = [^\n]*)))");
  std::string uncommented = std::regex_replace(text, commented, "$1$2");
  pb::test::TempDir dir("pbcfg");
  std::string path = dir / "booth.toml";
  pb::test::write_file(path, uncommented);
  pb::test::write_file(dir / "../assets-frames-unused", "");
  std::string frame_line = "frame = \"" + pb::test::source_dir() + "/assets/frames/heforshe.png\"";
  uncommented = std::regex_replace(uncommented, std::regex("frame = \"[^\"]*\""), frame_line);
  pb::test::write_file(path, uncommented);
  auto c = pb::config::load_config(path);
  REQUIRE(c.upload.targets.size() == 4);
  CHECK(c.upload.targets[1].kind == "s3");
  CHECK(c.upload.targets[1].setting("bucket") == "heforshe-pledges");
  CHECK(c.upload.targets[2].kind == "webdav");
  CHECK(c.upload.targets[3].kind == "webhook");
  CHECK(c.upload.targets[3].setting("token_env") == "PLEDGEBOOTH_HOOK_TOKEN");
  CHECK(c.event.public_target == "campaign-bucket");
}

TEST_CASE("a missing config file is an error naming the file", "[config]") {
  try {
    pb::config::load_config("/nonexistent/booth.toml");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("/nonexistent/booth.toml") == 0);
  }
}

TEST_CASE("secrets come only from the named environment variable", "[config]") {
  setenv("PB_TEST_SECRET", "s3cr3t", 1);
  CHECK(pb::config::resolve_secret("PB_TEST_SECRET").value() == "s3cr3t");
  unsetenv("PB_TEST_SECRET");
  CHECK_FALSE(pb::config::resolve_secret("PB_TEST_SECRET").has_value());
  CHECK_FALSE(pb::config::resolve_secret("").has_value());
}

TEST_CASE("plain http is accepted to loopback and when explicitly allowed", "[config]") {
  auto c = parse_config(
      "[[upload.targets]]\nkind = \"webdav\"\nurl = \"http://127.0.0.1:8080/dav\"\n", "b.toml");
  CHECK(c.upload.targets[0].url() == "http://127.0.0.1:8080/dav");
  auto d = parse_config(
      "[[upload.targets]]\nkind = \"webdav\"\nurl = \"http://nas.local/dav\"\nallow_plain_http = "
      "true\n",
      "b.toml");
  CHECK(d.upload.targets[0].allow_plain_http);
}

TEST_CASE("the default folder target lives in the configured data dir", "[config]") {
  // With no [[upload.targets]], uploads go to <data_dir>/outbox-folder: the data_dir of the
  // file, not the built-in one relative to wherever the booth was started.
  auto c = parse_config("[storage]\ndata_dir = \"/var/lib/pledgebooth\"\n", "/etc/pb/booth.toml");
  REQUIRE(c.upload.targets.size() == 1);
  CHECK(c.upload.targets[0].kind == "file");
  CHECK(c.upload.targets[0].folder() == "/var/lib/pledgebooth/outbox-folder");
  auto rel = parse_config("[storage]\ndata_dir = \"data\"\n", "/etc/pb/booth.toml");
  CHECK(rel.upload.targets[0].folder() == "/etc/pb/data/outbox-folder");
}

TEST_CASE("a folder given as the config file is an error naming it", "[config]") {
  // `--config /media/usb/` by mistake must not start the booth on the built-in demo event.
  pb::test::TempDir dir("pbcfgdir");
  try {
    pb::config::load_config(dir.path());
    FAIL("no error for a folder");
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    INFO(msg);
    CHECK(msg.rfind(dir.path() + ":0: (file): ", 0) == 0);
    CHECK(msg.find("folder") != std::string::npos);
  }
}

TEST_CASE("a key of another kind's section is named as unknown for this kind", "[config]") {
  try {
    parse_config("[[upload.targets]]\nkind = \"file\"\npath = \"/tmp/x\"\nbucket = \"pledges\"\n",
                 "booth.toml");
    FAIL("accepted an s3 key in a file target");
  } catch (const ConfigError& e) {
    CHECK(e.line() == 4);
    CHECK(e.key() == "upload.targets[0].bucket");
    CHECK(std::string(e.what()).find("unknown key") != std::string::npos);
  }
}

namespace {

// A `key = value` line of booth.example.toml, set or shown in a comment ("# key = value").
struct ExampleLine {
  std::string section;  // "booth", "upload.targets"
  std::string key, value;
  bool set;          // not commented out
  std::string kind;  // in an [[upload.targets]] table: its kind
  int line;
};

// The value of a line without its trailing comment (a '#' outside quotes).
std::string without_comment(const std::string& v) {
  bool quoted = false;
  std::size_t end = v.size();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '"') quoted = !quoted;
    if (v[i] == '#' && !quoted) {
      end = i;
      break;
    }
  }
  std::string out = v.substr(0, end);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Every key line of the example, and the [section] headers (as key lines of no value, for
// [event.pledge_text] and the like).
std::vector<ExampleLine> example_lines(const std::string& text) {
  static const std::regex header(R"(^(# )?\[\[?([a-z_.]+)\]\]?$)");
  static const std::regex assignment(R"(^(# )?([a-z_]+) = (.*)$)");
  std::vector<ExampleLine> out;
  std::string section;
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    std::smatch m;
    if (std::regex_match(line, m, header)) {
      section = m[2];
      out.push_back({section, "", "", !m[1].matched, "", n});
    } else if (std::regex_match(line, m, assignment)) {
      out.push_back({section, m[2], without_comment(m[3]), !m[1].matched, "", n});
      if (section == "upload.targets" && m[2] == "kind") {
        // The table's kind, for the lines of this table (before and after it).
        const std::string kind = without_comment(m[3]);
        for (auto it = out.rbegin(); it != out.rend() && it->section == section; ++it) {
          it->kind = kind.substr(1, kind.size() - 2);
          if (it->key.empty()) break;  // the table's header
        }
      }
    }
  }
  // Lines after the kind line of a table take its kind too.
  std::string kind;
  for (auto& l : out) {
    if (l.section != "upload.targets") continue;
    if (l.key.empty()) kind.clear();
    if (!l.kind.empty()) kind = l.kind;
    l.kind = kind;
  }
  return out;
}

}  // namespace

TEST_CASE("the example config and the declared keys agree", "[config]") {
  const std::string path = pb::test::source_dir() + "/config/booth.example.toml";
  const auto lines = example_lines(pb::test::read_file(path));
  const auto declared = pb::config::declared_keys();
  std::map<std::string, const pb::config::KeyInfo*> by_name;
  for (const auto& k : declared) by_name[k.name] = &k;
  std::set<std::string> seen;
  for (const auto& l : lines) {
    INFO(path << ":" << l.line << ": " << l.section << "." << l.key << " = " << l.value);
    if (l.key.empty()) {  // a header: [event.pledge_text] is the key event.pledge_text
      seen.insert(l.section);
      continue;
    }
    if (l.section == "event.pledge_text" || l.section == "event.consent_text") continue;
    const std::string name = l.section + "." + l.key;
    if (l.section == "upload.targets" && !by_name.count(name)) {
      // kind, or a key of the table's kind (pb/target_kinds.h).
      if (l.key == "kind") continue;
      const pb::config::TargetKind* kind = pb::config::find_target_kind(l.kind);
      REQUIRE(kind);
      const bool of_kind = std::any_of(kind->settings.begin(), kind->settings.end(),
                                       [&](const auto& s) { return l.key == s.key; });
      CHECK(of_kind);
      seen.insert(l.kind + ":" + l.key);
      continue;
    }
    // Every key the example names is declared ...
    REQUIRE(by_name.count(name));
    seen.insert(name);
    const pb::config::KeyInfo& k = *by_name.at(name);
    if (l.section == "upload.targets") {
      // ... a target's numbers and switches show the default ...
      if (l.value.front() != '"') CHECK(l.value == k.fallback);
    } else if (l.set) {
      // ... a key set outside a target has the declared value (its default unless the
      // declaration says what a real booth puts there) ...
      CHECK(l.value == k.example);
    } else if (l.value.front() != '"') {
      // ... and one shown in a comment without quotes is its default.
      CHECK(l.value == k.fallback);
    }
  }
  // Every declared key is in the example, and every key of every target kind.
  for (const auto& k : declared) {
    INFO(k.name);
    CHECK(seen.count(k.name));
    CHECK_FALSE(k.doc.empty());
  }
  for (const auto& kind : pb::config::target_kinds())
    for (const auto& s : kind.settings) {
      INFO(kind.name << ": " << s.key);
      CHECK(seen.count(std::string(kind.name) + ":" + s.key));
    }
}

TEST_CASE("each section starts from its declared defaults", "[config]") {
  // What code that builds a config by hand (tests, tools) gets before it sets anything.
  const pb::config::Config c;
  for (const auto& k : pb::config::declared_keys()) INFO(k.name << " = " << k.fallback);
  CHECK(c.booth.idle_timeout_s == 45);
  CHECK(c.camera.source == "auto");
  CHECK(c.camera.width == 1280);
  CHECK(c.storage.min_free_mb == 100);
  CHECK(c.upload.enabled);
  CHECK(c.status.interval_s == 300);
  CHECK(pb::config::UploadTarget().connect_timeout_s == 10);
  CHECK(pb::config::UploadTarget().low_speed_timeout_s == 20);
  CHECK_FALSE(pb::config::StatusConfig().allow_plain_http);
  // The same values the reader gives a file that leaves every key out.
  const auto empty = parse_config("", "booth.toml");
  CHECK(empty.booth.countdown_s == c.booth.countdown_s);
  CHECK(empty.event.id == c.event.id);
  CHECK(empty.upload.campaign_count_interval_s == c.upload.campaign_count_interval_s);
}

TEST_CASE("validate checks a config built in code by the declarations the reader uses",
          "[config]") {
  using pb::config::validate;
  const pb::config::Config base = pb::config::default_config();
  CHECK_NOTHROW(validate(base));
  struct Case {
    const char* what;
    std::function<void(pb::config::Config&)> change;
    const char* key;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"range", [](auto& c) { c.photo.jpeg_quality = 150; }, "photo.jpeg_quality",
       "between 1 and 100"},
      {"rule inside the range", [](auto& c) { c.upload.campaign_count_interval_s = 5; },
       "upload.campaign_count_interval_s", "0 (off) or at least 10"},
      {"slug", [](auto& c) { c.booth.id = "booth-"; }, "booth.id", "slug"},
      {"choice", [](auto& c) { c.photo.aspect = "16:9"; }, "photo.aspect", "\"4:5\""},
      {"path", [](auto& c) { c.storage.data_dir = "~/pledges"; }, "storage.data_dir", "full path"},
      {"empty", [](auto& c) { c.storage.data_dir = ""; }, "storage.data_dir", "must not be empty"},
      {"url", [](auto& c) { c.event.page_url = "https://user:pw@x.org/"; }, "event.page_url",
       "user:password@"},
      {"locale table", [](auto& c) { c.event.pledge_text["xx"] = "I agree"; },
       "event.pledge_text.xx", "unknown locale"},
      {"plain http status", [](auto& c) { c.status.url = "http://status.example.org/"; },
       "status.url", "allow_plain_http"},
      {"target key", [](auto& c) { c.upload.targets[0].connect_timeout_s = 0; },
       "upload.targets[0].connect_timeout_s", "between 1 and 300"},
      {"kind key", [](auto& c) { c.upload.targets[0].settings["path"] = "~/usb"; },
       "upload.targets[0].path", "full path"},
      {"kind", [](auto& c) { c.upload.targets[0].kind = "ftp"; }, "upload.targets[0].kind",
       "file, s3, webdav or webhook"},
      {"duplicate name", [](auto& c) { c.upload.targets.push_back(c.upload.targets[0]); },
       "upload.targets[1].name", "unique"},
      {"public target", [](auto& c) { c.event.public_target = "cdn"; }, "event.public_target",
       "names no [[upload.targets]]"},
  };
  for (const auto& k : cases) {
    INFO(k.what);
    pb::config::Config c = base;
    k.change(c);
    try {
      validate(c);
      FAIL("no error");
    } catch (const ConfigError& e) {
      INFO(e.what());
      CHECK(e.line() == 0);
      CHECK(e.key() == k.key);
      CHECK(std::string(e.what()).find(k.message) != std::string::npos);
    }
  }
}
