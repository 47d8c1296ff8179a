// SPDX-License-Identifier: Apache-2.0
// Unit tests of the upload rules: keys, metadata, the retry policy, URL and secret rules.
#include <catch2/catch.hpp>

#include <regex>

#include "pb/json.h"

#include "targets.h"
#include "transfer.h"
#include "upload_fixture.h"

using namespace pb;
using namespace pb::upload;

namespace {
store::Pledge sample() {
  store::Pledge p;
  p.id = "0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b";
  p.event = "heforshe-seoul";
  p.booth = "booth-1";
  p.created_ms = 1764059400123;  // 2025-11-25T08:30:00.123Z
  p.created_utc = "2025-11-25T08:30:00.123Z";
  p.locale = "ko";
  p.first_name = "민준 \"MJ\"";
  p.answer = "for my daughter\n";
  p.share_consent = true;
  p.consent_version = 3;
  p.photo_path = "photos/heforshe-seoul/2025-11-25/x.jpg";
  p.photo_size = 412345;
  p.photo_sha256 = std::string(64, 'a');
  return p;
}
}  // namespace

TEST_CASE("object keys follow prefix event date id and use only safe characters", "[upload]") {
  store::Pledge p = sample();
  CHECK(object_key("campaign/2025", p, "jpg") ==
        "campaign/2025/heforshe-seoul/2025-11-25/0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b.jpg");
  CHECK(object_key("", p, "json") ==
        "heforshe-seoul/2025-11-25/0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b.json");
  CHECK(object_key("/a/", p, "jpg").rfind("a/heforshe-seoul/", 0) == 0);
  p.event = "bad event/../x";
  std::string k = object_key("p q", p, "jpg");
  CHECK(std::regex_match(k, std::regex("[A-Za-z0-9._~/-]+")));
  CHECK(k.find("..") == std::string::npos);
  // Deterministic: the same pledge always maps to the same key (idempotent retries).
  CHECK(object_key("x", sample(), "jpg") == object_key("x", sample(), "jpg"));
}

TEST_CASE("the public photo url is the photo's key without the prefix under the base url",
          "[upload]") {
  const store::Pledge p = sample();
  const std::string want =
      "https://photos.example.org/p/heforshe-seoul/2025-11-25/"
      "0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b.jpg";
  CHECK(public_photo_url("https://photos.example.org/p", p) == want);
  CHECK(public_photo_url("https://photos.example.org/p//", p) == want);
  CHECK(want.substr(std::string("https://photos.example.org/p/").size()) ==
        object_key("", p, "jpg"));
}

TEST_CASE("metadata JSON carries the schema version and escapes text", "[upload]") {
  std::string j = metadata_json(sample());
  CHECK(j.rfind("{\"schema\":2,", 0) == 0);
  CHECK(j.find("\"first_name\":\"민준 \\\"MJ\\\"\"") != std::string::npos);
  CHECK(j.find("\"answer\":\"for my daughter\\n\"") != std::string::npos);
  CHECK(j.find("\"size\":412345") != std::string::npos);
  CHECK(j.find("\"name\":\"0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b.jpg\"") != std::string::npos);
  store::Pledge none = sample();
  none.first_name.clear();
  none.photo_path.clear();
  std::string n = metadata_json(none);
  CHECK(n.find("\"first_name\":null") != std::string::npos);
  CHECK(n.find("\"photo\":null") != std::string::npos);
  // Valid JSON according to python's parser.
  test::TempDir dir;
  test::write_file(dir / "m.json", j);
  CHECK(
      test::run({"python3", "-c", "import json,sys; json.load(open(sys.argv[1]))", dir / "m.json"})
          .exit_code == 0);
}

