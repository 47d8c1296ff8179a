// SPDX-License-Identifier: Apache-2.0
// One class per kind of target (upload/src/targets/<kind>_target.cpp) behind this interface:
// the requests (steps) that put a pledge's photo and metadata there, confirm their sizes,
// remove them, and probe reachability; a folder kind writes directly instead. make_target()
// picks the class by the kind's name (config::target_kinds() lists the kinds once).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "listing.h"
#include "pb/config.h"
#include "pb/ledger.h"
#include "pb/status.h"
#include "reply.h"

namespace pb::upload {

// SHA-256 of no bytes: the payload hash of an S3 request without body.
inline constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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
  virtual ~Target() = default;
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  const config::UploadTarget& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  // A folder kind: written by upload_local() on the engine's thread, no HTTP.
  virtual bool is_local() const { return false; }
  // A missing secret: every upload fails with this until the config/env is fixed.
  const Status& setup_error() const { return setup_error_; }
  // Secrets for redaction of messages.
  const std::vector<std::string>& secrets() const { return secrets_; }

  std::string key(const store::Pledge& p, const std::string& ext) const;
  // What mark_done records: the photo's key, or the metadata's for a pledge without photo.
  std::string remote_key(const store::Pledge& p) const;

  // HTTP kinds: the steps that upload photo (when any) then metadata, sizes confirmed.
  virtual std::vector<Step> upload_steps(const store::Pledge& p, const std::string& photo_file,
                                         const std::string& json);
  virtual std::vector<Step> delete_steps(const store::Pledge& p) const;
  // A cheap request that tells whether the target is reachable at all.
  virtual Step probe_step() const;
  // Remembers a WebDAV collection that now exists.
  void remember_collection(const std::string& c) { collections_.insert(c); }
  // The ETag of the last successful PUT (lowercase, unquoted; "" = none). While it is not
  // an MD5, the PUT steps made next do not hash their bytes: the ETag could not confirm
  // them, a HEAD does. The first MD5-looking ETag turns hashing back on.
  void note_put_etag(const std::string& etag);
  bool etags_are_md5() const { return etags_md5_; }

  // A small document (a booth's tally) put at key so a reader never sees half of it: S3
  // one PUT, WebDAV a PUT to a temp name then MOVE, webhook a POST of it.
  virtual std::vector<Step> document_steps(const std::string& key, const std::string& json);
  // Folder kinds: the same, temp → fsync → rename → fsync dir.
  virtual Status write_document_local(const std::string& key, const std::string& json);

  // Reading back (`pledgebooth tally`). One page of the names under dir (a key without
  // trailing '/', "" = the root) after token: S3 ListObjectsV2 with delimiter '/', WebDAV
  // PROPFIND Depth 1. A step with an empty URL: this kind cannot be listed (a webhook).
  virtual Step list_step(const std::string& dir, const std::string& token) const;
  virtual ListingPage parse_list(std::string_view body, const std::string& dir) const;
  // A GET of the object at key.
  virtual Step get_step(const std::string& key) const;
  // Folder kinds: the names under dir; a file's bytes (kInvalid when larger than max).
  virtual ListingPage list_local(const std::string& dir) const;
  virtual Status read_local(const std::string& key, std::size_t max, std::string& out) const;

  // Folder kinds: write photo then metadata (temp → fsync → rename → fsync dir).
  virtual Status upload_local(const store::Pledge& p, const std::string& photo_file,
                              const std::string& json);
  virtual Status delete_local(const store::Pledge& p) const;
  // Folder kinds: is the folder (or the stick it lives on) there?
  virtual bool local_reachable() const { return false; }

 protected:
  explicit Target(config::UploadTarget config);

  // The value of the environment variable `env` names (what: "access key", for the
  // message); the first one missing becomes setup_error(). Each value is a secret.
  std::string secret_from_env(const std::string& env, const char* what);
  // A server may echo the Basic credentials it was sent: their base64 is a secret too.
  void add_basic_secrets(const std::string& user, const std::string& secret);

  // A request of this kind to url, credentials attached (authorize()).
  HttpRequest request(const std::string& method, const std::string& url) const;
  virtual void authorize(HttpRequest&) const {}
  // The URL of an object key inside the target.
  virtual std::string url_for(const std::string& key) const;
  // Adds to a PUT or HEAD what the kind needs about the payload (S3: its SHA-256).
  virtual void sign_payload(HttpRequest&, const std::string& /*sha256*/) const {}
  // PUT of a file (or of `body` when file is "") then HEAD confirming its size, to steps.
  void put_and_confirm(std::vector<Step>& steps, const std::string& key, const std::string& file,
                       const std::string& body, std::int64_t size, const std::string& sha256,
                       const char* type) const;
  // The steps that DELETE the metadata, then the photo (404 = already gone).
  std::vector<Step> delete_objects(const store::Pledge& p) const;

  config::UploadTarget config_;
  std::set<std::string> collections_;  // WebDAV collections known to exist

 private:
  Status setup_error_;
  std::vector<std::string> secrets_;
  bool etags_md5_ = true;  // see note_put_etag
};

// The class of config.kind (see upload/src/targets/registry.cpp). Throws
// std::invalid_argument for a kind no class is registered for (a bug: validate() refuses
// unknown kinds).
std::unique_ptr<Target> make_target(const config::UploadTarget& config);
// The kinds a class is registered for (a test checks they are config::target_kinds()).
std::vector<std::string> registered_target_kinds();

// SHA-256 of bytes in memory, lowercase hex.
std::string sha256_of(const std::string& bytes);
// A key (or an S3 query value) percent-encoded for a URL: every byte but A-Z a-z 0-9 - _ . ~
// and '/'. The booth's own keys are made of those only; a name read from a listing may hold
// '?', '#', '%' or "%2e%2e", which must reach the server as the name, not as syntax.
std::string escape_key(const std::string& key);
// The folder part of a key ("a/b/c.json" → "a/b").
std::string dir_of(const std::string& key);

}  // namespace pb::upload
