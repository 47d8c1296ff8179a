// SPDX-License-Identifier: Apache-2.0
// `pledgebooth doctor` on a booth in a temp folder: each finding an OK/WARN/FAIL line
// naming what to fix, --json for scripts, exit 1 only on a FAIL.
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::TempDir;

namespace {

std::string write_config(const TempDir& dir, const std::string& targets = "") {
  const std::string path = dir / "booth.toml";
  pb::test::write_file(path,
                       "[event]\nid = \"doctor\"\nname = \"Doctor\"\n"
                       "[camera]\nsource = \"synthetic\"\n"
                       "[storage]\ndata_dir = \"" +
                           (dir / "data") + "\"\nmin_free_mb = 1\n" + targets);
  return path;
}

// The output line of one check ("" when doctor printed none).
std::string line_of(const std::string& output, const std::string& check) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (line.find(" " + check + ": ") != std::string::npos) return line;
  return "";
}

bool starts(const std::string& line, const std::string& level) {
  return line.rfind("  " + level + " ", 0) == 0;
}

// A TCP listener on 127.0.0.1 (the kernel completes connections from its backlog).
struct Listener {
  int fd = -1, port = 0;
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(fd, 8) == 0);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { close(fd); }
};

const std::map<std::string, std::string> kFaketimeEnv = {
    {"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}};

}  // namespace

TEST_CASE(
    "doctor fails on a data dir anyone can write, warns on one others can read, and "
    "names it with the fix",
    "[app][doctor]") {
  TempDir dir("pb-doctor");
  const std::string cfg = write_config(dir);
  auto first = pb::test::run_pledgebooth({"--config", cfg, "doctor"});
  INFO(first.output);
  REQUIRE(first.exit_code == 0);  // creates the data dir, 0700
  CHECK(starts(line_of(first.output, "data dir access"), "OK"));
  CHECK(line_of(first.output, "data dir access").find("mode 0700") != std::string::npos);

  chmod((dir / "data").c_str(), 0777);
  auto open = pb::test::run_pledgebooth({"--config", cfg, "doctor"});
  INFO(open.output);
  const std::string line = line_of(open.output, "data dir access");
  CHECK(starts(line, "FAIL"));
  CHECK(line.find(dir / "data") != std::string::npos);
  CHECK(line.find("0777") != std::string::npos);
  CHECK(line.find("chmod 0700") != std::string::npos);
  CHECK(open.exit_code == 1);
  // doctor reported it and left it as it was.
  struct stat st {};
  REQUIRE(stat((dir / "data").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0777);

  chmod((dir / "data").c_str(), 0750);
  auto readable = pb::test::run_pledgebooth({"--config", cfg, "doctor"});
  INFO(readable.output);
  CHECK(starts(line_of(readable.output, "data dir access"), "WARN"));
  CHECK(readable.exit_code == 0);
}

TEST_CASE("doctor --json gives every check with its level and fix and exits 1 on a FAIL",
          "[app][doctor]") {
  TempDir dir("pb-doctor-json");
  const std::string cfg = write_config(dir);
  fs::create_directories(dir / "data");
  chmod((dir / "data").c_str(), 0777);
  auto r = pb::test::run_pledgebooth({"--config", cfg, "doctor", "--json"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  // Python's parser reads what we wrote: stdout alone, as a script would.
  pb::test::write_file(dir / "check.py",
                       "import json, subprocess, sys\n"
                       "out = subprocess.run(sys.argv[1:], capture_output=True).stdout\n"
                       "d = json.loads(out)\n"
                       "levels = {c['check']: c['level'] for c in d['checks']}\n"
                       "assert d['ready'] is False, d\n"
                       "assert levels['data dir access'] == 'fail', levels\n"
                       "assert all(c['fix'] for c in d['checks'] if c['level'] != 'ok'), d\n"
                       "for name in ['service', 'clock', 'disk', 'camera device', 'GPU',\n"
                       "             'input devices', 'touch']:\n"
                       "    assert levels[name] in ('ok', 'warn', 'fail'), (name, levels)\n"
                       "print('json ok')\n");
  auto py =
      pb::test::run({"python3", dir / "check.py", PB_BINARY, "--config", cfg, "doctor", "--json"});
  INFO(py.output);
  CHECK(py.exit_code == 0);
  CHECK(py.output.find("json ok") != std::string::npos);
}

TEST_CASE("doctor warns when the clock is before the build or behind the newest pledge",
          "[app][doctor][clock]") {
  TempDir dir("pb-doctor-clock");
  const std::string cfg = write_config(dir);
  auto now = pb::test::run_pledgebooth({"--config", cfg, "doctor"});
  INFO(now.output);
  CHECK(starts(line_of(now.output, "clock"), "OK"));

  auto in_1970 = pb::test::run(
      {"faketime", "-f", "@1970-01-01 00:10:00", PB_BINARY, "--config", cfg, "doctor"},
      kFaketimeEnv);
  INFO(in_1970.output);
  const std::string before = line_of(in_1970.output, "clock");
  CHECK(starts(before, "WARN"));
  CHECK(before.find("1970-01-01") != std::string::npos);
  CHECK(before.find("before this build") != std::string::npos);
  CHECK(in_1970.exit_code == 0);  // a warning: the booth still works, ids stay in order

  // Pledges saved while the clock said 2031; now it says today: behind them.
  auto saved = pb::test::run({"faketime", "-f", "@2031-05-01 12:00:00", PB_BINARY, "--config", cfg,
                              "add-test-pledges", "2", "--photo-kb", "0"},
                             kFaketimeEnv);
  REQUIRE(saved.exit_code == 0);
  auto behind = pb::test::run_pledgebooth({"--config", cfg, "doctor"});
  INFO(behind.output);
  const std::string line = line_of(behind.output, "clock");
  CHECK(starts(line, "WARN"));
  CHECK(line.find("behind the newest pledge (2031-05-01") != std::string::npos);
}

TEST_CASE("doctor says which upload targets it can reach", "[app][doctor]") {
  TempDir dir("pb-doctor-net");
  Listener up;
  const int down_port = pb::test::free_port();
  const std::string cfg = write_config(
      dir, "[[upload.targets]]\nname = \"up\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:" +
               std::to_string(up.port) +
               "/hook\"\n"
               "[[upload.targets]]\nname = \"down\"\nkind = \"webdav\"\nurl = \"http://127.0.0.1:" +
               std::to_string(down_port) + "/dav\"\n");
  auto r = pb::test::run_pledgebooth({"--config", cfg, "doctor"});
  INFO(r.output);
  std::istringstream in(r.output);
  std::string up_line, down_line;
  for (std::string line; std::getline(in, line);) {
    if (line.find("'up'") != std::string::npos) up_line = line;
    if (line.find("'down'") != std::string::npos) down_line = line;
  }
  CHECK(starts(up_line, "OK"));
  CHECK(up_line.find("reachable") != std::string::npos);
  CHECK(starts(down_line, "WARN"));
  CHECK(down_line.find("not reachable") != std::string::npos);
  CHECK(r.exit_code == 0);  // pledges wait in the queue: not a reason to stop the booth
}

TEST_CASE("doctor fails when the booth's user cannot open the camera or GPU and names the group",
          "[app][doctor]") {
  // A /dev of our own (PB_DOCTOR_DEV): a camera only group video may open, a GPU anyone may.
  TempDir dir("pb-doctor-dev");
  const std::string cfg = write_config(dir);
  fs::create_directories(dir / "dev/dri");
  pb::test::write_file(dir / "dev/video0", "");
  pb::test::write_file(dir / "dev/dri/renderD128", "");
  const group* video = getgrnam("video");
  REQUIRE(video);
  chmod((dir / "dev/video0").c_str(), geteuid() == 0 ? 0660 : 0000);
  chmod((dir / "dev/dri/renderD128").c_str(), 0666);
  // Root opens everything: as root, ask as `nobody` (in no group), who owns the booth here.
  std::vector<std::string> argv;
  if (geteuid() == 0) {
    const passwd* nobody = getpwnam("nobody");
    REQUIRE(nobody);
    for (const auto& e : fs::recursive_directory_iterator(dir.path()))
      REQUIRE(chown(e.path().c_str(), nobody->pw_uid, nobody->pw_gid) == 0);
    REQUIRE(chown(dir.path().c_str(), nobody->pw_uid, nobody->pw_gid) == 0);
    REQUIRE(chown((dir / "dev/video0").c_str(), 0, video->gr_gid) == 0);
    argv = {"setpriv", "--reuid=nobody", "--regid=" + std::to_string(nobody->pw_gid),
            "--clear-groups"};
  }
  for (const std::string& a :
       {std::string(PB_BINARY), std::string("--config"), cfg, std::string("doctor")})
    argv.push_back(a);
  auto r = pb::test::run(argv, {{"PB_DOCTOR_DEV", dir / "dev"}});
  INFO(r.output);
  const std::string camera = line_of(r.output, "camera device");
  CHECK(starts(camera, "FAIL"));
  CHECK(camera.find(dir / "dev/video0") != std::string::npos);
  if (geteuid() == 0) CHECK(camera.find("usermod -aG video") != std::string::npos);
  CHECK(starts(line_of(r.output, "GPU"), "OK"));
  CHECK(r.exit_code == 1);
}
