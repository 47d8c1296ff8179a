// SPDX-License-Identifier: Apache-2.0
// One HTTP request on a libcurl easy handle (RAII), and the outcome types for the
// outbox (done, retry later, failed for good); reply.h decides which.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "pb/config.h"
#include "pb/status.h"

namespace pb::upload {

struct HttpRequest {
  std::string method = "GET";  // GET HEAD PUT POST DELETE MKCOL PROPFIND
  std::string url;
  std::vector<std::string> headers;
  std::string body;       // sent when body_file is empty and send_body is true
  std::string body_file;  // streamed from disk (never held in memory)
  std::int64_t body_size = 0;
  bool send_body = false;
  // PUT: compute the MD5 of the bytes sent (HttpResponse::body_md5), for an ETag check.
  bool hash_body = true;
  // Multipart form (webhook): the photo file (may be empty) then the metadata JSON.
  bool multipart = false;
  std::string part_photo_file;
  std::string part_photo_name;
  std::string part_metadata;
  // Authentication; the secret never leaves these fields.
  std::string user;
  std::string secret;
  std::string aws_sigv4;  // "aws:amz:<region>:s3" → SigV4, else basic when user is set
  std::string bearer;     // Authorization: Bearer <bearer>
  // Reply bytes kept at most (0 = kMaxReplyBody); a longer reply ends the transfer (body_cut).
  std::size_t max_body = 0;
};

struct HttpResponse {
  CURLcode curl = CURLE_OK;
  std::string curl_error;  // libcurl's error buffer
  long status = 0;
  std::string body;       // the first kMaxReplyBody (or max_body) bytes (reply.h)
  bool body_cut = false;  // the body went on past kMaxReplyBody: the transfer was ended
  std::optional<long> retry_after_s;
  std::int64_t content_length = -1;  // from the response headers (HEAD)
  std::int64_t bytes_sent = 0;
  std::string etag;              // ETag header without quotes, lowercase
  std::string body_md5;          // MD5 (hex) of the body we sent (PUT)
  std::string location;          // Location header of a 3xx (never followed), first 300 bytes
  long ssl_verify_result = 0;    // CURLINFO_SSL_VERIFYRESULT (X509_V_ERR_*)
  std::int64_t deadline_ms = 0;  // the whole request's time limit (request_deadline_ms)
  std::int64_t total_ms = 0;     // how long it took
};

// What an outcome means for the outbox row.
enum class Verdict { kOk, kRetry, kFail };
struct Outcome {
  Verdict verdict = Verdict::kOk;
  bool network = false;  // the target could not be reached at all (offline)
  std::optional<long> retry_after_s;
  std::string message;  // for the operator; never holds a secret
};

// SigV4 requests with a body keep libcurl's "Expect: 100-continue" (7.88 signs an empty
// "Expect:" override, which S3 then rejects) and wait only this long for "100 Continue"
// before the body goes: no round trip per object on a slow link (curl's default is 1 s).
inline constexpr long kSigV4Expect100TimeoutMs = 1;

// A libcurl easy handle set up for one request, with its body source and response sink.
class Transfer {
 public:
  Transfer(const config::UploadTarget& target, HttpRequest request);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Refuses (kRejected) plain http:// to a non-loopback host without allow_plain_http and
  // any other scheme; kIo when a body file cannot be opened. On success easy() is ready.
  Status prepare();
  CURL* easy() const { return easy_; }
  const HttpRequest& request() const { return request_; }
  // Call once libcurl says the transfer ended.
  const HttpResponse& finish(CURLcode code);
  const HttpResponse& response() const { return response_; }
  // Runs the transfer on the calling thread (curl_easy_perform); for one-off requests.
  const HttpResponse& perform();

 private:
  static size_t on_write(char* data, size_t size, size_t n, void* self);
  static size_t on_header(char* data, size_t size, size_t n, void* self);
  static size_t on_read(char* data, size_t size, size_t n, void* self);
  static int on_seek(void* self, curl_off_t offset, int origin);

  const config::UploadTarget& target_;
  HttpRequest request_;
  HttpResponse response_;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  curl_mime* mime_ = nullptr;
  std::FILE* file_ = nullptr;
  std::size_t mem_offset_ = 0;
  void* md5_ = nullptr;  // EVP_MD_CTX over the bytes sent (PUT)
  char error_[CURL_ERROR_SIZE] = {};
};

// The scheme rule of the issue: https always; http only to loopback or when allowed
// (pb::url::plain_http_refused, the one rule for the config check and every request).
Status check_url_allowed(const config::UploadTarget& target, const std::string& url);

// The time limit of a whole request that sends `body_bytes`: the connect timeout and twice
// the stall allowance (low_speed_timeout_s) for the answer, plus the body at the slowest
// rate curl accepts (1 KiB/s). An endless or dripping reply ends here, retried later.
std::int64_t request_deadline_ms(const config::UploadTarget& target, std::int64_t body_bytes);

// Delay before try number `attempts`+1: full jitter over min(cap, 1 s · 2^attempts), at
// least Retry-After when the server sent one (itself capped at one hour). `unit` is a
// random number in [0,1).
std::int64_t backoff_ms(int attempts, int max_backoff_s, std::optional<long> retry_after_s,
                        double unit);

// Percent-free URL join: base (no trailing '/') + "/" + key.
std::string join_url(const std::string& base, const std::string& key);

}  // namespace pb::upload
