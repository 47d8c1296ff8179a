// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the upload tests: curl set-up, pledges in a temp ledger, a config in
// code, and real servers (moto_server with IAM auth, rclone WebDAV, the fault server).
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "pb/config.h"
#include "pb/ledger.h"
#include "pb/uploader.h"
#include "test_support.h"

namespace pb::test {

// curl_global_init once per test process, before any thread (main does it in the app).
struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};
inline const CurlGlobal kCurlGlobal;

// Bytes that look like a JPEG (SOI, random middle, EOI), `size` long, seeded.
inline std::vector<std::uint8_t> fake_jpeg(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> b(size);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  b[0] = 0xFF, b[1] = 0xD8, b[size - 2] = 0xFF, b[size - 1] = 0xD9;
  return b;
}

// Saves n pledges; pledge i has consent unless consent(i) says no; photo of ~size bytes.
inline std::vector<store::Pledge> save_pledges(store::Ledger& ledger, int n,
                                               const std::vector<std::string>& targets,
                                               std::size_t size = 20000,
                                               bool (*consent)(int) = nullptr,
                                               const std::string& event = "heforshe-seoul") {
  std::vector<store::Pledge> out;
  for (int i = 0; i < n; ++i) {
    store::PledgeInput in;
    in.event = event;
    in.booth = "booth-1";
    in.locale = i % 2 ? "ko" : "en";
    in.first_name = i % 3 ? "Min-jun" : "";
    in.answer = i % 2 ? "for my daughter" : "";
    in.share_consent = consent ? consent(i) : true;
    in.consent_version = 1;
    in.photo_jpeg = fake_jpeg(size + static_cast<std::size_t>(i), static_cast<unsigned>(i + 1));
    in.targets = targets;
    auto p = ledger.save_pledge(in);
    if (!p) throw std::runtime_error("save_pledge: " + p.status().message());
    out.push_back(*p);
  }
  return out;
}

inline std::string sha256_of(const std::string& bytes) {
  return store::sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

inline config::Config base_config(const std::string& data_dir) {
  config::Config c = config::default_config();
  c.storage.data_dir = data_dir;
  c.event.id = "heforshe-seoul";
  c.upload.targets.clear();
  c.upload.max_backoff_s = 2;
  // The tally documents have their own tests (tally_test.cpp): here only the pledges' files.
  c.upload.tallies = false;
  return c;
}

// The whole outbox of a ledger by state.
// Every regular file under root, relative to it, sorted.
inline std::vector<std::string> files_under(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::end(it); it.increment(ec))
    if (it->is_regular_file()) out.push_back(std::filesystem::relative(it->path(), root).string());
  std::sort(out.begin(), out.end());
  return out;
}

inline store::QueueCounts counts(store::Ledger& ledger) {
  return *ledger.queue_counts();
}

// A folder target named "stick" at path, keys under prefix.
inline config::UploadTarget folder_target(const std::string& path,
                                          const std::string& prefix = "campaign") {
  config::UploadTarget t;
  t.name = "stick";
  t.kind = "file";
  t.settings["path"] = path;
  t.prefix = prefix;
  return t;
}

// moto_server on a free port with signature checking on after the IAM set-up: a user
// with an allow-all policy and an access key, and a bucket made with that key.
class MotoServer {
 public:
  explicit MotoServer(const std::string& bucket = "pledges");
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& key_id() const { return key_id_; }
  const std::string& secret() const { return secret_; }
  // Runs `aws --endpoint-url <endpoint> args...` with the user's key.
  RunResult aws(const std::vector<std::string>& args) const;

 private:
  TempDir dir_{"pb-moto"};
  int port_;
  std::unique_ptr<ChildProcess> proc_;
  std::string key_id_, secret_;
};

// rclone serve webdav over root with basic auth (user "booth"); TLS when cert+key given.
class RcloneWebdav {
 public:
  // etag_md5: ETags are the MD5 of the content (so PUTs confirm themselves).
  RcloneWebdav(const std::string& root, const std::string& password, const std::string& cert = "",
               const std::string& key = "", bool etag_md5 = false);
  std::string url() const;
  int port() const { return port_; }

 private:
  int port_;
  bool tls_;
  std::unique_ptr<ChildProcess> proc_;
};

// tests/upload/fault_server.py: an object store (PUT/HEAD/GET/DELETE/MKCOL/POST) that
// misbehaves on demand. faults: "METHOD SUFFIX FAULT COUNT" lines.
class FaultServer {
 public:
  // With cert and key (PEM files) it speaks TLS, and url() is https.
  FaultServer(const std::string& root, const std::string& faults, int port = 0,
              const std::string& token = "", const std::string& cert = "",
              const std::string& key = "");
  ~FaultServer();
  std::string url() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  int port() const { return port_; }
  // The log of fired faults ("FAULT <name> <method> <path>" lines).
  std::string log() const;
  void stop();

 private:
  std::string root_;
  std::string log_path_;
  int port_;
  bool tls_ = false;
  std::unique_ptr<ChildProcess> proc_;
};

// Certificates made with the openssl CLI in dir: a private CA, and server certificates
// (with keys) that a client trusting only that CA must refuse for different reasons.
struct TlsCerts {
  std::string ca;                          // the CA's certificate
  std::string wrong_host, wrong_host_key;  // by the CA, for other.example only
  std::string expired, expired_key;        // by the CA, for 127.0.0.1, expired in 2020
  std::string unknown, unknown_key;        // self-signed for 127.0.0.1 (no CA knows it)
};
TlsCerts make_tls_certs(const std::string& dir);

// Self-signed cert for 127.0.0.1 made with openssl in dir: returns {cert, key}.
std::pair<std::string, std::string> make_self_signed(const std::string& dir);

}  // namespace pb::test
