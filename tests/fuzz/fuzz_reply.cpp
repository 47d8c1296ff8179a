// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a server's reply (status, curl result, headers, body) through the
// classification and the error-body readers of S3, WebDAV and webhook replies. Invariants:
// no crash or hang, messages bounded and printable, no credential left after cleaning,
// answers that will not change fail and transient ones are retried.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pb/utf8.h"
#include "reply.h"

using namespace pb;
using namespace pb::upload;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_reply: invariant broken: %s\n", what);
  std::abort();  // libFuzzer saves the input
}

const char* kSecret = "s3cret-pass";

// Valid UTF-8 without control characters: printable_text leaves it as it is. (U+FFFD may be
// in it: what is left of bytes that were not UTF-8.)
bool printable(const std::string& s) {
  return printable_text(s, s.size() + 16) == s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Layout: [mode][status hi][status lo][curl code][verify result] then the body; a 0x00
  // byte in the body splits off the Location header / curl error text that follows it.
  if (size < 5) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto mode = static_cast<unsigned char>(all[0]);
  const long status =
      (static_cast<unsigned char>(all[1]) << 8 | static_cast<unsigned char>(all[2])) % 1000;
  std::string_view body = all.substr(5);
  std::string_view extra;
  if (mode & 1) {
    auto nul = body.find('\0');
    if (nul != std::string_view::npos) {
      extra = body.substr(nul + 1);
      body = body.substr(0, nul);
    }
  }

  const std::string words = server_message(body);
  check(words.size() <= kMaxServerWords, "server words bounded");
  check(printable(words), "server words printable");
  (void)is_error_body(body);
  (void)json_size_field(body, "photo_size");
  const std::string text = body_text(body);
  check(text.size() <= kMaxReplyBody * 4, "body text bounded");

  static const CURLcode kCodes[] = {CURLE_OK,
                                    CURLE_PEER_FAILED_VERIFICATION,
                                    CURLE_SSL_CONNECT_ERROR,
                                    CURLE_UNSUPPORTED_PROTOCOL,
                                    CURLE_WEIRD_SERVER_REPLY,
                                    CURLE_OPERATION_TIMEDOUT,
                                    CURLE_COULDNT_CONNECT,
                                    CURLE_WRITE_ERROR};
  HttpRequest request;
  static const char* kMethods[] = {"PUT", "HEAD", "POST", "MKCOL", "DELETE"};
  request.method = kMethods[(mode >> 1) % 5];
  request.url = "https://booth:" + std::string(kSecret) + "@dav.example/pledges/x.jpg";
  HttpResponse r;
  r.status = status;
  r.curl = kCodes[static_cast<unsigned char>(all[3]) % 8];
  r.ssl_verify_result = static_cast<unsigned char>(all[4]) % 80;
  r.body = std::string(body.substr(0, kMaxReplyBody));
  r.body_cut = (mode & 0x10) != 0;
  r.location = std::string(extra.substr(0, 300));
  r.curl_error = std::string(extra);
  r.deadline_ms = 5000;
  r.total_ms = (mode & 0x20) ? 5000 : 10;
  Outcome o =
      classify(request, r, (mode & 0x40) ? std::vector<long>{404, 405} : std::vector<long>{});

  if (r.curl == CURLE_OK && !r.body_cut) {
    if (status == 401 || status == 403 || status == 400 || status == 410)
      check(o.verdict == Verdict::kFail, "answers that will not change fail");
    if (status >= 500 || (status >= 300 && status < 400) || status == 429 || status == 408)
      check(o.verdict == Verdict::kRetry, "transient answers are retried");
  } else if (r.curl != CURLE_OK && !r.body_cut) {
    check(o.verdict != Verdict::kOk, "a failed transfer is never done");
  }

  const std::vector<std::string> secrets{kSecret, base64(std::string("booth:") + kSecret)};
  for (const std::string& m : {o.message, std::string(all)}) {
    const std::string shown = clean_message(m, secrets);
    check(shown.size() <= kMaxMessage, "message bounded");
    check(printable(shown), "message printable");
    check(shown.find(kSecret) == std::string::npos, "no secret in a message");
  }
  return 0;
}
