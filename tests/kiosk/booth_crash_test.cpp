// SPDX-License-Identifier: Apache-2.0
// kill -9 of the whole booth: the real kiosk (offscreen SDL, synthetic camera, uploads to a
// folder) with a scripted stream of participants, killed at random moments, right after
// REVIEW and right after a save started, restarted on the same data dir each round. Every
// pledge whose THANKS showed its number must be in the ledger with its photo; no temp files,
// no rows without photos, no photos without rows; every upload byte-identical.
//
// Rounds: 50 (12 in sanitizer builds); PB_BOOTH_CRASH_ROUNDS=N overrides (e.g. 1000, once).
#include <catch2/catch.hpp>

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "booth_run.h"
#include "pb/ledger.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::RunningBooth;

namespace {

// Participants one after another, each with a photo shared with the organiser, each
// reading THANKS a moment before tapping Done.
std::string participant_stream(int participants) {
  std::string s = "expect attract 20\n";
  for (int i = 0; i < participants; ++i) {
    s += "tap attract:start\nexpect pledge\ntap pledge:agree\nexpect details\n";
    s += i % 2 ? "tap pick:friends\ntap details:next\nexpect photo-choice\ntap photo-choice:take\n"
               : "tap details:skip\nexpect photo-choice\ntap photo-choice:take\n";
    s += "expect review 15\ntap review:campaign\ntouch review:use\nexpect thanks 15\n";
    s += "wait 0.8\ntap thanks:done\nexpect attract 10\n";
  }
  return s;
}

int rounds() {
  if (const char* r = std::getenv("PB_BOOTH_CRASH_ROUNDS"); r && std::atoi(r) > 0)
    return std::atoi(r);
  return pb::test::time_scale() == 1 ? 50 : 12;
}

std::string sha_of_file(const std::string& path) {
  const std::string b = pb::test::read_file(path);
  return pb::store::sha256_hex(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
}

// Files under dir whose name contains `part`.
std::vector<fs::path> files_with(const std::string& dir, const std::string& part) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_regular_file() && it->path().filename().string().find(part) != std::string::npos)
      out.push_back(it->path());
  return out;
}

