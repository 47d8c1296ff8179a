// SPDX-License-Identifier: Apache-2.0
// booth.toml loading: defaults, the documented example, and errors that name file, line and key.
#include <catch2/catch.hpp>

#include <regex>

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
