// SPDX-License-Identifier: Apache-2.0
// A booth without a battery clock: runs dated 2026, then 1970 (a boot without NTP), then
// 2026 again, under faketime with the real binary. Ids stay unique and increasing in the
// order pledges were saved, and no photo is overwritten.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pb/ledger.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::TempDir;

namespace {

struct Saved {
  std::string id, sha256;
};

// `add-test-pledges` under faketime starting at `when`; its "saved <id> <sha>" lines.
std::vector<Saved> add_pledges_at(const TempDir& dir, const std::string& when, int count) {
  // libfaketime and a sanitizer runtime both want to be first: let faketime be.
  auto r = pb::test::run({"faketime", "-f", "@" + when, PB_BINARY, "--config", dir / "booth.toml",
                          "add-test-pledges", std::to_string(count), "--photo-kb", "4"},
                         {{"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::vector<Saved> out;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string word;
    Saved s;
    if (words >> word >> s.id >> s.sha256 && word == "saved") out.push_back(s);
  }
  REQUIRE(out.size() == static_cast<std::size_t>(count));
  return out;
}

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return pb::store::sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

TEST_CASE(
    "ids stay unique and increasing and no photo is overwritten when the clock jumps "
    "back to 1970 between runs",
    "[store][clock]") {
  TempDir dir("pb-clock");
  pb::test::write_file(dir / "booth.toml",
                       "[event]\nid = \"no-battery\"\nname = \"No battery\"\n"
                       "[storage]\ndata_dir = \"data\"\nmin_free_mb = 1\n");
  std::vector<Saved> order;
  for (const char* when : {"2026-11-25 10:00:00", "1970-01-01 00:00:05", "2026-11-25 10:00:00"}) {
    auto run = add_pledges_at(dir, when, 4);
    order.insert(order.end(), run.begin(), run.end());
  }

  // faketime took hold: the first run's ids carry its date.
  REQUIRE(pb::store::utc_date(pb::store::uuid_v7_ms(order.front().id)) == "2026-11-25");
  std::set<std::string> unique;
  for (std::size_t i = 0; i < order.size(); ++i) {
    unique.insert(order[i].id);
    if (i > 0) {
      INFO("pledge " << i << " saved after " << order[i - 1].id);
      CHECK(order[i].id > order[i - 1].id);
    }
  }
  CHECK(unique.size() == order.size());

  auto ledger = pb::store::Ledger::open(dir / "data");
  REQUIRE(ledger);
  auto pledges = (*ledger)->list_pledges();
  REQUIRE(pledges);
  REQUIRE(pledges->size() == order.size());
  // The ledger lists them in save order too, and each photo is the one saved with it.
  std::set<std::string> photos;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& p = (*pledges)[i];
    CHECK(p.id == order[i].id);
    CHECK(p.created_ms >= pb::store::uuid_v7_ms(order.front().id));  // never 1970
    photos.insert(p.photo_path);
    CHECK(file_sha256((*ledger)->photo_file(p)) == order[i].sha256);
  }
  CHECK(photos.size() == order.size());
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "data/photos"))
    files += e.is_regular_file() ? 1 : 0;
  CHECK(files == order.size());
  auto high = (*ledger)->clock_high_ms();
  REQUIRE(high);
  CHECK(*high == pb::store::uuid_v7_ms(order.back().id));
}

TEST_CASE("a UUIDv7 gives back the milliseconds it was made with", "[store][clock]") {
  CHECK(pb::store::uuid_v7_ms("019abc12-3456-7000-8000-000000000000") == 0x019abc123456);
  // Above any time this process has used, so the id carries exactly this time.
  const std::int64_t far = std::int64_t{1} << 47;
  CHECK(pb::store::uuid_v7_ms(pb::store::new_uuid_v7(far)) == far);
  CHECK(pb::store::uuid_v7_ms("not-an-id") == 0);
  CHECK(pb::store::uuid_v7_ms("0192zzzz-0000-7000-8000-000000000000") == 0);
}
