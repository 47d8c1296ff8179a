// SPDX-License-Identifier: Apache-2.0
// Reply classification and server messages from hostile bytes: no crash, bounded time and
// size, transient faults retried, credentials and control characters never passed on.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "pb/utf8.h"
#include "reply.h"

using namespace pb;
using namespace pb::upload;

namespace {

HttpRequest request(const std::string& method, const std::string& url = "https://dav.example/x") {
  HttpRequest r;
  r.method = method;
  r.url = url;
  return r;
}

HttpResponse status(long s, const std::string& body = "") {
  HttpResponse r;
  r.status = s;
  r.body = body;
  return r;
}

// Valid UTF-8 without control characters (U+FFFD allowed: what is left of non-UTF-8 bytes).
bool printable(const std::string& s) {
  return printable_text(s, s.size() + 16) == s;
}

}  // namespace

TEST_CASE("a reply with 40000 spaces after ok or error is parsed as JSON without a crash",
          "[upload][reply]") {
  const std::string spaces(40000, ' ');
  HttpResponse ok = status(200, "{\"ok\"" + spaces + ": true}");
  CHECK(classify(request("PUT"), ok).verdict == Verdict::kOk);
  HttpResponse not_ok = status(200, "{\"ok\"" + spaces + ": false, \"message\": \"full\"}");
  Outcome o = classify(request("POST"), not_ok);
  CHECK(o.verdict == Verdict::kRetry);
  CHECK(o.message == "POST HTTP 200 with an error body: full");
  HttpResponse denied = status(403, "{\"error\"" + spaces + ": \"quota exceeded\"}");
  Outcome f = classify(request("PUT"), denied);
  CHECK(f.verdict == Verdict::kFail);
  CHECK(f.message == "PUT HTTP 403: quota exceeded");
  // Not JSON at all: read as text, collapsed and cut.
  CHECK(server_message("\"error\"" + spaces + ":" + std::string(70000, '"')).size() <=
        kMaxServerWords);
}

TEST_CASE("deeply nested or broken JSON replies are read as text in linear time",
          "[upload][reply]") {
  const std::string deep = std::string(60000, '[') + std::string(60000, ']');
  const std::string objects = [] {
    std::string s;
    for (int i = 0; i < 20000; ++i) s += "{\"error\":";
    return s;
  }();
  auto t0 = std::chrono::steady_clock::now();
  for (const std::string& body :
       {"{\"error\": " + deep + "}", objects, std::string("{\"error\": \"unterminated"),
        std::string("{\"error\": \"\\ud800\"}"), std::string(65536, '<'), std::string(65536, '{'),
        "<Error><Code>" + std::string(65536, 'A')}) {
    std::string m = server_message(body);
    CHECK(m.size() <= kMaxServerWords);
    CHECK(printable(m));
    (void)is_error_body(body);
    (void)classify(request("PUT"), status(500, body));
  }
  // Generous: the regex it replaces needed seconds (or the whole stack) for one such body.
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
}

TEST_CASE("S3 and WebDAV XML errors and JSON errors give the server's words", "[upload][reply]") {
  CHECK(server_message("<?xml version=\"1.0\"?>\n<Error><Code>NoSuchBucket</Code><Message>The "
                       "bucket &amp; key &lt;x&gt;</Message></Error>") ==
        "NoSuchBucket: The bucket & key <x>");
  CHECK(server_message("<?xml version=\"1.0\"?><d:error xmlns:d=\"DAV:\" "
                       "xmlns:s=\"http://sabredav.org/ns\"><s:exception>Sabre\\DAV\\Exception\\"
                       "Forbidden</s:exception><s:message>Quota exceeded</s:message></d:error>") ==
        "Sabre\\DAV\\Exception\\Forbidden: Quota exceeded");
  CHECK(server_message(R"({"error": {"code": 13, "message": "token expired"}})") ==
        "token expired");
  CHECK(server_message(R"({"detail": "Not found."})") == "Not found.");
  CHECK(server_message("<html><body><h1>502 Bad\n\n Gateway</h1></body></html>") ==
        "502 Bad Gateway");
  CHECK(is_error_body("<Error><Code>InternalError</Code></Error>"));
  CHECK(is_error_body(R"({"ok": false})"));
  CHECK(is_error_body(R"({"error": "quota"})"));
  CHECK_FALSE(is_error_body(R"({"ok": true, "error": null, "photo_size": 12})"));
  CHECK_FALSE(is_error_body("<ListBucketResult><Name>Error</Name></ListBucketResult>"));
  CHECK_FALSE(is_error_body("all good"));
}

