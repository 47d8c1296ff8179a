// SPDX-License-Identifier: Apache-2.0
// The wall in a hostile room (issue 22): a hidden list it cannot read hides everything it
// cannot vouch for; requests are bounded (one range or none, a head of at most 16 KB, no
// body); slow, idle and greedy clients are closed or refused and said so in the log, while
// the projector's page keeps answering. Clients other than the projector connect from other
// loopback addresses (127.0.0.2 ...), so no root is needed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "campaign_fixture.h"
#include "hidden_watch.h"
#include "pb/config.h"
#include "pb/log.h"
#include "pb/wall.h"
#include "test_support.h"

using namespace pb;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<campaign::WallServer> start_wall(const campaign::WallOptions& o) {
  auto w = campaign::WallServer::start(o);
  INFO(w.status().message());
  REQUIRE(w);
  return std::move(*w);
}

store::Pledge pledge(store::Ledger& l, const std::string& name, const std::string& answer) {
  test::TestPledge p;
  p.name = name;
  p.answer = answer;
  return test::save_test_pledge(l, p);
}

nlohmann::json get_wall(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(5, 0);
  auto r = c.Get("/api/wall");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return nlohmann::json::parse(r->body);
}

std::vector<std::string> photo_ids(const nlohmann::json& wall) {
  std::vector<std::string> ids;
  for (const auto& p : wall["photos"]) ids.push_back(p["id"]);
  return ids;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("hidden list lines are read leniently: spaces, tabs, CRLF, any case, a BOM",
          "[wall][hidden]") {
  const std::string a = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  const std::string b = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c";
  const std::string c = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d";
  const std::string d = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5e";
  const auto ids = campaign::parse_hidden("\xEF\xBB\xBF" + a +
                                          "\r\n  0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C  \r\n\t" + c +
                                          "\t\n# a note\nnot an id\n\n" + d);
  CHECK(ids == std::set<std::string>{a, b, c, d});
  CHECK(campaign::parse_hidden("").empty());
  CHECK(campaign::parse_hidden(a + "x\n" + a.substr(1)).empty());

  // The volunteer's command takes the id as pasted, and writes it as the wall reads it.
  test::TempDir dir;
  REQUIRE(campaign::set_hidden(dir.path(), "  0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B\r", true));
  CHECK(test::read_file(campaign::hidden_file(dir.path())) == a + "\n");
}

TEST_CASE("a hidden list the wall cannot read takes every photo, name and answer off it",
          "[wall][hidden]") {
  const std::string kind = GENERATE("fifo", "folder", "symlink", "too large");
  INFO(kind);
  test::TempDir dir;
  auto ledger = std::move(*store::Ledger::open(dir.path()));
  auto gone = pledge(*ledger, "Hugo", "take me off");
  auto kept = pledge(*ledger, "Minjun", "for my daughter");
  auto wall = start_wall(test::wall_options(dir.path()));
  REQUIRE(test::eventually([&] { return photo_ids(get_wall(wall->port())).size() == 2; },
                           test::scaled(5s)));
  pb::log::Capture log;
  const std::string list = campaign::hidden_file(dir.path());
  REQUIRE(campaign::set_hidden(dir.path(), gone.id, true));
  REQUIRE(test::eventually([&] { return !has(photo_ids(get_wall(wall->port())), gone.id); },
                           test::scaled(5s)));

  // The list is replaced by something the wall cannot read (it may hold more ids now).
  fs::remove(list);
  if (kind == "fifo") {
    REQUIRE(::mkfifo(list.c_str(), 0600) == 0);
  } else if (kind == "folder") {
    fs::create_directory(list);
  } else if (kind == "symlink") {
    test::write_file(dir / "elsewhere.txt", gone.id + "\n");
    fs::create_symlink(dir / "elsewhere.txt", list);
  } else {
    std::string big;
    while (big.size() <= (1u << 20)) big += gone.id + "\n";
    test::write_file(list, big);
  }
  const auto withheld = [&] {
    const auto w = get_wall(wall->port());
    return w["withheld"] == true && w["photos"].empty() && w["answers"].empty() && w["count"] == 2;
  };
  CHECK(test::eventually(withheld, test::scaled(5s)));
  const std::string shown = get_wall(wall->port()).dump();
  CHECK(shown.find("Minjun") == std::string::npos);
  CHECK(shown.find("for my daughter") == std::string::npos);
  httplib::Client c("127.0.0.1", wall->port());
  c.set_read_timeout(5, 0);
  for (const auto& id : {kept.id, gone.id}) {
    auto photo = c.Get(("/photo/" + id + ".jpg").c_str());
    REQUIRE(photo);  // answered: a FIFO does not hang a photo request
    CHECK(photo->status == 404);
  }
  CHECK(log.contains("hidden list cannot be read"));

  // A list that reads again: everything not on it comes back.
  fs::remove_all(list);
  test::write_file(list, gone.id + "\r\n");
  CHECK(test::eventually(
      [&] {
        const auto w = get_wall(wall->port());
        return w["withheld"] == false && has(photo_ids(w), kept.id) && !has(photo_ids(w), gone.id);
      },
      test::scaled(5s)));
  CHECK(log.contains("can be read again"));
  if (kind == "fifo") {
    // And the wall stops with a FIFO there.
    fs::remove(list);
    REQUIRE(::mkfifo(list.c_str(), 0600) == 0);
    REQUIRE(test::eventually([&] { return get_wall(wall->port())["withheld"] == true; },
                             test::scaled(5s)));
  }
  const auto t0 = std::chrono::steady_clock::now();
  wall.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < test::scaled(3s));
}

