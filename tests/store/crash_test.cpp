// SPDX-License-Identifier: Apache-2.0
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

namespace {

// How many lines of `log` start with `word`, and whether the last complete line does.
struct LogState {
  int count = 0;
  bool last = false;
};
LogState lines_starting(const std::string& log, const std::string& word) {
  LogState st;
  std::istringstream lines(pb::test::read_file(log));
  for (std::string line; std::getline(lines, line);) {
    st.last = line.rfind(word, 0) == 0;
    st.count += st.last;
  }
  return st;
}

// Waits until `log` has `n` lines starting with `word`, polling often so that the kill
// that follows is close to the event.
bool wait_for_lines(const std::string& log, const std::string& word, int n) {
  const auto deadline =
      std::chrono::steady_clock::now() + pb::test::scaled(std::chrono::seconds(20));
  while (lines_starting(log, word).count < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

}  // namespace

TEST_CASE("a pledge acknowledged before kill -9 is still there with its photo", "[store][crash]") {
  pb::test::TempDir dir("pbcrash");
  const std::string data = dir / "data";
  const std::string log = dir / "child.log";
  std::mt19937 rng{20261125};
  std::uniform_int_distribution<int> saves_before_kill(1, 3);
  std::uniform_int_distribution<int> delay_us(0, 3000);
  std::vector<std::pair<std::string, std::string>> acknowledged;  // id, sha256
  const int kRounds = 200;
  int kills_mid_save = 0;  // the log ended in "saving": the kill hit a save under way
  for (int round = 0; round < kRounds; ++round) {
    {
      pb::test::ChildProcess child({STORE_CRASH_CHILD, data, "48"}, log);
      if (round % 2 == 0) {
        // Even rounds: the kill follows an event, the start of the child's n-th save (and
        // a few microseconds more), so it lands inside a save however busy the machine is.
        const int n = saves_before_kill(rng);
        REQUIRE(wait_for_lines(log, "saving", n));
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
      } else {
        // Odd rounds: any moment from spawn (often inside open and start-up recovery).
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng) * 20));
      }
      child.signal(SIGKILL);
      child.wait(pb::test::scaled(std::chrono::seconds(10)));
    }
    if (lines_starting(log, "saving").last) ++kills_mid_save;
    std::istringstream lines(pb::test::read_file(log));
    std::string word, id, sha;
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      if (fields >> word >> id >> sha && word == "saved") acknowledged.emplace_back(id, sha);
    }

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
  INFO("acknowledged " << acknowledged.size() << " pledges over " << kRounds << " rounds, "
                       << kills_mid_save << " kills inside a save");
  // The kills must land mid-save often enough for the test to mean something. The even
  // rounds kill right after a save started, so this holds on a busy machine too.
  CHECK(kills_mid_save >= kRounds / 4);
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
  REQUIRE(
      pb::test::eventually([&] { return pb::test::read_file(steady_log).rfind("ready", 0) == 0; },
                           pb::test::scaled(std::chrono::seconds(20))));

  std::mt19937 rng{20261126};
  std::uniform_int_distribution<int> delay_us(0, 30000);
  std::vector<std::pair<std::string, std::string>> killed_acks;
  std::size_t steady_checked = 0;
  const int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::string log = dir / ("killed-" + std::to_string(round) + ".log");
    {
      pb::test::ChildProcess killed({STORE_CRASH_CHILD, data, "8"}, log);
      // Half the kills right after a save started, half at any moment from spawn.
      if (round % 2 == 0) REQUIRE(wait_for_lines(log, "saving", 1));
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
      killed.signal(SIGKILL);
      killed.wait(pb::test::scaled(std::chrono::seconds(10)));
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
  steady.wait(pb::test::scaled(std::chrono::seconds(10)));

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
