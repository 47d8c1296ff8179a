// SPDX-License-Identifier: Apache-2.0
// The wall's server: only shared, visible photos of the event reach it; a new pledge reaches an
// open /events stream within a second; hidden stays hidden across restarts; small requests only.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "campaign_fixture.h"
#include "pb/config.h"
#include "pb/wall.h"
#include "test_support.h"
#include "wall_feed.h"

using namespace pb;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<store::Ledger> open_ledger(const std::string& dir) {
  auto l = store::Ledger::open(dir);
  REQUIRE(l);
  return std::move(*l);
}

std::unique_ptr<campaign::WallServer> start_wall(const campaign::WallOptions& o) {
  auto w = campaign::WallServer::start(o);
  INFO(w.status().message());
  REQUIRE(w);
  return std::move(*w);
}

nlohmann::json get_wall(int port) {
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get("/api/wall");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return nlohmann::json::parse(r->body);
}

bool wall_has_photo(int port, const std::string& id) {
  const nlohmann::json wall = get_wall(port);  // kept: the loop reads inside it
  for (const auto& p : wall["photos"])
    if (p["id"] == id) return true;
  return false;
}

store::Pledge pledge(store::Ledger& l, const std::string& name, bool consent,
                     const std::string& answer = "for my daughter", bool photo = true,
                     const std::string& event = "wall-test") {
  test::TestPledge p;
  p.name = name;
  p.answer = answer;
  p.consent = consent;
  p.photo = photo;
  p.event = event;
  return test::save_test_pledge(l, p);
}

}  // namespace

TEST_CASE("the wall feed holds only shared photos of this event that are not hidden", "[wall]") {
  test::TempDir dir;
  auto l = open_ledger(dir.path());
  auto shared = pledge(*l, "Alex", true);
  auto privat = pledge(*l, "Pat", false, "my own words");
  auto other = pledge(*l, "Sam", true, "for my sister", true, "other-event");
  auto no_photo = pledge(*l, "Noah", true, "for my mother", false);
  auto hidden = pledge(*l, "Hugo", true, "for equality");
  auto newest = pledge(*l, "Minjun", true, "");
  auto all = l->list_pledges();
  REQUIRE(all);
  campaign::HiddenPhotos hidden_ids;
  hidden_ids.ids = {hidden.id};
  auto feed = campaign::build_feed(*all, "wall-test", hidden_ids, 25, 8);
  CHECK(feed.count == 5);  // every pledge at the event is counted, names of none
  REQUIRE(feed.photos.size() == 2);
  CHECK(feed.photos[0].id == newest.id);  // newest first: shown large
  CHECK(feed.photos[1].id == shared.id);
  REQUIRE(feed.answers.size() == 2);  // words of shared pledges only; empty answers left out
  CHECK(feed.answers[0].id == no_photo.id);
  CHECK(feed.answers[1].id == shared.id);
  const std::string json = campaign::feed_json(feed, 1, "wall-test", "Launch \"Day\"", "https://x");
  for (const auto& p : {privat, other, hidden}) {
    CHECK(json.find(p.id) == std::string::npos);
    CHECK(json.find(p.first_name) == std::string::npos);
  }
  CHECK(nlohmann::json::parse(json)["event"]["name"] == "Launch \"Day\"");
}

TEST_CASE("listen addresses are parsed and bad ones named", "[wall]") {
  std::string host;
  int port = 0;
  CHECK(campaign::parse_listen("127.0.0.1:8080", host, port));
  CHECK((host == "127.0.0.1" && port == 8080));
  CHECK(campaign::parse_listen("[::1]:9000", host, port));
  CHECK((host == "::1" && port == 9000));
  CHECK(campaign::parse_listen("0.0.0.0:80", host, port));
  for (const char* bad : {"8080", ":8080", "127.0.0.1:", "127.0.0.1:99999", "::1:80",
                          "127.0.0.1:80x", "a b:80", "[::1:80"}) {
    INFO(bad);
    CHECK_FALSE(campaign::parse_listen(bad, host, port));
  }
}

