// SPDX-License-Identifier: Apache-2.0
// The grabber thread: owns a CameraSource, publishes the newest frame, reconnects.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>

#include "pb/camera.h"
#include "pb/worker.h"

namespace pb::camera {

// Frames kept for still(): enough to cover the shutter instant at up to 60 fps.
constexpr std::size_t kRecentFrames = 6;

struct Grabber::State {
  std::unique_ptr<CameraSource> source;  // used only by the thread while it runs
  GrabberOptions options;
  std::string description;

  mutable std::mutex mu;                            // guards everything below but worker
  mutable std::condition_variable changed;          // a new frame (wait_next)
  std::deque<std::shared_ptr<const Frame>> recent;  // oldest first, newest last
  std::deque<Clock::time_point> delivered;          // capture times of the last ~second
  mutable bool newest_taken = false;
  std::uint64_t last_sequence = 0;  // never reset: sequences keep rising across restarts
  GrabberStats stats;
  Worker worker{mu};  // last: stopped before what its thread uses goes

  void run();
  void fail(const std::string& message) {
    std::lock_guard lock(mu);
    stats.connected = false;
    ++stats.failures;
    stats.last_error = message;
  }
  void publish(Frame&& f) {
    auto frame = std::make_shared<Frame>(std::move(f));
    {
      std::lock_guard lock(mu);
      frame->sequence = ++last_sequence;
      ++stats.frames;
      if (!recent.empty() && !newest_taken) ++stats.drops;
      recent.push_back(std::move(frame));
      if (recent.size() > kRecentFrames) recent.pop_front();
      newest_taken = false;
      stats.connected = true;
      stats.last_frame_at = recent.back()->captured;
      delivered.push_back(recent.back()->captured);
      while (delivered.front() < delivered.back() - std::chrono::seconds(1)) delivered.pop_front();
    }
    changed.notify_all();
  }
};

void Grabber::State::run() {
  bool open = false;
  bool had_failure = false;
  int failures_in_row = 0;
  while (!worker.stopping()) {
    try {
      if (!open) {
        Status st = source->open();
        if (!st) {
          fail(st.message());
          had_failure = true;
          if (!worker.pause(options.retry_interval)) break;
          continue;
        }
        open = true;
        if (had_failure) {
          std::lock_guard lock(mu);
          ++stats.reconnects;
        }
      }
      Frame f;
      Status st = source->read(f);
      if (!st || f.bgr.empty()) {
        fail(st ? "camera delivered an empty frame" : st.message());
        had_failure = true;
        source->close();
        open = false;
        // The first retry is immediate (a glitch); then every retry_interval.
        if (++failures_in_row > 1 && !worker.pause(options.retry_interval)) break;
        continue;
      }
      failures_in_row = 0;
      publish(std::move(f));
    } catch (const std::exception& e) {
      fail(std::string("camera thread: ") + e.what());
      source->close();
      open = false;
      had_failure = true;
      if (!worker.pause(options.retry_interval)) break;
    } catch (...) {
      fail("camera thread: unknown exception");
      source->close();
      open = false;
      had_failure = true;
      if (!worker.pause(options.retry_interval)) break;
    }
  }
  try {
    source->close();
  } catch (...) {
  }
  std::lock_guard lock(mu);
  stats.connected = false;
}

Grabber::Grabber(std::unique_ptr<CameraSource> source, GrabberOptions options)
    : state_(std::make_unique<State>()) {
  state_->source = std::move(source);
  state_->options = options;
  state_->description = state_->source ? state_->source->describe() : "none";
  state_->stats.source = state_->description;
}

Grabber::~Grabber() {
  stop();
}

void Grabber::start() {
  if (!state_->source || state_->worker.running()) return;
  {
    std::lock_guard lock(state_->mu);
    state_->stats.frames = state_->stats.drops = state_->stats.failures = 0;
    state_->stats.reconnects = 0;
  }
  State* s = state_.get();
  state_->worker.start("pb-camera", [s] { s->run(); });
}

void Grabber::stop() {
  state_->worker.stop();
}

std::shared_ptr<const Frame> Grabber::latest() const {
  std::lock_guard lock(state_->mu);
  if (state_->recent.empty()) return nullptr;
  state_->newest_taken = true;
  return state_->recent.back();
}

std::shared_ptr<const Frame> Grabber::still(Clock::time_point shutter) const {
  std::lock_guard lock(state_->mu);
  std::shared_ptr<const Frame> best;
  Clock::duration best_gap = Clock::duration::max();
  for (const auto& f : state_->recent) {
    const auto gap = f->captured > shutter ? f->captured - shutter : shutter - f->captured;
    if (gap < best_gap) best_gap = gap, best = f;
  }
  if (!best || best_gap > state_->options.max_still_age) return nullptr;
  if (best == state_->recent.back()) state_->newest_taken = true;
  return best;
}

std::shared_ptr<const Frame> Grabber::wait_next(std::uint64_t after_sequence,
                                                std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mu);
  const bool got = state_->changed.wait_for(lock, timeout, [&] {
    return !state_->recent.empty() && state_->recent.back()->sequence > after_sequence;
  });
  if (!got) return nullptr;
  state_->newest_taken = true;
  return state_->recent.back();
}

GrabberStats Grabber::stats() const {
  std::lock_guard lock(state_->mu);
  GrabberStats s = state_->stats;
  const auto& d = state_->delivered;
  const auto now = Clock::now();
  // Frames per second over the last second, and zero once frames stop coming.
  if (d.size() >= 2 && now - d.back() < std::chrono::milliseconds(500)) {
    const double span = std::chrono::duration<double>(d.back() - d.front()).count();
    s.fps = span > 0 ? (d.size() - 1) / span : 0.0;
  }
  return s;
}

}  // namespace pb::camera
