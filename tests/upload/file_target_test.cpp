// SPDX-License-Identifier: Apache-2.0
// The file target (a folder or USB stick) through the batch drain, the worker and the CLI.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pb/json.h"
#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;
using pb::test::eventually;
using pb::test::files_under;

namespace {

config::UploadTarget folder_target(const std::string& path) {
  config::UploadTarget t;
  t.name = "stick";
  t.kind = "file";
  t.settings["path"] = path;
  t.prefix = "pledges";
  return t;
}

}  // namespace

TEST_CASE("consented pledges reach a folder as photo and JSON while the rest never leave",
          "[upload][file]") {
  test::TempDir dir;
  config::Config c = test::base_config(dir / "data");
  c.upload.targets.push_back(folder_target(dir / "stick"));
  auto ledger = std::move(*store::Ledger::open(dir / "data"));
  auto pledges = test::save_pledges(*ledger, 6, {"stick"}, 30000, [](int i) { return i % 3 != 0; });

  auto r = upload::upload_batch(c, dir / "data", upload::BatchOptions{});
  REQUIRE(r.is_ok());
  CHECK(r->queue_empty());
  CHECK(r->progress.done == 4);
  std::vector<std::string> expected;
  for (const auto& p : pledges) {
    if (!p.share_consent) continue;
    std::string jpg = upload::object_key("pledges", p, "jpg");
    std::string json = upload::object_key("pledges", p, "json");
    expected.push_back(jpg);
    expected.push_back(json);
    CHECK(test::sha256_of(test::read_file(dir / ("stick/" + jpg))) == p.photo_sha256);
    CHECK(test::read_file(dir / ("stick/" + json)) == upload::metadata_json(p));
  }
  std::sort(expected.begin(), expected.end());
  CHECK(files_under(dir / "stick") ==
        expected);  // nothing else: no temp files, no non-consented photo
  for (const auto& p : pledges) {
    auto rows = *ledger->outbox_for(p.id);
    if (!p.share_consent) {
      CHECK(rows.empty());
      continue;
    }
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == store::OutboxState::kDone);
    CHECK(rows[0].remote_key == upload::object_key("pledges", p, "jpg"));
  }
}

TEST_CASE("the public target gets only the photos of a link and the archive only campaign use",
          "[upload][file][consent]") {
  test::TempDir dir;
  config::Config c = test::base_config(dir / "data");
  c.upload.targets.push_back(folder_target(dir / "archive"));
  c.upload.targets.back().name = "archive";
  c.upload.targets.push_back(folder_target(dir / "public"));
  c.upload.targets.back().name = "public";
  c.event.public_target = "public";
  auto ledger = std::move(*store::Ledger::open(dir / "data"));
  struct Pick {
    bool campaign, link;
  };
  const Pick picks[] = {{true, false}, {false, true}, {true, true}, {false, false}};
  std::vector<store::Pledge> saved;
  for (const Pick& pick : picks) {
    store::PledgeInput in;
    in.event = "heforshe-seoul";
    in.booth = "booth-1";
    in.locale = "ko";
    in.first_name = "Min-jun";
    in.answer = "for my daughter";
    in.share_consent = pick.campaign;
    in.link_consent = pick.link;
    in.wall_consent = true;  // the wall reads the ledger: never an upload
    in.consent_version = 1;
    in.photo_jpeg = test::fake_jpeg(9000, static_cast<unsigned>(saved.size() + 1));
    in.targets = upload::upload_targets_for(c, pick.campaign, pick.link);
    saved.push_back(*ledger->save_pledge(in));
  }
  // A row queued for the public target before it was the public one (an older booth): the
  // engine refuses it, whatever the queue says.
  {
    store::PledgeInput old;
    old.event = "heforshe-seoul";
    old.booth = "booth-1";
    old.locale = "en";
    old.first_name = "Min-jun";
    old.share_consent = true;
    old.consent_version = 1;
    old.photo_jpeg = test::fake_jpeg(9000, 99);
    old.targets = {"archive", "public"};
    saved.push_back(*ledger->save_pledge(old));
  }
  auto r = upload::upload_batch(c, dir / "data", upload::BatchOptions{});
  REQUIRE(r.is_ok());
  std::vector<std::string> archive, published;
  for (const auto& p : saved) {
    for (const char* ext : {"jpg", "json"}) {
      if (p.share_consent) archive.push_back(upload::object_key("pledges", p, ext));
      if (p.link_consent) published.push_back(upload::object_key("pledges", p, ext));
    }
    if (p.link_consent) {
      const auto doc = nlohmann::json::parse(
          test::read_file(dir / ("public/" + upload::object_key("pledges", p, "json"))));
      CHECK(doc["first_name"].is_null());  // a link to the photo, nothing more
      CHECK(doc["answer"].is_null());
      CHECK(doc["choices"]["link"] == true);
    }
    if (p.share_consent) {
      const auto doc = nlohmann::json::parse(
          test::read_file(dir / ("archive/" + upload::object_key("pledges", p, "json"))));
      CHECK(doc["first_name"] == "Min-jun");
      CHECK(doc["choices"]["campaign"] == true);
    }
  }
  std::sort(archive.begin(), archive.end());
  std::sort(published.begin(), published.end());
  CHECK(files_under(dir / "archive") == archive);
  CHECK(files_under(dir / "public") == published);
  const auto rows = *ledger->outbox_for(saved.back().id);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows)
    CHECK(row.state ==
          (row.target == "public" ? store::OutboxState::kFailed : store::OutboxState::kDone));
}