TEST_CASE("the wall serves no id, name, answer or photo of a pledge without wall consent",
          "[wall]") {
  test::TempDir dir;
  auto l = open_ledger(dir.path());
  auto shared = pledge(*l, "Alex", true, "for my daughter");
  auto privat = pledge(*l, "Secretname", false, "secret words");
  // Campaign use (a) ticked, the wall (b) not: sent to the organiser, never projected.
  test::TestPledge campaign_only;
  campaign_only.name = "Archivename";
  campaign_only.answer = "archive words";
  campaign_only.event = "wall-test";
  campaign_only.wall = false;
  auto archived = test::save_test_pledge(*l, campaign_only);
  auto wall = start_wall(test::wall_options(dir.path()));
  httplib::Client c("127.0.0.1", wall->port());
  REQUIRE(test::eventually([&] { return get_wall(wall->port())["count"] == 3; }, test::scaled(5s)));
  auto check_clean = [&](const std::string& body) {
    CHECK(body.find(privat.id) == std::string::npos);
    CHECK(body.find("Secretname") == std::string::npos);
    CHECK(body.find("secret words") == std::string::npos);
    CHECK(body.find(archived.id) == std::string::npos);
    CHECK(body.find("Archivename") == std::string::npos);
    CHECK(body.find("archive words") == std::string::npos);
  };
  auto api = c.Get("/api/wall");
  REQUIRE(api);
  check_clean(api->body);
  CHECK(api->body.find(shared.id) != std::string::npos);

  // The stream's first message is the same state.
  std::string stream;
  c.set_read_timeout(5, 0);
  c.Get("/events", [&](const char* data, std::size_t n) {
    stream.append(data, n);
    return stream.find("\n\n") == std::string::npos;  // one message, then hang up
  });
  CHECK(stream.find("event: wall") != std::string::npos);
  CHECK(stream.find(shared.id) != std::string::npos);
  check_clean(stream);

  auto photo = c.Get(("/photo/" + shared.id + ".jpg").c_str());
  REQUIRE(photo);
  CHECK(photo->status == 200);
  CHECK(photo->get_header_value("Content-Type") == "image/jpeg");
  CHECK(photo->body == test::read_file(l->photo_file(shared)));
  for (const auto* kept : {&privat, &archived}) {
    auto denied = c.Get(("/photo/" + kept->id + ".jpg").c_str());
    REQUIRE(denied);
    CHECK(denied->status == 404);
    check_clean(denied->body);
  }
  // Photos only by id: no path reaches a file.
  for (const char* path : {"/photo/../ledger.db", "/photos/wall-test", "/../ledger.db",
                           "/photo/%2e%2e%2fledger.db", "/ledger.db", "/wall-hidden.txt"}) {
    auto r = c.Get(path);
    INFO(path);
    REQUIRE(r);
    CHECK(r->status == 404);
  }
  auto page = c.Get("/");
  REQUIRE(page);
  CHECK(page->body.find("wall.js") != std::string::npos);
  CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'none'") !=
        std::string::npos);
  auto qr = c.Get("/qr.svg");
  REQUIRE(qr);
  CHECK(qr->body.rfind("<svg", 0) == 0);
}

TEST_CASE("a new shared pledge reaches an open events stream within a second", "[wall]") {
  test::TempDir dir;
  auto l = open_ledger(dir.path());
  pledge(*l, "First", true);
  auto wall = start_wall(test::wall_options(dir.path()));
  std::mutex mu;
  std::string stream;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    httplib::Client c("127.0.0.1", wall->port());
    c.set_read_timeout(30, 0);
    c.Get("/events", [&](const char* data, std::size_t n) {
      std::lock_guard<std::mutex> lock(mu);
      stream.append(data, n);
      return !done.load();
    });
  });
  auto seen = [&](const std::string& s) {
    std::lock_guard<std::mutex> lock(mu);
    return stream.find(s) != std::string::npos;
  };
  REQUIRE(test::eventually([&] { return seen("First"); }, test::scaled(5s)));
  const auto t0 = std::chrono::steady_clock::now();
  auto fresh = pledge(*l, "Fresh", true, "because it is right");
  const bool arrived = test::eventually([&] { return seen(fresh.id); }, test::scaled(5s));
  const auto took = std::chrono::steady_clock::now() - t0;
  done = true;
  wall.reset();  // ends the stream, so the reader returns
  reader.join();
  REQUIRE(arrived);
  CHECK(took < test::scaled(1000ms));
}

