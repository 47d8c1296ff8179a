// SPDX-License-Identifier: Apache-2.0
// The campaign readers against what one broken or malicious booth can write to a shared
// target (issue 22): counts past any booth's reach are named and skipped, sums saturate,
// nothing on the target blocks a read, a `_booths` symlink leads nowhere, names cannot forge
// lines of output, keys reach S3 as keys, and WebDAV hrefs name members of the collection.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "listing.h"
#include "pb/tally.h"
#include "targets.h"
#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;
using namespace std::chrono_literals;

namespace {

// A tally document as a booth writes it, with the counts given.
std::string document(const std::string& event, const std::string& booth, std::int64_t pledges,
                     const std::string& answer_key = "daughter") {
  nlohmann::json j = {
      {"schema", 1},
      {"kind", "pledgebooth-tally"},
      {"booth", booth},
      {"event", event},
      {"newest_pledge_ms", 1764028800000LL},
      {"newest_pledge_utc", "2025-11-25T00:00:00.000Z"},
      {"pledges", pledges},
      {"with_photo", 0},
      {"shared", 0},
      {"answers", {{answer_key, pledges}}},
      {"locales", {{"en", pledges}}},
      {"days", {{"2025-11-25", {{"pledges", pledges}, {"with_photo", 0}, {"shared", 0}}}}}};
  return j.dump();
}

struct Campaign {
  test::TempDir dir;
  std::string stick = dir / "stick";
  Campaign() {
    test::write_file(dir / "tally.toml",
                     "[storage]\ndata_dir = \"" + (dir / "data") +
                         "\"\n[[upload.targets]]\nname = \"shared\"\nkind = \"file\"\n"
                         "prefix = \"campaign\"\npath = \"" +
                         stick + "\"\n");
  }
  // Writes a document file under campaign/<event>/_booths/<file>.
  void put(const std::string& event, const std::string& file, const std::string& text) {
    const std::string folder = stick + "/campaign/" + event + "/_booths";
    fs::create_directories(folder);
    test::write_file(folder + "/" + file, text);
  }
  test::RunResult tally(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--config", dir / "tally.toml", "tally"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_pledgebooth(args);
  }
};

}  // namespace

