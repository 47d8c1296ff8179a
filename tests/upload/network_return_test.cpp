// SPDX-License-Identifier: Apache-2.0
// The moment the network is back: a network change probes every offline target at once,
// a probe into a blackhole gives up at the probe timeout, an answered probe starts the
// waiting uploads at once, and the booth's worker drains a returning server byte for byte.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "engine.h"
#include "link_monitor.h"
#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;
using namespace std::chrono_literals;

namespace {

// The fake clock starts a moment after the real one (the rows saved now are due).
const std::int64_t kT0 = store::now_ms() + 1000;

config::UploadTarget dav(const std::string& name, int port) {
  config::UploadTarget t;
  t.name = name;
  t.kind = "webdav";
  t.settings["url"] = "http://127.0.0.1:" + std::to_string(port) + "/pledgebooth";
  t.prefix = "seoul-launch";
  return t;
}

// Runs the engine's transfers (the real ones, on loopback) until none is in flight,
// with the fake clock standing still at `now`.
bool settle(upload::Engine& engine, CURLM* multi, std::int64_t now) {
  return test::eventually(
      [&] {
        curl_multi_poll(multi, nullptr, 0, 50, nullptr);
        engine.perform(now);
        return engine.in_flight() == 0;
      },
      60s);
}

struct Multi {
  CURLM* m = curl_multi_init();
  ~Multi() { curl_multi_cleanup(m); }
};

// A TCP port on 127.0.0.1 that refuses connections (bound, not listening) until
// blackhole() turns it into one that drops them: it listens with no room in its accept
// queue and one connection fills that queue, so the kernel drops every further SYN.
class Hole {
 public:
  Hole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("bind failed");
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Hole() {
    if (filler_ >= 0) ::close(filler_);
    ::close(fd_);
  }
  int port() const { return port_; }
  bool blackhole() {
    if (::listen(fd_, 0) != 0) return false;
    filler_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    return ::connect(filler_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }

 private:
  int fd_ = -1;
  int filler_ = -1;
  int port_ = 0;
};

// The N in curl's "... after N ms: Timeout was reached" (or "timed out after N
// milliseconds"), or -1 when the error is not a timeout.
long timed_out_after_ms(const std::string& error) {
  auto at = error.find("after ");
  if (error.find("imeout") == std::string::npos && error.find("timed out") == std::string::npos)
    return -1;
  if (at == std::string::npos) return -1;
  return std::atol(error.c_str() + at + 6);
}

}  // namespace

TEST_CASE("a network change probes every offline target at once instead of at its next turn",
          "[upload][network]") {
  test::TempDir dir;
  std::string data = dir / "data";
  // Two targets whose servers refuse: their first uploads fail, both go offline.
  Hole a, b;
  auto ledger = std::move(*store::Ledger::open(data));
  test::save_pledges(*ledger, 2, {"cloud-a", "cloud-b"}, 2000);
  config::Config c = test::base_config(data);
  c.upload.targets = {dav("cloud-a", a.port()), dav("cloud-b", b.port())};
  Multi multi;
  upload::EngineOptions o;
  o.parallel = 4;
  o.probe_first_ms = 60000;  // the next scheduled probe is a minute away
  o.probe_cap_ms = 60000;
  std::vector<std::string> probed;
  o.on_probe = [&](const std::string& t) { probed.push_back(t); };
  upload::Engine engine(c, *ledger, multi.m, o);

  CHECK(engine.fill(kT0) == 4);
  REQUIRE(settle(engine, multi.m, kT0));
  REQUIRE(engine.offline_targets() == 2);
  CHECK(test::counts(*ledger).pending == 4);

  // A second later nothing is probed: the targets wait for their turn.
  CHECK(engine.fill(kT0 + 1000) == 0);
  CHECK(probed.empty());

  // The Wi-Fi came back: both targets are probed in this very fill.
  engine.network_changed(kT0 + 1000);
  engine.fill(kT0 + 1000);
  CHECK(std::set<std::string>(probed.begin(), probed.end()) ==
        std::set<std::string>{"cloud-a", "cloud-b"});
  CHECK(probed.size() == 2);
  CHECK(engine.in_flight() == 2);

  // A second change while those probes run starts them again (they may be stuck on the
  // old route), one probe per target still.
  engine.network_changed(kT0 + 1200);
  engine.fill(kT0 + 1200);
  CHECK(probed.size() == 4);
  CHECK(engine.in_flight() == 2);
  REQUIRE(settle(engine, multi.m, kT0 + 1200));
  CHECK(engine.offline_targets() == 2);
}

TEST_CASE("a probe into a blackhole gives up after the probe timeout, not the transfer timeout",
          "[upload][network]") {
  test::TempDir dir;
  std::string data = dir / "data";
  Hole hole;
  auto ledger = std::move(*store::Ledger::open(data));
  test::save_pledges(*ledger, 1, {"cloud"}, 2000);
  config::Config c = test::base_config(data);
  auto t = dav("cloud", hole.port());
  t.connect_timeout_s = 60;  // a transfer would wait this long for a connection
  t.low_speed_timeout_s = 60;
  c.upload.targets = {t};
  Multi multi;
  upload::EngineOptions o;
  o.probe_first_ms = 500;
  o.probe_connect_timeout_ms = 400;
  o.probe_timeout_ms = 800;
  std::vector<std::pair<bool, std::string>> answers;
  o.on_probe_answered = [&](const std::string&, bool ok, const std::string& e) {
    answers.emplace_back(ok, e);
  };
  upload::Engine engine(c, *ledger, multi.m, o);

  // Refused first: the target goes offline.
  engine.fill(kT0);
  REQUIRE(settle(engine, multi.m, kT0));
  REQUIRE(engine.offline_targets() == 1);

  // Now the packets vanish. The probe's SYN is never answered.
  REQUIRE(hole.blackhole());
  engine.fill(kT0 + 500);
  REQUIRE(engine.in_flight() == 1);
  REQUIRE(settle(engine, multi.m, kT0 + 500));
  REQUIRE(answers.size() == 1);
  CHECK_FALSE(answers[0].first);
  INFO(answers[0].second);
  const long after = timed_out_after_ms(answers[0].second);
  CHECK(after >= 400);
  CHECK(after < 60000 / 2);  // nowhere near the transfer's connect timeout
  CHECK(engine.offline_targets() == 1);
  CHECK(test::counts(*ledger).pending == 1);
}

TEST_CASE("a probe that is answered starts the waiting uploads in the same step",
          "[upload][network]") {
  test::TempDir dir;
  std::string data = dir / "data";
  const int port = test::free_port();
  auto ledger = std::move(*store::Ledger::open(data));
  auto pledges = test::save_pledges(*ledger, 3, {"cloud"}, 30000);
  config::Config c = test::base_config(data);
  c.upload.targets = {dav("cloud", port)};
  Multi multi;
  upload::EngineOptions o;
  o.parallel = 2;
  o.probe_first_ms = 60000;
  bool answered = false;
  o.on_probe_answered = [&](const std::string&, bool ok, const std::string&) { answered = ok; };
  upload::Engine engine(c, *ledger, multi.m, o);
  engine.fill(kT0);
  REQUIRE(settle(engine, multi.m, kT0));
  REQUIRE(engine.offline_targets() == 1);

  fs::create_directories(dir / "served/pledgebooth");
  test::ChildProcess server(
      {"rclone", "serve", "webdav", dir / "served", "--addr", "127.0.0.1:" + std::to_string(port)},
      dir / "rclone.log", {{"RCLONE_CONFIG", "/dev/null"}});
  REQUIRE(test::wait_for_port(port, 20s));

  engine.network_changed(kT0 + 10);
  engine.fill(kT0 + 10);
  REQUIRE(engine.in_flight() == 1);  // the probe
  REQUIRE(test::eventually(
      [&] {
        curl_multi_poll(multi.m, nullptr, 0, 50, nullptr);
        engine.perform(kT0 + 20);
        return answered;
      },
      30s));
  // No fill() since: the perform that saw the answer started the uploads itself.
  CHECK(engine.in_flight() == 2);
  CHECK(engine.offline_targets() == 0);
  // The engine's clock moves a second per step from here: two transfers making the same
  // collection at once may get rclone's MKCOL 423 Locked, a retry after a short backoff.
  std::int64_t now = kT0 + 30;
  const bool drained = test::eventually(
      [&] {
        curl_multi_poll(multi.m, nullptr, 0, 50, nullptr);
        now += 1000;
        engine.perform(now);
        engine.fill(now);
        return engine.in_flight() == 0 && test::counts(*ledger).pending == 0;
      },
      60s);
  const auto pending = ledger->outbox_items(store::OutboxState::kPending);
  REQUIRE(pending);
  for (const auto& item : *pending)
    UNSCOPED_INFO("still pending: " << item.pledge_id << " after " << item.attempts
                                    << " attempt(s): " << item.last_error);
  CHECK(drained);
  CHECK(test::counts(*ledger).pending == 0);
  CHECK(test::counts(*ledger).done == 3);
}

TEST_CASE("the booth's worker drains a server that comes back, remote equal to local byte for byte",
          "[upload][network]") {
  test::TempDir dir;
  std::string data = dir / "data";
  const int port = test::free_port();
  std::vector<store::Pledge> pledges;
  {
    auto ledger = std::move(*store::Ledger::open(data));
    pledges = test::save_pledges(*ledger, 6, {"cloud"}, 40000);
  }
  config::Config c = test::base_config(data);
  c.upload.max_backoff_s = 600;  // the rows' own backoff is long: only the probe brings them
  c.upload.targets = {dav("cloud", port)};
  upload::OutboxWorker worker(c, data);
  worker.start();
  // The server is down (refused): the worker finds the target offline.
  REQUIRE(test::eventually(
      [&] {
        auto s = worker.status();
        return !s.targets.empty() && !s.targets[0].online;
      },
      60s));
  CHECK(worker.status().pending == 6);

  fs::create_directories(dir / "served/pledgebooth");
  test::ChildProcess server(
      {"rclone", "serve", "webdav", dir / "served", "--addr", "127.0.0.1:" + std::to_string(port)},
      dir / "rclone.log", {{"RCLONE_CONFIG", "/dev/null"}});
  REQUIRE(test::wait_for_port(port, 20s));
  // No wake(), no "upload now": the worker's own probes find the server.
  REQUIRE(test::eventually([&] { return worker.status().pending == 0; }, 90s));
  worker.stop();
  CHECK(worker.status().done == 6);
  CHECK(worker.status().online);
  for (const auto& p : pledges) {
    std::string base = dir / "served/pledgebooth/";
    CHECK(test::sha256_of(test::read_file(base + upload::object_key("seoul-launch", p, "jpg"))) ==
          p.photo_sha256);
    CHECK(test::read_file(base + upload::object_key("seoul-launch", p, "json")) ==
          upload::metadata_json(p));
  }
  CHECK(test::files_under(dir / "served").size() == 12);
}

TEST_CASE("the link monitor hears a link come up in a network namespace of its own",
          "[upload][network][netlink]") {
  if (::geteuid() != 0) {
    WARN("needs root for a network namespace; not run");
    return;
  }
  // A child process gets a fresh network namespace (gone when it exits, whatever
  // happens), opens the monitor there and adds a veth pair and brings one end up.
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(errno == EPERM ? 77 : 10);
    upload::LinkMonitor monitor;
    if (monitor.fd() < 0) ::_exit(11);
    if (monitor.drain()) ::_exit(12);  // nothing has changed yet
    if (std::system("ip link add pbmon0 type veth peer name pbmon1 >/dev/null 2>&1") != 0)
      ::_exit(77);
    pollfd p{monitor.fd(), POLLIN, 0};
    if (::poll(&p, 1, 20000) != 1) ::_exit(13);
    if (!monitor.drain()) ::_exit(14);
    // Bringing the link up is a change too.
    if (std::system("ip link set pbmon0 up") != 0) ::_exit(15);
    p.revents = 0;
    if (::poll(&p, 1, 20000) != 1) ::_exit(16);
    ::_exit(monitor.drain() ? 0 : 17);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    WARN("no network namespace or veth here; not run");
    return;
  }
  CHECK(WEXITSTATUS(status) == 0);
}