TEST_CASE("the worker drains the queue by itself once the stick is plugged in",
          "[upload][file][worker]") {
  test::TempDir dir;
  config::Config c = test::base_config(dir / "data");
  c.upload.targets.push_back(folder_target(dir / "media/stick"));  // media/ is not there yet
  auto ledger = std::move(*store::Ledger::open(dir / "data"));
  upload::OutboxWorker worker(c);
  worker.start();
  auto pledges = test::save_pledges(*ledger, 3, {"stick"});
  worker.wake();
  REQUIRE(eventually(
      [&] {
        auto s = worker.status();
        return s.pending == 3 && !s.online && !s.targets.at(0).last_error.empty();
      },
      test::scaled(std::chrono::seconds(10))));
  CHECK(worker.status().targets.at(0).last_error.find("stick unplugged") != std::string::npos);
  CHECK(test::counts(*ledger).done == 0);

  fs::create_directories(dir / "media");  // plugged in: no wake(), the probe notices
  REQUIRE(eventually([&] { return test::counts(*ledger).done == 3; },
                     test::scaled(std::chrono::seconds(15))));
  CHECK(eventually(
      [&] {
        auto s = worker.status();
        return s.online && s.pending == 0 && s.done == 3;
      },
      test::scaled(std::chrono::seconds(5))));
  for (const auto& p : pledges)
    CHECK(test::sha256_of(test::read_file(
              dir / ("media/stick/" + upload::object_key("pledges", p, "jpg")))) == p.photo_sha256);

  // A pledge saved later goes out at once after wake().
  auto more = test::save_pledges(*ledger, 1, {"stick"}, 1000);
  worker.wake();
  CHECK(eventually([&] { return test::counts(*ledger).done == 4; },
                   test::scaled(std::chrono::seconds(5))));
  worker.stop();
  CHECK_FALSE(worker.status().running);
}

TEST_CASE("pledgebooth upload exits 0 only when the queue is empty", "[upload][file][cli]") {
  test::TempDir dir;
  std::string data = dir / "data";
  {
    auto ledger = std::move(*store::Ledger::open(data));
    test::save_pledges(*ledger, 2, {"stick"});
    test::save_pledges(*ledger, 1, {"dav"});
  }
  test::write_file(
      dir / "booth.toml",
      "[storage]\ndata_dir = \"" + data +
          "\"\n"
          "[[upload.targets]]\nname = \"stick\"\nkind = \"file\"\npath = \"" +
          (dir / "stick") +
          "\"\n"
          "[[upload.targets]]\nname = \"dav\"\nkind = \"webdav\"\nurl = \"http://127.0.0.1:" +
          std::to_string(test::free_port()) + "/\"\nconnect_timeout_s = 1\n");
  auto r = test::run_pledgebooth({"--config", dir / "booth.toml", "upload", "--json"});
  INFO(r.output);
  CHECK(r.exit_code == 1);  // the WebDAV server is not there: its pledges stay pending
  CHECK(r.output.find("\"pending\":3") != std::string::npos);  // 1 pledge × 2 targets + stick's 1
  CHECK(r.output.find("network") != std::string::npos);
  CHECK(r.output.find("\"queue_empty\":false") != std::string::npos);

  // The server is back; the booth's data is read from --data-dir (e.g. a stick).
  test::FaultServer server(dir / "dav", "");
  test::write_file(dir / "booth.toml",
                   "[storage]\ndata_dir = \"" + (dir / "elsewhere") +
                       "\"\n"
                       "[[upload.targets]]\nname = \"stick\"\nkind = \"file\"\npath = \"" +
                       (dir / "stick") +
                       "\"\n"
                       "[[upload.targets]]\nname = \"dav\"\nkind = \"webdav\"\nurl = \"" +
                       server.url() + "/\"\n");
  auto ok = test::run_pledgebooth({"--config", dir / "booth.toml", "upload", "--data-dir", data});
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  CHECK(ok.output.find("uploaded 3") != std::string::npos);
  CHECK(ok.output.find("0 pending, 0 failed, 6 done") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "elsewhere"));
}

