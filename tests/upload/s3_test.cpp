// SPDX-License-Identifier: Apache-2.0
// S3 against moto_server with SigV4 checked and an IAM key, read back with the aws CLI.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;

namespace {

std::string booth_toml(const std::string& data, const std::string& endpoint,
                       const std::string& key_env, const std::string& secret_env) {
  return "[storage]\ndata_dir = \"" + data +
         "\"\n"
         "[[upload.targets]]\nname = \"bucket\"\nkind = \"s3\"\nprefix = \"campaign\"\nendpoint = "
         "\"" +
         endpoint + "\"\nbucket = \"pledges\"\nregion = \"us-east-1\"\naccess_key_env = \"" +
         key_env + "\"\nsecret_key_env = \"" + secret_env + "\"\n";
}

}  // namespace

TEST_CASE("pledges reach moto signed with SigV4 and read back with equal checksums",
          "[upload][s3]") {
  test::MotoServer moto;
  test::TempDir dir;
  std::string data = dir / "data";
  std::vector<store::Pledge> pledges;
  {
    auto ledger = std::move(*store::Ledger::open(data));
    pledges = test::save_pledges(*ledger, 4, {"bucket"}, 150000, [](int i) { return i != 2; });
  }
  test::write_file(dir / "booth.toml",
                   booth_toml(data, moto.endpoint(), "PB_S3_KEY", "PB_S3_SECRET"));
  auto r = test::run_pledgebooth({"--config", dir / "booth.toml", "upload", "--parallel", "3"},
                                 {{"PB_S3_KEY", moto.key_id()}, {"PB_S3_SECRET", moto.secret()}});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find(moto.secret()) == std::string::npos);

  auto ls = moto.aws({"s3", "ls", "--recursive", "s3://pledges"});
  REQUIRE(ls.exit_code == 0);
  // 3 consented × (jpg + json), and the booth's tally document (all 4 pledges counted)
  CHECK(std::count(ls.output.begin(), ls.output.end(), '\n') == 7);
  CHECK(ls.output.find("campaign/heforshe-seoul/_booths/booth-1.json") != std::string::npos);
  REQUIRE(
      moto.aws({"s3", "cp", "--recursive", "--quiet", "s3://pledges", dir / "back"}).exit_code ==
      0);
  for (const auto& p : pledges) {
    std::string jpg = dir / ("back/" + upload::object_key("campaign", p, "jpg"));
    std::string json = dir / ("back/" + upload::object_key("campaign", p, "json"));
    if (!p.share_consent) {
      CHECK_FALSE(fs::exists(jpg));
      CHECK_FALSE(fs::exists(json));
      continue;
    }
    CHECK(test::sha256_of(test::read_file(jpg)) == p.photo_sha256);
    CHECK(test::read_file(json) == upload::metadata_json(p));
  }

  // Deleting on request removes both remote copies of that pledge and nothing else.
  auto ledger = std::move(*store::Ledger::open(data));
  config::Config c = config::load_config(dir / "booth.toml");
  ::setenv("PB_S3_KEY_DEL", moto.key_id().c_str(), 1);
  ::setenv("PB_S3_SECRET_DEL", moto.secret().c_str(), 1);
  c.upload.targets[0].settings["access_key_env"] = "PB_S3_KEY_DEL";
  c.upload.targets[0].settings["secret_key_env"] = "PB_S3_SECRET_DEL";
  REQUIRE(upload::delete_remote_copies(c, *ledger, pledges[0].id).is_ok());
  auto after = moto.aws({"s3", "ls", "--recursive", "s3://pledges"});
  CHECK(std::count(after.output.begin(), after.output.end(), '\n') == 5);  // + the tally
  CHECK(after.output.find(pledges[0].id) == std::string::npos);
  CHECK(upload::delete_remote_copies(c, *ledger, "no-such-id").code() == Status::Code::kNotFound);
}

TEST_CASE(
    "a wrong S3 secret fails with the server message and succeeds after the fix with retry-failed",
    "[upload][s3]") {
  test::MotoServer moto;
  test::TempDir dir;
  std::string data = dir / "data";
  {
    auto ledger = std::move(*store::Ledger::open(data));
    test::save_pledges(*ledger, 2, {"bucket"});
  }
  test::write_file(dir / "booth.toml",
                   booth_toml(data, moto.endpoint(), "PB_S3_KEY", "PB_S3_SECRET"));
  const std::string wrong = "wrongSecretValue1234567890";
  auto bad = test::run_pledgebooth({"--config", dir / "booth.toml", "upload"},
                                   {{"PB_S3_KEY", moto.key_id()}, {"PB_S3_SECRET", wrong}});
  INFO(bad.output);
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find("SignatureDoesNotMatch") != std::string::npos);
  CHECK(bad.output.find(wrong) == std::string::npos);
  {
    auto ledger = std::move(*store::Ledger::open(data));
    auto failed = *ledger->outbox_items(store::OutboxState::kFailed);
    REQUIRE(failed.size() == 2);
    for (const auto& f : failed) {
      CHECK(f.last_error.find("HTTP 403: SignatureDoesNotMatch") != std::string::npos);
      CHECK(f.last_error.find(wrong) == std::string::npos);
    }
    CHECK(ledger->list_pledges()->size() == 2);  // nothing lost
  }
  auto empty = moto.aws({"s3", "ls", "--recursive", "s3://pledges"});
  CHECK(empty.output.find(".jpg") == std::string::npos);

  // Without --retry-failed the failed rows stay failed.
  auto still =
      test::run_pledgebooth({"--config", dir / "booth.toml", "upload"},
                            {{"PB_S3_KEY", moto.key_id()}, {"PB_S3_SECRET", moto.secret()}});
  CHECK(still.exit_code == 1);
  auto fixed =
      test::run_pledgebooth({"--config", dir / "booth.toml", "upload", "--retry-failed"},
                            {{"PB_S3_KEY", moto.key_id()}, {"PB_S3_SECRET", moto.secret()}});
  INFO(fixed.output);
  CHECK(fixed.exit_code == 0);
  auto ls = moto.aws({"s3", "ls", "--recursive", "s3://pledges"});
  CHECK(std::count(ls.output.begin(), ls.output.end(), '\n') == 5);  // 2 × (jpg + json) + tally
}
