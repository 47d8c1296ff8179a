// SPDX-License-Identifier: Apache-2.0
// The ledger's subcommands as an operator runs them: stats, export, delete, doctor, and
// config errors with exit code 2.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "pb/ledger.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::run_pledgebooth;

namespace {

// A config in dir with data in dir/data and a file target; returns its path.
std::string write_config(const pb::test::TempDir& dir) {
  std::string path = dir / "booth.toml";
  pb::test::write_file(path,
                       "[event]\nid = \"seoul-launch\"\nname = \"Seoul launch\"\n"
                       "[storage]\ndata_dir = \"data\"\nmin_free_mb = 1\n"
                       "[[upload.targets]]\nname = \"usb\"\nkind = \"file\"\npath = \"usb\"\n");
  return path;
}

// `add-test-pledges`: n pledges with photos of photo_kb KB (0: none), shared or not.
bool add_pledges(const std::string& cfg, int n, int photo_kb, bool shared = true) {
  return run_pledgebooth({"--config", cfg, "add-test-pledges", std::to_string(n), "--photo-kb",
                          std::to_string(photo_kb), "--consent", shared ? "true" : "false"})
             .exit_code == 0;
}

std::vector<std::string> saved_ids(const std::string& output) {
  std::vector<std::string> ids;
  std::istringstream in(output);
  std::string word, id, sha;
  while (in >> word >> id >> sha)
    if (word == "saved") ids.push_back(id);
  return ids;
}

}  // namespace

