// SPDX-License-Identifier: Apache-2.0
// booth.toml as untrusted input: huge values, deep nesting, long path parts, unreadable
// folders and secrets in URLs end as "file:line: key: what" (exit 2), never as a crash.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "pb/config.h"
#include "pb/url.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::config::ConfigError;
using pb::config::parse_config;

namespace {

// The error parse_config throws for `toml`, which must name line and key.
ConfigError error_of(const std::string& toml, const std::string& name = "/b/booth.toml") {
  try {
    parse_config(toml, name);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("no error");
  return ConfigError("", 0, "", "");
}

const std::string kS3 =
    "[[upload.targets]]\nkind = \"s3\"\nendpoint = \"https://s3.example.org\"\n"
    "bucket = \"pledges\"\naccess_key_env = \"K\"\nsecret_key_env = \"S\"\n";

}  // namespace

TEST_CASE("a value of 30000 characters is an error with its line, not a stack overflow",
          "[config][hostile]") {
  const std::string huge(30000, 'a');
  struct Case {
    std::string toml;
    int line;
    std::string key;
  };
  const Case cases[] = {
      {kS3 + "prefix = \"" + huge + "\"\n", 7, "upload.targets[0].prefix"},
      {kS3 + "region = \"" + huge + "!\"\n", 7, "upload.targets[0].region"},
      {"[[upload.targets]]\nkind = \"webhook\"\nurl = \"https://h.org/x\"\ntoken_env = \"" + huge +
           "\"\n",
       4, "upload.targets[0].token_env"},
      {"[[upload.targets]]\nkind = \"webdav\"\nurl = \"http://127.0.0.1:8080/" + huge + "\"\n", 3,
       "upload.targets[0].url"},
      {"[booth]\nid = \"" + huge + "\"\n", 2, "booth.id"},
      {kS3 + std::string(30000, 'k') + " = 1\n", 7, "upload.targets[0]." + std::string(30000, 'k')},
  };
  for (const auto& c : cases) {
    ConfigError e = error_of(c.toml);
    INFO(e.what());
    CHECK(e.line() == c.line);
    CHECK(e.key() == c.key);
    // The message shows at most a short piece of the value.
    CHECK(std::string(e.what()).size() < 1000);
  }
  // A long prefix of allowed characters only is still refused as too long, by a check.
  CHECK(error_of(kS3 + "prefix = \"" + std::string(600, 'p') + "\"\n").key() ==
        "upload.targets[0].prefix");
}

TEST_CASE("a table header of 100000 dotted parts is refused before toml++ recurses",
          "[config][hostile]") {
  std::string header = "[a";
  for (int i = 0; i < 100000; ++i) header += ".a";
  ConfigError e = error_of("[booth]\nid = \"b\"\n" + header + "]\nx = 1\n");
  INFO(e.what());
  CHECK(e.line() == 3);
  CHECK(e.key() == "(syntax)");
  CHECK(std::string(e.what()).find("dotted parts") != std::string::npos);
  // Nesting of arrays and inline tables too.
  ConfigError nested = error_of("x = " + std::string(100000, '[') + "\n");
  CHECK(nested.line() == 1);
  CHECK(std::string(nested.what()).find("nested") != std::string::npos);
  // Dots inside strings and comments are no key parts.
  auto ok = parse_config(
      "[event]\nname = \"" + std::string(100, '.') + "\" # " + std::string(100, '.') + "\n",
      "/b/booth.toml");
  CHECK(ok.event.name == std::string(100, '.'));
}

TEST_CASE("a config file over 1 MiB is refused naming the file", "[config][hostile]") {
  pb::test::TempDir dir("pbcfgbig");
  const std::string path = dir / "booth.toml";
  pb::test::write_file(path, "# " + std::string(2 << 20, 'x') + "\n");
  try {
    pb::config::load_config(path);
    FAIL("no error");
  } catch (const ConfigError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).rfind(path + ":0: (file): ", 0) == 0);
  }
}

TEST_CASE("a path part over 255 characters in frame or ca_file names the key",
          "[config][hostile]") {
  const std::string part(300, 'f');
  ConfigError frame = error_of("[photo]\nframe = \"/tmp/" + part + "/x.png\"\n");
  INFO(frame.what());
  CHECK(frame.line() == 2);
  CHECK(frame.key() == "photo.frame");
  CHECK(std::string(frame.what()).find("255") != std::string::npos);
  ConfigError ca =
      error_of("[[upload.targets]]\nkind = \"webdav\"\nurl = \"https://d.org/\"\nca_file = \"" +
               part + ".pem\"\n");
  CHECK(ca.line() == 4);
  CHECK(ca.key() == "upload.targets[0].ca_file");
  // A folder or a FIFO as the frame: named, never opened (a FIFO would block the start).
  pb::test::TempDir dir("pbcfgfifo");
  REQUIRE(mkfifo((dir / "frame.png").c_str(), 0600) == 0);
  ConfigError fifo = error_of("[photo]\nframe = \"" + dir / "frame.png" + "\"\n");
  CHECK(fifo.key() == "photo.frame");
  CHECK(std::string(fifo.what()).find("not a regular file") != std::string::npos);
}

