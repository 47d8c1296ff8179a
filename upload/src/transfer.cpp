// SPDX-License-Identifier: Apache-2.0
// One HTTP request on a libcurl easy handle: its body source, reply cap and deadline.
#include "transfer.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <regex>

#include <openssl/evp.h>

#include "pb/url.h"
#include "reply.h"

namespace pb::upload {
namespace {

constexpr std::int64_t kMinRate = 1024;  // bytes/s: CURLOPT_LOW_SPEED_LIMIT

bool starts_with(const std::string& s, const char* p) {
  return s.rfind(p, 0) == 0;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

}  // namespace

Transfer::Transfer(const config::UploadTarget& target, HttpRequest request)
    : target_(target), request_(std::move(request)) {}

Transfer::~Transfer() {
  if (easy_) curl_easy_cleanup(easy_);
  if (headers_) curl_slist_free_all(headers_);
  if (mime_) curl_mime_free(mime_);
  if (file_) std::fclose(file_);
  if (md5_) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_));
}

Status check_url_allowed(const config::UploadTarget& target, const std::string& url) {
  if (starts_with(url, "https://")) return Status::ok();
  if (starts_with(url, "http://")) {
    if (!url::plain_http_refused(url, target.allow_plain_http)) return Status::ok();
    return Status::error(Status::Code::kRejected,
                         "refusing plain http:// to a non-loopback host (pledges would travel "
                         "unencrypted); use https:// or set allow_plain_http");
  }
  return Status::error(Status::Code::kRejected,
                       "only https:// (or loopback http://) URLs are used");
}

std::string join_url(const std::string& base, const std::string& key) {
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return key.empty() ? b : b + "/" + key;
}

Status Transfer::prepare() {
  if (Status s = check_url_allowed(target_, request_.url); !s) return s;
  easy_ = curl_easy_init();
  if (!easy_) return Status::error(Status::Code::kInternal, "curl_easy_init failed");
  CURL* e = easy_;
  curl_easy_setopt(e, CURLOPT_URL, request_.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could lead to plain http
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!target_.ca_file.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, target_.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_CAPATH, "/etc/ssl/certs");  // the system CAs stay trusted too
  }
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, static_cast<long>(target_.connect_timeout_s));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(kMinRate));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(target_.low_speed_timeout_s));
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_PRIVATE, this);

  const std::string& m = request_.method;
  if (m == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (m == "PUT" && request_.send_body) {
    if (!request_.body_file.empty()) {
      file_ = std::fopen(request_.body_file.c_str(), "rb");
      if (!file_)
        return Status::error(Status::Code::kIo,
                             "cannot read " + request_.body_file + ": " + std::strerror(errno));
    }
    // MD5 of what we send: an S3 ETag equal to it proves the server kept every byte.
    if (request_.hash_body) {
      auto* ctx = EVP_MD_CTX_new();
      if (ctx && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1)
        md5_ = ctx;
      else if (ctx)
        EVP_MD_CTX_free(ctx);
    }
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, &Transfer::on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, this);
    curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &Transfer::on_seek);
    curl_easy_setopt(e, CURLOPT_SEEKDATA, this);
    curl_off_t size = request_.body_file.empty() ? static_cast<curl_off_t>(request_.body.size())
                                                 : static_cast<curl_off_t>(request_.body_size);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, size);
  } else if (m == "POST" && request_.multipart) {
    mime_ = curl_mime_init(e);
    if (!request_.part_photo_file.empty()) {
      curl_mimepart* p = curl_mime_addpart(mime_);
      curl_mime_name(p, "photo");
      if (curl_mime_filedata(p, request_.part_photo_file.c_str()) != CURLE_OK)
        return Status::error(Status::Code::kIo, "cannot read " + request_.part_photo_file);
      curl_mime_filename(p, request_.part_photo_name.c_str());
      curl_mime_type(p, "image/jpeg");
    }
    curl_mimepart* j = curl_mime_addpart(mime_);  // metadata last, as everywhere
    curl_mime_name(j, "metadata");
    curl_mime_data(j, request_.part_metadata.data(), request_.part_metadata.size());
    curl_mime_type(j, "application/json");
    curl_easy_setopt(e, CURLOPT_MIMEPOST, mime_);
  } else if (m != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
    if (request_.send_body) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, request_.body.c_str());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request_.body.size()));
    }
  }

  std::int64_t body_bytes = 0;
  if (request_.send_body)
    body_bytes = request_.body_file.empty() ? static_cast<std::int64_t>(request_.body.size())
                                            : request_.body_size;
  if (request_.multipart) {
    struct stat st {};
    if (!request_.part_photo_file.empty() && ::stat(request_.part_photo_file.c_str(), &st) == 0)
      body_bytes += st.st_size;
    body_bytes += static_cast<std::int64_t>(request_.part_metadata.size());
  }
  response_.deadline_ms = request_deadline_ms(target_, body_bytes);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(response_.deadline_ms));

  for (const auto& h : request_.headers) headers_ = curl_slist_append(headers_, h.c_str());
  // Bodies go at once, without "Expect: 100-continue": waiting for "100 Continue" costs a
  // round trip per object on a slow link, and a whole second with servers or proxies that
  // ignore Expect. Not for SigV4: libcurl 7.88 would sign the empty override and S3 would
  // reject the signature, so S3 PUTs keep the header curl adds (unsigned) but send the body
  // after kSigV4Expect100TimeoutMs rather than after a round trip.
  if (request_.aws_sigv4.empty()) {
    headers_ = curl_slist_append(headers_, "Expect:");
  } else {
    curl_easy_setopt(e, CURLOPT_EXPECT_100_TIMEOUT_MS, kSigV4Expect100TimeoutMs);
  }
  if (!request_.bearer.empty())
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + request_.bearer).c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);

  if (!request_.user.empty() || !request_.secret.empty()) {
    curl_easy_setopt(e, CURLOPT_USERNAME, request_.user.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, request_.secret.c_str());
    if (!request_.aws_sigv4.empty()) {
      curl_easy_setopt(e, CURLOPT_AWS_SIGV4, request_.aws_sigv4.c_str());
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    }
  }
  return Status::ok();
}

