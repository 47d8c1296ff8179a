// SPDX-License-Identifier: Apache-2.0
// The booth and its service manager, with the real protocol: a NOTIFY_SOCKET owned by the
// test receives READY=1 once a frame is on screen, WATCHDOG=1 at least every half
// WATCHDOG_USEC from the UI loop, and nothing more once that loop hangs.
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::TempDir;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr int kSlow = 4;  // sanitizer builds draw a frame several times slower
#else
constexpr int kSlow = 1;
#endif

const std::map<std::string, std::string> kOffscreen = {{"SDL_VIDEODRIVER", "offscreen"},
                                                       {"SDL_AUDIODRIVER", "dummy"},
                                                       {"SDL_RENDER_DRIVER", "software"},
                                                       {"SDL_FRAMEBUFFER_ACCELERATION", "0"}};

// A unix datagram socket bound at a path or, for "@name", in the abstract namespace:
// what systemd listens on for a Type=notify service.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& address) : address_(address) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::string bytes = address;
    if (bytes[0] == '@') bytes[0] = '\0';
    REQUIRE(bytes.size() < sizeof a.sun_path);
    std::memcpy(a.sun_path, bytes.data(), bytes.size());
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + bytes.size() +
                                            (bytes[0] == '\0' ? 0 : 1));
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), len) == 0);
  }
  ~NotifySocket() { close(fd_); }
  const std::string& address() const { return address_; }
  // The next datagram, or nullopt when none arrives within timeout.
  std::optional<std::string> receive(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  std::string address_;
  int fd_ = -1;
};

bool has_line(const std::string& message, const std::string& line) {
  return ("\n" + message + "\n").find("\n" + line + "\n") != std::string::npos;
}

std::string booth_toml(const TempDir& dir) {
  return "[event]\nid = \"watchdog\"\nname = \"#HeForShe\"\nconsent_version = 1\n"
         "[booth]\nid = \"booth-wd\"\n"
         "[camera]\nsource = \"synthetic\"\nwidth = 640\nheight = 480\n"
         "[storage]\ndata_dir = \"" +
         (dir / "data") + "\"\nmin_free_mb = 1\n[upload]\nenabled = false\n";
}

struct Booth {
  TempDir dir{"pb-watchdog"};
  std::optional<pb::test::ChildProcess> process;
  std::string log() { return pb::test::read_file(dir / "booth.log"); }
  void start(const std::string& script, std::map<std::string, std::string> env) {
    pb::test::write_file(dir / "booth.toml", booth_toml(dir));
    pb::test::write_file(dir / "script.txt", script);
    env.insert(kOffscreen.begin(), kOffscreen.end());
    // Kiosk mode as in the unit (not --windowed): the lockdown is on while it is watched.
    process.emplace(std::vector<std::string>{PB_BINARY, "--config", dir / "booth.toml", "kiosk",
                                             "--script", dir / "script.txt"},
                    dir / "booth.log", env);
  }
};

const auto kTimeout = std::chrono::microseconds(
    4'000'000 * kSlow);  // WATCHDOG_USEC: pings 1 s apart, a busy CI machine stays well inside 2 s
const auto kStartUp = milliseconds(60'000 * kSlow);

}  // namespace

