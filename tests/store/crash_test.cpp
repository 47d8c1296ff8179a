// kill -9 at random moments during saves: every pledge reported saved survives intact.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "pb/ledger.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

std::string integrity_check(const std::string& db_path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr);
  std::string out;
  while (sqlite3_step(st) == SQLITE_ROW)
    out += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

int count_temp_files(const std::string& dir) {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->path().filename().string().find(".tmp") != std::string::npos) ++n;
  return n;
}

}  // namespace

TEST_CASE("a pledge acknowledged before kill -9 is still there with its photo", "[store][crash]") {
  pb::test::TempDir dir("pbcrash");
  const std::string data = dir / "data";
  const std::string log = dir / "child.log";
  std::mt19937 rng{20261125};
  std::uniform_int_distribution<int> delay_us(0, 60000);
  std::vector<std::pair<std::string, std::string>> acknowledged;  // id, sha256
  const int kRounds = 200;
  int rounds_with_saves = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::size_t before = acknowledged.size();
    {
      pb::test::ChildProcess child({STORE_CRASH_CHILD, data, "48"}, log);
      // Odd rounds kill at any moment from spawn (often inside open and recovery); even
      // rounds wait until the child is saving, so kills land mid-save on slow builds too.
      if (round % 2 == 0) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (pb::test::read_file(log).rfind("ready", 0) != 0 &&
               std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
      child.signal(SIGKILL);
      child.wait(std::chrono::seconds(10));
    }
    std::istringstream lines(pb::test::read_file(log));
    std::string word, id, sha;
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      if (fields >> word >> id >> sha && word == "saved") acknowledged.emplace_back(id, sha);
    }
    if (acknowledged.size() > before) ++rounds_with_saves;

    // What a booth restarting after the crash does: open (recovery), then check.
    auto ledger = pb::store::Ledger::open(data);
    REQUIRE(ledger.is_ok());
    REQUIRE(integrity_check(data + "/ledger.db") == "ok");
    REQUIRE(count_temp_files(data) == 0);
    REQUIRE((*ledger)->recovery().missing_photos.empty());
    for (const auto& [pid, psha] : acknowledged) {
      auto p = (*ledger)->get_pledge(pid);
      REQUIRE(p.is_ok());
      INFO("round " << round << " pledge " << pid);
      REQUIRE(p->has_value());
      std::string bytes = pb::test::read_file((*ledger)->photo_file(**p));
      REQUIRE(pb::store::sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                    bytes.size()) == psha);
      REQUIRE((**p).photo_sha256 == psha);
    }
  }
  INFO("acknowledged " << acknowledged.size() << " pledges over " << kRounds << " rounds");
  // The kills must land mid-work often enough for the test to mean something.
  CHECK(rounds_with_saves >= kRounds / 4);
  CHECK(acknowledged.size() >= static_cast<std::size_t>(kRounds / 4));
}

namespace {

// The "saved <id> <sha>" lines a child has finished writing so far.
std::vector<std::pair<std::string, std::string>> acknowledged_in(const std::string& log) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string text = pb::test::read_file(log);
  std::size_t start = 0, end;
  while ((end = text.find('\n', start)) != std::string::npos) {
    std::istringstream fields(text.substr(start, end - start));
    std::string word, id, sha;
    if (fields >> word >> id >> sha && word == "saved") out.emplace_back(id, sha);
    start = end + 1;
  }
  return out;
}

void require_intact(pb::store::Ledger& ledger,
                    const std::vector<std::pair<std::string, std::string>>& pledges,
                    std::size_t from) {
  for (std::size_t i = from; i < pledges.size(); ++i) {
    const auto& [pid, psha] = pledges[i];
    INFO("pledge " << pid);
    auto p = ledger.get_pledge(pid);
    REQUIRE(p.is_ok());
    REQUIRE(p->has_value());
    std::string bytes = pb::test::read_file(ledger.photo_file(**p));
    REQUIRE(pb::store::sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                  bytes.size()) == psha);
  }
}

}  // namespace

TEST_CASE("a booth restarting beside a saving process never disturbs its saves", "[store][crash]") {
  // Two processes on one data dir (the kiosk and a volunteer's CLI): one is killed at random
  // moments and a ledger opens again after each kill while the other keeps saving. The
  // survivor must never fail a save or lose an acknowledged photo to someone's recovery.
  pb::test::TempDir dir("pbcrash2");
  const std::string data = dir / "data";
  const std::string steady_log = dir / "steady.log";
  pb::test::ChildProcess steady({STORE_CRASH_CHILD, data, "8"}, steady_log);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (pb::test::read_file(steady_log).rfind("ready", 0) != 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(pb::test::read_file(steady_log).rfind("ready", 0) == 0);

  std::mt19937 rng{20261126};
  std::uniform_int_distribution<int> delay_us(0, 30000);
  std::vector<std::pair<std::string, std::string>> killed_acks;
  std::size_t steady_checked = 0;
  const int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::string log = dir / ("killed-" + std::to_string(round) + ".log");
    {
      pb::test::ChildProcess killed({STORE_CRASH_CHILD, data, "8"}, log);
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
      killed.signal(SIGKILL);
      killed.wait(std::chrono::seconds(10));
    }
    std::size_t before = killed_acks.size();
    for (auto& a : acknowledged_in(log)) killed_acks.push_back(a);

    auto ledger = pb::store::Ledger::open(data);
    INFO("round " << round << ": " << ledger.status().message());
    REQUIRE(ledger.is_ok());
    REQUIRE(steady.running());
    REQUIRE(integrity_check(data + "/ledger.db") == "ok");
    require_intact(**ledger, killed_acks, before);
    auto steady_acks = acknowledged_in(steady_log);
    require_intact(**ledger, steady_acks, steady_checked);
    steady_checked = steady_acks.size();
  }
  INFO(pb::test::read_file(steady_log).substr(0, 200));
  REQUIRE(steady.running());  // never hit a failed save (the child exits on one)
  steady.signal(SIGKILL);
  steady.wait(std::chrono::seconds(10));

  auto ledger = pb::store::Ledger::open(data);
  REQUIRE(ledger.is_ok());
  REQUIRE(integrity_check(data + "/ledger.db") == "ok");
  REQUIRE(count_temp_files(data) == 0);
  REQUIRE((*ledger)->recovery().missing_photos.empty());
  auto steady_acks = acknowledged_in(steady_log);
  require_intact(**ledger, steady_acks, 0);
  require_intact(**ledger, killed_acks, 0);
  CHECK(steady_acks.size() > static_cast<std::size_t>(kRounds));
}
