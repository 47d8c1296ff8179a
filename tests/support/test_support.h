// SPDX-License-Identifier: Apache-2.0
// Helpers every test may use: temp dirs, free loopback ports, child processes that are
// always stopped (even when an assertion fails), and running `pledgebooth` itself.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace pb::test {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "pb");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();
// Waits until something accepts TCP connections on 127.0.0.1:port.
bool wait_for_port(int port, std::chrono::milliseconds timeout);

// A child process in its own process group; SIGTERM then SIGKILL to the group on
// destruction. stdout+stderr go to log_path ("" = inherit).
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path = "",
               const std::map<std::string, std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  pid_t pid() const { return pid_; }
  bool running();
  // Sends a signal to the whole group.
  void signal(int sig);
  // Waits for exit; returns the exit code, 128+signal, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  void stop();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  bool reaped_ = false;
};

struct RunResult {
  int exit_code = -1;
  std::string output;      // stdout and stderr interleaved
  bool timed_out = false;  // killed at the time limit (the output ends saying so)
};
// Runs argv to completion (with env additions) and captures its output.
RunResult run(const std::vector<std::string>& argv,
              const std::map<std::string, std::string>& env = {},
              std::chrono::seconds timeout = std::chrono::seconds(120));
// Runs the built `pledgebooth` with args.
RunResult run_pledgebooth(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {});

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
// Polls f every 50 ms until it is true or the timeout passes; returns f's last answer.
template <typename F>
bool eventually(F f, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

// How much slower than a release build this build runs: 1 in release, PB_TEST_TIME_SCALE
// (set by tests/CMakeLists.txt when PB_SANITIZE is ON) under ASan/UBSan. Every time limit a
// test waits for an event is multiplied by it; none is a fixed delay to sleep.
int time_scale();
// d * time_scale().
template <typename Rep, typename Period>
std::chrono::milliseconds scaled(std::chrono::duration<Rep, Period> d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d) * time_scale();
}
// A kiosk script (kiosk/include/pb/kiosk_script.h) with every `expect`, `settle` and
// `campaign` time limit (10 s when none is given) multiplied by time_scale(). Waits and holds
// stay as written.
std::string scaled_script(const std::string& script);

// Path of the source tree (for assets and fixtures).
std::string source_dir();

}  // namespace pb::test
