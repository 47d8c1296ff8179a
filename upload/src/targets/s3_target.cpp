// SPDX-License-Identifier: Apache-2.0
// An S3-compatible bucket (AWS, MinIO, Ceph, R2): path-style URLs, libcurl's SigV4, the
// payload's SHA-256 in x-amz-content-sha256.
#include <curl/curl.h>

#include "targets.h"

namespace pb::upload {
namespace {

class S3Target : public Target {
 public:
  explicit S3Target(config::UploadTarget config) : Target(std::move(config)) {
    access_key_ = secret_from_env(config_.setting("access_key_env"), "access key");
    secret_key_ = secret_from_env(config_.setting("secret_key_env"), "secret key");
    add_basic_secrets(access_key_, secret_key_);
  }

  Step probe_step() const override {
    Step s;
    s.request.method = "HEAD";
    s.request.url = bucket_url();
    return s;
  }

  // ListObjectsV2, delimiter '/': the names directly under dir (query keys sorted, values
  // escaped, as SigV4's canonical request has them).
  Step list_step(const std::string& dir, const std::string& token) const override {
    std::string query = "?";
    if (!token.empty()) query += "continuation-token=" + escape_key(token) + "&";
    query +=
        "delimiter=/&list-type=2&max-keys=1000&prefix=" + escape_key(dir.empty() ? "" : dir + "/");
    Step s;
    s.request = request("GET", bucket_url() + query);
    sign_payload(s.request, kEmptySha256);
    s.request.max_body = kMaxListingBody;
    return s;
  }
  ListingPage parse_list(std::string_view body, const std::string& dir) const override {
    return parse_s3_listing(body, dir);
  }

 protected:
  std::string url_for(const std::string& key) const override {
    return join_url(bucket_url(), escape_key(key));
  }
  void authorize(HttpRequest& r) const override {
    r.user = access_key_;
    r.secret = secret_key_;
    r.aws_sigv4 = "aws:amz:" + config_.setting("region") + ":s3";
  }
  void sign_payload(HttpRequest& r, const std::string& sha256) const override {
    r.headers.push_back("x-amz-content-sha256: " + sha256);
  }

 private:
  std::string bucket_url() const {
    return join_url(config_.setting("endpoint"), config_.setting("bucket"));
  }

  std::string access_key_;
  std::string secret_key_;
};

}  // namespace

std::unique_ptr<Target> make_s3_target(const config::UploadTarget& config) {
  return std::make_unique<S3Target>(config);
}

}  // namespace pb::upload
