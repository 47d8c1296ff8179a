// SPDX-License-Identifier: Apache-2.0
// The wall under a flood from another machine on the event's network, for a bounded time:
// `pledgebooth wall` listens on one end of a veth pair; from a network namespace on the
// other end, pb_wall_flood holds 16 slow connections (a header byte every 500 ms), 500 idle
// ones and 16 /events streams, reopening each as soon as the wall closes it. Meanwhile the
// projector's address GETs /api/wall every 100 ms and keeps a stream open: every answer must
// come within a second, a new pledge must reach the stream, and the wall's peak RSS must stay
// under 64 MB. The namespace is made (and removed) by the test, so it needs root, as CI has.
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "campaign_fixture.h"
#include "pb/ledger.h"
#include "test_support.h"

using namespace pb;
using namespace std::chrono_literals;

namespace {

// A network namespace with one veth pair to it: host_addr here, ns_addr there (a /30 of
// 10.213.0.0/16 chosen by our pid, so tests of other checkouts on the machine do not meet).
class FloodNet {
 public:
  FloodNet() {
    const int pid = static_cast<int>(::getpid());
    const int idx = pid % 16384;
    const std::string prefix =
        "10.213." + std::to_string(idx / 64) + "." + std::to_string((idx % 64) * 4);
    ns_ = "pbwall" + std::to_string(pid);
    host_if_ = "pbwh" + std::to_string(pid % 10000000);
    ns_if_ = "pbwn" + std::to_string(pid % 10000000);
    host_addr = prefix.substr(0, prefix.rfind('.') + 1) + std::to_string((idx % 64) * 4 + 1);
    ns_addr = prefix.substr(0, prefix.rfind('.') + 1) + std::to_string((idx % 64) * 4 + 2);
    made_ = ip({"netns", "add", ns_}) &&
            ip({"link", "add", host_if_, "type", "veth", "peer", "name", ns_if_}) &&
            ip({"link", "set", ns_if_, "netns", ns_}) &&
            ip({"addr", "add", host_addr + "/30", "dev", host_if_}) &&
            ip({"link", "set", host_if_, "up"}) &&
            ip({"netns", "exec", ns_, "ip", "addr", "add", ns_addr + "/30", "dev", ns_if_}) &&
            ip({"netns", "exec", ns_, "ip", "link", "set", ns_if_, "up"}) &&
            ip({"netns", "exec", ns_, "ip", "link", "set", "lo", "up"});
  }
  ~FloodNet() {
    ip({"netns", "del", ns_});  // takes the veth pair with it
    ip({"link", "del", host_if_});
  }
  FloodNet(const FloodNet&) = delete;
  FloodNet& operator=(const FloodNet&) = delete;

  bool made() const { return made_; }
  const std::string& error() const { return error_; }
  // argv run inside the namespace.
  std::vector<std::string> inside(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"ip", "netns", "exec", ns_});
    return argv;
  }

  std::string host_addr, ns_addr;

 private:
  bool ip(std::vector<std::string> args) {
    args.insert(args.begin(), "ip");
    auto r = test::run(args, {}, std::chrono::seconds(30));
    if (r.exit_code != 0 && error_.empty()) error_ = r.output;
    return r.exit_code == 0;
  }

  std::string ns_, host_if_, ns_if_, error_;
  bool made_ = false;
};

store::Pledge save(const std::string& data_dir, const std::string& name,
                   const std::string& answer) {
  auto ledger = store::Ledger::open(data_dir);
  REQUIRE(ledger);
  test::TestPledge p;
  p.name = name;
  p.answer = answer;
  return test::save_test_pledge(**ledger, p);
}

std::int64_t peak_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}

}  // namespace

