// SPDX-License-Identifier: Apache-2.0
// Real cameras through OpenCV: V4L2 devices, GStreamer pipelines and looping video files;
// and make_source(), which turns a CameraConfig's source spec into one of them.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include "pb/camera.h"
#include "pb/log.h"

namespace pb::camera {
namespace {

Status unavailable(std::string message) {
  return Status::error(Status::Code::kUnavailable, std::move(message));
}

enum class Kind { kDevice, kFile, kGstreamer };

class OpenCvSource : public CameraSource {
 public:
  OpenCvSource(Kind kind, std::string target, int width, int height, int fps)
      : kind_(kind), target_(std::move(target)), width_(width), height_(height), fps_(fps) {}

  Status open() override {
    close();
    try {
      bool ok = false;
      switch (kind_) {
        case Kind::kDevice: {
          const bool numeric =
              !target_.empty() && target_.find_first_not_of("0123456789") == std::string::npos;
          ok = numeric ? cap_.open(std::stoi(target_), cv::CAP_V4L2)
                       : cap_.open(target_, cv::CAP_V4L2);
          if (ok) {
            // MJPG first: most USB webcams only reach 720p30 compressed.
            cap_.set(cv::CAP_PROP_FOURCC, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'));
            cap_.set(cv::CAP_PROP_FRAME_WIDTH, width_);
            cap_.set(cv::CAP_PROP_FRAME_HEIGHT, height_);
            cap_.set(cv::CAP_PROP_FPS, fps_);
            cap_.set(cv::CAP_PROP_BUFFERSIZE, 1);  // the newest frame, not a queue
          }
          break;
        }
        case Kind::kFile:
          opened_as_ = identity_of(target_);
          if (!opened_as_) return unavailable("no such video file: " + target_);
          // FFmpeg where OpenCV has it: CAP_ANY would also try GStreamer, whose probing of a
          // damaged or half-written file takes seconds per attempt and stretches every reopen.
          ok = cap_.open(target_, cv::videoio_registry::hasBackend(cv::CAP_FFMPEG) ? cv::CAP_FFMPEG
                                                                                   : cv::CAP_ANY);
          if (ok) {
            const double f = cap_.get(cv::CAP_PROP_FPS);
            file_interval_ = std::chrono::nanoseconds(
                static_cast<std::int64_t>(1e9 / (f > 1 && f < 240 ? f : 30.0)));
            next_due_ = Clock::now();
          }
          break;
        case Kind::kGstreamer:
          ok = cap_.open(target_, cv::CAP_GSTREAMER);
          break;
      }
      if (!ok || !cap_.isOpened()) {
        cap_.release();
        return unavailable("cannot open camera " + describe());
      }
    } catch (const std::exception& e) {
      cap_.release();
      return unavailable("cannot open camera " + describe() + ": " + e.what());
    }
    return Status::ok();
  }

  Status read(Frame& out) override {
    if (!cap_.isOpened()) return unavailable("camera " + describe() + " is not open");
    try {
      if (kind_ == Kind::kFile) {
        // A file decodes faster than real time: pace it at its own frame rate.
        std::this_thread::sleep_until(next_due_);
        next_due_ = std::max(next_due_ + file_interval_, Clock::now() - file_interval_);
        // The decoder keeps reading the file it opened, so a file deleted, replaced or cut
        // short at that path would go unnoticed: compare the path with what was opened.
        const auto now = identity_of(target_);
        if (!now) return unavailable("video file " + target_ + " was removed");
        if (*now != *opened_as_)
          return unavailable("video file " + target_ + " changed (replaced or truncated)");
      }
      cv::Mat m;
      if (!cap_.read(m) || m.empty()) {
        if (kind_ != Kind::kFile)
          return unavailable("camera " + describe() + " stopped delivering");
        cap_.set(cv::CAP_PROP_POS_FRAMES, 0);  // loop
        if (!cap_.read(m) || m.empty()) return unavailable("cannot read video file " + target_);
      }
      if (m.type() == CV_8UC1) {
        cv::Mat c;
        cv::cvtColor(m, c, cv::COLOR_GRAY2BGR);
        m = c;
      } else if (m.type() != CV_8UC3) {
        return unavailable("camera " + describe() + " delivers an unsupported pixel type");
      }
      // Frames are shared across threads once published, so they must own their pixels:
      // a backend that hands out a header over its own buffer (no allocator, or a Mat it
      // keeps) would overwrite a frame that the kiosk or the saver is still reading.
      if (!m.u || m.u->refcount > 1) m = m.clone();
      out.bgr = m;
      out.synthetic_counter = -1;
      out.captured = Clock::now();
      return Status::ok();
    } catch (const std::exception& e) {
      return unavailable("camera " + describe() + ": " + e.what());
    }
  }

  void close() override {
    try {
      cap_.release();
    } catch (...) {
    }
  }

  std::string describe() const override {
    switch (kind_) {
      case Kind::kDevice:
        return "device:" + target_ + " " + std::to_string(width_) + "x" + std::to_string(height_) +
               "@" + std::to_string(fps_);
      case Kind::kFile:
        return "file:" + target_;
      case Kind::kGstreamer:
        return "gst:" + target_;
    }
    return "?";
  }

 private:
  Kind kind_;
  std::string target_;
  int width_, height_, fps_;
  cv::VideoCapture cap_;
  std::chrono::nanoseconds file_interval_{33'333'333};
  // What a file at the path was when opened: device, inode, size, modification time.
  struct FileIdentity {
    dev_t dev;
    ino_t ino;
    off_t size;
    std::int64_t mtime_ns;
    bool operator!=(const FileIdentity& o) const {
      return dev != o.dev || ino != o.ino || size != o.size || mtime_ns != o.mtime_ns;
    }
  };
  static std::optional<FileIdentity> identity_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return FileIdentity{
        st.st_dev, st.st_ino, st.st_size,
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  }
  std::optional<FileIdentity> opened_as_;
  Clock::time_point next_due_{};
};

// OpenCV's V4L2 backend waits up to 10 s for each frame of a stalled camera (a USB hiccup),
// far beyond the 2 s in which the booth must notice and reopen it. It reads this variable once,
// at the first device read, so setting it before any device is opened is early enough; a value
// the operator set is kept.
void shorten_v4l_timeout() {
  setenv("OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT", "1", /*overwrite=*/0);
}

}  // namespace

Result<std::unique_ptr<CameraSource>> make_source(const config::CameraConfig& config) {
  const std::string& spec = config.source;
  if (spec == "auto" || spec.rfind("device:", 0) == 0) shorten_v4l_timeout();
  const int w = config.width, h = config.height, fps = config.fps;
  auto after = [&spec](const char* prefix) {
    return spec.substr(std::char_traits<char>::length(prefix));
  };
  std::unique_ptr<CameraSource> source;
  if (spec == "synthetic") {
    source = std::make_unique<SyntheticSource>(w, h, fps);
  } else if (spec.rfind("device:", 0) == 0 && spec.size() > 7) {
    source = std::make_unique<OpenCvSource>(Kind::kDevice, after("device:"), w, h, fps);
  } else if (spec.rfind("file:", 0) == 0 && spec.size() > 5) {
    source = std::make_unique<OpenCvSource>(Kind::kFile, after("file:"), w, h, fps);
  } else if (spec.rfind("gst:", 0) == 0 && spec.size() > 4) {
    source = std::make_unique<OpenCvSource>(Kind::kGstreamer, after("gst:"), w, h, fps);
  } else if (spec == "auto") {
    for (int i = 0; i < 10; ++i) {
      if (!std::filesystem::exists("/dev/video" + std::to_string(i))) continue;
      auto dev = std::make_unique<OpenCvSource>(Kind::kDevice, std::to_string(i), w, h, fps);
      Frame probe;
      if (dev->open() && dev->read(probe)) {
        dev->close();
        log::info("pledgebooth: camera: auto picked " + dev->describe());
        return std::unique_ptr<CameraSource>(std::move(dev));
      }
      dev->close();
    }
    log::warn(
        "pledgebooth: camera: auto found no working camera (/dev/video*); using the synthetic "
        "camera");
    source = std::make_unique<SyntheticSource>(w, h, fps);
  } else {
    return Status::error(Status::Code::kInvalid,
                         "camera source \"" + spec +
                             "\": expected auto, synthetic, device:N, device:/dev/videoN, "
                             "file:PATH or gst:PIPELINE");
  }
  return source;
}

}  // namespace pb::camera
