// SPDX-License-Identifier: Apache-2.0
// Faults from a server of the tests' own: whatever goes wrong, in the end the remote holds
// exactly one photo and one JSON per consented pledge, checksums equal, and the ledger says so.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "pb/utf8.h"
#include "upload_fixture.h"

namespace fs = std::filesystem;
using namespace pb;
using pb::test::eventually;
using pb::test::files_under;

namespace {

config::UploadTarget dav(const std::string& url) {
  config::UploadTarget t;
  t.name = "dav";
  t.kind = "webdav";
  t.settings["url"] = url + "/";
  t.prefix = "booth";
  t.connect_timeout_s = 2;
  t.low_speed_timeout_s = 1;  // a stalled server is given up on after a second
  return t;
}

// Exactly the consented pledges' photo + JSON under root, byte for byte, and all rows done.
void check_remote_and_ledger(const std::string& root, store::Ledger& ledger,
                             const std::vector<store::Pledge>& pledges) {
  std::vector<std::string> expected;
  for (const auto& p : pledges) {
    if (!p.share_consent) continue;
    std::string jpg = upload::object_key("booth", p, "jpg"),
                json = upload::object_key("booth", p, "json");
    expected.push_back(jpg);
    expected.push_back(json);
    CHECK(test::sha256_of(test::read_file(root + "/" + jpg)) == p.photo_sha256);
    CHECK(test::read_file(root + "/" + json) == upload::metadata_json(p));
  }
  std::sort(expected.begin(), expected.end());
  CHECK(files_under(root) == expected);
  auto c = *ledger.queue_counts();
  CHECK(c.pending == 0);
  CHECK(c.failed == 0);
  CHECK(c.done == static_cast<std::int64_t>(expected.size() / 2));
  auto all = ledger.outbox_items();
  REQUIRE(all.is_ok());
  for (const auto& row : *all) CHECK(row.state == store::OutboxState::kDone);
}

}  // namespace

TEST_CASE(
    "resets stalls 5xx 429 error bodies lost replies and truncation still end with one copy each",
    "[upload][faults]") {
  test::TempDir dir;
  const std::string faults =
      "MKCOL * 500 1\n"
      "PUT .jpg reset 1\n"
      "PUT .jpg stall 1 4\n"
      "PUT .jpg 500 1\n"
      "PUT .jpg 429 1 1\n"
      "PUT .jpg error200 1\n"
      "PUT .jpg truncate 1\n"
      "PUT .json lost 2\n"
      "HEAD .jpg 503 1\n";
  test::FaultServer server(dir / "remote", faults);
  std::string data = dir / "data";
  auto ledger = std::move(*store::Ledger::open(data));
  auto pledges = test::save_pledges(*ledger, 8, {"dav"}, 60000, [](int i) { return i % 4 != 3; });
  config::Config c = test::base_config(data);
  c.upload.targets.push_back(dav(server.url()));

  upload::BatchOptions o;
  o.parallel = 4;
  auto r = upload::upload_batch(c, data, o);
  REQUIRE(r.is_ok());
  INFO(server.log());
  for (const char* f : {"500 MKCOL", "reset PUT", "stall PUT", "500 PUT", "429 PUT", "error200 PUT",
                        "truncate PUT", "lost PUT", "503 HEAD"})
    CHECK(server.log().find(std::string("FAULT ") + f) != std::string::npos);
  CHECK(r->queue_empty());
  check_remote_and_ledger(dir / "remote", *ledger, pledges);
}

