// SPDX-License-Identifier: Apache-2.0
// A machine made of maps, for the doctor's checks: environment, files and their owners and
// modes, a systemctl answer, reachable ports, the clock and free space, all set by the test.
#pragma once

#include <sys/stat.h>

#include <fnmatch.h>
#include <algorithm>
#include <map>
#include <set>

#include "pb/doctor.h"

namespace pb::test {

class FakeHost : public doctor::Host {
 public:
  std::map<std::string, std::string> environment;
  std::map<std::string, std::string> files;       // path → content (exists, readable)
  std::map<std::string, doctor::FileStat> stats;  // path → owner and mode (exists)
  std::set<std::string> writable;                 // paths this process may write (access W_OK)
  uid_t me = 1000;
  doctor::BoothUser user{"volunteer", 1000, {1000}};
  std::map<uid_t, std::string> users{{0, "root"}, {1000, "volunteer"}, {1001, "other"}};
  std::map<gid_t, std::string> groups{{0, "root"}, {44, "video"}, {1000, "volunteer"}};
  std::string systemctl;                       // what `systemctl show` prints
  std::map<std::string, std::string> refused;  // "host:port" → why it cannot be reached
  std::int64_t now = 1'900'000'000'000;        // 2030-03-17
  std::optional<std::int64_t> free = std::int64_t{8} << 30;
  bool probe_ok = true;
  mutable std::vector<std::string> connected;  // "host:port" asked for
  std::string exe = "/usr/bin/pledgebooth";
  // A command's first line, by a word the command holds ("booth-session", "journalctl").
  std::map<std::string, std::string> command_output;
  mutable std::vector<std::string> commands;  // what was run

  std::optional<std::string> env(const std::string& name) const override {
    auto it = environment.find(name);
    return it == environment.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  bool exists(const std::string& path) const override {
    return files.count(path) || stats.count(path);
  }
  std::optional<std::string> read_text(const std::string& path,
                                       std::size_t max_bytes) const override {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second.substr(0, max_bytes);
  }
  std::vector<std::string> glob(const std::string& pattern) const override {
    std::vector<std::string> out;
    for (const auto& [path, st] : stats)
      if (fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) out.push_back(path);
    return out;
  }
  Result<doctor::FileStat> stat(const std::string& path) const override {
    auto it = stats.find(path);
    if (it == stats.end()) return Status::error(Status::Code::kUnavailable, "No such file");
    return it->second;
  }
  bool may_access(const std::string& path, int mode) const override {
    if (mode & W_OK) return writable.count(path) > 0;
    return exists(path);
  }
  uid_t euid() const override { return me; }
  std::string user_name(uid_t uid) const override {
    auto it = users.find(uid);
    return it == users.end() ? "uid " + std::to_string(uid) : it->second;
  }
  std::string group_name(gid_t gid) const override {
    auto it = groups.find(gid);
    return it == groups.end() ? "gid " + std::to_string(gid) : it->second;
  }
  doctor::BoothUser booth_user() const override { return user; }
  std::string unit_properties(const std::string&, const std::vector<std::string>&) const override {
    return systemctl;
  }
  Status connect(const std::string& host, const std::string& port, int) const override {
    connected.push_back(host + ":" + port);
    auto it = refused.find(host + ":" + port);
    if (it != refused.end()) return Status::error(Status::Code::kUnavailable, it->second);
    return Status::ok();
  }
  std::int64_t now_ms() const override { return now; }
  std::optional<std::int64_t> free_bytes(const std::string&) const override { return free; }
  bool write_probe(const std::string&) const override { return probe_ok; }
  std::string self_exe() const override { return exe; }
  std::string first_line_of(const std::string& command) const override {
    commands.push_back(command);
    for (const auto& [word, line] : command_output)
      if (command.find(word) != std::string::npos) return line;
    return "";
  }

  // A character device (or any file) with owner, group and mode.
  void device(const std::string& path, uid_t uid, gid_t gid, mode_t mode) {
    stats[path] = {uid, gid, static_cast<mode_t>(S_IFCHR | mode)};
  }
};

}  // namespace pb::test
