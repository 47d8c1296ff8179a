// SPDX-License-Identifier: Apache-2.0
// Host::real(): what the doctor's checks read of this machine, through POSIX calls.
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "pb/disk.h"
#include "pb/doctor.h"
#include "pb/ledger.h"

namespace pb::doctor {
namespace {

class RealHost final : public Host {
 public:
  std::optional<std::string> env(const std::string& name) const override {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  }

  bool exists(const std::string& path) const override {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
  }

  std::optional<std::string> read_text(const std::string& path,
                                       std::size_t max_bytes) const override {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text(max_bytes, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return std::nullopt;
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
  }

  std::vector<std::string> glob(const std::string& pattern) const override {
    std::vector<std::string> out;
    glob_t g{};
    if (::glob(pattern.c_str(), 0, nullptr, &g) == 0)
      for (std::size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
    globfree(&g);
    return out;
  }

  Result<FileStat> stat(const std::string& path) const override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      return Status::error(Status::Code::kUnavailable, std::strerror(errno));
    return FileStat{st.st_uid, st.st_gid, st.st_mode};
  }

  bool may_access(const std::string& path, int mode) const override {
    return ::access(path.c_str(), mode) == 0;
  }

  uid_t euid() const override { return geteuid(); }

  std::string user_name(uid_t uid) const override {
    if (const passwd* pw = getpwuid(uid)) return pw->pw_name;
    return "uid " + std::to_string(uid);
  }

  std::string group_name(gid_t gid) const override {
    if (const group* g = getgrgid(gid)) return g->gr_name;
    return "gid " + std::to_string(gid);
  }

  BoothUser booth_user() const override {
    const passwd* pw = geteuid() == 0 ? getpwnam("pledgebooth") : nullptr;
    if (!pw) pw = getpwuid(geteuid());
    if (!pw) return {user_name(geteuid()), geteuid(), {getegid()}};
    BoothUser u{pw->pw_name, pw->pw_uid, {}};
    int n = 64;
    u.groups.resize(static_cast<std::size_t>(n));
    if (getgrouplist(pw->pw_name, pw->pw_gid, u.groups.data(), &n) < 0) n = 0;
    u.groups.resize(static_cast<std::size_t>(std::max(n, 0)));
    return u;
  }

  std::string unit_properties(const std::string& unit,
                              const std::vector<std::string>& properties) const override {
    // Fixed strings of ours (the unit and property names): nothing from outside reaches the
    // shell. At most 64 KB of output is read.
    std::string command = "systemctl show " + unit;
    for (const auto& p : properties) command += " -p " + p;
    command += " 2>/dev/null";
    std::string out;
    if (FILE* p = popen(command.c_str(), "r")) {
      char buf[4096];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, p)) > 0 && out.size() < 65536) out.append(buf, n);
      pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }

  Status connect(const std::string& host, const std::string& port, int timeout_ms) const override {
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
      return Status::error(Status::Code::kUnavailable, gai_strerror(rc));
    std::string error = "no address";
    bool ok = false;
    for (addrinfo* a = res; a && !ok; a = a->ai_next) {
      const int fd =
          socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        ok = true;
      } else if (errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (poll(&p, 1, timeout_ms) == 1 &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
          ok = true;
        else
          error = soerr ? std::strerror(soerr)
                        : "no answer within " + std::to_string(timeout_ms / 1000) + " s";
      } else {
        error = std::strerror(errno);
      }
      close(fd);
    }
    freeaddrinfo(res);
    return ok ? Status::ok() : Status::error(Status::Code::kUnavailable, error);
  }

  std::int64_t now_ms() const override { return store::now_ms(); }

  std::optional<std::int64_t> free_bytes(const std::string& dir) const override {
    return disk::free_bytes(dir);
  }

  bool write_probe(const std::string& dir) const override {
    const std::string probe = dir + "/.doctor-probe";
    FILE* f = std::fopen(probe.c_str(), "w");
    if (!f) return false;
    const bool put = std::fputs("ok", f) >= 0;
    const bool closed = std::fclose(f) == 0;  // a full disk may say so only here
    std::remove(probe.c_str());
    return put && closed;
  }

  std::string self_exe() const override {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? "" : exe.string();
  }

  std::string first_line_of(const std::string& command) const override {
    std::string out;
    if (FILE* p = popen(command.c_str(), "r")) {
      char buf[512];
      if (std::fgets(buf, sizeof buf, p)) out = buf;
      while (std::fgets(buf, sizeof buf, p)) {
      }
      pclose(p);
    }
    if (const auto nl = out.find('\n'); nl != std::string::npos) out.resize(nl);
    return out;
  }
};

}  // namespace

const Host& Host::real() {
  static const RealHost host;
  return host;
}

}  // namespace pb::doctor