TEST_CASE("the worker notices a refused server and drains the queue by itself when it is back",
          "[upload][faults][worker]") {
  test::TempDir dir;
  const int port = test::free_port();  // nothing listens here yet: connection refused
  std::string data = dir / "data";
  auto ledger = std::move(*store::Ledger::open(data));
  config::Config c = test::base_config(data);
  c.upload.max_backoff_s = 600;  // the probe, not the backoff, must bring the queue back
  c.upload.targets.push_back(dav("http://127.0.0.1:" + std::to_string(port)));
  upload::OutboxWorker worker(c);
  worker.start();
  auto pledges = test::save_pledges(*ledger, 4, {"dav"}, 40000, [](int i) { return i != 0; });
  worker.wake();
  REQUIRE(eventually(
      [&] {
        auto s = worker.status();
        return !s.online && s.pending == 3;
      },
      test::scaled(std::chrono::seconds(10))));
  auto st = worker.status();
  CHECK(st.failed == 0);
  CHECK(st.targets.at(0).last_error.find("network") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // down for a while
  CHECK(test::counts(*ledger).done == 0);

  test::FaultServer server(dir / "remote", "", port);  // back, on the same port; no wake()
  REQUIRE(eventually([&] { return test::counts(*ledger).done == 3; },
                     test::scaled(std::chrono::seconds(20))));
  CHECK(eventually([&] { return worker.status().online; }, test::scaled(std::chrono::seconds(5))));
  worker.stop();
  check_remote_and_ledger(dir / "remote", *ledger, pledges);
}

TEST_CASE("a stopped worker with transfers in flight leaves rows pending and loses nothing",
          "[upload][faults][worker]") {
  test::TempDir dir;
  test::FaultServer server(dir / "remote", "PUT * stall 10 30\n");
  std::string data = dir / "data";
  auto ledger = std::move(*store::Ledger::open(data));
  config::Config c = test::base_config(data);
  auto t = dav(server.url());
  t.low_speed_timeout_s = 60;
  c.upload.targets.push_back(t);
  auto pledges = test::save_pledges(*ledger, 2, {"dav"});
  {
    upload::OutboxWorker worker(c);
    worker.start();
    REQUIRE(eventually([&] { return server.log().find("FAULT stall") != std::string::npos; },
                       test::scaled(std::chrono::seconds(10))));
    auto t0 = std::chrono::steady_clock::now();
    worker.stop();  // must not wait for the stalled transfer
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  }
  auto c2 = *ledger->queue_counts();
  CHECK(c2.pending == 2);
  CHECK(c2.done == 0);
}

namespace {

// One s3 target "s3" (bucket "pledges", prefix "booth") at the fault server's url.
config::Config s3_config(const std::string& data, const std::string& url) {
  ::setenv("PB_FAULT_S3_KEY", "AKIDEXAMPLE", 1);
  ::setenv("PB_FAULT_S3_SECRET", "wJalrXUtnFEMI", 1);
  config::Config c = test::base_config(data);
  config::UploadTarget t;
  t.name = "s3";
  t.kind = "s3";
  t.settings["endpoint"] = url;
  t.settings["bucket"] = "pledges";
  t.prefix = "booth";
  t.settings["access_key_env"] = "PB_FAULT_S3_KEY";
  t.settings["secret_key_env"] = "PB_FAULT_S3_SECRET";
  c.upload.targets.push_back(t);
  return c;
}

}  // namespace

TEST_CASE("an S3 server whose ETag is not the MD5 still gets every size confirmed by HEAD",
          "[upload][faults][s3]") {
  test::TempDir dir;
  // Our server sends no ETag, like SSE-KMS buckets: the truncated photo must be noticed.
  test::FaultServer server(dir / "remote", "PUT .jpg truncate 1\nPUT .json truncate 1\n");
  std::string data = dir / "data";
  auto ledger = std::move(*store::Ledger::open(data));
  auto pledges = test::save_pledges(*ledger, 3, {"s3"});
  const config::Config c = s3_config(data, server.url());
  auto r = upload::upload_batch(c, data, {});
  REQUIRE(r.is_ok());
  CHECK(r->queue_empty());
  CHECK(server.log().find("FAULT truncate PUT") != std::string::npos);
  check_remote_and_ledger(dir / "remote/pledges", *ledger, pledges);
}

TEST_CASE("PUTs answered without an MD5 ETag are confirmed by HEAD and MD5 ETags are trusted again",
          "[upload][faults][s3]") {
  test::TempDir dir;
  // The first two PUTs get no ETag (like SSE-KMS), every later one its MD5; HEADs are logged.
  test::FaultServer server(dir / "remote", "PUT * seen 2\nPUT * md5etag 100\nHEAD * seen 100\n");
  std::string data = dir / "data";
  auto ledger = std::move(*store::Ledger::open(data));
  auto pledges = test::save_pledges(*ledger, 4, {"s3"});
  const config::Config c = s3_config(data, server.url());
  upload::BatchOptions o;
  o.parallel = 1;  // pledges one after the other, in the order they were saved
  auto r = upload::upload_batch(c, data, o);
  REQUIRE(r.is_ok());
  CHECK(r->queue_empty());
  check_remote_and_ledger(dir / "remote/pledges", *ledger, pledges);
  const std::string log = server.log();
  INFO(log);
  auto headed = [&](const store::Pledge& p, const char* ext) {
    return log.find("HEAD /pledges/" + upload::object_key("booth", p, ext)) != std::string::npos;
  };
  CHECK(headed(pledges[0], "jpg"));
  CHECK(headed(pledges[0], "json"));
  // Once MD5 ETags come back the PUTs are hashed again and need no HEAD.
  CHECK_FALSE(headed(pledges[3], "jpg"));
  CHECK_FALSE(headed(pledges[3], "json"));
}

TEST_CASE("webdav and webhook bodies are sent without waiting for 100 Continue but s3 keeps it",
          "[upload][faults]") {
  test::TempDir dir;
  test::FaultServer server(dir / "remote", "* * seen 1000\n");
  std::string data = dir / "data";
  auto ledger = std::move(*store::Ledger::open(data));
  auto pledges = test::save_pledges(*ledger, 2, {"dav", "s3", "hook"});
  config::Config c = s3_config(data, server.url());
  c.upload.targets.push_back(dav(server.url()));
  config::UploadTarget hook;
  hook.name = "hook";
  hook.kind = "webhook";
  hook.settings["url"] = server.url() + "/webhook";
  c.upload.targets.push_back(hook);
  auto r = upload::upload_batch(c, data, {});
  REQUIRE(r.is_ok());
  CHECK(r->queue_empty());
  const std::string log = server.log();
  INFO(log);
  // Every PUT and POST with a body is logged: none of the WebDAV or webhook ones asks to wait,
  // every S3 one does (libcurl signs its headers, an "Expect:" override would break SigV4).
  int dav_bodies = 0, hook_bodies = 0, s3_bodies = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("HEADERS PUT /booth/", 0) == 0) {
      ++dav_bodies;
      CHECK(line.find("expect=none") != std::string::npos);
    } else if (line.rfind("HEADERS POST /webhook", 0) == 0) {
      ++hook_bodies;
      CHECK(line.find("expect=none") != std::string::npos);
    } else if (line.rfind("HEADERS PUT /pledges/", 0) == 0) {
      ++s3_bodies;
      CHECK(line.find("expect=100-continue") != std::string::npos);
    }
  }
  CHECK(dav_bodies == 4);  // photo + JSON of 2 pledges
  CHECK(hook_bodies == 2);
  CHECK(s3_bodies == 4);
}

