// SPDX-License-Identifier: Apache-2.0
// The fleet heartbeat: the documented JSON reaches a local receiver; with the receiver down it
// is retried and arrives once it is up; a running booth sends it; [status] is checked.
#include <curl/curl.h>
#include <sched.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../kiosk/booth_run.h"
#include "campaign_fixture.h"
#include "pb/config.h"
#include "pb/heartbeat.h"
#include "test_support.h"

using namespace pb;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Receiver {
  Receiver(const std::string& dir, int port_) : out(dir + "/received"), port(port_) {
    fs::create_directories(out);
  }
  void start() {
    process = std::make_unique<test::ChildProcess>(std::vector<std::string>{
        "python3", std::string(PB_CAMPAIGN_TESTS_DIR) + "/status_receiver.py", std::to_string(port),
        out});
    REQUIRE(test::wait_for_port(port, test::scaled(10s)));
  }
  std::vector<std::string> documents() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(out))
      if (e.path().extension() == ".json") names.push_back(e.path().string());
    std::sort(names.begin(), names.end());
    std::vector<std::string> docs;
    for (const auto& n : names) docs.push_back(test::read_file(n));
    return docs;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/booths"; }
  std::string out;
  int port;
  std::unique_ptr<test::ChildProcess> process;
};

config::Config status_config(const std::string& data_dir, const std::string& url) {
  return config::parse_config(test::wall_config(data_dir, "[status]\nurl = \"" + url +
                                                              "\"\ntoken_env = "
                                                              "\"PB_TEST_STATUS_TOKEN\"\n"
                                                              "interval_s = 1\n"),
                              "booth.toml");
}

struct CurlOnce {
  CurlOnce() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};
const CurlOnce curl_once;

// The scheduling policy of this process's thread named `name` (SCHED_* from
// /proc/self/task/<tid>/stat, field 41), or -1 when no thread has that name.
int policy_of_thread(const std::string& name) {
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::string comm;
    std::getline(std::ifstream(task.path() / "comm"), comm);
    if (comm != name) continue;
    std::string stat;
    std::getline(std::ifstream(task.path() / "stat"), stat);
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
    std::string field;
    for (int i = 3; i <= 41 && fields >> field; ++i)
      if (i == 41) return std::stoi(field);
  }
  return -1;
}

}  // namespace

TEST_CASE("the heartbeat thread runs as SCHED_IDLE, below the booth's frames", "[heartbeat]") {
  test::TempDir dir;
  Receiver rx(dir.path(), test::free_port());  // nothing listens: it keeps trying
  auto config = status_config(dir / "data", rx.url());
  campaign::Heartbeat hb(config);
  // The thread names itself first, then lowers its policy: wait for both.
  int policy = -1;
  CHECK(test::eventually([&] { return (policy = policy_of_thread("pb-heartbeat")) == SCHED_IDLE; },
                         test::scaled(10s)));
  CHECK(policy == SCHED_IDLE);
}

TEST_CASE("status keys are read and plain http to another host is refused", "[heartbeat]") {
  auto c = config::parse_config(
      "[status]\nurl = \"https://status.example.org/b\"\ntoken_env = \"TOK\"\ninterval_s = 60\n",
      "booth.toml");
  CHECK(c.status.url == "https://status.example.org/b");
  CHECK(c.status.token_env == "TOK");
  CHECK(c.status.interval_s == 60);
  CHECK(config::parse_config("", "booth.toml").status.url.empty());
  CHECK(config::parse_config("", "booth.toml").status.interval_s == 300);
  auto fails = [](const std::string& toml, const std::string& what) {
    try {
      config::parse_config(toml, "booth.toml");
      FAIL("accepted: " << toml);
    } catch (const config::ConfigError& e) {
      CHECK_THAT(e.what(), Catch::Contains(what));
    }
  };
  fails("[status]\nurl = \"http://status.example.org/b\"\n", "status.url");
  fails("[status]\nurl = \"https://u:pw@status.example.org/b\"\n", "user:password@");
  fails("[status]\nurl = \"https://s.example.org\"\ntoken_env = \"not a name\"\n",
        "status.token_env");
  fails("[status]\nurl = \"https://s.example.org\"\ninterval_s = 0\n", "status.interval_s");
  fails("[status]\nurl = \"https://s.example.org\"\nsecret = \"x\"\n", "status.secret");
  CHECK_NOTHROW(config::parse_config(
      "[status]\nurl = \"http://status.lan/b\"\nallow_plain_http = true\n", "booth.toml"));
  // The documented example still loads.
  CHECK_NOTHROW(config::load_config(test::source_dir() + "/config/booth.example.toml"));
}