TEST_CASE("the webhook's photo_size is read from its JSON reply only", "[upload][reply]") {
  CHECK(json_size_field(R"({"ok": true, "photo_size": 412345})", "photo_size") == 412345);
  CHECK(json_size_field(R"({"ok": true, "photo_size": "412345"})", "photo_size") == -1);
  CHECK(json_size_field(R"({"ok": true, "photo_size": 1.5})", "photo_size") == -1);
  CHECK_FALSE(json_size_field(R"({"ok": true})", "photo_size"));
  CHECK_FALSE(json_size_field("photo_size: 12", "photo_size"));
  CHECK_FALSE(json_size_field("{\"photo_size\"" + std::string(40000, ' ') + ": 12", "photo_size"));
}

TEST_CASE("messages in Latin-1 UTF-16 or with ESC and BEL become printable UTF-8",
          "[upload][reply]") {
  std::string latin1 =
      "Zugriff f\xFCr Fotos verweigert \x1B[2J\x07"
      "all uploads done";
  std::string m = server_message(latin1);
  CHECK(printable(m));
  CHECK(m == "Zugriff f\u00FCr Fotos verweigert [2Jall uploads done");
  std::u16string words = u"\uFEFFAcc\u00E8s refus\u00E9 \x1B]0;pwned\x07 \u2603";
  std::string utf16;
  for (char16_t c : words) {
    utf16 += static_cast<char>(c & 0xFF);
    utf16 += static_cast<char>(c >> 8);
  }
  std::string m16 = server_message(utf16);
  CHECK(printable(m16));
  CHECK(m16 == "Acc\u00E8s refus\u00E9 ]0;pwned \u2603");
  // Without a BOM, big-endian.
  std::string be;
  for (char c : std::string("quota exceeded")) be += std::string(1, '\0') + c;
  CHECK(server_message(be) == "quota exceeded");
  Outcome o = classify(request("PUT"), status(403, latin1));
  CHECK(printable(o.message));
}

TEST_CASE("TLS errors 3xx and non-HTTP replies are retried and 4xx answers fail",
          "[upload][reply]") {
  HttpResponse tls;
  tls.curl = CURLE_PEER_FAILED_VERIFICATION;
  struct Case {
    long verify;
    const char* error;
    const char* hint;
  };
  for (const Case& c :
       {Case{18, "SSL certificate problem: self-signed certificate", "unknown CA"},
        Case{20, "SSL certificate problem: unable to get local issuer certificate", "ca_file"},
        Case{10, "SSL certificate problem: certificate has expired", "has expired"},
        Case{0, "SSL: no alternative certificate subject name matches target host name 'x'",
             "not for dav.example"}}) {
    tls.ssl_verify_result = c.verify;
    tls.curl_error = c.error;
    Outcome o = classify(request("PUT"), tls);
    INFO(o.message);
    CHECK(o.verdict == Verdict::kRetry);
    CHECK(o.message.find(c.hint) != std::string::npos);
  }
  // The hostname hint does not suggest ca_file: it would not help.
  tls.ssl_verify_result = 0;
  tls.curl_error = "SSL: no alternative certificate subject name matches target host name 'x'";
  CHECK(classify(request("PUT"), tls).message.find("ca_file") == std::string::npos);

  HttpResponse moved = status(302, "<html>Moved</html>");
  moved.location = "http://portal.example/login?\x1B[2J";
  Outcome m = classify(request("PUT"), moved);
  CHECK(m.verdict == Verdict::kRetry);
  CHECK(m.message.find("redirects to http://portal.example/login?[2J") != std::string::npos);
  CHECK(classify(request("PUT"), status(301)).verdict == Verdict::kRetry);
  CHECK(classify(request("PUT"), status(307)).verdict == Verdict::kRetry);

  HttpResponse ssh;
  ssh.curl = CURLE_UNSUPPORTED_PROTOCOL;
  ssh.curl_error = "Received HTTP/0.9 when not allowed";
  Outcome n = classify(request("PUT"), ssh);
  CHECK(n.verdict == Verdict::kRetry);
  CHECK(n.message.find("not HTTP") != std::string::npos);
  ssh.curl = CURLE_WEIRD_SERVER_REPLY;
  CHECK(classify(request("PUT"), ssh).verdict == Verdict::kRetry);

  for (long s : {400L, 401L, 403L, 404L, 410L, 413L})
    CHECK(classify(request("PUT"), status(s)).verdict == Verdict::kFail);
}

