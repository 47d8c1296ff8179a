// SPDX-License-Identifier: Apache-2.0
// What the booth records about itself while it runs: screenshots (on entering a screen and
// on a script's `shot`) written off the UI thread, and frame times summarised on exit.
#pragma once

#include <SDL.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "pb/worker.h"

namespace pb::kiosk {

// Writes PNGs on its own thread so the UI thread never waits on the disk. The destructor
// writes what is queued, then joins.
class ScreenshotWriter {
 public:
  ScreenshotWriter();
  ~ScreenshotWriter();
  ScreenshotWriter(const ScreenshotWriter&) = delete;
  ScreenshotWriter& operator=(const ScreenshotWriter&) = delete;
  void write(std::string path, std::vector<unsigned char> rgb, int w, int h);

 private:
  struct Shot {
    std::string path;
    std::vector<unsigned char> rgb;
    int w, h;
  };
  void run();
  std::mutex mu_;  // guards queue_
  std::deque<Shot> queue_;
  Worker worker_{mu_};  // last: stopped before the queue goes
};

// Numbered screenshots of the renderer's current frame into one folder: <NN>-<name>.png.
// With an empty folder every call does nothing.
class Screenshots {
 public:
  explicit Screenshots(std::string dir);
  bool enabled() const { return !dir_.empty(); }
  // Reads the frame just drawn (before present) and queues it for writing.
  void capture(SDL_Renderer* renderer, const std::string& name);

 private:
  std::string dir_;
  int shot_no_ = 0;
  ScreenshotWriter writer_;
};

// Which step of one frame took longest: mark() after each step with a static name.
class FramePhases {
 public:
  using Clock = std::chrono::steady_clock;
  explicit FramePhases(Clock::time_point start) : last_(start) {}
  void mark(const char* phase) {
    const auto t = Clock::now();
    if (t - last_ > longest_) {
      longest_ = t - last_;
      slowest_ = phase;
    }
    last_ = t;
  }
  const char* slowest() const { return slowest_; }

 private:
  Clock::time_point last_;
  Clock::duration longest_{0};
  const char* slowest_ = "";
};

// Frame work and interval times; the summary leaves out the first frames (start-up).
class FrameStats {
 public:
  using Clock = std::chrono::steady_clock;
  FrameStats();
  // One frame: when it started, when its work ended, whether the back office was busy, and
  // (static strings) the screen it drew and its slowest step (FramePhases).
  void record(Clock::time_point start, Clock::time_point end, bool in_flight,
              const char* screen = "", const char* slowest_phase = "");
  // p50/p99 of work and interval, overall and with the back office busy, and how many
  // frames took over two refresh intervals (33.4 ms), by "screen/slowest step", as one
  // JSON line.
  std::string summary_json() const;

 private:
  struct FrameTime {
    double work, interval;
    bool in_flight;  // the back office was composing or saving
    const char* screen;
    const char* phase;
  };
  std::vector<FrameTime> times_;
  Clock::time_point prev_start_;
};

}  // namespace pb::kiosk
