// SPDX-License-Identifier: Apache-2.0
// `pledgebooth tally` over three booths that uploaded to one target (moto S3 with SigV4,
// rclone WebDAV, a folder): the campaign equals the sum of the three ledgers per event and
// day, and the target holds nothing personal of the pledges without share consent.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "listing.h"
#include "pb/tally.h"
#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;

namespace {

// Booth b's pledges: two events over two UTC days, every third without consent.
std::vector<store::Pledge> booth_pledges(const std::string& data, const std::string& booth,
                                         int n, const std::string& target) {
  auto ledger = std::move(*store::Ledger::open(data));
  std::vector<store::Pledge> out;
  for (int i = 0; i < n; ++i) {
    store::PledgeInput in;
    in.event = i % 4 == 0 ? "heforshe-busan" : "heforshe-seoul";
    in.booth = booth;
    in.locale = i % 2 ? "ko" : "en";
    in.first_name = "Privatename" + booth + std::to_string(i);
    in.answer = i % 3 == 1 ? "For my daughter" : i % 3 == 2 ? "my own words here" : "";
    in.share_consent = i % 3 != 0;
    in.consent_version = 1;
    if (i % 5 != 4) in.photo_jpeg = test::fake_jpeg(2000 + static_cast<std::size_t>(i), i + 7u);
    in.targets = {target};
    in.created_ms = 1764028800000LL + (i % 2) * 86400000LL + i * 1000;
    auto p = ledger->save_pledge(in);
    REQUIRE(p.is_ok());
    out.push_back(*p);
  }
  return out;
}

// The expected campaign: per event and day, from the ledgers themselves.
std::map<std::string, std::map<std::string, std::array<std::int64_t, 3>>> expected_days(
    const std::vector<std::vector<store::Pledge>>& booths) {
  std::map<std::string, std::map<std::string, std::array<std::int64_t, 3>>> out;
  for (const auto& b : booths)
    for (const auto& p : b) {
      auto& d = out[p.event][store::utc_date(p.created_ms)];
      d[0] += 1;
      d[1] += !p.photo_path.empty();
      d[2] += p.share_consent;
    }
  return out;
}

// Runs three booths' uploads, then `tally --json` with tally_toml; checks the sums.
void check_campaign(const test::TempDir& dir, const std::string& target_toml,
                    const std::map<std::string, std::string>& env,
                    std::vector<std::vector<store::Pledge>>& booths) {
  for (const std::string booth : {"booth-a", "booth-b", "booth-c"}) {
    const std::string data = dir / ("data-" + booth);
    booths.push_back(booth_pledges(data, booth, booth == "booth-b" ? 9 : 7, "shared"));
    const std::string toml = dir / (booth + ".toml");
    test::write_file(toml, "[booth]\nid = \"" + booth + "\"\n[storage]\ndata_dir = \"" + data +
                               "\"\n" + target_toml);
    auto r = test::run_pledgebooth({"--config", toml, "upload"}, env);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
  }
  test::write_file(dir / "tally.toml", "[storage]\ndata_dir = \"" + (dir / "data-none") + "\"\n" +
                                           target_toml);
  auto r = test::run_pledgebooth({"--config", dir / "tally.toml", "tally", "--json"}, env);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  CHECK(j["skipped"].empty());
  auto want = expected_days(booths);
  REQUIRE(j["events"].size() == want.size());
  std::int64_t total = 0;
  for (const auto& e : j["events"]) {
    const auto& days = want.at(e["event"].get<std::string>());
    CHECK(e["booths"].size() == 3);
    REQUIRE(e["days"].size() == days.size());
    std::int64_t sum = 0;
    for (const auto& [day, c] : days) {
      const auto& got = e["days"][day];
      CHECK(got["pledges"].get<std::int64_t>() == c[0]);
      CHECK(got["with_photo"].get<std::int64_t>() == c[1]);
      CHECK(got["shared"].get<std::int64_t>() == c[2]);
      sum += c[0];
    }
    CHECK(e["pledges"].get<std::int64_t>() == sum);
    total += sum;
  }
  CHECK(j["total"]["pledges"].get<std::int64_t>() == total);
  CHECK(total == 23);

  auto csv = test::run_pledgebooth({"--config", dir / "tally.toml", "tally", "--csv"}, env);
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.output.find("event,booth,day,pledges,with_photo,shared") != std::string::npos);
}

// No object or file holds a name, an id or the photo of a pledge without consent.
void check_nothing_personal(const std::string& root,
                            const std::vector<std::vector<store::Pledge>>& booths) {
  std::size_t files = 0;
  for (const auto& rel : test::files_under(root)) {
    ++files;
    const std::string body = test::read_file(root + "/" + rel);
    for (const auto& b : booths)
      for (const auto& p : b) {
        if (p.share_consent) continue;
        CHECK(rel.find(p.id) == std::string::npos);
        CHECK(body.find(p.id) == std::string::npos);
        CHECK(body.find(p.first_name) == std::string::npos);
        if (!p.photo_sha256.empty()) CHECK(body.find(p.photo_sha256) == std::string::npos);
      }
    const bool tally_with_words = rel.find("/_booths/") != std::string::npos &&
                                  body.find("my own words here") != std::string::npos;
    CHECK_FALSE(tally_with_words);
  }
  CHECK(files > 0);
}

}  // namespace