// Hostile servers (issue 11): what `pledgebooth upload`, the ledger and `stats` make of replies
// that crash parsers, never end, redirect, are not HTTP, echo credentials or carry raw bytes.
namespace {

std::string dav_toml(const std::string& name, const std::string& url, const std::string& extra = "",
                     int connect_timeout_s = 1) {
  return "[[upload.targets]]\nname = \"" + name + "\"\nkind = \"webdav\"\nurl = \"" + url +
         "/\"\nconnect_timeout_s = " + std::to_string(connect_timeout_s) +
         "\nlow_speed_timeout_s = 1\n" + extra;
}

// booth.toml in dir with the ledger at dir/data; retries back off at most 2 s.
void write_booth(const test::TempDir& dir, const std::string& targets) {
  test::write_file(dir / "booth.toml", "[storage]\ndata_dir = \"" + (dir / "data") +
                                           "\"\n[upload]\nmax_backoff_s = 2\n" + targets);
}

// `pledgebooth --config dir/booth.toml CMD args...`, killed after `limit` (a hang).
test::RunResult cli(const test::TempDir& dir, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {},
                    std::chrono::seconds limit = std::chrono::seconds(90)) {
  std::vector<std::string> argv{PB_BINARY, "--config", dir / "booth.toml"};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run(argv, env, limit);
}

std::vector<store::OutboxItem> rows_in(const std::string& data, store::OutboxState state) {
  auto ledger = std::move(*store::Ledger::open(data));
  return *ledger->outbox_items(state);
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

bool valid_json(const test::TempDir& dir, const std::string& text) {
  test::write_file(dir / "out.json", text);
  return test::run({"python3", "-c",
                    "import json,sys; json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'))",
                    dir / "out.json"})
             .exit_code == 0;
}

}  // namespace

TEST_CASE("replies with 40000 spaces after ok or error do not crash pledgebooth upload",
          "[upload][faults][hostile][cli]") {
  test::TempDir dir;
  test::FaultServer server(dir / "remote", "PUT .jpg okspaces 1\nPUT .json errorspaces 1 403\n");
  {
    auto ledger = std::move(*store::Ledger::open(dir / "data"));
    test::save_pledges(*ledger, 1, {"dav"}, 2000);
  }
  write_booth(dir, dav_toml("dav", server.url()));
  auto r = cli(dir, {"upload"});
  INFO(r.output << server.log());
  CHECK(r.exit_code == 1);  // one pledge refused, no SIGSEGV (139)
  CHECK(has(server.log(), "FAULT okspaces PUT"));
  CHECK(has(server.log(), "FAULT errorspaces PUT"));
  CHECK(has(r.output, "PUT HTTP 403: quota exceeded"));
  auto failed = rows_in(dir / "data", store::OutboxState::kFailed);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].last_error == "PUT HTTP 403: quota exceeded");
}

