// SPDX-License-Identifier: Apache-2.0
// One small logger for the libraries: a line, a level, one sink. The sink is stderr by
// default (the journal under systemd); a test swaps it for a pb::log::Capture and reads the
// lines back. Lines are written as given, with no prefix or time added: tests and benches
// grep them, and journald stamps them itself.
#pragma once

#include <algorithm>
#include <cstdio>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pb::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Where lines go. Called with the logger's lock held: it must not log itself.
using Sink = std::function<void(Level, std::string_view line)>;

namespace detail {
struct State {
  std::mutex mu;
  Sink sink;  // empty = stderr
  Level threshold = Level::kInfo;
};
inline State& state() {
  static State s;
  return s;
}
}  // namespace detail

// Lines below `level` are dropped (kInfo by default).
inline void set_level(Level level) {
  std::lock_guard<std::mutex> lock(detail::state().mu);
  detail::state().threshold = level;
}

// Replaces the sink (an empty Sink = stderr again); returns the one it replaces.
inline Sink set_sink(Sink sink) {
  std::lock_guard<std::mutex> lock(detail::state().mu);
  std::swap(detail::state().sink, sink);
  return sink;
}

// Writes one line (a newline is added). To stderr it is one write, so that a test killing
// the process when it sees a line finds the whole line.
inline void write(Level level, std::string_view line) {
  auto& s = detail::state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (level < s.threshold) return;
  if (s.sink) {
    s.sink(level, line);
    return;
  }
  std::string out(line);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stderr);
}

inline void debug(std::string_view line) {
  write(Level::kDebug, line);
}
inline void info(std::string_view line) {
  write(Level::kInfo, line);
}
inline void warn(std::string_view line) {
  write(Level::kWarn, line);
}
inline void error(std::string_view line) {
  write(Level::kError, line);
}

// Streams its arguments into one string: pb::log::info(pb::log::cat("saved ", n, " pledges")).
template <typename... Args>
std::string cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

// While it lives, every line logged (at any level) is kept here instead of going to the
// sink before it; the previous sink and level come back on destruction.
class Capture {
 public:
  Capture() {
    previous_ = set_sink([this](Level, std::string_view line) { lines_.emplace_back(line); });
    std::lock_guard<std::mutex> lock(detail::state().mu);
    previous_level_ = std::exchange(detail::state().threshold, Level::kDebug);
  }
  ~Capture() {
    set_sink(std::move(previous_));
    set_level(previous_level_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(detail::state().mu);
    return lines_;
  }
  bool contains(std::string_view text) const {
    auto all = lines();
    return std::any_of(all.begin(), all.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  }

 private:
  std::vector<std::string> lines_;  // guarded by detail::state().mu
  Sink previous_;
  Level previous_level_ = Level::kInfo;
};

}  // namespace pb::log