TEST_CASE("a cut-off body or a passed deadline is a retry that says so", "[upload][reply]") {
  HttpResponse endless = status(200, std::string(kMaxReplyBody, 'x'));
  endless.curl = CURLE_WRITE_ERROR;
  endless.body_cut = true;
  Outcome o = classify(request("PUT"), endless);
  CHECK(o.verdict == Verdict::kRetry);
  CHECK(o.message.find("cut off") != std::string::npos);
  // A long 403 page is still a 403.
  HttpResponse page = status(403, "<html>" + std::string(kMaxReplyBody, ' '));
  page.body_cut = true;
  page.curl = CURLE_WRITE_ERROR;
  CHECK(classify(request("PUT"), page).verdict == Verdict::kFail);

  HttpResponse late;
  late.curl = CURLE_OPERATION_TIMEDOUT;
  late.curl_error = "Operation timed out after 5001 milliseconds with 9000 bytes received";
  late.deadline_ms = 5000;
  late.total_ms = 5001;
  Outcome d = classify(request("PUT"), late);
  CHECK(d.verdict == Verdict::kRetry);
  CHECK_FALSE(d.network);
  CHECK(d.message.find("no complete answer within 5 s") != std::string::npos);
  late.total_ms = 1200;  // curl's low-speed or connect limit, long before the deadline
  CHECK(classify(request("PUT"), late).network);
}

TEST_CASE("the deadline of a request grows with its body", "[upload][reply]") {
  config::UploadTarget t;
  t.connect_timeout_s = 10;
  t.low_speed_timeout_s = 20;
  CHECK(request_deadline_ms(t, 0) == 50000);
  CHECK(request_deadline_ms(t, 1024 * 100) == 150000);
  t.connect_timeout_s = 1;
  t.low_speed_timeout_s = 1;
  CHECK(request_deadline_ms(t, 2048) == 5000);
}

TEST_CASE("credentials are redacted from messages whatever the server echoes", "[upload][reply]") {
  const std::string basic = base64("booth:s3cret-pass");
  CHECK(basic == "Ym9vdGg6czNjcmV0LXBhc3M=");
  const std::vector<std::string> secrets{"s3cret-pass", basic};
  auto clean = [&](const std::string& s) { return clean_message(s, secrets); };
  CHECK(clean("refused Authorization: Basic " + basic) == "refused Authorization: Basic ***");
  CHECK(clean("{\"authorization\": \"Bearer abc.DEF-123\"}") ==
        "{\"authorization\": \"Bearer ***\"}");
  CHECK(clean("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/s3/aws4_request, "
              "SignedHeaders=host, Signature=0123abcdef") ==
        "AWS4-HMAC-SHA256 Credential=***, SignedHeaders=host, Signature=***");
  CHECK(clean("see https://booth:pw@dav.example/x and http://user@h/") ==
        "see https://***@dav.example/x and http://***@h/");
  CHECK(clean("401 Authorization Required") == "401 Authorization Required");
  CHECK(clean("basic auth failed for bearer token") == "basic auth failed for bearer token");
  CHECK(clean("decoded: booth:s3cret-pass") == "decoded: booth:***");
  CHECK(redact("auth with hunter2 failed: hunter2", {"hunter2"}) == "auth with *** failed: ***");
  // Bounded and printable whatever comes in.
  std::string huge = clean(std::string(100000, '\x07') + std::string(100000, 'a'));
  CHECK(huge.size() <= kMaxMessage);
  CHECK(printable(huge));
}
