// SPDX-License-Identifier: Apache-2.0
// Real servers for the upload tests, started on free loopback ports and always stopped.
#include "upload_fixture.h"

#include <filesystem>
#include <regex>
#include <stdexcept>
#include <thread>
#include <tuple>

namespace pb::test {
namespace {

std::string json_value(const std::string& json, const std::string& name) {
  std::smatch m;
  std::regex re("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"");
  if (!std::regex_search(json, m, re)) throw std::runtime_error("no " + name + " in: " + json);
  return m[1].str();
}

}  // namespace

MotoServer::MotoServer(const std::string& bucket) : port_(free_port()) {
  // The first 3 requests (create-user, put-user-policy, create-access-key) pass without
  // a signature; from then on moto checks SigV4 and the IAM policy on every request.
  proc_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"moto_server", "-H", "127.0.0.1", "-p", std::to_string(port_)},
      dir_ / "moto.log", std::map<std::string, std::string>{{"INITIAL_NO_AUTH_ACTION_COUNT", "3"}});
  if (!wait_for_port(port_, std::chrono::seconds(30)))
    throw std::runtime_error("moto_server did not start");
  std::map<std::string, std::string> env{{"AWS_ACCESS_KEY_ID", "bootstrap"},
                                         {"AWS_SECRET_ACCESS_KEY", "bootstrap"},
                                         {"AWS_DEFAULT_REGION", "us-east-1"},
                                         {"AWS_CONFIG_FILE", dir_ / "none"},
                                         {"AWS_SHARED_CREDENTIALS_FILE", dir_ / "none"}};
  auto iam = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"aws", "--endpoint-url", endpoint(), "iam"};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = run(argv, env);
    if (r.exit_code != 0) throw std::runtime_error("aws iam failed: " + r.output);
    return r.output;
  };
  iam({"create-user", "--user-name", "booth"});
  iam({"put-user-policy", "--user-name", "booth", "--policy-name", "booth-s3", "--policy-document",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"});
  std::string key = iam({"create-access-key", "--user-name", "booth"});
  key_id_ = json_value(key, "AccessKeyId");
  secret_ = json_value(key, "SecretAccessKey");
  RunResult mb = aws({"s3", "mb", "s3://" + bucket});
  if (mb.exit_code != 0) throw std::runtime_error("aws s3 mb failed: " + mb.output);
}

RunResult MotoServer::aws(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"aws", "--endpoint-url", endpoint()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, {{"AWS_ACCESS_KEY_ID", key_id_},
                    {"AWS_SECRET_ACCESS_KEY", secret_},
                    {"AWS_DEFAULT_REGION", "us-east-1"},
                    {"AWS_CONFIG_FILE", dir_ / "none"},
                    {"AWS_SHARED_CREDENTIALS_FILE", dir_ / "none"}});
}

RcloneWebdav::RcloneWebdav(const std::string& root, const std::string& password,
                           const std::string& cert, const std::string& key, bool etag_md5)
    : port_(free_port()), tls_(!cert.empty()) {
  std::vector<std::string> argv{
      "rclone", "serve", "webdav", root,    "--addr", "127.0.0.1:" + std::to_string(port_),
      "--user", "booth", "--pass", password};
  if (tls_) argv.insert(argv.end(), {"--cert", cert, "--key", key});
  if (etag_md5) argv.insert(argv.end(), {"--etag-hash", "MD5"});
  proc_ = std::make_unique<ChildProcess>(
      argv, root + ".rclone.log",
      std::map<std::string, std::string>{{"RCLONE_CONFIG", "/dev/null"}});
  if (!wait_for_port(port_, std::chrono::seconds(20)))
    throw std::runtime_error("rclone did not start");
}

std::string RcloneWebdav::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

FaultServer::FaultServer(const std::string& root, const std::string& faults, int port,
                         const std::string& token, const std::string& cert, const std::string& key)
    : root_(root),
      log_path_(root + ".faults.log"),
      port_(port ? port : free_port()),
      tls_(!cert.empty()) {
  std::filesystem::create_directories(root);
  std::string faults_file = root + ".faults";
  write_file(faults_file, faults);
  std::vector<std::string> argv{"python3",  source_dir() + "/tests/upload/fault_server.py",
                                "--port",   std::to_string(port_),
                                "--root",   root,
                                "--faults", faults_file,
                                "--log",    log_path_,
                                "--token",  token};
  if (tls_) argv.insert(argv.end(), {"--cert", cert, "--key", key});
  proc_ = std::make_unique<ChildProcess>(argv, root + ".server.log");
  if (!wait_for_port(port_, std::chrono::seconds(20)))
    throw std::runtime_error("fault server did not start");
}

FaultServer::~FaultServer() {
  stop();
}

void FaultServer::stop() {
  if (proc_) proc_->stop();
}

std::string FaultServer::log() const {
  std::error_code ec;
  return std::filesystem::exists(log_path_, ec) ? read_file(log_path_) : "";
}

std::pair<std::string, std::string> make_self_signed(const std::string& dir) {
  std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  RunResult r =
      run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
           "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.output);
  return {cert, key};
}

TlsCerts make_tls_certs(const std::string& dir) {
  auto openssl = [](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = run(argv);
    if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.output);
  };
  auto request = [&](const std::string& name, const std::string& cn, const std::string& san) {
    openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/" + name + ".key", "-out",
             dir + "/" + name + ".csr", "-subj", "/CN=" + cn, "-addext", "subjectAltName=" + san});
  };
  TlsCerts c;
  c.ca = dir + "/ca.pem";
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/ca.key", "-out",
           c.ca, "-days", "2", "-subj", "/CN=pledgebooth test CA"});
  request("wrong-host", "other.example", "DNS:other.example");
  c.wrong_host = dir + "/wrong-host.pem";
  c.wrong_host_key = dir + "/wrong-host.key";
  openssl({"x509", "-req", "-in", dir + "/wrong-host.csr", "-CA", c.ca, "-CAkey", dir + "/ca.key",
           "-CAcreateserial", "-days", "2", "-copy_extensions", "copy", "-out", c.wrong_host});
  // An expired certificate needs `openssl ca`, the only CLI path that takes a start date.
  request("expired", "127.0.0.1", "IP:127.0.0.1");
  write_file(dir + "/index.txt", "");
  write_file(dir + "/serial", "1000\n");
  write_file(dir + "/ca.cnf", "[ca]\ndefault_ca = d\n[d]\ndatabase = " + dir +
                                  "/index.txt\nnew_certs_dir = " + dir + "\nserial = " + dir +
                                  "/serial\ndefault_md = sha256\npolicy = p\n"
                                  "copy_extensions = copy\n[p]\ncommonName = supplied\n");
  c.expired = dir + "/expired.pem";
  c.expired_key = dir + "/expired.key";
  openssl({"ca", "-batch", "-config", dir + "/ca.cnf", "-cert", c.ca, "-keyfile", dir + "/ca.key",
           "-in", dir + "/expired.csr", "-out", c.expired, "-startdate", "20200101000000Z",
           "-enddate", "20200102000000Z", "-notext"});
  std::tie(c.unknown, c.unknown_key) = make_self_signed(dir);
  return c;
}

}  // namespace pb::test