TEST_CASE("the status receiver gets the documented heartbeat", "[heartbeat]") {
  test::TempDir dir;
  Receiver rx(dir.path(), test::free_port());
  rx.start();
  {
    auto l = store::Ledger::open(dir / "data");
    REQUIRE(l);
    test::TestPledge p{"Alex", "for my daughter"};
    test::save_test_pledge(**l, p, {"folder"});
    p.name = "Pat";
    p.consent = false;
    test::save_test_pledge(**l, p, {});
    p.photo = false;
    test::save_test_pledge(**l, p, {});
  }
  setenv("PB_TEST_STATUS_TOKEN", "tok-123", 1);
  auto config = status_config(dir / "data", rx.url());
  {
    campaign::Heartbeat hb(config, [] { return campaign::BoothExtras{true, ""}; });
    hb.note_camera(29.46, true);
    REQUIRE(test::eventually([&] { return !rx.documents().empty(); }, test::scaled(10s)));
  }
  unsetenv("PB_TEST_STATUS_TOKEN");
  const auto doc = nlohmann::json::parse(rx.documents().front());
  INFO(doc.dump(2));
  CHECK(doc["schema"] == 1);
  CHECK(doc["kind"] == "pledgebooth.heartbeat");
  CHECK(doc["version"].get<std::string>().size() > 0);
  CHECK(doc["booth"] == "booth-w");
  CHECK(doc["event"] == "wall-test");
  CHECK(doc["at"].get<std::string>().back() == 'Z');
  CHECK(doc["uptime_s"].get<std::int64_t>() >= 0);
  CHECK(doc["counts"]["pledges"] == 3);
  CHECK(doc["counts"]["with_photo"] == 2);
  CHECK(doc["counts"]["shared"] == 1);
  CHECK(doc["counts"]["pledges_all_events"] == 3);
  CHECK(doc["queue"]["pending"] == 1);
  CHECK(doc["queue"]["failed"] == 0);
  CHECK(doc["queue"]["oldest_pending_age_s"].get<std::int64_t>() >= 0);
  CHECK(doc["disk"]["free_mb"].get<std::int64_t>() > 0);
  CHECK(doc["camera"]["fps"].get<double>() == Approx(29.5));
  CHECK(doc["camera"]["connected"] == true);
  CHECK(doc["online"] == true);
  CHECK(doc["last_error"].is_null());
  CHECK(doc["ledger_error"].is_null());
  // No names, answers or ids of pledges.
  CHECK(doc.dump().find("Alex") == std::string::npos);
  CHECK(doc.dump().find("daughter") == std::string::npos);
  CHECK(test::read_file(rx.out + "/0000.auth") == "Bearer tok-123");
}

TEST_CASE("a heartbeat that finds the receiver down arrives once it is up", "[heartbeat]") {
  test::TempDir dir;
  Receiver rx(dir.path(), test::free_port());  // nothing listens there yet
  auto config = status_config(dir / "data", rx.url());
  campaign::Heartbeat hb(config);
  REQUIRE(test::eventually([&] { return hb.stats().failures >= 2; }, test::scaled(10s)));
  CHECK(hb.stats().sent == 0);
  CHECK_FALSE(hb.stats().last_failure.empty());
  rx.start();
  REQUIRE(test::eventually([&] { return !rx.documents().empty(); }, test::scaled(15s)));
  // The receiver keeps the document before it answers; the count goes up on the answer.
  CHECK(test::eventually([&] { return hb.stats().sent >= 1; }, test::scaled(5s)));
  const auto doc = nlohmann::json::parse(rx.documents().front());
  CHECK(doc["booth"] == "booth-w");
  // No ledger in the data dir: said so, not a crash.
  CHECK(doc["ledger_error"].is_string());
}

TEST_CASE("a running booth sends its heartbeat with the camera's frame rate", "[heartbeat]") {
  test::TempDir dir;
  Receiver rx(dir.path(), test::free_port());
  rx.start();
  const std::string config = test::booth_config(dir / "data", 1) + "[status]\nurl = \"" + rx.url() +
                             "\"\ninterval_s = 1\n";
  test::RunningBooth booth(dir.path(), config, "wait 30\n", "booth", false);
  // The second document comes after the camera has run a while.
  const bool got = test::eventually(
      [&] {
        for (const auto& d : rx.documents()) {
          auto j = nlohmann::json::parse(d);
          if (j["camera"]["fps"].is_number() && j["camera"]["fps"].get<double>() > 0) return true;
        }
        return false;
      },
      test::scaled(20s));
  INFO(booth.log());
  REQUIRE(got);
  auto doc = nlohmann::json::parse(rx.documents().back());
  CHECK(doc["booth"] == "booth-t");
  CHECK(doc["event"] == "booth-test");
  CHECK(doc["camera"]["connected"] == true);
}
