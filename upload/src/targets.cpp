// file, S3 (SigV4, path-style), WebDAV (MKCOL + PUT) and webhook (multipart POST) targets.
#include "targets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pb/uploader.h"
#include "reply.h"

namespace fs = std::filesystem;

namespace pb::upload {
namespace {

const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string sha256_of(const std::string& s) {
  return store::sha256_hex(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

std::string dir_of(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash);
}

Status io_error(const std::string& what, int err) {
  Status::Code code = Status::Code::kIo;
  if (err == ENOSPC || err == EDQUOT) code = Status::Code::kDiskFull;
  if (err == EROFS || err == EACCES || err == EPERM) code = Status::Code::kReadOnly;
  return Status::error(code, what + ": " + std::strerror(err));
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::ok() : io_error("fsync " + dir, err);
}

// Writes bytes (from a file or memory) to dest via a temp file, fsync and rename.
Status write_atomically(const std::string& dest, const std::string& src_file,
                        const std::string& data) {
  std::string tmp = dest + ".part-" + std::to_string(::getpid());
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return io_error("create " + tmp, errno);
  auto fail = [&](const std::string& what, int err) {
    ::close(out);
    ::unlink(tmp.c_str());
    return io_error(what, err);
  };
  auto write_all = [&](const char* p, std::size_t n) -> int {
    while (n > 0) {
      ssize_t w = ::write(out, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return 0;
  };
  if (!src_file.empty()) {
    int in = ::open(src_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return fail("read " + src_file, errno);
    char buf[64 * 1024];
    for (;;) {
      ssize_t r = ::read(in, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        int err = errno;
        ::close(in);
        return fail("read " + src_file, err);
      }
      if (r == 0) break;
      if (int err = write_all(buf, static_cast<std::size_t>(r))) {
        ::close(in);
        return fail("write " + tmp, err);
      }
    }
    ::close(in);
  } else if (int err = write_all(data.data(), data.size())) {
    return fail("write " + tmp, err);
  }
  if (::fsync(out) != 0) return fail("fsync " + tmp, errno);
  if (::close(out) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("close " + tmp, err);
  }
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("rename " + dest, err);
  }
  return fsync_dir(fs::path(dest).parent_path().string());
}

}  // namespace

Target::Target(config::UploadTarget config) : config_(std::move(config)) {
  auto need = [&](const std::string& env, const char* what) -> std::string {
    if (env.empty()) return "";
    auto v = config::resolve_secret(env);
    if (!v) {
      if (!setup_error_.is_ok()) return "";  // the first missing one is named
      setup_error_ = Status::error(Status::Code::kRejected,
                                   std::string("the environment variable ") + env + " (" + what +
                                       " of target " + config_.name + ") is not set");
      return "";
    }
    secrets_.push_back(*v);
    return *v;
  };
  if (config_.kind == "s3") {
    user_ = need(config_.access_key_env, "access key");
    secret_ = need(config_.secret_key_env, "secret key");
  } else if (config_.kind == "webdav") {
    user_ = config_.username;
    secret_ = need(config_.password_env, "password");
  } else if (config_.kind == "webhook") {
    secret_ = need(config_.token_env, "token");
  }
  // A server may echo the Basic credentials it was sent: their base64 is a secret too.
  if (!user_.empty() || !secret_.empty()) {
    std::string basic = base64(user_ + ":" + secret_);
    secrets_.push_back(basic);
    while (!basic.empty() && basic.back() == '=') basic.pop_back();
    secrets_.push_back(basic);
  }
}

std::string Target::key(const store::Pledge& p, const std::string& ext) const {
  return object_key(config_.prefix, p, ext);
}

std::string Target::remote_key(const store::Pledge& p) const {
  return key(p, p.photo_path.empty() ? "json" : "jpg");
}

std::string Target::url_for(const std::string& key) const {
  if (config_.kind == "s3") return join_url(join_url(config_.endpoint, config_.bucket), key);
  return join_url(config_.url, key);
}

HttpRequest Target::base_request(const std::string& method, const std::string& url) const {
  HttpRequest r;
  r.method = method;
  r.url = url;
  if (config_.kind == "s3") {
    r.user = user_;
    r.secret = secret_;
    r.aws_sigv4 = "aws:amz:" + config_.region + ":s3";
  } else if (config_.kind == "webdav") {
    r.user = user_;
    r.secret = secret_;
  } else if (config_.kind == "webhook") {
    r.bearer = secret_;
  }
  return r;
}

std::vector<Step> Target::upload_steps(const store::Pledge& p, const std::string& photo_file,
                                       const std::string& json) {
  std::vector<Step> steps;
  const bool has_photo = !p.photo_path.empty();
  if (config_.kind == "webhook") {
    Step s;
    s.request = base_request("POST", config_.url);
    s.request.multipart = true;
    if (has_photo) {
      s.request.part_photo_file = photo_file;
      s.request.part_photo_name = p.id + ".jpg";
      s.webhook_size = p.photo_size;
    }
    s.request.part_metadata = json;
    s.request.headers.push_back("Idempotency-Key: " + p.id);
    steps.push_back(std::move(s));
    return steps;
  }
  if (config_.kind == "webdav") {
    // MKCOL each missing parent, outermost first; 405 means it exists already.
    std::string dir = dir_of(key(p, "jpg"));
    std::string path;
    std::size_t start = 0;
    while (start <= dir.size() && !dir.empty()) {
      auto slash = dir.find('/', start);
      std::string part =
          dir.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      path += (path.empty() ? "" : "/") + part;
      if (!collections_.count(path)) {
        Step s;
        s.request = base_request("MKCOL", url_for(path) + "/");
        s.ok_statuses = {405};
        s.collection = path;
        steps.push_back(std::move(s));
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  auto put = [&](const std::string& k, const std::string& file, std::int64_t size,
                 const std::string& sha, const char* type) {
    Step s;
    s.request = base_request("PUT", url_for(k));
    s.request.send_body = true;
    if (!file.empty()) {
      s.request.body_file = file;
      s.request.body_size = size;
    } else {
      s.request.body = json;
    }
    s.request.headers.push_back(std::string("Content-Type: ") + type);
    if (config_.kind == "s3") s.request.headers.push_back("x-amz-content-sha256: " + sha);
    s.etag_confirms = true;
    s.request.hash_body = etags_md5_;
    steps.push_back(std::move(s));
    Step h;
    h.request = base_request("HEAD", url_for(k));
    if (config_.kind == "s3")
      h.request.headers.push_back(std::string("x-amz-content-sha256: ") + kEmptySha256);
    h.expect_size = size;
    steps.push_back(std::move(h));
  };
  if (has_photo) put(key(p, "jpg"), photo_file, p.photo_size, p.photo_sha256, "image/jpeg");
  put(key(p, "json"), "", static_cast<std::int64_t>(json.size()), sha256_of(json),
      "application/json");
  return steps;
}

std::vector<Step> Target::delete_steps(const store::Pledge& p) const {
  std::vector<Step> steps;
  if (config_.kind == "webhook") {
    Step s;
    s.request = base_request("DELETE", join_url(config_.url, p.id));
    s.request.headers.push_back("Idempotency-Key: delete-" + p.id);
    s.ok_statuses = {404, 410};
    steps.push_back(std::move(s));
    return steps;
  }
  // Metadata first: a consumer never sees a photo's metadata without the photo.
  for (const char* ext : {"json", "jpg"}) {
    Step s;
    s.request = base_request("DELETE", url_for(key(p, ext)));
    if (config_.kind == "s3")
      s.request.headers.push_back(std::string("x-amz-content-sha256: ") + kEmptySha256);
    s.ok_statuses = {404};
    steps.push_back(std::move(s));
  }
  return steps;
}

void Target::note_put_etag(const std::string& etag) {
  etags_md5_ = etag.size() == 32 && std::all_of(etag.begin(), etag.end(), [](char c) {
                 return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
               });
}

Step Target::probe_step() const {
  Step s;
  s.request.method = "HEAD";
  s.request.url = config_.kind == "s3" ? join_url(config_.endpoint, config_.bucket) : config_.url;
  return s;
}

bool Target::local_reachable() const {
  std::error_code ec;
  fs::path root(config_.path);
  return fs::is_directory(root, ec) || fs::is_directory(root.parent_path(), ec);
}

Status Target::upload_local(const store::Pledge& p, const std::string& photo_file,
                            const std::string& json) {
  if (!local_reachable())
    return Status::error(Status::Code::kUnavailable,
                         "folder not there (stick unplugged?): " + config_.path);
  const std::string root = config_.path;
  fs::path dir = fs::path(root) / dir_of(key(p, "json"));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return io_error("create " + dir.string(), ec.value());
  if (!p.photo_path.empty()) {
    std::string dest = (fs::path(root) / key(p, "jpg")).string();
    if (Status s = write_atomically(dest, photo_file, ""); !s) return s;
    struct stat st {};
    if (::stat(dest.c_str(), &st) != 0 || st.st_size != p.photo_size)
      return Status::error(Status::Code::kIo, "size of " + dest + " differs from the photo's");
  }
  return write_atomically((fs::path(root) / key(p, "json")).string(), "", json);
}

Status Target::delete_local(const store::Pledge& p) const {
  for (const char* ext : {"json", "jpg"}) {
    std::string f = (fs::path(config_.path) / key(p, ext)).string();
    if (::unlink(f.c_str()) != 0 && errno != ENOENT) return io_error("remove " + f, errno);
  }
  return Status::ok();
}

}  // namespace pb::upload
