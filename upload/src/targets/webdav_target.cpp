// SPDX-License-Identifier: Apache-2.0
// A WebDAV collection (Nextcloud, ownCloud, rclone): MKCOL of each missing parent, then
// PUT + HEAD; Basic auth with username and the password from the environment.
#include "targets.h"

namespace pb::upload {
namespace {

class WebDavTarget : public Target {
 public:
  explicit WebDavTarget(config::UploadTarget config) : Target(std::move(config)) {
    user_ = config_.setting("username");
    password_ = secret_from_env(config_.setting("password_env"), "password");
    add_basic_secrets(user_, password_);
  }

  std::vector<Step> upload_steps(const store::Pledge& p, const std::string& photo_file,
                                 const std::string& json) override {
    std::vector<Step> steps = make_collections(dir_of(key(p, "jpg")));
    for (Step& s : Target::upload_steps(p, photo_file, json)) steps.push_back(std::move(s));
    return steps;
  }

 // PUT to a temp name beside it, then MOVE over the old one: a reader never sees half.
  std::vector<Step> document_steps(const std::string& key, const std::string& json) override {
    std::vector<Step> steps = make_collections(dir_of(key));
    const std::string temp = key + ".part-" + sha256_of(json).substr(0, 12);
    for (Step& s : Target::document_steps(temp, json)) steps.push_back(std::move(s));
    Step move;
    move.request = request("MOVE", url_for(temp));
    move.request.headers.push_back("Destination: " + url_for(key));
    move.request.headers.push_back("Overwrite: T");
    steps.push_back(std::move(move));
    return steps;
  }

 Step list_step(const std::string& dir, const std::string&) const override {
    Step s;
    s.request = request("PROPFIND", url_for(dir) + "/");
    s.request.headers.push_back("Depth: 1");
    s.request.headers.push_back("Content-Type: application/xml");
    s.request.send_body = true;
    s.request.body =
        "<?xml version=\"1.0\"?><d:propfind xmlns:d=\"DAV:\"><d:prop><d:resourcetype/>"
        "</d:prop></d:propfind>";
    s.request.max_body = kMaxListingBody;
    return s;
  }
  ListingPage parse_list(std::string_view body, const std::string& dir) const override {
    // The path part of the collection's URL, as the hrefs of the reply carry it.
    std::string url = url_for(dir) + "/";
    auto scheme = url.find("://");
    auto slash = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
    return parse_propfind(body, slash == std::string::npos ? "/" : url.substr(slash));
  }

 protected:
  void authorize(HttpRequest& r) const override {
    r.user = user_;
    r.secret = password_;
  }

 private:
  // MKCOL each missing parent of dir, outermost first; 405 means it exists already.
  std::vector<Step> make_collections(const std::string& dir) const {
    std::vector<Step> steps;
    std::string path;
    std::size_t start = 0;
    while (start <= dir.size() && !dir.empty()) {
      auto slash = dir.find('/', start);
      std::string part =
          dir.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      path += (path.empty() ? "" : "/") + part;
      if (!collections_.count(path)) {
        Step s;
        s.request = request("MKCOL", url_for(path) + "/");
        s.ok_statuses = {405};
        s.collection = path;
        steps.push_back(std::move(s));
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return steps;
  }

  std::string user_;
  std::string password_;
};

}  // namespace

std::unique_ptr<Target> make_webdav_target(const config::UploadTarget& config) {
  return std::make_unique<WebDavTarget>(config);
}

}  // namespace pb::upload
