// SPDX-License-Identifier: Apache-2.0
// request_power_off: `systemctl poweroff` as the booth's user, which systemd-logind answers
// after polkit's rule for the pledgebooth user (dist/50-pledgebooth-poweroff.rules).
#include "power_off.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

extern char** environ;

namespace pb::kiosk {

Status request_power_off(const std::string& test_log) {
  if (!test_log.empty()) {
    std::ofstream out(test_log, std::ios::app);
    out << "poweroff\n";
    out.flush();
    return out ? Status::ok()
               : Status::error(Status::Code::kIo, "cannot write the power-off log " + test_log);
  }
  // --no-ask-password: nobody is at a terminal to type one; polkit's rule decides.
  std::vector<std::string> args = {"systemctl", "poweroff", "--no-ask-password"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int err = posix_spawnp(&pid, "systemctl", nullptr, nullptr, argv.data(), environ))
    return Status::error(Status::Code::kIo,
                         std::string("cannot run systemctl: ") + std::strerror(err));
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0)
    if (errno != EINTR)
      return Status::error(Status::Code::kIo, std::string("systemctl: ") + std::strerror(errno));
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::ok();
  return Status::error(Status::Code::kIo,
                       "systemctl poweroff was refused (exit " +
                           std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) +
                           "): is the polkit rule 50-pledgebooth-poweroff.rules installed?");
}

}  // namespace pb::kiosk