TEST_CASE("a list that cannot be opened for a moment still vouches for what it held",
          "[wall][hidden]") {
  test::TempDir dir;
  const std::string a = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  const std::string b = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c";
  test::write_file(campaign::hidden_file(dir.path()), a + "\n");
  campaign::HiddenWatch watch(dir.path());
  auto first = watch.current();
  REQUIRE(first.vouched);
  REQUIRE(first.ids == std::set<std::string>{a});

  // No descriptor left in the process (the wall under a flood of connections).
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  int highest = 0;
  for (const auto& e : fs::directory_iterator("/proc/self/fd"))
    highest = std::max(highest, std::stoi(e.path().filename().string()));
  std::vector<int> held;
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(highest + 8);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) held.push_back(fd);
  const int open_errno = errno;
  // The very file the ids were read from: they still hold (it is not opened again).
  const auto same = watch.current();
  // Another list now (a volunteer hid one more photo): it cannot be read, so nothing can
  // be vouched for.
  const std::string tmp = campaign::hidden_file(dir.path()) + ".new";
  std::FILE* f = nullptr;
  if (!held.empty()) {
    ::close(held.back());  // one descriptor to write the new list with
    held.pop_back();
  }
  f = std::fopen(tmp.c_str(), "w");
  if (f) {
    std::fputs((a + "\n" + b + "\n").c_str(), f);
    std::fclose(f);
  }
  ::rename(tmp.c_str(), campaign::hidden_file(dir.path()).c_str());
  held.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const auto changed = watch.current();
  for (int fd : held)
    if (fd >= 0) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &old);
  REQUIRE(open_errno == EMFILE);
  REQUIRE(f != nullptr);
  CHECK(same.vouched);
  CHECK(same.ids == std::set<std::string>{a});
  CHECK_FALSE(changed.vouched);
  CHECK(changed.error.find("open") != std::string::npos);

  const auto later = watch.current();
  CHECK(later.vouched);
  CHECK(later.ids == std::set<std::string>{a, b});
}