TEST_CASE("metadata JSON carries each choice and names and words only with campaign use",
          "[upload][consent]") {
  store::Pledge p = sample();
  p.wall_consent = true;
  p.consent_locale = "ko";
  p.consent_ms = 1764059398000;
  const auto doc = nlohmann::json::parse(metadata_json(p));
  CHECK(doc["choices"]["campaign"] == true);
  CHECK(doc["choices"]["wall"] == true);
  CHECK(doc["choices"]["link"] == false);
  CHECK(doc["choices"]["version"] == 3);
  CHECK(doc["choices"]["locale"] == "ko");
  CHECK(doc["choices"]["made_utc"] == "2025-11-25T08:29:58.000Z");
  CHECK(doc["first_name"] == "민준 \"MJ\"");
  // The public target's copy is a link to the photo, nothing more.
  const auto pub = nlohmann::json::parse(metadata_json(p, true));
  CHECK(pub["first_name"].is_null());
  CHECK(pub["answer"].is_null());
  CHECK(pub["photo"]["sha256"] == p.photo_sha256);
  // Without (a), a name the ledger still holds (an older pledge) never goes out.
  p.share_consent = false;
  p.link_consent = true;
  const auto link = nlohmann::json::parse(metadata_json(p));
  CHECK(link["first_name"].is_null());
  CHECK(link["answer"].is_null());
  CHECK(link["choices"]["link"] == true);
  p.consent_ms = 0;
  p.consent_locale.clear();
  const auto none = nlohmann::json::parse(metadata_json(p));
  CHECK(none["choices"]["made_utc"].is_null());
  CHECK(none["choices"]["locale"].is_null());
}

TEST_CASE(
    "a pledge goes to the public target only with a link and elsewhere only with campaign use",
    "[upload][consent]") {
  config::Config c;
  c.event.public_target = "public";
  for (const char* name : {"archive", "public", "usb"}) {
    config::UploadTarget t;
    t.name = name;
    t.kind = "file";
    c.upload.targets.push_back(t);
  }
  using V = std::vector<std::string>;
  CHECK(upload_targets_for(c, false, false).empty());
  CHECK(upload_targets_for(c, true, false) == V{"archive", "usb"});
  CHECK(upload_targets_for(c, false, true) == V{"public"});
  CHECK(upload_targets_for(c, true, true) == V{"archive", "public", "usb"});
  c.event.public_target.clear();  // no public target: (c) goes nowhere
  CHECK(upload_targets_for(c, false, true).empty());
}

TEST_CASE("network errors 408 429 and 5xx are retried and other 4xx fail with the server message",
          "[upload]") {
  HttpRequest put;
  put.method = "PUT";
  HttpResponse r;
  r.curl = CURLE_COULDNT_CONNECT;
  r.curl_error = "Failed to connect";
  Outcome o = classify(put, r);
  CHECK(o.verdict == Verdict::kRetry);
  CHECK(o.network);
  for (long s : {408L, 423L, 429L, 500L, 502L, 503L}) {
    HttpResponse h;
    h.status = s;
    CHECK(classify(put, h).verdict == Verdict::kRetry);
  }
  HttpResponse denied;
  denied.status = 403;
  denied.body =
      "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request "
      "signature "
      "we calculated does not match</Message></Error>";
  Outcome f = classify(put, denied);
  CHECK(f.verdict == Verdict::kFail);
  CHECK(f.message ==
        "PUT HTTP 403: SignatureDoesNotMatch: The request signature we calculated does not match");
  HttpResponse exists;
  exists.status = 405;
  CHECK(classify(put, exists, {405}).verdict == Verdict::kOk);
  CHECK(classify(put, exists).verdict == Verdict::kFail);
  HttpResponse error_body;
  error_body.status = 200;
  error_body.body = "<Error><Code>InternalError</Code><Message>try again</Message></Error>";
  CHECK(classify(put, error_body).verdict == Verdict::kRetry);
  HttpResponse json_error;
  json_error.status = 200;
  json_error.body = R"({"ok": false, "error": "quota"})";
  CHECK(classify(put, json_error).verdict == Verdict::kRetry);
  HttpResponse tls;
  tls.curl = CURLE_PEER_FAILED_VERIFICATION;
  tls.curl_error = "SSL certificate problem: self-signed certificate";
  CHECK(classify(put, tls).verdict == Verdict::kRetry);  // a captive portal's, for a while
}