TEST_CASE("partial copies killed uploads left on the stick are removed and a live upload's stays",
          "[upload][file]") {
  test::TempDir dir;
  config::Config c = test::base_config(dir / "data");
  c.upload.targets.push_back(folder_target(dir / "stick"));
  auto ledger = std::move(*store::Ledger::open(dir / "data"));
  auto pledges = test::save_pledges(*ledger, 2, {"stick"}, 30000);
  // A pid that ran and is gone: a child that has exited and was waited for.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  REQUIRE(::waitpid(child, nullptr, 0) == child);
  const std::string dead = std::to_string(child);
  const std::string live = std::to_string(::getppid());  // whoever started this test runs on
  const fs::path day = fs::path(dir / "stick") / "pledges" / "old-event" / "2026-01-01";
  fs::create_directories(day);
  for (const std::string& name :
       std::vector<std::string>{"a.jpg.part-" + dead, "a.json.part-" + dead, "b.jpg.part-" + live,
                                "notes.part-x1", "c.jpg"})
    std::ofstream(day / name) << "half";

  auto r = upload::upload_batch(c, dir / "data", upload::BatchOptions{});
  REQUIRE(r.is_ok());
  CHECK(r->queue_empty());
  CHECK_FALSE(fs::exists(day / ("a.jpg.part-" + dead)));
  CHECK_FALSE(fs::exists(day / ("a.json.part-" + dead)));
  CHECK(fs::exists(day / ("b.jpg.part-" + live)));  // its process may still be copying
  CHECK(fs::exists(day / "notes.part-x1"));         // not a partial copy's name
  CHECK(fs::exists(day / "c.jpg"));
  for (const auto& p : pledges)
    CHECK(fs::exists(dir / ("stick/" + upload::object_key("pledges", p, "jpg"))));
}

TEST_CASE("a stick's mount point the booth cannot write yet keeps the uploads waiting",
          "[upload][file][cli]") {
  // usb-stick makes the mount point (root's) a moment before the stick is mounted on it: a
  // booth that looks then must wait, not give the uploads up as failed.
  if (geteuid() != 0 || !fs::exists("/usr/bin/setpriv")) {
    WARN("skipped: needs root and setpriv to run pledgebooth as another user");
    return;
  }
  test::TempDir dir;
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  const std::string data = dir / "data", stick = dir / "media/stick", cfg = dir / "booth.toml";
  {
    auto ledger = std::move(*store::Ledger::open(data));
    test::save_pledges(*ledger, 2, {"stick"});
  }
  fs::create_directories(stick);  // root's, 0755: not mounted yet
  fs::permissions(dir / "media",
                  fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  const std::string tmp = dir / "tmp";
  fs::create_directory(tmp);
  fs::permissions(tmp, fs::perms::all | fs::perms::sticky_bit);
  const auto chown_nobody = [](const std::string& path) {
    REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
    for (const auto& e : fs::recursive_directory_iterator(path))
      REQUIRE(::lchown(e.path().c_str(), 65534, 65534) == 0);
  };
  chown_nobody(data);  // the booth's own data dir
  test::write_file(cfg, "[storage]\ndata_dir = \"" + data +
                            "\"\n[[upload.targets]]\nname = \"stick\"\nkind = \"file\"\n"
                            "path = \"" +
                            stick + "/pledgebooth\"\n");
  const auto as_booth = [&] {
    return test::run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", PB_BINARY,
                      "--config", cfg, "upload", "--json"},
                     {{"TMPDIR", tmp}});
  };
  auto early = as_booth();
  INFO(early.output);
  CHECK(early.exit_code == 1);
  CHECK(early.output.find("\"pending\":2") != std::string::npos);
  CHECK(early.output.find("\"failed\":0") != std::string::npos);
  CHECK(early.output.find("folder not writable") != std::string::npos);

  chown_nobody(stick);  // the stick is mounted, the booth's user owns it
  auto mounted = as_booth();
  INFO(mounted.output);
  CHECK(mounted.exit_code == 0);
  CHECK(mounted.output.find("\"queue_empty\":true") != std::string::npos);
  const auto copied = test::files_under(stick + "/pledgebooth");
  CHECK(std::count_if(copied.begin(), copied.end(), [](const std::string& f) {
          return f.size() > 4 && f.compare(f.size() - 4, 4, ".jpg") == 0;
        }) == 2);
}
