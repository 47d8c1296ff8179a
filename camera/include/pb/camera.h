// SPDX-License-Identifier: Apache-2.0
// Camera frames for the booth: sources (device, GStreamer, file, synthetic) behind one
// interface, and the Grabber thread that owns a source and hands out the latest frame.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <opencv2/core/mat.hpp>

#include "pb/config.h"
#include "pb/status.h"

namespace pb::camera {

using Clock = std::chrono::steady_clock;

// One captured image. Handed out as std::shared_ptr<const Frame>: the pixels are never
// written again once a Frame is shared, so any thread may read them without a lock.
struct Frame {
  cv::Mat bgr;                          // CV_8UC3, owns its pixels (never aliases a device buffer)
  std::uint64_t sequence = 0;           // set by the Grabber: 1, 2, 3… in capture order
  std::int64_t synthetic_counter = -1;  // the synthetic source's frame number; -1 for real cameras
  Clock::time_point captured{};         // when the source delivered it (steady clock)
};

// A thing frames come from. Used by one thread at a time (the Grabber's); none of the calls
// throw. Sources are fakeable: tests implement this to fail or stall on demand.
class CameraSource {
 public:
  virtual ~CameraSource() = default;
  // Opens (or re-opens after a failure) the device. kUnavailable when it is not there.
  virtual Status open() = 0;
  // Blocks until the next frame (about one frame interval) and fills out.bgr,
  // out.synthetic_counter and out.captured. A failure (unplugged, end of a broken stream,
  // timeout) returns a non-ok Status; the caller then close()s and open()s again.
  virtual Status read(Frame& out) = 0;
  // Releases the device; safe to call when not open.
  virtual void close() = 0;
  // For logs and ADMIN: e.g. "device:0 1280x720@30", "synthetic 1280x720@30".
  virtual std::string describe() const = 0;
};

// Builds the source a CameraConfig names: "synthetic", "device:N", "device:/dev/videoN",
// "file:PATH" (loops at its end), "gst:PIPELINE" (must end in appsink) or "auto" (the first
// device that opens and delivers a frame, else synthetic with a log line on stderr saying so).
// The source is returned un-opened except for "auto", which probes. kInvalid for an unknown
// spec. May block a few seconds while "auto" probes devices: call it at start-up, before the
// UI loop and before other threads start — for devices it also sets
// OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT=1 (s) unless already set (setenv), so a stalled camera
// fails its read within 1 s and is reopened instead of hanging for OpenCV's default 10 s.
Result<std::unique_ptr<CameraSource>> make_source(const config::CameraConfig& config);

// A moving scene with its frame counter drawn in the image and set in
// Frame::synthetic_counter. Paced by the clock: counter n is the frame for the time slot
// [t0 + n/fps, t0 + (n+1)/fps), where t0 is the first open(); counter_at() says which.
class SyntheticSource : public CameraSource {
 public:
  SyntheticSource(int width = 1280, int height = 720, int fps = 30);
  Status open() override;
  Status read(Frame& out) override;
  void close() override;
  std::string describe() const override;
  // The counter of the frame being shown at time t (0 before the first open()). The first
  // open() sets the clock origin: from another thread, call this only after a frame of this
  // source was handed over (e.g. by Grabber::wait_next), which orders the two.
  std::int64_t counter_at(Clock::time_point t) const;
  // Paints the scene for counter n into a CV_8UC3 Mat of this source's size (deterministic).
  cv::Mat render(std::int64_t n) const;

 private:
  int width_, height_, fps_;
  bool opened_ = false;
  Clock::time_point t0_{};
  std::int64_t last_ = -1;
};

// What ADMIN shows about the camera. A snapshot; cheap to copy.
struct GrabberStats {
  std::string source;            // describe() of the source
  bool connected = false;        // the last read succeeded and the device is open
  double fps = 0.0;              // frames delivered per second over the last ~second
  std::uint64_t frames = 0;      // frames delivered since start()
  std::uint64_t drops = 0;       // frames replaced before anyone took them with latest()/still()
  std::uint64_t failures = 0;    // failed opens + failed reads since start()
  std::uint64_t reconnects = 0;  // successful re-opens after a failure
  std::string last_error;        // message of the latest failure ("" when none yet)
  Clock::time_point last_frame_at{};  // captured time of the newest frame (epoch if none)
};

struct GrabberOptions {
  // After a failed read/open the grabber waits this long before re-opening (the first
  // retry is immediate). Keeps recovery well within 2 s of the device coming back.
  std::chrono::milliseconds retry_interval{250};
  // still() refuses a frame captured more than this before or after the shutter instant.
  std::chrono::milliseconds max_still_age{500};
};

// Owns a CameraSource on its own thread: opens, reads, reconnects, and publishes the newest
// frame. Every public call is thread-safe and non-blocking (a mutex held only to swap a
// shared_ptr), except stop()/the destructor, which join the thread (bounded by one read()).
// Nothing is thrown across the thread: source failures end up in stats().last_error.
class Grabber {
 public:
  explicit Grabber(std::unique_ptr<CameraSource> source, GrabberOptions options = {});
  ~Grabber();  // stop()
  Grabber(const Grabber&) = delete;
  Grabber& operator=(const Grabber&) = delete;

  // Starts the thread (no-op when running). Opening happens on the thread.
  void start();
  // Asks the thread to finish and joins it; the source is closed. Idempotent.
  void stop();

  // The newest frame, or nullptr before the first one. Never blocks on the device.
  std::shared_ptr<const Frame> latest() const;
  // The still for a shutter pressed at `shutter`: of the last few frames kept, the one
  // captured closest to that instant. nullptr when none is within max_still_age (camera
  // stalled or lost) — the caller then reports the camera problem instead of a stale photo.
  std::shared_ptr<const Frame> still(Clock::time_point shutter = Clock::now()) const;
  // Blocks until a frame with sequence > after_sequence exists or timeout; nullptr on
  // timeout. For non-UI callers (snap, tests); never call it on the UI thread.
  std::shared_ptr<const Frame> wait_next(std::uint64_t after_sequence,
                                         std::chrono::milliseconds timeout) const;
  GrabberStats stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pb::camera