TEST_CASE("endless and dripping reply bodies are cut off and retried so upload never hangs",
          "[upload][faults][hostile][cli]") {
  test::TempDir dir;
  // 4 KiB/s is above curl's low-speed limit (1 KiB/s): only the deadline ends it.
  test::FaultServer server(dir / "remote", "PUT .jpg endless 2\nPUT .json drip 1 4096\n");
  {
    auto ledger = std::move(*store::Ledger::open(dir / "data"));
    test::save_pledges(*ledger, 1, {"dav"}, 2000);
  }
  write_booth(dir, dav_toml("dav", server.url()));
  auto t0 = std::chrono::steady_clock::now();
  auto r = cli(dir, {"upload"});
  auto took = std::chrono::steady_clock::now() - t0;
  INFO(r.output << server.log());
  CHECK(r.exit_code == 0);
  CHECK(took < std::chrono::seconds(80));
  CHECK(has(server.log(), "FAULT endless PUT"));
  CHECK(has(server.log(), "FAULT drip PUT"));
  CHECK(rows_in(dir / "data", store::OutboxState::kDone).size() == 1);
}

TEST_CASE("the kiosk worker shows an endless or dripping reply as a retry and stops at once",
          "[upload][faults][hostile][worker]") {
  test::TempDir dir;
  test::FaultServer server(dir / "remote", "POST * endless 1\nPOST * drip 1000 4096\n");
  std::string data = dir / "data";
  auto ledger = std::move(*store::Ledger::open(data));
  config::Config c = test::base_config(data);
  config::UploadTarget hook;
  hook.name = "hook";
  hook.kind = "webhook";
  hook.settings["url"] = server.url() + "/hook";
  hook.connect_timeout_s = 1;
  hook.low_speed_timeout_s = 1;
  c.upload.targets.push_back(hook);
  upload::OutboxWorker worker(c);
  worker.start();
  test::save_pledges(*ledger, 1, {"hook"}, 2000);
  worker.wake();
  auto error_has = [&](const char* what) {
    return [&worker, what] { return has(worker.status().targets.at(0).last_error, what); };
  };
  CHECK(eventually(error_has("cut off"), test::scaled(std::chrono::seconds(20))));
  CHECK(eventually(error_has("no complete answer within"), test::scaled(std::chrono::seconds(40))));
  auto st = worker.status();
  CHECK(st.failed == 0);
  CHECK(st.pending == 1);
  auto t0 = std::chrono::steady_clock::now();
  worker.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  CHECK(test::counts(*ledger).pending == 1);
}