TEST_CASE("a frame in a folder the user cannot read exits 2 with file line and key",
          "[config][hostile]") {
  if (geteuid() != 0 || !fs::exists("/usr/bin/setpriv")) {
    WARN("skipped: needs root and setpriv to run pledgebooth as another user");
    return;
  }
  pb::test::TempDir dir("pbcfgperm");
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_read |
                                  fs::perms::others_exec | fs::perms::group_read |
                                  fs::perms::group_exec);
  fs::create_directory(dir / "private");
  pb::test::write_file(dir / "private/frame.png", "png");
  fs::permissions(dir / "private", fs::perms::owner_all);
  const std::string cfg = dir / "booth.toml";
  pb::test::write_file(cfg, "[event]\nid = \"e\"\n[photo]\nframe = \"private/frame.png\"\n");
  fs::permissions(cfg, fs::perms::others_read, fs::perm_options::add);
  auto r = pb::test::run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", PB_BINARY,
                          "--config", cfg, "stats"});
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(cfg + ":4: photo.frame: ") != std::string::npos);
  CHECK(r.output.find("Permission denied") != std::string::npos);
  CHECK(r.output.find("filesystem_error") == std::string::npos);
}

TEST_CASE("user and password in a target URL are refused without echoing them",
          "[config][hostile]") {
  ConfigError dav = error_of(
      "[[upload.targets]]\nkind = \"webdav\"\nurl = \"https://alice:hunter2@d.org/dav\"\n");
  INFO(dav.what());
  CHECK(dav.line() == 3);
  CHECK(dav.key() == "upload.targets[0].url");
  CHECK(std::string(dav.what()).find("hunter2") == std::string::npos);
  CHECK(std::string(dav.what()).find("password_env") != std::string::npos);
  ConfigError s3 = error_of(
      "[[upload.targets]]\nkind = \"s3\"\nbucket = \"pledges\"\naccess_key_env = \"K\"\n"
      "secret_key_env = \"S\"\nendpoint = \"http://key:secret@127.0.0.1:9000\"\n");
  CHECK(s3.line() == 6);
  CHECK(s3.key() == "upload.targets[0].endpoint");
  // An '@' in the path is no user info.
  auto ok = parse_config("[[upload.targets]]\nkind = \"webhook\"\nurl = \"https://h.org/@me\"\n",
                         "/b/booth.toml");
  CHECK(ok.upload.targets[0].url() == "https://h.org/@me");
}

TEST_CASE("control characters in a value are not echoed to the terminal", "[config][hostile]") {
  ConfigError e = error_of("[booth]\nid = \"\\u001b[2Jbooth\"\n");
  INFO(e.what());
  CHECK(e.key() == "booth.id");
  CHECK(std::string(e.what()).find('\x1b') == std::string::npos);
}

TEST_CASE("loopback http is told apart without a regex", "[config][hostile]") {
  using pb::url::is_loopback_http;
  CHECK(is_loopback_http("http://127.0.0.1"));
  CHECK(is_loopback_http("http://127.0.0.1:9000/bucket/key"));
  CHECK(is_loopback_http("http://localhost:8080/"));
  CHECK(is_loopback_http("http://[::1]:80/dav"));
  CHECK(is_loopback_http("http://127.1.2.3/" + std::string(100000, 'x')));
  CHECK_FALSE(is_loopback_http("https://127.0.0.1/"));
  CHECK_FALSE(is_loopback_http("http://127.0.0.1.evil.org/"));
  CHECK_FALSE(is_loopback_http("http://localhost.evil.org/"));
  CHECK_FALSE(is_loopback_http("http://127.0.0.1@evil.org/"));
  CHECK_FALSE(is_loopback_http("http://evil.org/127.0.0.1"));
  CHECK_FALSE(is_loopback_http("http://127.0.0.1:/"));
  CHECK_FALSE(is_loopback_http("http://127.0.0.1:80x/"));
  CHECK_FALSE(is_loopback_http("http://[::1]x/"));
  CHECK_FALSE(is_loopback_http("http://127./"));
  CHECK_FALSE(is_loopback_http("http://127.0.0.1/\nHost: evil"));
  CHECK_FALSE(is_loopback_http("http://" + std::string(100000, '1')));
}

TEST_CASE("a relative file target beside a bare config name resolves against its folder",
          "[config][hostile]") {
  // `--config booth.toml` (no folder part) must behave as `--config ./booth.toml`.
  pb::test::TempDir dir("pbcfgrel");
  pb::test::write_file(dir / "booth.toml",
                       "[event]\nid = \"rel\"\n[storage]\ndata_dir = \"data\"\nmin_free_mb = 1\n"
                       "[[upload.targets]]\nname = \"box\"\nkind = \"file\"\npath = \"outbox\"\n");
  const std::string canonical_dir = fs::canonical(dir.path()).string();
  auto in_folder = [&](const std::string& config_arg, const std::string& args) {
    return pb::test::run({"sh", "-c",
                          "cd '" + dir.path() + "' && exec '" + PB_BINARY + "' --config " +
                              config_arg + " " + args});
  };
  auto add = in_folder("booth.toml", "add-test-pledges 1 --photo-kb 1");
  INFO(add.output);
  REQUIRE(add.exit_code == 0);
  auto up = in_folder("booth.toml", "upload");
  INFO(up.output);
  CHECK(up.exit_code == 0);
  CHECK(fs::is_directory(dir / "outbox"));
  CHECK_FALSE(fs::is_empty(dir / "outbox"));
  // Loaded in-process from inside the folder: the path is absolute and in the folder.
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  auto c = pb::config::load_config("booth.toml");
  fs::current_path(before);
  REQUIRE(c.upload.targets.size() == 1);
  CHECK(fs::path(c.upload.targets[0].folder()).is_absolute());
  CHECK(fs::weakly_canonical(c.upload.targets[0].folder()) == fs::path(canonical_dir) / "outbox");
}