TEST_CASE("tally over three booths on a folder equals the sum of their ledgers",
          "[upload][tally][campaign]") {
  test::TempDir dir;
  const std::string target = "[[upload.targets]]\nname = \"shared\"\nkind = \"file\"\n"
                             "prefix = \"campaign\"\npath = \"" +
                             (dir / "stick") + "\"\n";
  std::vector<std::vector<store::Pledge>> booths;
  check_campaign(dir, target, {}, booths);
  check_nothing_personal(dir / "stick", booths);

  // A malformed and a foreign document are skipped and named; the rest still counts.
  test::write_file(dir / "stick/campaign/heforshe-seoul/_booths/broken.json", "{\"schema\":1,");
  test::write_file(dir / "stick/campaign/heforshe-seoul/_booths/liar.json",
                   test::read_file(dir / "stick/campaign/heforshe-seoul/_booths/booth-a.json"));
  auto r = test::run_pledgebooth({"--config", dir / "tally.toml", "tally"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("skipped campaign/heforshe-seoul/_booths/broken.json") !=
        std::string::npos);
  CHECK(r.output.find("skipped campaign/heforshe-seoul/_booths/liar.json") != std::string::npos);
  CHECK(r.output.find("23 pledges in 2 events") != std::string::npos);
}

TEST_CASE("tally over three booths on moto S3 equals the sum of their ledgers",
          "[upload][tally][campaign][s3]") {
  test::MotoServer moto;
  test::TempDir dir;
  const std::string target =
      "[[upload.targets]]\nname = \"shared\"\nkind = \"s3\"\nprefix = \"campaign\"\nendpoint = \"" +
      moto.endpoint() +
      "\"\nbucket = \"pledges\"\naccess_key_env = \"PB_T_KEY\"\nsecret_key_env = \"PB_T_SECRET\"\n";
  std::vector<std::vector<store::Pledge>> booths;
  check_campaign(dir, target, {{"PB_T_KEY", moto.key_id()}, {"PB_T_SECRET", moto.secret()}},
                 booths);
  REQUIRE(moto.aws({"s3", "cp", "--recursive", "--quiet", "s3://pledges", dir / "bucket"})
              .exit_code == 0);
  check_nothing_personal(dir / "bucket", booths);
}

TEST_CASE("tally over three booths on rclone webdav equals the sum of their ledgers",
          "[upload][tally][campaign][webdav]") {
  test::TempDir dir;
  fs::create_directories(dir / "served/pledgebooth");
  test::RcloneWebdav dav(dir / "served", "tally-dav-pass");
  const std::string target = "[[upload.targets]]\nname = \"shared\"\nkind = \"webdav\"\n"
                             "prefix = \"campaign\"\nurl = \"" +
                             dav.url() +
                             "/pledgebooth\"\nusername = \"booth\"\npassword_env = \"PB_T_DAV\"\n";
  std::vector<std::vector<store::Pledge>> booths;
  check_campaign(dir, target, {{"PB_T_DAV", "tally-dav-pass"}}, booths);
  check_nothing_personal(dir / "served", booths);
  for (const auto& f : test::files_under(dir / "served"))
    CHECK(f.find(".part-") == std::string::npos);  // every temp name was moved into place
}

TEST_CASE("S3 and WebDAV listings are read with a real XML parser and bounded",
          "[upload][tally]") {
  auto s3 = upload::parse_s3_listing(
      "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<IsTruncated>true</IsTruncated><NextContinuationToken>t/1=</NextContinuationToken>"
      "<Contents><Key>c/e/_booths/b1.json</Key></Contents>"
      "<Contents><Key>c/e/_booths/../x</Key></Contents>"
      "<CommonPrefixes><Prefix>c/e/_booths/sub/</Prefix></CommonPrefixes>"
      "</ListBucketResult>",
      "c/e/_booths");
  REQUIRE(s3.ok);
  CHECK(s3.next_token == "t/1=");
  REQUIRE(s3.entries.size() == 2);  // "../x" has a '/' : not a name
  CHECK(s3.entries[0].name == "b1.json");
  CHECK(s3.entries[1].folder);
  auto dav = upload::parse_propfind(
      "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/dav/c/</d:href><d:propstat><d:prop>"
      "<d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response>"
      "<d:response><d:href>http://h/dav/c/heforshe%2Dseoul/</d:href><d:propstat><d:prop>"
      "<d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response>"
      "<d:response><d:href>/dav/c/x.json</d:href></d:response></d:multistatus>",
      "/dav/c/");
  REQUIRE(dav.ok);
  REQUIRE(dav.entries.size() == 2);
  CHECK(dav.entries[0].name == "heforshe-seoul");
  CHECK(dav.entries[0].folder);
  CHECK_FALSE(dav.entries[1].folder);
  // An entity bomb, garbage, the wrong document, a truncated page without token.
  CHECK_FALSE(upload::parse_propfind("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>", "/").ok);
  CHECK_FALSE(upload::parse_s3_listing("not xml", "").ok);
  CHECK_FALSE(upload::parse_s3_listing("<Error><Code>x</Code></Error>", "").ok);
  CHECK_FALSE(upload::parse_s3_listing(
                  "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", "")
                  .ok);
  CHECK_FALSE(upload::parse_s3_listing(std::string(upload::kMaxListingBody + 1, ' '), "").ok);
}