// Waits, polling every millisecond and reading only what was appended since the last look,
// until the booth's log holds `nth` lines starting with `prefix` (true) or the booth ended or
// `limit` passed (false).
bool wait_for_line(RunningBooth& booth, const std::string& log_path, const std::string& prefix,
                   int nth, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string text;
  std::size_t scanned = 0;  // text[0, scanned) holds only complete lines already counted
  int seen = 0;
  while (std::chrono::steady_clock::now() < deadline && booth.process().running()) {
    if (std::ifstream in{log_path, std::ios::binary};
        in && in.seekg(static_cast<std::streamoff>(text.size())))
      text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    std::size_t end;
    while ((end = text.find('\n', scanned)) != std::string::npos) {
      if (text.compare(scanned, prefix.size(), prefix) == 0 && ++seen >= nth) return true;
      scanned = end + 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return static_cast<int>(booth.lines(prefix).size()) >= nth;
}

}  // namespace

TEST_CASE("kill -9 of the whole booth loses no pledge whose number was shown",
          "[kiosk][e2e][crash]") {
  pb::test::TempDir dir("booth-crash");
  const std::string data = dir / "data";
  const std::string stick = dir / "stick";
  const std::string config = pb::test::booth_config(
      data, 1,
      "[upload]\nenabled = true\n[[upload.targets]]\nname = \"stick\"\nkind = \"file\"\npath = \"" +
          stick + "\"\n");
  const std::string script = participant_stream(40);
  const int kRounds = rounds();
  std::mt19937 rng{20261202};
  std::map<std::string, int> shown;  // pledge id → the supporter number THANKS showed
  int kills_after_review = 0, kills_after_save_started = 0, kills_save_in_flight = 0;
  int scripts_given_up = 0;
  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    const std::string tag = "round-" + std::to_string(round);
    {
      RunningBooth booth(dir.path(), config, script, tag, /*screenshots=*/false);
      // Three kinds of moment: any time into the stream; right after a REVIEW photo was
      // composed (the participant is deciding); right after a save started.
      const int kind = round % 3;
      bool event_seen = false;
      const int nth = std::uniform_int_distribution<int>(1, 2)(rng);
      const int max_us = kind == 0 ? 5'000'000 : kind == 1 ? 400'000 : 4'000;
      const auto after =
          std::chrono::microseconds(std::uniform_int_distribution<int>(0, max_us)(rng));
      if (kind == 0) {
        // From spawn: start-up and recovery included.
        std::this_thread::sleep_for(after);
      } else {
        const std::string event = kind == 1 ? "kiosk: photo composed" : "kiosk: saving a pledge";
        // On a machine too slow for the event to come in time, the kill lands where the
        // booth got to, which is as good a moment.
        if (kind == 1) {
          pb::test::eventually(
              [&] {
                return static_cast<int>(booth.lines(event).size()) >= nth ||
                       !booth.process().running();
              },
              pb::test::scaled(std::chrono::seconds(60)));
          event_seen = static_cast<int>(booth.lines(event).size()) >= nth;
        } else {
          // A save lasts a few milliseconds on a fast machine (JPEG encode, two fsyncs, one
          // transaction): the log is watched every millisecond, and the kill follows within
          // 0-4 ms, so it lands inside the save however fast the machine is.
          event_seen = wait_for_line(booth, dir / (tag + ".log"), event, nth,
                                     pb::test::scaled(std::chrono::seconds(60)));
        }
        std::this_thread::sleep_for(after);
        if (kind == 1 && event_seen) ++kills_after_review;
      }
      if (!booth.process().running()) {
        // The booth never ends by itself here, except when its script gave up (an `expect`
        // timed out on a very busy machine): exit code 3. A crash would be anything else.
        INFO(booth.log());
        REQUIRE(booth.process().wait(std::chrono::seconds(1)) == 3);
        ++scripts_given_up;
      }
      booth.process().signal(SIGKILL);
      booth.process().wait(pb::test::scaled(std::chrono::seconds(10)));
      // A kill after a save started and before THANKS showed its number: the save was in
      // flight (or just done), the participant not yet told.
      if (kind == 2 && event_seen) {
        ++kills_after_save_started;
        kills_save_in_flight += booth.lines("kiosk: saving a pledge").size() >
                                booth.lines("kiosk: thanks shown: supporter #").size();
      }
      for (const auto& line : booth.lines("kiosk: thanks shown: supporter #")) {
        const auto hash = line.find('#'), space = line.find(' ', hash);
        const std::string id = line.substr(line.rfind(' ') + 1);
        shown[id] = std::stoi(line.substr(hash + 1, space - hash - 1));
      }
    }

    // What the next start of the booth finds (its recovery runs in Ledger::open).
    auto ledger = pb::store::Ledger::open(data);
    REQUIRE(ledger);
    CHECK((*ledger)->recovery().missing_photos.empty());
    CHECK(files_with(data, ".tmp").empty());
    for (const auto& [id, number] : shown) {
      INFO("pledge " << id << " shown as supporter #" << number);
      auto p = (*ledger)->get_pledge(id);
      REQUIRE(p);
      REQUIRE(p->has_value());
      REQUIRE_FALSE((**p).photo_path.empty());
      CHECK(sha_of_file((*ledger)->photo_file(**p)) == (**p).photo_sha256);
    }
    // No photo without its row (recovery moved any aside, none of them a shown pledge).
    auto all = (*ledger)->list_pledges();
    REQUIRE(all);
    std::set<std::string> rows;
    for (const auto& p : *all) rows.insert(p.id);
    for (const auto& f : files_with(data + "/photos", ".jpg"))
      CHECK(rows.count(f.stem().string()) == 1);
    for (const auto& f : files_with(data + "/recovered", ".jpg"))
      CHECK(shown.count(f.stem().string()) == 0);
    if ((round + 1) % 25 == 0)  // progress of long local runs (PB_BOOTH_CRASH_ROUNDS)
      std::fprintf(stderr, "booth crash test: %d rounds, %zu pledges shown as saved, all kept\n",
                   round + 1, shown.size());
  }

  // Drain what the killed booths left in the queue, then every shown pledge is on the stick
  // byte for byte, and so is everything else there.
  const auto drained = pb::test::run_pledgebooth({"upload", "--config", dir / "round-0.toml"});
  INFO(drained.output);
  REQUIRE(drained.exit_code == 0);
  auto ledger = pb::store::Ledger::open(data);
  REQUIRE(ledger);
  auto all = (*ledger)->list_pledges();
  REQUIRE(all);
  std::map<std::string, pb::store::Pledge> by_id;
  for (const auto& p : *all) by_id[p.id] = p;
  std::set<std::string> on_stick;
  for (const auto& f : files_with(stick, ".jpg")) {
    if (f.extension() != ".jpg") continue;  // a partial copy of a killed upload: see below
    INFO("uploaded " << f);
    const auto it = by_id.find(f.stem().string());
    REQUIRE(it != by_id.end());
    CHECK(sha_of_file(f) == it->second.photo_sha256);
    on_stick.insert(it->first);
  }
  for (const auto& [id, number] : shown) {
    INFO("pledge " << id);
    CHECK(on_stick.count(id) == 1);
  }
  const auto partial_uploads = files_with(stick, ".part-").size();
  WARN(kRounds << " rounds: " << shown.size() << " pledges shown as saved, all in the ledger "
               << "with their photos; " << kills_after_review << " kills right after REVIEW, "
               << kills_after_save_started << " right after a save started ("
               << kills_save_in_flight << " before THANKS showed the number); " << by_id.size()
               << " pledges in the ledger, " << on_stick.size() << " uploaded; " << partial_uploads
               << " partial upload copies left on the stick by killed uploads");
  // The test means something only when kills hit saves in flight and people got through.
  CHECK(kills_save_in_flight >= kills_after_save_started / 2);
  CHECK_FALSE(shown.empty());
}