TEST_CASE("a hidden photo leaves the wall and stays hidden after a restart", "[wall]") {
  test::TempDir dir;
  auto l = open_ledger(dir.path());
  auto keep = pledge(*l, "Keep", true);
  auto hide = pledge(*l, "Hide", true, "hide me");
  auto wall = start_wall(test::wall_options(dir.path()));
  REQUIRE(
      test::eventually([&] { return wall_has_photo(wall->port(), hide.id); }, test::scaled(5s)));
  // The volunteer's command, as on the booth.
  auto r = test::run_pledgebooth({"wall", "--data-dir", dir.path(), "hide", hide.id});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(test::eventually([&] { return !wall_has_photo(wall->port(), hide.id); }, test::scaled(2s)));
  httplib::Client c("127.0.0.1", wall->port());
  auto photo = c.Get(("/photo/" + hide.id + ".jpg").c_str());
  REQUIRE(photo);
  CHECK(photo->status == 404);
  CHECK(get_wall(wall->port()).dump().find("hide me") == std::string::npos);

  wall.reset();
  wall = start_wall(test::wall_options(dir.path()));
  REQUIRE(
      test::eventually([&] { return wall_has_photo(wall->port(), keep.id); }, test::scaled(5s)));
  CHECK_FALSE(wall_has_photo(wall->port(), hide.id));

  r = test::run_pledgebooth({"wall", "--data-dir", dir.path(), "unhide", hide.id});
  REQUIRE(r.exit_code == 0);
  CHECK(test::eventually([&] { return wall_has_photo(wall->port(), hide.id); }, test::scaled(2s)));
  r = test::run_pledgebooth({"wall", "--data-dir", dir.path(), "hide", "../../etc/passwd"});
  CHECK(r.exit_code == 2);
  auto left = campaign::read_hidden(dir.path());
  REQUIRE(left);
  CHECK(left->empty());
}

TEST_CASE("the wall binds only the address it is asked for and takes small requests only",
          "[wall]") {
  test::TempDir dir;
  auto wall = start_wall(test::wall_options(dir.path()));  // no ledger yet: count 0
  CHECK(get_wall(wall->port())["count"] == 0);
  httplib::Client other("127.0.0.2", wall->port());
  other.set_connection_timeout(2, 0);
  CHECK_FALSE(other.Get("/api/wall"));
  httplib::Client c("127.0.0.1", wall->port());
  auto big = c.Post("/api/wall", std::string(64 * 1024, 'x'), "text/plain");
  REQUIRE(big);
  CHECK(big->status >= 400);
  auto long_uri = c.Get(("/" + std::string(20000, 'a')).c_str());
  CHECK((!long_uri || long_uri->status >= 400));
  CHECK(get_wall(wall->port())["count"] == 0);  // still serving

  // A second wall on the same port is refused with a sentence, not a crash.
  auto o = test::wall_options(dir.path());
  o.port = wall->port();
  auto second = campaign::WallServer::start(o);
  REQUIRE_FALSE(second);
  CHECK(second.status().message().find("cannot listen") != std::string::npos);
}

TEST_CASE(
    "a pledge deleted by its reference leaves the wall at once and the count drops, "
    "an expired one stays counted without photo or words",
    "[wall][retention]") {
  test::TempDir dir;
  auto l = open_ledger(dir.path());
  auto keep = pledge(*l, "Keep", true);
  auto gone = pledge(*l, "Gone", true, "delete me");
  auto old = pledge(*l, "Old", true, "expire me");
  auto wall = start_wall(test::wall_options(dir.path()));
  REQUIRE(
      test::eventually([&] { return wall_has_photo(wall->port(), gone.id); }, test::scaled(5s)));
  CHECK(get_wall(wall->port())["count"] == 3);
  // The volunteer quotes the reference THANKS showed.
  auto r =
      test::run_pledgebooth({"delete", "--data-dir", dir.path(), store::pledge_reference(gone.id)});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(test::eventually([&] { return !wall_has_photo(wall->port(), gone.id); }, test::scaled(2s)));
  CHECK(get_wall(wall->port())["count"] == 2);
  CHECK(get_wall(wall->port()).dump().find("delete me") == std::string::npos);
  // Retention, as the booth runs it: the photo and words go, the pledge still counts.
  REQUIRE(l->expire_pledge(old.id, false, false).is_ok());
  CHECK(test::eventually([&] { return !wall_has_photo(wall->port(), old.id); }, test::scaled(2s)));
  CHECK(get_wall(wall->port())["count"] == 2);
  CHECK(get_wall(wall->port()).dump().find("expire me") == std::string::npos);
  CHECK(wall_has_photo(wall->port(), keep.id));
}