TEST_CASE("hide refuses to rewrite a hidden list it cannot read, and doctor names it",
          "[wall][hidden]") {
  test::TempDir dir;
  const std::string list = campaign::hidden_file(dir.path());
  std::string big;
  for (int i = 0; big.size() <= (1u << 20); ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "0193a1b2-c3d4-7e5f-8a9b-%012x\n", i);
    big += id;
  }
  test::write_file(list, big);
  auto r = test::run_pledgebooth(
      {"wall", "--data-dir", dir.path(), "hide", "0193a1b2-c3d4-7e5f-8a9b-ffffffffffff"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("cannot be read") != std::string::npos);
  CHECK(test::read_file(list) == big);  // every id still there

  test::write_file(dir / "booth.toml", test::wall_config(dir.path()));
  auto doctor = test::run_pledgebooth({"--config", dir / "booth.toml", "doctor"});
  INFO(doctor.output);
  CHECK(doctor.output.find("wall hidden list") != std::string::npos);
  CHECK(doctor.output.find("larger than") != std::string::npos);
  CHECK(doctor.exit_code == 1);
}

TEST_CASE("a photo reply is never larger than the photo, whatever the Range header asks",
          "[wall][bounds]") {
  test::TempDir dir;
  auto ledger = std::move(*store::Ledger::open(dir.path()));
  auto p = pledge(*ledger, "Alex", "for my sister");
  const std::string file = test::read_file(ledger->photo_file(p));
  auto wall = start_wall(test::wall_options(dir.path()));
  httplib::Client c("127.0.0.1", wall->port());
  c.set_read_timeout(10, 0);
  std::string ranges = "bytes=0-";  // the whole photo, 2000 times (6 KB of header)
  for (int i = 0; i < 2000; ++i) ranges += ",0-";
  for (const std::string& range :
       {ranges, std::string("bytes=0-9,0-9"), std::string("bytes=0-9"), std::string("bytes=-5")}) {
    INFO(range.substr(0, 40));
    auto r = c.Get(("/photo/" + p.id + ".jpg").c_str(), {{"Range", range}});
    REQUIRE(r);
    CHECK((r->status == 200 || r->status == 206 || r->status == 416));
    CHECK(r->body.size() <= file.size());
    if (r->status == 200) CHECK(r->body == file);
  }
}