TEST_CASE(
    "the booth notifies READY after its first frame, pings the watchdog from the UI loop, "
    "and the pings stop when that loop hangs",
    "[kiosk][watchdog]") {
  Booth booth;
  NotifySocket notify(booth.dir / "notify.sock");
  // Long enough for several pings (a quarter timeout apart) before the stall.
  booth.start(
      "expect attract 30\nwait " + std::to_string(6 * kSlow) + "\nstall\n",
      {{"NOTIFY_SOCKET", notify.address()}, {"WATCHDOG_USEC", std::to_string(kTimeout.count())}});

  // READY=1 first, once the booth has drawn a frame; no ping before it (systemd would arm
  // its watchdog at the first ping, and the start-up is the start timeout's to judge).
  std::optional<std::string> m;
  std::vector<std::string> before_ready;
  const auto give_up = Clock::now() + kStartUp;
  while (Clock::now() < give_up && !(m && has_line(*m, "READY=1"))) {
    m = notify.receive(milliseconds(500));
    if (m && !has_line(*m, "READY=1")) before_ready.push_back(*m);
  }
  INFO(booth.log());
  REQUIRE(m);
  REQUIRE(has_line(*m, "READY=1"));
  CHECK(booth.log().find("kiosk: first frame presented") != std::string::npos);
  for (const auto& early : before_ready) CHECK_FALSE(has_line(early, "WATCHDOG=1"));
  // Each start-up step moves the start timeout on (a slow CPU is not a hung booth).
  const auto extends = std::count_if(before_ready.begin(), before_ready.end(), [](const auto& msg) {
    return has_line(msg, "EXTEND_TIMEOUT_USEC=90000000");
  });
  CHECK(extends >= 3);

  // While the UI loop runs: a ping at least every half timeout.
  std::vector<Clock::time_point> pings;
  auto last = Clock::now();
  while (booth.log().find("stalling the UI loop") == std::string::npos) {
    REQUIRE(booth.process->running());
    auto got = notify.receive(milliseconds(100));
    if (got && has_line(*got, "WATCHDOG=1")) pings.push_back(Clock::now());
    REQUIRE(Clock::now() - last < kStartUp);  // the script must get to its stall
    if (got) last = Clock::now();
  }
  while (auto got = notify.receive(milliseconds(0)))  // sent before the loop stalled
    if (has_line(*got, "WATCHDOG=1")) pings.push_back(Clock::now());
  REQUIRE(pings.size() >= 3);
  for (std::size_t i = 1; i < pings.size(); ++i) {
    const auto gap = std::chrono::duration_cast<milliseconds>(pings[i] - pings[i - 1]);
    INFO("gap between ping " << i << " and " << i + 1 << ": " << gap.count() << " ms");
    CHECK(gap <= kTimeout / 2);
  }

  // Hung: alive, but silent for a whole watchdog timeout, so systemd would restart it.
  std::optional<std::string> during_stall;
  const auto silence_until = Clock::now() + kTimeout;
  while (!during_stall && Clock::now() < silence_until)
    during_stall = notify.receive(milliseconds(50));
  CHECK_FALSE(during_stall);
  CHECK(booth.process->running());

  // SIGTERM still ends it cleanly, saying so.
  booth.process->signal(SIGTERM);
  CHECK(booth.process->wait(kStartUp) == 0);
  std::optional<std::string> stopping;
  while (auto got = notify.receive(milliseconds(0)))
    if (has_line(*got, "STOPPING=1")) stopping = got;
  CHECK(stopping);
}

TEST_CASE(
    "the booth speaks to an abstract NOTIFY_SOCKET and leaves a watchdog meant for "
    "another process alone",
    "[kiosk][watchdog]") {
  Booth booth;
  NotifySocket notify("@pb-notify-" + std::to_string(getpid()) + "-" +
                      std::to_string(Clock::now().time_since_epoch().count()));
  // WATCHDOG_PID names neither the booth nor its parent: the pings are not the booth's job.
  booth.start("expect attract 30\n", {{"NOTIFY_SOCKET", notify.address()},
                                      {"WATCHDOG_USEC", std::to_string(kTimeout.count())},
                                      {"WATCHDOG_PID", "1"}});
  std::optional<std::string> m;
  const auto give_up = Clock::now() + kStartUp;
  std::vector<std::string> messages;
  while (Clock::now() < give_up && !(m && has_line(*m, "READY=1"))) {
    m = notify.receive(milliseconds(500));
    if (m) messages.push_back(*m);
  }
  INFO(booth.log());
  REQUIRE(m);
  REQUIRE(has_line(*m, "READY=1"));
  // The UI loop runs (the log shows the camera frame on screen) but no ping comes.
  REQUIRE(pb::test::eventually(
      [&] { return booth.log().find("first camera frame shown") != std::string::npos; }, kStartUp));
  const auto until = Clock::now() + kTimeout;
  while (Clock::now() < until)
    if (auto got = notify.receive(milliseconds(50))) messages.push_back(*got);
  for (const auto& msg : messages) CHECK_FALSE(has_line(msg, "WATCHDOG=1"));
  CHECK(booth.process->running());
}

