// The four kinds of target behind one interface: the requests (steps) that put a pledge's
// photo and metadata there, confirm their sizes, remove them, and probe reachability.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pb/config.h"
#include "pb/ledger.h"
#include "pb/status.h"
#include "reply.h"

namespace pb::upload {

// One request of an upload or delete, and what makes it a success.
struct Step {
  HttpRequest request;
  std::vector<long> ok_statuses;   // non-2xx that still count as success
  std::int64_t expect_size = -1;   // HEAD: Content-Length must equal this
  std::string collection;          // MKCOL: remembered once created
  std::int64_t webhook_size = -1;  // webhook: a "photo_size" in the reply must equal this
  // PUT: an ETag equal to the MD5 of the bytes sent confirms the stored object byte for
  // byte, so the HEAD that follows is skipped. S3 answers so for plain objects; WebDAV
  // servers only when set up so (rclone --etag-hash MD5). Otherwise the HEAD runs.
  bool etag_confirms = false;
};

class Target {
 public:
  explicit Target(config::UploadTarget config);
  const config::UploadTarget& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  bool is_local() const { return config_.kind == "file"; }
  // A missing secret: every upload fails with this until the config/env is fixed.
  const Status& setup_error() const { return setup_error_; }
  // Secrets for redaction of messages.
  const std::vector<std::string>& secrets() const { return secrets_; }

  std::string key(const store::Pledge& p, const std::string& ext) const;
  // What mark_done records: the photo's key, or the metadata's for a pledge without photo.
  std::string remote_key(const store::Pledge& p) const;

  // HTTP targets: the steps that upload photo (when any) then metadata, sizes confirmed.
  std::vector<Step> upload_steps(const store::Pledge& p, const std::string& photo_file,
                                 const std::string& json);
  std::vector<Step> delete_steps(const store::Pledge& p) const;
  // A cheap request that tells whether the target is reachable at all.
  Step probe_step() const;
  // Remembers a WebDAV collection that now exists.
  void remember_collection(const std::string& c) { collections_.insert(c); }
  // The ETag of the last successful PUT (lowercase, unquoted; "" = none). While it is not
  // an MD5, the PUT steps made next do not hash their bytes: the ETag could not confirm
  // them, a HEAD does. The first MD5-looking ETag turns hashing back on.
  void note_put_etag(const std::string& etag);
  bool etags_are_md5() const { return etags_md5_; }

  // file targets: write photo then metadata (temp → fsync → rename → fsync dir).
  Status upload_local(const store::Pledge& p, const std::string& photo_file,
                      const std::string& json);
  Status delete_local(const store::Pledge& p) const;
  // file targets: is the folder (or the stick it lives on) there?
  bool local_reachable() const;

 private:
  HttpRequest base_request(const std::string& method, const std::string& url) const;
  std::string url_for(const std::string& key) const;

  config::UploadTarget config_;
  Status setup_error_;
  std::vector<std::string> secrets_;
  std::string user_;
  std::string secret_;
  std::set<std::string> collections_;  // WebDAV collections known to exist
  bool etags_md5_ = true;              // see note_put_etag
};

}  // namespace pb::upload
