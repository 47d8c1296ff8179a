// SPDX-License-Identifier: Apache-2.0
// `pledgebooth purge [--dry-run]` and `pledgebooth delete REF` through the real binary, with
// the real ledger and a real folder target holding the uploaded copies.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "pb/ledger.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::run_pledgebooth;

namespace {

std::string write_config(const pb::test::TempDir& dir, int keep_months) {
  fs::create_directories(dir / "usb");
  const std::string path = dir / "booth.toml";
  pb::test::write_file(
      path, "[event]\nid = \"seoul-launch\"\nkeep_months = " + std::to_string(keep_months) +
                "\n[storage]\ndata_dir = \"data\"\nmin_free_mb = 1\n"
                "[[upload.targets]]\nname = \"usb\"\nkind = \"file\"\n"
                "path = \"usb\"\n");
  return path;
}

// add-test-pledges: their ids, saved `days_ago` days ago (0 = now).
std::vector<std::string> add(const std::string& cfg, int n, int days_ago) {
  auto r = run_pledgebooth({"--config", cfg, "add-test-pledges", std::to_string(n), "--photo-kb",
                            "4", "--days-ago", std::to_string(days_ago)});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> ids;
  std::istringstream in(r.output);
  std::string word, id, sha;
  while (in >> word >> id >> sha)
    if (word == "saved") ids.push_back(id);
  REQUIRE(ids.size() == static_cast<std::size_t>(n));
  return ids;
}

// The files the folder target holds for a pledge (its .jpg and .json).
int remote_files(const pb::test::TempDir& dir, const std::string& id) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "usb")) n += e.path().stem() == id;
  return n;
}

std::unique_ptr<pb::store::Ledger> open(const std::string& dir) {
  auto l = pb::store::Ledger::open(dir);
  INFO(l.status().message());
  REQUIRE(l.is_ok());
  return std::move(*l);
}

}  // namespace

TEST_CASE(
    "purge --dry-run lists pledges past keep_months and purge deletes them here and "
    "on the target",
    "[app][cli][retention]") {
  pb::test::TempDir dir;
  const std::string cfg = write_config(dir, 12);
  const auto old_ids = add(cfg, 2, 400);
  const auto new_ids = add(cfg, 1, 0);
  auto up = run_pledgebooth({"--config", cfg, "upload"});
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  REQUIRE(remote_files(dir, old_ids[0]) == 2);
  std::string old_photo;
  {
    auto ledger = open(dir / "data");
    old_photo = ledger->photo_file(**ledger->get_pledge(old_ids[0]));
  }
  REQUIRE(fs::exists(old_photo));

  auto dry = run_pledgebooth({"--config", cfg, "purge", "--dry-run"});
  INFO(dry.output);
  CHECK(dry.exit_code == 0);
  CHECK(dry.output.find("purge --dry-run: 2 pledges saved before") != std::string::npos);
  CHECK(dry.output.find(old_ids[0] + " (" + pb::store::pledge_reference(old_ids[0])) !=
        std::string::npos);
  CHECK(dry.output.find("photo, name and own words; 1 remote copy") != std::string::npos);
  CHECK(dry.output.find(new_ids[0]) == std::string::npos);
  CHECK(dry.output.find("nothing was changed") != std::string::npos);
  CHECK(fs::exists(old_photo));  // nothing changed
  CHECK(remote_files(dir, old_ids[0]) == 2);

  auto purge = run_pledgebooth({"--config", cfg, "purge"});
  INFO(purge.output);
  CHECK(purge.exit_code == 0);
  CHECK(purge.output.find("purge: 2 pledges saved before") != std::string::npos);
  CHECK_FALSE(fs::exists(old_photo));
  CHECK(remote_files(dir, old_ids[0]) == 0);
  CHECK(remote_files(dir, old_ids[1]) == 0);
  CHECK(remote_files(dir, new_ids[0]) == 2);
  {
    auto ledger = open(dir / "data");
    auto old = ledger->get_pledge(old_ids[0]);
    REQUIRE(old.is_ok());
    REQUIRE(old->has_value());  // it still counts
    CHECK((*old)->first_name.empty());
    CHECK((*old)->photo_path.empty());
    CHECK(ledger->outbox_for(old_ids[0])->empty());
    CHECK((*ledger->get_pledge(new_ids[0]))->first_name == "Alex");
    CHECK(*ledger->count_pledges("seoul-launch") == 3);
  }
  auto again = run_pledgebooth({"--config", cfg, "purge"});
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("purge: 0 pledges") != std::string::npos);
}

TEST_CASE("purge without keep_months deletes nothing and says why", "[app][cli][retention]") {
  pb::test::TempDir dir;
  const std::string cfg = write_config(dir, 0);
  const auto ids = add(cfg, 1, 4000);
  auto r = run_pledgebooth({"--config", cfg, "purge"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("keep_months is 0") != std::string::npos);
  auto ledger = open(dir / "data");
  CHECK((*ledger->get_pledge(ids[0]))->first_name == "Alex");
}

TEST_CASE("delete takes the reference THANKS shows and removes the uploaded copy",
          "[app][cli][retention]") {
  pb::test::TempDir dir;
  const std::string cfg = write_config(dir, 12);
  const auto ids = add(cfg, 2, 0);
  auto up = run_pledgebooth({"--config", cfg, "upload"});
  REQUIRE(up.exit_code == 0);
  REQUIRE(remote_files(dir, ids[0]) == 2);
  const std::string ref = pb::store::pledge_reference(ids[0]);
  std::string lower = ref;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  auto r = run_pledgebooth({"--config", cfg, "delete", lower});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("deleted pledge " + ids[0] + " (reference " + ref + ")") !=
        std::string::npos);
  CHECK(remote_files(dir, ids[0]) == 0);
  CHECK(remote_files(dir, ids[1]) == 2);
  {
    auto ledger = open(dir / "data");
    CHECK_FALSE(ledger->get_pledge(ids[0])->has_value());
    CHECK(*ledger->count_pledges("seoul-launch") == 1);
  }
  auto gone = run_pledgebooth({"--config", cfg, "delete", ref});
  CHECK(gone.exit_code == 1);
  CHECK(gone.output.find("no pledge with reference " + ref) != std::string::npos);
  auto bad = run_pledgebooth({"--config", cfg, "delete", "7F3A-XYZ"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find("neither a pledge id nor a reference") != std::string::npos);
}
