// SPDX-License-Identifier: Apache-2.0
// What every kind of target shares: keys, secrets from the environment, PUT + HEAD steps.
#include <algorithm>

#include "pb/uploader.h"
#include "reply.h"
#include "targets.h"

namespace pb::upload {

std::string sha256_of(const std::string& s) {
  return store::sha256_hex(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

std::string dir_of(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash);
}

Target::Target(config::UploadTarget config) : config_(std::move(config)) {}

std::string Target::secret_from_env(const std::string& env, const char* what) {
  if (env.empty()) return "";
  auto v = config::resolve_secret(env);
  if (!v) {
    if (!setup_error_.is_ok()) return "";  // the first missing one is named
    setup_error_ =
        Status::error(Status::Code::kRejected, "the environment variable " + env + " (" + what +
                                                   " of target " + config_.name + ") is not set");
    return "";
  }
  secrets_.push_back(*v);
  return *v;
}

void Target::add_basic_secrets(const std::string& user, const std::string& secret) {
  if (user.empty() && secret.empty()) return;
  std::string basic = base64(user + ":" + secret);
  secrets_.push_back(basic);
  while (!basic.empty() && basic.back() == '=') basic.pop_back();
  secrets_.push_back(basic);
}

std::string Target::key(const store::Pledge& p, const std::string& ext) const {
  return object_key(config_.prefix, p, ext);
}

std::string Target::remote_key(const store::Pledge& p) const {
  return key(p, p.photo_path.empty() ? "json" : "jpg");
}

std::string escape_key(const std::string& key) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string Target::url_for(const std::string& key) const {
  return join_url(config_.url(), escape_key(key));
}

HttpRequest Target::request(const std::string& method, const std::string& url) const {
  HttpRequest r;
  r.method = method;
  r.url = url;
  authorize(r);
  return r;
}

void Target::put_and_confirm(std::vector<Step>& steps, const std::string& k,
                             const std::string& file, const std::string& body, std::int64_t size,
                             const std::string& sha, const char* type) const {
  Step s;
  s.request = request("PUT", url_for(k));
  s.request.send_body = true;
  if (!file.empty()) {
    s.request.body_file = file;
    s.request.body_size = size;
  } else {
    s.request.body = body;
  }
  s.request.headers.push_back(std::string("Content-Type: ") + type);
  sign_payload(s.request, sha);
  s.etag_confirms = true;
  s.request.hash_body = etags_md5_;
  steps.push_back(std::move(s));
  Step h;
  h.request = request("HEAD", url_for(k));
  sign_payload(h.request, kEmptySha256);
  h.expect_size = size;
  steps.push_back(std::move(h));
}

std::vector<Step> Target::upload_steps(const store::Pledge& p, const std::string& photo_file,
                                       const std::string& json) {
  std::vector<Step> steps;
  if (!p.photo_path.empty())
    put_and_confirm(steps, key(p, "jpg"), photo_file, "", p.photo_size, p.photo_sha256,
                    "image/jpeg");
  put_and_confirm(steps, key(p, "json"), "", json, static_cast<std::int64_t>(json.size()),
                  sha256_of(json), "application/json");
  return steps;
}

std::vector<Step> Target::delete_objects(const store::Pledge& p) const {
  std::vector<Step> steps;
  // Metadata first: a consumer never sees a photo's metadata without the photo.
  for (const char* ext : {"json", "jpg"}) {
    Step s;
    s.request = request("DELETE", url_for(key(p, ext)));
    sign_payload(s.request, kEmptySha256);
    s.ok_statuses = {404};
    steps.push_back(std::move(s));
  }
  return steps;
}

std::vector<Step> Target::delete_steps(const store::Pledge& p) const {
  return delete_objects(p);
}

Step Target::probe_step() const {
  Step s;
  s.request.method = "HEAD";
  s.request.url = config_.url();
  return s;
}

void Target::note_put_etag(const std::string& etag) {
  etags_md5_ = etag.size() == 32 && std::all_of(etag.begin(), etag.end(), [](char c) {
                 return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
               });
}

std::vector<Step> Target::document_steps(const std::string& k, const std::string& json) {
  Step s;
  s.request = request("PUT", url_for(k));
  s.request.send_body = true;
  s.request.body = json;
  s.request.headers.push_back("Content-Type: application/json");
  sign_payload(s.request, sha256_of(json));
  return {std::move(s)};
}

Step Target::list_step(const std::string&, const std::string&) const {
  return Step{};
}

ListingPage Target::parse_list(std::string_view, const std::string&) const {
  ListingPage page;
  page.error = "target " + name() + " (" + config_.kind + ") cannot be listed";
  return page;
}

Step Target::get_step(const std::string& k) const {
  Step s;
  s.request = request("GET", url_for(k));
  sign_payload(s.request, kEmptySha256);
  return s;
}

ListingPage Target::list_local(const std::string&) const {
  ListingPage page;
  page.error = "target " + name() + " is not a folder";
  return page;
}

Status Target::read_local(const std::string&, std::size_t, std::string&) const {
  return Status::error(Status::Code::kInvalid, "target " + name() + " is not a folder");
}

Status Target::write_document_local(const std::string&, const std::string&) {
  return Status::error(Status::Code::kInvalid, "target " + name() + " is not a folder");
}

Status Target::upload_local(const store::Pledge&, const std::string&, const std::string&) {
  return Status::error(Status::Code::kInvalid, "target " + name() + " is not a folder");
}

Status Target::delete_local(const store::Pledge&) const {
  return Status::error(Status::Code::kInvalid, "target " + name() + " is not a folder");
}

}  // namespace pb::upload