TEST_CASE("backoff is full jitter under an exponential cap and honours Retry-After", "[upload]") {
  CHECK(backoff_ms(0, 600, std::nullopt, 0.0) == 0);
  CHECK(backoff_ms(0, 600, std::nullopt, 0.999) < 1000);
  CHECK(backoff_ms(3, 600, std::nullopt, 0.999) < 8000);
  CHECK(backoff_ms(3, 600, std::nullopt, 0.999) > 7000);
  CHECK(backoff_ms(30, 600, std::nullopt, 0.999) <= 600000);
  CHECK(backoff_ms(30, 600, std::nullopt, 0.999) > 590000);
  CHECK(backoff_ms(0, 600, 7L, 0.1) == 7000);
  CHECK(backoff_ms(0, 600, 999999L, 0.1) == 3600000);
}

TEST_CASE("plain http is refused except to loopback or when allowed", "[upload]") {
  config::UploadTarget t;
  CHECK(check_url_allowed(t, "https://s3.example.org/b").is_ok());
  CHECK(check_url_allowed(t, "http://127.0.0.1:9000/b").is_ok());
  CHECK(check_url_allowed(t, "http://localhost/b").is_ok());
  Status s = check_url_allowed(t, "http://s3.example.org/b");
  CHECK(s.code() == Status::Code::kRejected);
  CHECK(check_url_allowed(t, "http://127.0.0.1.evil.org/b").code() == Status::Code::kRejected);
  CHECK(check_url_allowed(t, "ftp://127.0.0.1/b").code() == Status::Code::kRejected);
  t.allow_plain_http = true;
  CHECK(check_url_allowed(t, "http://s3.example.org/b").is_ok());
}

TEST_CASE("secrets are redacted from messages", "[upload]") {
  CHECK(redact("auth with hunter2 failed: hunter2", {"hunter2"}) == "auth with *** failed: ***");
  CHECK(redact("nothing", {""}) == "nothing");
}

TEST_CASE("a missing secret environment variable is named without any value", "[upload]") {
  config::UploadTarget t;
  t.name = "bucket";
  t.kind = "s3";
  t.settings["endpoint"] = "http://127.0.0.1:1";
  t.settings["bucket"] = "b";
  t.settings["access_key_env"] = "PB_TEST_SURELY_UNSET_KEY";
  t.settings["secret_key_env"] = "PB_TEST_SURELY_UNSET_SECRET";
  auto target_ptr = make_target(t);
  Target& target = *target_ptr;
  CHECK(target.setup_error().code() == Status::Code::kRejected);
  CHECK(target.setup_error().message().find("PB_TEST_SURELY_UNSET_KEY") != std::string::npos);
}

TEST_CASE("webdav uploads create each parent collection once then put and check sizes",
          "[upload]") {
  config::UploadTarget t;
  t.name = "dav";
  t.kind = "webdav";
  t.settings["url"] = "http://127.0.0.1:1/dav/";
  t.prefix = "c";
  auto target_ptr = make_target(t);
  Target& target = *target_ptr;
  store::Pledge p = sample();
  auto steps = target.upload_steps(p, "/tmp/x.jpg", "{}");
  std::vector<std::string> methods;
  for (const auto& s : steps) methods.push_back(s.request.method);
  CHECK(methods ==
        std::vector<std::string>{"MKCOL", "MKCOL", "MKCOL", "PUT", "HEAD", "PUT", "HEAD"});
  CHECK(steps[2].request.url == "http://127.0.0.1:1/dav/c/heforshe-seoul/2025-11-25/");
  CHECK(steps[3].request.url.find(".jpg") != std::string::npos);
  CHECK(steps[5].request.url.find(".json") != std::string::npos);  // the JSON goes last
  CHECK(steps[4].expect_size == p.photo_size);
  for (const auto& s : steps)
    if (!s.collection.empty()) target.remember_collection(s.collection);
  CHECK(target.upload_steps(p, "/tmp/x.jpg", "{}").size() == 4);
}