TEST_CASE("redirects and non-HTTP replies stay pending with the cause shown in upload and stats",
          "[upload][faults][hostile][cli]") {
  test::TempDir dir;
  test::FaultServer portal(dir / "portal", "PUT .jpg 302 100 http://portal.example/login\n");
  test::FaultServer ssh(dir / "ssh", "PUT .jpg nonhttp 100\n");
  {
    auto ledger = std::move(*store::Ledger::open(dir / "data"));
    test::save_pledges(*ledger, 1, {"portal", "ssh"}, 2000);
  }
  write_booth(dir, dav_toml("portal", portal.url()) + dav_toml("ssh", ssh.url()));
  auto r = cli(dir, {"upload"});
  INFO(r.output << portal.log() << ssh.log());
  CHECK(r.exit_code == 1);
  CHECK(has(r.output, "redirects to http://portal.example/login"));
  CHECK(has(r.output, "not HTTP"));
  CHECK(rows_in(dir / "data", store::OutboxState::kFailed).empty());
  CHECK(rows_in(dir / "data", store::OutboxState::kPending).size() == 2);
  // Retried, not given up after the first answer.
  std::istringstream log(portal.log());
  int tries = 0;
  for (std::string line; std::getline(log, line);) tries += has(line, "FAULT 302 PUT");
  CHECK(tries > 1);
  auto stats = cli(dir, {"stats"});
  CHECK(has(stats.output, "redirects to http://portal.example/login"));
  CHECK(has(stats.output, "not HTTP"));
}

TEST_CASE("credentials a server echoes reach neither the ledger nor upload or stats output",
          "[upload][faults][hostile][cli]") {
  test::TempDir dir;
  test::FaultServer server(dir / "remote", "PUT .jpg echoauth 1\n");
  {
    auto ledger = std::move(*store::Ledger::open(dir / "data"));
    test::save_pledges(*ledger, 1, {"dav"}, 2000);
  }
  write_booth(dir, dav_toml("dav", server.url(),
                            "username = \"booth\"\npassword_env = \"PB_ECHO_PASS\"\n"));
  const std::map<std::string, std::string> env{{"PB_ECHO_PASS", "s3cret-pass"}};
  const std::string basic = "Ym9vdGg6czNjcmV0LXBhc3M";  // base64("booth:s3cret-pass")
  auto r = cli(dir, {"upload"}, env);
  auto j = cli(dir, {"upload", "--json"}, env);
  auto stats = cli(dir, {"stats"}, env);
  auto stats_json = cli(dir, {"stats", "--json"}, env);
  auto failed = rows_in(dir / "data", store::OutboxState::kFailed);
  REQUIRE(failed.size() == 1);
  INFO(failed[0].last_error);
  CHECK(has(server.log(), "FAULT echoauth PUT"));
  CHECK(has(failed[0].last_error, "PUT HTTP 401: refused Authorization: Basic ***"));
  for (const std::string& out :
       {r.output, j.output, stats.output, stats_json.output, failed[0].last_error}) {
    INFO(out);
    CHECK(has(out, "401"));
    CHECK_FALSE(has(out, "s3cret-pass"));
    CHECK_FALSE(has(out, basic));
  }
}