TEST_CASE("stats counts pledges photos and the queue per event", "[app][cli]") {
  pb::test::TempDir dir;
  std::string cfg = write_config(dir);
  REQUIRE(add_pledges(cfg, 3, 8));
  REQUIRE(add_pledges(cfg, 2, 0, false));
  auto r = run_pledgebooth({"--config", cfg, "stats", "--json"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("{\"event\":\"seoul-launch\",\"pledges\":5,\"photos\":3,\"shared\":3}") !=
        std::string::npos);
  CHECK(r.output.find("\"queue\":{\"pending\":3,\"done\":0,\"failed\":0}") != std::string::npos);
  auto text = run_pledgebooth({"--config", cfg, "stats"});
  CHECK(text.output.find("seoul-launch") != std::string::npos);
  CHECK(text.output.find("3 pending") != std::string::npos);
}

TEST_CASE("export writes a csv with a BOM and a folder with the photos", "[app][cli]") {
  pb::test::TempDir dir;
  std::string cfg = write_config(dir);
  auto add = run_pledgebooth({"--config", cfg, "add-test-pledges", "2", "--photo-kb", "8"});
  REQUIRE(add.exit_code == 0);
  auto r = run_pledgebooth({"--config", cfg, "export", "--csv", dir / "pledges.csv"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::string csv = pb::test::read_file(dir / "pledges.csv");
  CHECK(csv.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(csv.find("민준") != std::string::npos);
  auto d = run_pledgebooth({"--config", cfg, "export", "--dir", dir / "usb-stick"});
  REQUIRE(d.exit_code == 0);
  int photos = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "usb-stick"))
    photos += e.path().extension() == ".jpg";
  CHECK(photos == 2);
  CHECK(fs::exists(dir / "usb-stick/pledges.csv"));
}

TEST_CASE("export to a folder copies only shared photos unless private ones are asked for",
          "[app][cli]") {
  pb::test::TempDir dir;
  std::string cfg = write_config(dir);
  REQUIRE(add_pledges(cfg, 2, 8));
  REQUIRE(add_pledges(cfg, 3, 8, false));
  auto count = [](const fs::path& root) {
    int n = 0;
    if (fs::exists(root))
      for (const auto& e : fs::recursive_directory_iterator(root))
        n += e.path().extension() == ".jpg";
    return n;
  };
  auto d = run_pledgebooth({"--config", cfg, "export", "--dir", dir / "stick"});
  INFO(d.output);
  REQUIRE(d.exit_code == 0);
  CHECK(count(dir / "stick") == 2);
  CHECK_FALSE(fs::exists(dir / "stick/private"));
  CHECK(d.output.find("3 photo(s) without consent to campaign use stay on the booth") !=
        std::string::npos);
  // The CSV still lists every pledge and marks which ones are private.
  const std::string csv = pb::test::read_file(dir / "stick/pledges.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 6);

  auto all =
      run_pledgebooth({"--config", cfg, "export", "--dir", dir / "all", "--include-private"});
  INFO(all.output);
  REQUIRE(all.exit_code == 0);
  CHECK(all.output.find("did NOT agree to campaign use") != std::string::npos);
  CHECK(count(dir / "all") == 5);
  CHECK(count(dir / "all/private") == 3);
}

TEST_CASE("delete removes a pledge and an unknown id is an error", "[app][cli]") {
  pb::test::TempDir dir;
  std::string cfg = write_config(dir);
  auto add = run_pledgebooth(
      {"--config", cfg, "add-test-pledges", "2", "--photo-kb", "8", "--consent", "false"});
  auto ids = saved_ids(add.output);
  REQUIRE(ids.size() == 2);
  auto r = run_pledgebooth({"--config", cfg, "delete", ids[0]});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  auto ledger = pb::store::Ledger::open(dir / "data");
  REQUIRE(ledger.is_ok());
  CHECK_FALSE((*ledger)->get_pledge(ids[0])->has_value());
  CHECK((*ledger)->get_pledge(ids[1])->has_value());
  auto missing =
      run_pledgebooth({"--config", cfg, "delete", "0190aaaa-0000-7000-8000-000000000000"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("no pledge with id") != std::string::npos);
}

TEST_CASE("a broken config exits 2 with file line and key", "[app][cli]") {
  pb::test::TempDir dir;
  std::string path = dir / "booth.toml";
  pb::test::write_file(path, "[booth]\nid = \"booth-1\"\nidle_timeout = 30\n");
  auto r = run_pledgebooth({"--config", path, "stats"});
  CHECK(r.exit_code == 2);
  CHECK(
      r.output.find(path + ":3: booth.idle_timeout: unknown key; did you mean 'idle_timeout_s'?") !=
      std::string::npos);
}

TEST_CASE("stats of another booth's data dir works beside a broken config and names it",
          "[app][cli]") {
  pb::test::TempDir dir;
  std::string cfg = write_config(dir);
  REQUIRE(add_pledges(cfg, 2, 8));
  std::string broken = dir / "broken.toml";
  pb::test::write_file(broken, "[booth]\nid = \"booth-1\"\nidle_timeout = 30\n");
  auto r = run_pledgebooth({"--config", broken, "stats", "--data-dir", dir / "data"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("seoul-launch") != std::string::npos);
  CHECK(r.output.find(broken + ":3: booth.idle_timeout: unknown key") != std::string::npos);
  CHECK(r.output.find("upload targets not checked") != std::string::npos);
  // Without --data-dir the config is what names the data: still an error.
  CHECK(run_pledgebooth({"--config", broken, "stats"}).exit_code == 2);
}

TEST_CASE("doctor reports the data dir fonts and targets", "[app][cli]") {
  pb::test::TempDir dir;
  std::string cfg = write_config(dir);
  auto r = run_pledgebooth({"--config", cfg, "doctor"});
  INFO(r.output);
  CHECK(r.output.find("is writable") != std::string::npos);
  CHECK(r.output.find("free disk") != std::string::npos);
  CHECK(r.output.find("NanumGothic") != std::string::npos);
  CHECK(r.output.find("upload target 'usb' (file)") != std::string::npos);
  CHECK(r.output.find("delivers") != std::string::npos);  // auto → synthetic here, one frame read
  CHECK(r.exit_code == 0);
  // A target whose secret env var is unset fails the check with its name, never a value.
  std::string s3 = dir / "s3.toml";
  pb::test::write_file(
      s3,
      "[storage]\ndata_dir = \"data\"\n[[upload.targets]]\nkind = \"s3\"\n"
      "endpoint = \"http://127.0.0.1:9\"\nbucket = \"pledges\"\n"
      "access_key_env = \"PB_DOCTOR_KEY\"\nsecret_key_env = \"PB_DOCTOR_SECRET\"\n");
  auto bad = run_pledgebooth({"--config", s3, "doctor"}, {{"PB_DOCTOR_KEY", "AKIAEXAMPLE"}});
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find("PB_DOCTOR_SECRET") != std::string::npos);
  CHECK(bad.output.find("AKIAEXAMPLE") == std::string::npos);
}

TEST_CASE("upload names rows of a target removed from the config and exits 1 until dropped",
          "[app][cli][upload]") {
  pb::test::TempDir dir;
  fs::create_directories(dir / "usb");
  fs::create_directories(dir / "old");
  const std::string usb_only =
      "[event]\nid = \"seoul-launch\"\n[storage]\ndata_dir = \"data\"\nmin_free_mb = 1\n"
      "[[upload.targets]]\nname = \"usb\"\nkind = \"file\"\npath = \"usb\"\n";
  const std::string cfg = dir / "booth.toml";
  pb::test::write_file(cfg, usb_only +
                                "[[upload.targets]]\nname = \"old-s3\"\nkind = \"file\"\n"
                                "path = \"old\"\n");
  REQUIRE(add_pledges(cfg, 3, 8));
  pb::test::write_file(cfg, usb_only);  // the volunteer took old-s3 out of booth.toml
  const std::string wanted = "3 uploads wait for target \"old-s3\", which is not in " + cfg +
                             ": add it back, or drop them with `pledgebooth --config " + cfg +
                             " upload --forget-target old-s3`";

  auto up = run_pledgebooth({"--config", cfg, "upload"});
  INFO(up.output);
  CHECK(up.exit_code == 1);
  CHECK(up.output.find(wanted) != std::string::npos);
  CHECK(up.output.find("old-s3 (pending)") == std::string::npos);  // one line, not one per row
  int delivered = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "usb"))
    delivered += e.path().extension() == ".jpg";
  CHECK(delivered == 3);
  // upload_batch itself leaves those rows out of its errors (and its progress total).
  auto upj = run_pledgebooth({"--config", cfg, "upload", "--json"});
  INFO(upj.output);
  CHECK(upj.exit_code == 1);
  CHECK(upj.output.find("\"errors\":[]") != std::string::npos);
  CHECK(upj.output.find("\"unconfigured_targets\":[{\"target\":\"old-s3\",\"pending\":3") !=
        std::string::npos);

  auto stats = run_pledgebooth({"--config", cfg, "stats"});
  CHECK(stats.exit_code == 0);
  CHECK(stats.output.find(wanted) != std::string::npos);
  auto json = run_pledgebooth({"--config", cfg, "stats", "--json"});
  CHECK(json.output.find("\"unconfigured_targets\":[{\"target\":\"old-s3\",\"pending\":3,"
                         "\"failed\":0}]") != std::string::npos);

  // A configured target is never dropped.
  auto refused = run_pledgebooth({"--config", cfg, "upload", "--forget-target", "usb"});
  INFO(refused.output);
  CHECK(refused.exit_code == 2);
  CHECK(refused.output.find("target \"usb\" is in " + cfg) != std::string::npos);
  CHECK(refused.output.find("nothing was dropped") != std::string::npos);

  auto forget = run_pledgebooth({"--config", cfg, "upload", "--forget-target", "old-s3"});
  INFO(forget.output);
  CHECK(forget.exit_code == 0);
  CHECK(forget.output.find("dropped 3 uploads for target \"old-s3\"") != std::string::npos);
  {
    auto ledger = pb::store::Ledger::open(dir / "data");
    REQUIRE(ledger.is_ok());
    auto pledges = (*ledger)->list_pledges();
    CHECK(pledges->size() == 3);
    for (const auto& p : *pledges) CHECK(fs::exists((*ledger)->photo_file(p)));
    CHECK((*ledger)->queue_counts()->done == 3);
  }

  auto again = run_pledgebooth({"--config", cfg, "upload"});
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("old-s3") == std::string::npos);
}
