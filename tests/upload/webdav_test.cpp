// SPDX-License-Identifier: Apache-2.0
// WebDAV against rclone serve webdav (basic auth, and TLS with a self-signed certificate),
// and the webhook's multipart POST against the tests' own server.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;

namespace {

config::UploadTarget dav_target(const std::string& url, const std::string& password_env) {
  config::UploadTarget t;
  t.name = "cloud";
  t.kind = "webdav";
  t.settings["url"] = url + "/pledgebooth";
  t.prefix = "seoul-launch";
  t.settings["username"] = "booth";
  t.settings["password_env"] = password_env;
  return t;
}

std::vector<store::OutboxItem> rows(const std::string& data, store::OutboxState s) {
  auto ledger = std::move(*store::Ledger::open(data));
  return *ledger->outbox_items(s);
}

}  // namespace

TEST_CASE("pledges reach rclone webdav with basic auth and a wrong password fails visibly",
          "[upload][webdav]") {
  test::TempDir dir;
  fs::create_directories(dir / "served/pledgebooth");
  // MD5 ETags: PUTs confirm themselves (the TLS case below runs the HEAD path).
  test::RcloneWebdav dav(dir / "served", "s3cret-dav-pass", "", "", true);
  std::string data = dir / "data";
  std::vector<store::Pledge> pledges;
  {
    auto ledger = std::move(*store::Ledger::open(data));
    pledges = test::save_pledges(*ledger, 5, {"cloud"}, 50000, [](int i) { return i != 1; });
  }
  config::Config c = test::base_config(data);
  c.upload.targets.push_back(dav_target(dav.url(), "PB_DAV_PASS"));

  ::setenv("PB_DAV_PASS", "not-the-password", 1);
  auto bad = upload::upload_batch(c, data, {});
  REQUIRE(bad.is_ok());
  CHECK_FALSE(bad->queue_empty());
  auto failed = rows(data, store::OutboxState::kFailed);
  REQUIRE(failed.size() == 4);
  CHECK(failed[0].last_error.find("HTTP 401") != std::string::npos);
  CHECK(failed[0].last_error.find("not-the-password") == std::string::npos);

  ::setenv("PB_DAV_PASS", "s3cret-dav-pass", 1);
  upload::BatchOptions retry;
  retry.retry_failed = true;
  retry.parallel = 3;
  std::vector<std::int64_t> seen;
  retry.on_progress = [&](const upload::BatchProgress& p) { seen.push_back(p.done); };
  auto ok = upload::upload_batch(c, data, retry);
  REQUIRE(ok.is_ok());
  for (const auto& e : ok->errors) UNSCOPED_INFO(e);
  CHECK(ok->queue_empty());
  CHECK(ok->progress.done == 4);
  CHECK(seen.back() == 4);
  for (const auto& p : pledges) {
    std::string jpg = dir / ("served/pledgebooth/" + upload::object_key("seoul-launch", p, "jpg"));
    std::string json =
        dir / ("served/pledgebooth/" + upload::object_key("seoul-launch", p, "json"));
    CHECK(fs::exists(jpg) == p.share_consent);
    CHECK(fs::exists(json) == p.share_consent);
    if (p.share_consent) {
      CHECK(test::sha256_of(test::read_file(jpg)) == p.photo_sha256);
      CHECK(test::read_file(json) == upload::metadata_json(p));
    }
  }
}

