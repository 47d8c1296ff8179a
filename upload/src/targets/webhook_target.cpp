// SPDX-License-Identifier: Apache-2.0
// An organiser's HTTPS endpoint: one multipart POST per pledge (photo + metadata) with an
// Idempotency-Key, a bearer token from the environment; DELETE <url>/<id> removes it.
#include "targets.h"

namespace pb::upload {
namespace {

class WebhookTarget : public Target {
 public:
  explicit WebhookTarget(config::UploadTarget config) : Target(std::move(config)) {
    token_ = secret_from_env(config_.setting("token_env"), "token");
    add_basic_secrets("", token_);
  }

  std::vector<Step> upload_steps(const store::Pledge& p, const std::string& photo_file,
                                 const std::string& json) override {
    Step s;
    s.request = request("POST", config_.url());
    s.request.multipart = true;
    if (!p.photo_path.empty()) {
      s.request.part_photo_file = photo_file;
      s.request.part_photo_name = p.id + ".jpg";
      s.webhook_size = p.photo_size;
    }
    s.request.part_metadata = json;
    s.request.headers.push_back("Idempotency-Key: " + p.id);
    return {std::move(s)};
  }

  std::vector<Step> delete_steps(const store::Pledge& p) const override {
    Step s;
    s.request = request("DELETE", join_url(config_.url(), p.id));
    s.request.headers.push_back("Idempotency-Key: delete-" + p.id);
    s.ok_statuses = {404, 410};
    return {std::move(s)};
  }

 // The document as the body of a POST; the key tells the receiver which booth and event.
  std::vector<Step> document_steps(const std::string& key, const std::string& json) override {
    Step s;
    s.request = request("POST", config_.url());
    s.request.send_body = true;
    s.request.body = json;
    s.request.headers.push_back("Content-Type: application/json");
    s.request.headers.push_back("X-Pledgebooth-Document: " + key);
    s.request.headers.push_back("Idempotency-Key: " + sha256_of(key + "\n" + json));
    return {std::move(s)};
  }

 protected:
  void authorize(HttpRequest& r) const override { r.bearer = token_; }

 private:
  std::string token_;
};

}  // namespace

std::unique_ptr<Target> make_webhook_target(const config::UploadTarget& config) {
  return std::make_unique<WebhookTarget>(config);
}

}  // namespace pb::upload