TEST_CASE("Latin-1 and UTF-16 messages with ESC and BEL come out as clean UTF-8",
          "[upload][faults][hostile][cli]") {
  test::TempDir dir;
  test::FaultServer server(dir / "remote", "PUT .jpg latin1 1\nPUT .jpg utf16 1\n");
  {
    auto ledger = std::move(*store::Ledger::open(dir / "data"));
    test::save_pledges(*ledger, 2, {"dav"}, 2000);
  }
  write_booth(dir, dav_toml("dav", server.url()));
  auto r = cli(dir, {"upload", "--parallel", "1"});
  auto j = cli(dir, {"upload", "--json"});
  auto stats = cli(dir, {"stats"});
  INFO(r.output << server.log());
  CHECK(has(server.log(), "FAULT latin1 PUT"));
  CHECK(has(server.log(), "FAULT utf16 PUT"));
  CHECK(rows_in(dir / "data", store::OutboxState::kFailed).size() == 2);
  for (const std::string& out : {r.output, j.output, stats.output}) {
    INFO(out);
    CHECK(has(out, "Zugriff f\u00FCr Fotos verweigert"));
    CHECK(has(out, "Acc\u00E8s refus\u00E9"));
    CHECK_FALSE(has(out, "\x1B"));
    CHECK_FALSE(has(out, "\x07"));
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) CHECK(is_clean_text(line));
  }
  CHECK(valid_json(dir, j.output));
}

TEST_CASE("TLS with a wrong host an expired or an unknown certificate is retried with its cause",
          "[upload][faults][hostile][tls][cli]") {
  test::TempDir dir;
  test::TlsCerts certs = test::make_tls_certs(dir.path());
  test::FaultServer wrong(dir / "wrong", "", 0, "", certs.wrong_host, certs.wrong_host_key);
  test::FaultServer expired(dir / "expired", "", 0, "", certs.expired, certs.expired_key);
  test::FaultServer unknown(dir / "unknown", "", 0, "", certs.unknown, certs.unknown_key);
  {
    auto ledger = std::move(*store::Ledger::open(dir / "data"));
    test::save_pledges(*ledger, 1, {"wrong", "expired", "unknown"}, 2000);
  }
  const std::string ca = "ca_file = \"" + certs.ca + "\"\n";
  // The connect phase includes the TLS handshake, which needs the test's server process to
  // answer: with ASan and a busy machine that took over a second once ("SSL connection
  // timeout" instead of the certificate's fault). What is tested is the cause each attempt
  // names, and a refused certificate is refused at once, so the limit costs nothing here.
  const int handshake_s = 10;
  write_booth(dir, dav_toml("wrong", wrong.url(), ca, handshake_s) +
                       dav_toml("expired", expired.url(), ca, handshake_s) +
                       dav_toml("unknown", unknown.url(), "", handshake_s));
  auto r = cli(dir, {"upload"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(rows_in(dir / "data", store::OutboxState::kFailed).empty());
  auto pending = rows_in(dir / "data", store::OutboxState::kPending);
  REQUIRE(pending.size() == 3);
  for (const auto& row : pending) {
    INFO(row.target << ": " << row.last_error);
    CHECK(row.attempts > 1);  // retried with backoff, not failed at the first try
    if (row.target == "wrong") {
      CHECK(has(row.last_error, "not for 127.0.0.1"));
      CHECK_FALSE(has(row.last_error, "ca_file"));
    } else if (row.target == "expired") {
      CHECK(has(row.last_error, "has expired"));
    } else {
      CHECK(has(row.last_error, "unknown CA"));
      CHECK(has(row.last_error, "ca_file"));
    }
  }
  CHECK(has(r.output, "not for 127.0.0.1"));
  CHECK(has(r.output, "has expired"));
  CHECK(has(r.output, "unknown CA"));
}