TEST_CASE("a self-signed TLS server is refused and retried without ca_file and accepted with it",
          "[upload][webdav][tls]") {
  test::TempDir dir;
  auto [cert, key] = test::make_self_signed(dir.path());
  fs::create_directories(dir / "served/pledgebooth");
  test::RcloneWebdav dav(dir / "served", "tls-pass", cert, key);
  std::string data = dir / "data";
  std::vector<store::Pledge> pledges;
  {
    auto ledger = std::move(*store::Ledger::open(data));
    pledges = test::save_pledges(*ledger, 2, {"cloud"});
  }
  ::setenv("PB_TLS_PASS", "tls-pass", 1);
  config::Config c = test::base_config(data);
  c.upload.targets.push_back(dav_target(dav.url(), "PB_TLS_PASS"));
  REQUIRE(c.upload.targets[0].url().rfind("https://", 0) == 0);

  auto refused = upload::upload_batch(c, data, {});
  REQUIRE(refused.is_ok());
  // Not failed for good (a captive portal's certificate goes away): pending, with the cause.
  CHECK(rows(data, store::OutboxState::kFailed).empty());
  auto waiting = rows(data, store::OutboxState::kPending);
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[0].last_error.find("TLS") != std::string::npos);
  CHECK(waiting[0].last_error.find("unknown CA") != std::string::npos);
  CHECK(waiting[0].last_error.find("ca_file") != std::string::npos);
  CHECK_FALSE(fs::exists(
      dir / ("served/pledgebooth/" + upload::object_key("seoul-launch", pledges[0], "jpg"))));

  c.upload.targets[0].ca_file = cert;
  auto ok = upload::upload_batch(c, data, {});  // no --retry-failed needed
  REQUIRE(ok.is_ok());
  CHECK(ok->queue_empty());
  for (const auto& p : pledges)
    CHECK(test::sha256_of(test::read_file(
              dir / ("served/pledgebooth/" + upload::object_key("seoul-launch", p, "jpg")))) ==
          p.photo_sha256);
}

TEST_CASE(
    "the webhook gets one multipart POST per pledge with an Idempotency-Key and a bearer token",
    "[upload][webhook]") {
  test::TempDir dir;
  // The reply to the first POST is lost after the server kept it: the retry must not duplicate.
  test::FaultServer hook(dir / "hook", "POST * lost 1\n", 0, "hook-token-123");
  std::string data = dir / "data";
  std::vector<store::Pledge> pledges;
  {
    auto ledger = std::move(*store::Ledger::open(data));
    pledges = test::save_pledges(*ledger, 3, {"hook"});
  }
  ::setenv("PB_HOOK_TOKEN", "hook-token-123", 1);
  config::Config c = test::base_config(data);
  config::UploadTarget t;
  t.name = "hook";
  t.kind = "webhook";
  t.settings["url"] = hook.url() + "/pledges";
  t.settings["token_env"] = "PB_HOOK_TOKEN";
  c.upload.targets.push_back(t);
  auto r = upload::upload_batch(c, data, {});
  REQUIRE(r.is_ok());
  CHECK(r->queue_empty());
  CHECK(hook.log().find("FAULT lost POST") != std::string::npos);
  std::vector<std::string> files;
  for (auto& e : fs::directory_iterator(dir / "hook/webhook"))
    files.push_back(e.path().filename().string());
  CHECK(files.size() == 6);
  for (const auto& p : pledges) {
    CHECK(test::sha256_of(test::read_file(dir / ("hook/webhook/" + p.id + ".jpg"))) ==
          p.photo_sha256);
    CHECK(test::read_file(dir / ("hook/webhook/" + p.id + ".json")) == upload::metadata_json(p));
  }

  // A wrong token is refused for good, with the server's words.
  ::setenv("PB_HOOK_TOKEN", "wrong", 1);
  {
    auto ledger = std::move(*store::Ledger::open(data));
    test::save_pledges(*ledger, 1, {"hook"});
  }
  auto denied = upload::upload_batch(c, data, {});
  REQUIRE(denied.is_ok());
  REQUIRE(denied->after.failed == 1);
  CHECK(rows(data, store::OutboxState::kFailed)[0].last_error == "POST HTTP 401: bad token");

  // Deleting on request reaches the webhook too.
  ::setenv("PB_HOOK_TOKEN", "hook-token-123", 1);
  auto ledger = std::move(*store::Ledger::open(data));
  REQUIRE(upload::delete_remote_copies(c, *ledger, pledges[1].id).is_ok());
  CHECK_FALSE(fs::exists(dir / ("hook/webhook/" + pledges[1].id + ".jpg")));
  CHECK(fs::exists(dir / ("hook/webhook/" + pledges[0].id + ".jpg")));
}