TEST_CASE(
    "a booth that cannot open its display exits non-zero with a message instead of "
    "hanging",
    "[kiosk][watchdog]") {
  TempDir dir("pb-nodisplay");
  pb::test::write_file(dir / "booth.toml", booth_toml(dir));
  auto env = kOffscreen;
  env["SDL_VIDEODRIVER"] = "no-such-display";
  auto r = pb::test::run_pledgebooth({"--config", dir / "booth.toml", "kiosk"}, env);
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code != -1);  // it ended by itself
  CHECK(r.output.find("kiosk: SDL could not start") != std::string::npos);
}

TEST_CASE("a booth whose compositor dies exits non-zero instead of hanging (cage, headless)",
          "[kiosk][watchdog][cage]") {
  // cage #481: a compositor gone and the app inside still waiting, so nothing restarts it.
  // The booth runs under cage's headless backend as on the appliance (cage refuses root:
  // as root the test runs it as `nobody`), then cage is killed.
  TempDir dir("pb-cage");
  const std::string runtime = dir / "xdg";
  pb::test::write_file(dir / "booth.toml", booth_toml(dir));
  fs::create_directories(runtime);
  chmod(runtime.c_str(), 0700);
  std::vector<std::string> argv;
  if (geteuid() == 0) {
    const passwd* nobody = getpwnam("nobody");
    REQUIRE(nobody);
    for (const std::string& p : {dir.path(), runtime})
      REQUIRE(chown(p.c_str(), nobody->pw_uid, nobody->pw_gid) == 0);
    chmod(dir.path().c_str(), 0755);
    argv = {"setpriv", "--reuid=nobody", "--regid=" + std::to_string(nobody->pw_gid),
            "--clear-groups"};
  }
  // sh records the booth's own exit code: cage is gone by then.
  for (const std::string& a :
       {std::string("cage"), std::string("--"), std::string("sh"), std::string("-c"),
        "'" + std::string(PB_BINARY) + "' --config '" + (dir / "booth.toml") +
            "' kiosk; echo $? > '" + (dir / "exit.tmp") + "' && mv '" + (dir / "exit.tmp") + "' '" +
            (dir / "exit") + "'"})
    argv.push_back(a);
  pb::test::ChildProcess cage(argv, dir / "booth.log",
                              {{"XDG_RUNTIME_DIR", runtime},
                               {"WLR_BACKENDS", "headless"},
                               {"WLR_LIBINPUT_NO_DEVICES", "1"},
                               {"WLR_RENDERER", "pixman"},
                               {"SDL_VIDEODRIVER", "wayland"},
                               {"SDL_AUDIODRIVER", "dummy"},
                               // Wayland windows go through Mesa's EGL, whose allocations
                               // LeakSanitizer reports from an unloaded module at exit.
                               {"ASAN_OPTIONS", "detect_leaks=0"}});
  auto log = [&] { return pb::test::read_file(dir / "booth.log"); };
  const bool drawn = pb::test::eventually(
      [&] { return log().find("kiosk: first frame presented") != std::string::npos; }, kStartUp);
  INFO(log());
  REQUIRE(drawn);

  kill(cage.pid(), SIGKILL);  // the compositor alone (setpriv and env exec'd into it)
  const bool exited =
      pb::test::eventually([&] { return fs::exists(dir / "exit"); }, milliseconds(20'000 * kSlow));
  INFO(log());
  REQUIRE(exited);
  CHECK(pb::test::read_file(dir / "exit") == "4\n");
  CHECK(log().find("kiosk: the connection to the Wayland compositor was lost") !=
        std::string::npos);
}