TEST_CASE("the page answers within a second while another address floods the wall",
          "[wall][flood]") {
  if (::geteuid() != 0) {
    WARN(
        "skipped: the flood comes from a network namespace this test makes with `ip netns`, "
        "which needs root (CI runs as root); bench/campaign/wall-flood.sh runs a flood "
        "without root");
    return;
  }
  test::TempDir dir;
  for (int i = 0; i < 30; ++i) save(dir / "data", "Guest" + std::to_string(i), "for my daughter");
  FloodNet net;
  INFO(net.error());
  REQUIRE(net.made());
  const int port = test::free_port();
  test::write_file(dir / "booth.toml", test::wall_config(dir / "data"));
  test::ChildProcess wall({PB_BINARY, "--config", dir / "booth.toml", "wall", "--listen",
                           net.host_addr + ":" + std::to_string(port)},
                          dir / "wall.log");
  const auto get = [&](const char* path, int timeout_s) {
    httplib::Client c(net.host_addr, port);
    c.set_connection_timeout(timeout_s, 0);
    c.set_read_timeout(timeout_s, 0);
    return c.Get(path);
  };
  REQUIRE(
      test::eventually([&] { return static_cast<bool>(get("/api/wall", 1)); }, test::scaled(20s)));

  // The projector's stream, from the host's address.
  std::mutex mu;
  std::string stream;
  std::atomic<bool> done{false};
  std::thread projector([&] {
    httplib::Client c(net.host_addr, port);
    c.set_read_timeout(60, 0);
    c.Get("/events", [&](const char* data, std::size_t n) {
      std::lock_guard<std::mutex> lock(mu);
      stream.append(data, n);
      return !done.load();
    });
  });
  const auto seen = [&](const std::string& s) {
    std::lock_guard<std::mutex> lock(mu);
    return stream.find(s) != std::string::npos;
  };
  // Stops the wall (which ends the stream) and joins the reader, also when an assertion
  // below ends the test early.
  struct Stopper {
    std::function<void()> stop;
    ~Stopper() { stop(); }
  } stopper{[&] {
    if (!projector.joinable()) return;
    done = true;
    wall.stop();
    projector.join();
  }};
  REQUIRE(test::eventually([&] { return seen("event: wall"); }, test::scaled(10s)));

  constexpr int kSeconds = 12;
  test::ChildProcess flood(
      net.inside({PB_WALL_FLOOD, "--to", net.host_addr + ":" + std::to_string(port), "--slow", "16",
                  "--idle", "500", "--streams", "16", "--seconds", std::to_string(kSeconds)}),
      dir / "flood.log");
  std::this_thread::sleep_until(std::chrono::steady_clock::now() + 1s);  // the flood in place

  std::vector<std::chrono::milliseconds> took;
  int failed = 0;
  std::string fresh_id;
  bool fresh_seen = false;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(kSeconds - 2);
  for (int i = 0; std::chrono::steady_clock::now() < end; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = get("/api/wall", 5);
    const auto t = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    if (r && r->status == 200)
      took.push_back(t);
    else
      ++failed;
    if (i == 30)  // three seconds in: a new pledge reaches the projector through the flood
      fresh_id = save(dir / "data", "Flooded", "still here").id;
    if (!fresh_id.empty() && !fresh_seen) fresh_seen = seen(fresh_id);
    std::this_thread::sleep_until(t0 + 100ms);
  }
  if (!fresh_id.empty() && !fresh_seen)
    fresh_seen = test::eventually([&] { return seen(fresh_id); }, test::scaled(2s));
  const int flood_exit = flood.wait(test::scaled(30s));
  const std::int64_t rss_kb = peak_rss_kb(wall.pid());
  stopper.stop();

  const std::string flood_out = test::read_file(dir / "flood.log");
  const std::string wall_log = test::read_file(dir / "wall.log");
  INFO("flood: " << flood_out);
  INFO("wall log: " << wall_log.substr(0, 4000));
  CHECK(flood_exit == 0);
  CHECK(flood_out.find("opened=") != std::string::npos);
  REQUIRE(!took.empty());
  const auto slowest = *std::max_element(took.begin(), took.end());
  INFO("answers " << took.size() << ", failed " << failed << ", slowest " << slowest.count()
                  << " ms, peak RSS " << rss_kb << " kB");
  CHECK(failed == 0);
  CHECK(took.size() >= 60);
  CHECK(slowest < test::scaled(1s));
  CHECK(fresh_seen);
  // Under ASan the wall carries shadow memory and a quarantine: 81 MB measured where a
  // release build peaks at 18 MB, so its bound is three times the release one.
  CHECK(rss_kb > 0);
  CHECK(rss_kb < 64 * 1024 * (test::time_scale() > 1 ? 3 : 1));
  // Who was refused is in the log, by address.
  CHECK(wall_log.find("from " + net.ns_addr) != std::string::npos);
}
