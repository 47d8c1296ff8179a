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