TEST_CASE("counts past a booth's reach are named and skipped, and sums never wrap",
          "[upload][tally]") {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  CHECK(upload::saturating_add(kMax, 1) == kMax);
  CHECK(upload::saturating_add(kMax - 5, 10) == kMax);
  CHECK(upload::saturating_add(std::numeric_limits<std::int64_t>::min(), -1) ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(upload::saturating_add(3, 4) == 7);

  Campaign c;
  c.put("fair", "liar-1.json", document("fair", "liar-1", kMax));
  c.put("fair", "liar-2.json", document("fair", "liar-2", kMax));
  c.put("fair", "big-day.json", [] {
    auto j = nlohmann::json::parse(document("fair", "big-day", 5));
    j["days"]["2025-11-25"]["pledges"] = store::kMaxBoothPledges + 1;
    return j.dump();
  }());
  c.put("fair", "big-answer.json", [&] {
    auto j = nlohmann::json::parse(document("fair", "big-answer", 5));
    j["answers"]["daughter"] = kMax;
    return j.dump();
  }());
  c.put("fair", "honest.json", document("fair", "honest", 12));
  c.put("fair", "busy.json", document("fair", "busy", store::kMaxBoothPledges));
  auto r = c.tally({"--json"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const char* name : {"liar-1", "liar-2", "big-day", "big-answer"})
    CHECK(r.output.find(std::string("skipped campaign/fair/_booths/") + name + ".json") !=
          std::string::npos);
  CHECK(r.output.find("is over 10000000") != std::string::npos);
  auto j = nlohmann::json::parse(r.output.substr(r.output.find("{\"target\"")));
  CHECK(j["total"]["pledges"] == store::kMaxBoothPledges + 12);
  CHECK(j["skipped"].size() == 4);
  CHECK(j["events"][0]["answers"]["daughter"] == store::kMaxBoothPledges + 12);

  // The sums themselves saturate, whatever reaches them.
  std::vector<store::TallyCounts> docs(3);
  for (auto& d : docs) {
    d.event = "fair";
    d.pledges = kMax / 2;
    d.days["2025-11-25"].pledges = kMax / 2;
    d.answers["daughter"] = kMax / 2;
  }
  const auto events = upload::tally_by_event(docs);
  CHECK(events.at("fair").sum.pledges == kMax);
  CHECK(events.at("fair").sum.days.at("2025-11-25").pledges == kMax);
  CHECK(events.at("fair").sum.answers.at("daughter") == kMax);
  CHECK(upload::tally_total(events).pledges == kMax);
}

TEST_CASE("a document swapped for a FIFO after the listing does not block the reader",
          "[upload][tally]") {
  test::TempDir dir;
  const std::string folder = dir / "stick/campaign/fair/_booths";
  fs::create_directories(folder);
  REQUIRE(::mkfifo((folder + "/b1.json").c_str(), 0644) == 0);
  auto target = upload::make_target(test::folder_target(dir / "stick"));
  auto read = std::async(std::launch::async, [&] {
    std::string body;
    return target->read_local("campaign/fair/_booths/b1.json", upload::kMaxTallyDocument, body);
  });
  const bool returned = read.wait_for(test::scaled(5s)) == std::future_status::ready;
  if (!returned) {
    // Unblock the reader stuck in open(2), so the test can end and report.
    const int fd = ::open((folder + "/b1.json").c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  REQUIRE(returned);
  const Status s = read.get();
  CHECK_FALSE(s);
  CHECK(s.message().find("not a regular file") != std::string::npos);

  // A device in its place is refused the same way, and a FIFO never lists as a document.
  fs::remove(folder + "/b1.json");
  fs::create_symlink("/dev/zero", folder + "/b2.json");
  std::string body;
  CHECK_FALSE(target->read_local("campaign/fair/_booths/b2.json", upload::kMaxTallyDocument, body));
  REQUIRE(::mkfifo((folder + "/b3.json").c_str(), 0644) == 0);
  const auto page = target->list_local("campaign/fair/_booths");
  REQUIRE(page.ok);
  CHECK(page.entries.empty());
}

TEST_CASE("a _booths folder that is a symlink does not lead the reader outside the target",
          "[upload][tally]") {
  Campaign c;
  c.put("fair", "honest.json", document("fair", "honest", 12));
  // Elsewhere on the machine, a document the target's writer points _booths at.
  fs::create_directories(c.dir / "outside");
  test::write_file(c.dir / "outside/planted.json", document("fools", "planted", 999));
  fs::create_directories(c.stick + "/campaign/fools");
  fs::create_directory_symlink(c.dir / "outside", c.stick + "/campaign/fools/_booths");
  // And an event folder and a document that are links.
  fs::create_directory_symlink(c.dir / "outside", c.stick + "/campaign/linked-event");
  fs::create_symlink(c.dir / "outside/planted.json",
                     c.stick + "/campaign/fair/_booths/planted.json");
  auto r = c.tally({"--json"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.output.substr(r.output.find("{\"target\"")));
  CHECK(j["total"]["pledges"] == 12);
  CHECK(r.output.find("planted\"") == std::string::npos);
  CHECK(r.output.find("skipped campaign/fools/_booths") != std::string::npos);
}

TEST_CASE("names with newlines or escape codes cannot forge lines of tally's output",
          "[upload][tally]") {
  Campaign c;
  c.put("fair", "honest.json", document("fair", "honest", 12));
  const std::string forged = "evil\ncampaign (shared): 1,000,000 pledges";
  c.put("fair", forged + ".json", document("fair", forged, 1));
  c.put("fair", "esc.json", document("fair", "esc", 1, "\x1b[2Jdaughter"));
  c.put("fair", "=HYPERLINK(1).json", document("fair", "=HYPERLINK(1)", 3));
  auto r = c.tally();
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    CHECK(line.rfind("campaign (shared): 1,000,000", 0) == std::string::npos);
    CHECK(line.find('\x1b') == std::string::npos);
  }
  CHECK(r.output.find("campaign (shared): 15 pledges") != std::string::npos);
  CHECK(r.output.find("control characters") != std::string::npos);

  auto csv = c.tally({"--csv"});
  INFO(csv.output);
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.output.find("fair,'=HYPERLINK(1),2025-11-25,3,0,0") != std::string::npos);
  CHECK(csv.output.find("\nfair,=HYPERLINK") == std::string::npos);
}

TEST_CASE("WebDAV hrefs are reduced after decoding and keys are encoded in request URLs",
          "[upload][tally]") {
  const auto dav = upload::parse_propfind(
      "<d:multistatus xmlns:d=\"DAV:\">"
      "<d:response><d:href>/dav/c/</d:href></d:response>"
      "<d:response><d:href>/dav/c/%252e%252e/</d:href><d:propstat><d:prop><d:resourcetype>"
      "<d:collection/></d:resourcetype></d:prop></d:propstat></d:response>"
      "<d:response><d:href>/dav/c/%2e%2e/</d:href></d:response>"
      "<d:response><d:href>/dav/c/sub/%2E%2E/%2e%2e/other/x.json</d:href></d:response>"
      "<d:response><d:href>/dav/elsewhere/y.json</d:href></d:response>"
      "<d:response><d:href>/dav/c/a%2Fb.json</d:href></d:response>"
      "<d:response><d:href>/dav/c/./ok.json</d:href></d:response>"
      "</d:multistatus>",
      "/dav/c/");
  REQUIRE(dav.ok);
  std::vector<std::string> names;
  for (const auto& e : dav.entries) names.push_back(e.name);
  // "%2e%2e" is a name inside c (requested as such, below); ".." and members of other
  // collections are not names in c at all.
  CHECK(names == std::vector<std::string>{"%2e%2e", "ok.json"});
  CHECK(upload::reduced_path("/a/./b/../c/") == "/a/c");
  CHECK(upload::reduced_path("/../..") == "");

  // The GET of a listed name carries it encoded, so "%2e%2e" never reaches the server as
  // "..", nor "?" as a query.
  config::UploadTarget t;
  t.name = "dav";
  t.kind = "webdav";
  t.settings["url"] = "https://dav.example/dav";
  t.prefix = "c";
  auto webdav = upload::make_target(t);
  CHECK(webdav->get_step("c/%2e%2e/_booths/b?1#x.json").request.url ==
        "https://dav.example/dav/c/%252e%252e/_booths/b%3F1%23x.json");
  CHECK(upload::escape_key("campaign/heforshe-seoul/_booths/booth-7.json") ==
        "campaign/heforshe-seoul/_booths/booth-7.json");
}

TEST_CASE("a booth document whose key needs encoding is read back from S3", "[upload][tally][s3]") {
  test::MotoServer moto;
  test::TempDir dir;
  test::write_file(dir / "odd.json", document("fair", "b?1 x", 7));
  test::write_file(dir / "plain.json", document("fair", "plain", 5));
  REQUIRE(moto.aws({"s3", "cp", dir / "odd.json", "s3://pledges/campaign/fair/_booths/b?1 x.json"})
              .exit_code == 0);
  REQUIRE(
      moto.aws({"s3", "cp", dir / "plain.json", "s3://pledges/campaign/fair/_booths/plain.json"})
          .exit_code == 0);
  test::write_file(dir / "tally.toml",
                   "[storage]\ndata_dir = \"" + (dir / "data") +
                       "\"\n[[upload.targets]]\nname = \"shared\"\nkind = \"s3\"\n"
                       "prefix = \"campaign\"\nendpoint = \"" +
                       moto.endpoint() +
                       "\"\nbucket = \"pledges\"\naccess_key_env = \"PB_T_KEY\"\n"
                       "secret_key_env = \"PB_T_SECRET\"\n");
  auto r = test::run_pledgebooth({"--config", dir / "tally.toml", "tally", "--json"},
                                 {{"PB_T_KEY", moto.key_id()}, {"PB_T_SECRET", moto.secret()}});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.output.substr(r.output.find("{\"target\"")));
  CHECK(j["skipped"].empty());
  CHECK(j["total"]["pledges"] == 12);
}