size_t Transfer::on_write(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::size_t len = size * n;
  std::string& body = t->response_.body;
  const std::size_t max = t->request_.max_body ? t->request_.max_body : kMaxReplyBody;
  std::size_t room = max - std::min(max, body.size());
  body.append(data, std::min(len, room));
  if (len <= room) return len;
  t->response_.body_cut = true;  // we only classify replies: an endless one ends here
  return 0;
}

size_t Transfer::on_header(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::size_t len = size * n;
  std::string line(data, len);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = trim(line.substr(colon + 1));
    if (name == "etag") {
      std::string tag;
      for (char c : value)
        if (c != '"') tag += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      t->response_.etag = tag;
    } else if (name == "location") {
      t->response_.location = value.substr(0, 300);
    } else if (name == "retry-after") {
      char* end = nullptr;
      long secs = std::strtol(value.c_str(), &end, 10);
      if (end && *end == '\0' && !value.empty()) {
        t->response_.retry_after_s = std::max(0L, secs);
      } else if (time_t when = curl_getdate(value.c_str(), nullptr); when > 0) {
        t->response_.retry_after_s = std::max<long>(0, static_cast<long>(when - time(nullptr)));
      }
    }
  } else if (starts_with(line, "HTTP/")) {
    t->response_.retry_after_s.reset();  // a new response (after 100 Continue)
    t->response_.location.clear();
  }
  return len;
}

size_t Transfer::on_read(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::size_t want = size * n;
  if (t->file_) {
    std::size_t got = std::fread(data, 1, want, t->file_);
    if (got == 0 && std::ferror(t->file_)) return CURL_READFUNC_ABORT;
    if (t->md5_) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(t->md5_), data, got);
    t->response_.bytes_sent += static_cast<std::int64_t>(got);
    return got;
  }
  const std::string& b = t->request_.body;
  std::size_t got = std::min(want, b.size() - t->mem_offset_);
  std::memcpy(data, b.data() + t->mem_offset_, got);
  if (t->md5_) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(t->md5_), data, got);
  t->mem_offset_ += got;
  t->response_.bytes_sent += static_cast<std::int64_t>(got);
  return got;
}

int Transfer::on_seek(void* self, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(self);
  if (origin != SEEK_SET || offset != 0) return CURL_SEEKFUNC_CANTSEEK;  // rewinds only
  t->response_.bytes_sent = 0;
  if (t->md5_) EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(t->md5_), EVP_md5(), nullptr);
  if (t->file_)
    return std::fseek(t->file_, offset, SEEK_SET) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
  if (static_cast<std::size_t>(offset) > t->request_.body.size()) return CURL_SEEKFUNC_FAIL;
  t->mem_offset_ = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

const HttpResponse& Transfer::finish(CURLcode code) {
  response_.curl = code;
  response_.curl_error = error_[0] ? error_ : curl_easy_strerror(code);
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  response_.status = status;
  curl_off_t cl = -1;
  if (curl_easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK)
    response_.content_length = cl;
  long verify = 0;
  if (curl_easy_getinfo(easy_, CURLINFO_SSL_VERIFYRESULT, &verify) == CURLE_OK)
    response_.ssl_verify_result = verify;
  curl_off_t total_us = 0;
  if (curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK)
    response_.total_ms = static_cast<std::int64_t>(total_us / 1000);
  if (md5_) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(md5_), digest, &len) == 1) {
      static const char* hex = "0123456789abcdef";
      for (unsigned int i = 0; i < len; ++i) {
        response_.body_md5 += hex[digest[i] >> 4];
        response_.body_md5 += hex[digest[i] & 15];
      }
    }
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_));
    md5_ = nullptr;
  }
  if (request_.multipart) {
    curl_off_t up = 0;
    curl_easy_getinfo(easy_, CURLINFO_SIZE_UPLOAD_T, &up);
    response_.bytes_sent = up;
  }
  return response_;
}

const HttpResponse& Transfer::perform() {
  return finish(curl_easy_perform(easy_));
}

std::int64_t request_deadline_ms(const config::UploadTarget& target, std::int64_t body_bytes) {
  const std::int64_t base_s =
      std::max(1, target.connect_timeout_s) + 2LL * std::max(1, target.low_speed_timeout_s);
  return base_s * 1000 + std::max<std::int64_t>(0, body_bytes) * 1000 / kMinRate;
}

std::int64_t backoff_ms(int attempts, int max_backoff_s, std::optional<long> retry_after_s,
                        double unit) {
  double cap_ms = std::max(1, max_backoff_s) * 1000.0;
  double exp_ms = 1000.0 * std::pow(2.0, std::clamp(attempts, 0, 30));
  double ceiling = std::min(cap_ms, exp_ms);
  auto delay = static_cast<std::int64_t>(ceiling * std::clamp(unit, 0.0, 1.0));
  if (retry_after_s) {
    std::int64_t ra = std::min<std::int64_t>(*retry_after_s, 3600) * 1000;
    delay = std::max(delay, ra);
  }
  return delay;
}

}  // namespace pb::upload