TEST_CASE("a request head over 16 KB is refused and so is any body, before it is read",
          "[wall][bounds]") {
  test::TempDir dir;
  auto wall = start_wall(test::wall_options(dir.path()));
  httplib::Client c("127.0.0.1", wall->port());
  c.set_read_timeout(5, 0);
  httplib::Headers many;
  for (int i = 0; i < 6; ++i) many.emplace("X-Pad-" + std::to_string(i), std::string(4000, 'a'));
  auto big = c.Get("/api/wall", many);
  CHECK((!big || big->status == 431));
  // A megabyte of header lines: refused long before its end, the wall unharmed.
  {
    test::RawClient raw("127.0.0.2", wall->port());
    REQUIRE(raw.connected());
    std::string head = "GET /api/wall HTTP/1.1\r\nHost: wall\r\n";
    raw.send(head);
    for (int i = 0; i < 1024 && raw.send("X-Pad: " + std::string(1000, 'b') + "\r\n"); ++i) {
    }
    std::string got;
    CHECK(raw.ended_within(test::scaled(5s), &got));
    CHECK(got.find(" 200 ") == std::string::npos);
  }
  // A chunked body that never ends, and a Content-Length never sent: answered at once.
  for (const std::string& request :
       {std::string("POST /api/wall HTTP/1.1\r\nHost: wall\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "400\r\n") +
            std::string(1024, 'x') + "\r\n",
        std::string("GET /api/wall HTTP/1.1\r\nHost: wall\r\nContent-Length: 100000000\r\n\r\n") +
            std::string(1024, 'x')}) {
    test::RawClient raw("127.0.0.2", wall->port());
    REQUIRE(raw.connected());
    REQUIRE(raw.send(request));
    const std::string reply = raw.reply(test::scaled(3s));
    INFO(reply);
    CHECK((test::status_of(reply) == 405 || test::status_of(reply) == 413));
  }
  CHECK(get_wall(wall->port())["count"] == 0);  // still serving
}

TEST_CASE("a connection that sends its request a byte at a time is closed at 5 s", "[wall][slow]") {
  test::TempDir dir;
  pb::log::Capture log;
  auto wall = start_wall(test::wall_options(dir.path()));
  test::RawClient slow("127.0.0.3", wall->port());
  REQUIRE(slow.connected());
  const auto t0 = std::chrono::steady_clock::now();
  const std::string head = "GET /api/wall HTTP/1.1\r\nHost: wall\r\nX-Slow: ";
  bool closed = false;
  for (std::size_t i = 0; !closed && std::chrono::steady_clock::now() - t0 < test::scaled(10s);
       ++i) {
    if (!slow.send(std::string(1, i < head.size() ? head[i] : 'a'))) break;
    closed = slow.ended_within(200ms);
  }
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(closed);
  CHECK(took >= 4s);
  CHECK(took < test::scaled(8s));
  CHECK(test::eventually(
      [&] { return log.contains("sent no whole request in 5 s from 127.0.0.3"); }, 2s));
}

TEST_CASE("one address holds 12 connections and 2 streams, the projector keeps its own",
          "[wall][slow]") {
  test::TempDir dir;
  pb::log::Capture log;
  auto o = test::wall_options(dir.path());
  o.max_stream_clients = 2;
  o.projectors = {"127.0.0.9"};
  auto wall = start_wall(o);
  std::vector<std::unique_ptr<test::RawClient>> greedy;
  for (int i = 0; i < 40; ++i)
    greedy.push_back(std::make_unique<test::RawClient>("127.0.0.4", wall->port()));
  int refused = 0;
  for (auto& g : greedy) refused += g->ended_within(100ms) ? 1 : 0;
  CHECK(refused >= 28);
  CHECK(test::eventually([&] { return log.contains("refused a connection"); }, 2s));
  CHECK(log.contains("from 127.0.0.4"));
  CHECK(get_wall(wall->port())["count"] == 0);  // the booth's own browser (loopback) answers

  const auto stream_from = [&](const std::string& from) {
    auto s = std::make_unique<test::RawClient>(from, wall->port());
    s->send("GET /events HTTP/1.1\r\nHost: wall\r\n\r\n");
    return s;
  };
  auto s1 = stream_from("127.0.0.5");
  auto s2 = stream_from("127.0.0.5");
  CHECK(test::status_of(s1->reply(test::scaled(3s))) == 200);
  CHECK(test::status_of(s2->reply(test::scaled(3s))) == 200);
  auto third = stream_from("127.0.0.5");  // a third from one address
  CHECK(test::status_of(third->reply(test::scaled(3s))) == 503);
  auto other = stream_from("127.0.0.6");  // the wall's 2 streams are taken
  CHECK(test::status_of(other->reply(test::scaled(3s))) == 503);
  auto projector = stream_from("127.0.0.9");  // its own slot
  const std::string got = projector->reply(test::scaled(3s));
  CHECK(test::status_of(got) == 200);
  CHECK(test::eventually([&] { return log.contains("refused an /events stream"); }, 2s));
}

TEST_CASE("a stream its client closed frees its slot within a poll, not at the next keep-alive",
          "[wall][slow]") {
  test::TempDir dir;
  auto wall = start_wall(test::wall_options(dir.path()));
  const auto stream_from = [&](const std::string& from) {
    auto s = std::make_unique<test::RawClient>(from, wall->port());
    s->send("GET /events HTTP/1.1\r\nHost: wall\r\n\r\n");
    return s;
  };
  {
    auto a = stream_from("127.0.0.5");
    auto b = stream_from("127.0.0.5");
    REQUIRE(test::status_of(a->reply(test::scaled(3s))) == 200);
    REQUIRE(test::status_of(b->reply(test::scaled(3s))) == 200);
    REQUIRE(test::status_of(stream_from("127.0.0.5")->reply(test::scaled(3s))) == 503);
  }  // a page reloaded: both closed by the browser
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(test::eventually(
      [&] { return test::status_of(stream_from("127.0.0.5")->reply(test::scaled(3s))) == 200; },
      test::scaled(3s)));
  CHECK(std::chrono::steady_clock::now() - t0 < test::scaled(3s));
}