TEST_CASE("a plain http target that is not loopback is refused at send time too", "[upload]") {
  test::TempDir dir;
  auto ledger = std::move(*store::Ledger::open(dir / "data"));
  test::save_pledges(*ledger, 1, {"dav"});
  config::Config c = test::base_config(dir / "data");
  config::UploadTarget t;  // built in code: config validation never saw it
  t.name = "dav";
  t.kind = "webdav";
  t.settings["url"] = "http://pledges.example.invalid/dav";
  c.upload.targets.push_back(t);
  auto r = upload::upload_batch(c, dir / "data", {});
  REQUIRE(r.is_ok());
  auto failed = *ledger->outbox_items(store::OutboxState::kFailed);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].last_error.find("refusing plain http://") != std::string::npos);
}

TEST_CASE("remote deletion contacts only targets that may hold a copy", "[upload]") {
  test::TempDir dir;
  auto ledger = std::move(*store::Ledger::open(dir / "data"));
  auto p = test::save_pledges(*ledger, 1, {"dav"})[0];
  config::Config c = test::base_config(dir / "data");
  config::UploadTarget t;
  t.name = "dav";
  t.kind = "webdav";
  t.settings["url"] =
      "http://127.0.0.1:" + std::to_string(test::free_port()) + "/dav";  // nobody there
  t.connect_timeout_s = 1;
  c.upload.targets.push_back(t);
  // Never tried: nothing can be remote, so an offline booth can still delete it.
  CHECK(upload::delete_remote_copies(c, *ledger, p.id).is_ok());
  // Tried once (the server may have kept it): the unreachable target must be reported.
  auto row = (*ledger->outbox_for(p.id)).at(0);
  REQUIRE(ledger->mark_retry(row.id, 0, "network: test").is_ok());
  Status s = upload::delete_remote_copies(c, *ledger, p.id);
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(s.message().find("dav: network") != std::string::npos);
}

TEST_CASE("after a PUT ETag that is not an MD5 the next PUTs are not hashed but still get a HEAD",
          "[upload]") {
  config::UploadTarget t;
  t.name = "s3";
  t.kind = "s3";
  t.settings["endpoint"] = "http://127.0.0.1:1";
  t.settings["bucket"] = "pledges";
  auto target_ptr = make_target(t);
  Target& target = *target_ptr;
  store::Pledge p = sample();
  auto methods_and_hash = [&] {
    std::vector<std::string> out;
    for (const auto& s : target.upload_steps(p, "/tmp/x.jpg", "{}"))
      out.push_back(s.request.method +
                    (s.request.method == "PUT" && s.request.hash_body ? "#" : ""));
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(target.etags_are_md5());
  CHECK(methods_and_hash() == V{"PUT#", "HEAD", "PUT#", "HEAD"});
  for (const char* not_md5 :
       {"", "6b06c217-61a80", "w/\"abc\"", "d41d8cd98f00b204e9800998ecf8427e-2",
        "d41d8cd98f00b204e9800998ecf8427g"}) {
    target.note_put_etag("d41d8cd98f00b204e9800998ecf8427e");
    target.note_put_etag(not_md5);
    INFO(not_md5);
    CHECK_FALSE(target.etags_are_md5());
    CHECK(methods_and_hash() == V{"PUT", "HEAD", "PUT", "HEAD"});
  }
  target.note_put_etag("d41d8cd98f00b204e9800998ecf8427e");
  CHECK(target.etags_are_md5());
  CHECK(methods_and_hash() == V{"PUT#", "HEAD", "PUT#", "HEAD"});
}

TEST_CASE("every target kind the config knows has its class and no class lacks a kind",
          "[upload]") {
  std::vector<std::string> config_kinds;
  for (const auto& k : config::target_kinds()) config_kinds.emplace_back(k.name);
  CHECK(registered_target_kinds() == config_kinds);
  config::UploadTarget t;
  t.kind = "sftp";
  CHECK_THROWS_AS(make_target(t), std::invalid_argument);
}
