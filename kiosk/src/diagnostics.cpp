// SPDX-License-Identifier: Apache-2.0
// ScreenshotWriter, Screenshots and FrameStats: the booth's records of itself.
#include "diagnostics.h"
#include "pb/json.h"
#include "pb/log.h"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

namespace pb::kiosk {
namespace {

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

ScreenshotWriter::ScreenshotWriter() {
  worker_.start("pb-shots", [this] { run(); });
}

ScreenshotWriter::~ScreenshotWriter() {
  worker_.stop();  // run() writes what is queued first
}

void ScreenshotWriter::write(std::string path, std::vector<unsigned char> rgb, int w, int h) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({std::move(path), std::move(rgb), w, h});
  }
  worker_.wake();
}

void ScreenshotWriter::run() {
  for (;;) {
    Shot shot;
    {
      std::unique_lock<std::mutex> lock(mu_);
      worker_.wait(lock, [&] { return !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      shot = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!stbi_write_png(shot.path.c_str(), shot.w, shot.h, 3, shot.rgb.data(), shot.w * 3))
      pb::log::warn(pb::log::cat("kiosk: could not write ", shot.path));
  }
}

Screenshots::Screenshots(std::string dir) : dir_(std::move(dir)) {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
}

void Screenshots::capture(SDL_Renderer* renderer, const std::string& name) {
  if (dir_.empty()) return;
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(renderer, &w, &h);
  std::vector<unsigned char> rgb(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  if (SDL_RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_RGB24, rgb.data(), w * 3) != 0)
    return;
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%02d-", ++shot_no_);
  writer_.write(dir_ + "/" + prefix + name + ".png", std::move(rgb), w, h);
}

FrameStats::FrameStats() : prev_start_(Clock::now()) {
  times_.reserve(1 << 16);
}

void FrameStats::record(Clock::time_point start, Clock::time_point end, bool in_flight,
                        const char* screen, const char* slowest_phase) {
  const double work = std::chrono::duration<double, std::milli>(end - start).count();
  const double interval = std::chrono::duration<double, std::milli>(start - prev_start_).count();
  prev_start_ = start;
  if (times_.size() < times_.capacity())
    times_.push_back({work, interval, in_flight, screen, slowest_phase});
}

std::string FrameStats::summary_json() const {
  std::vector<double> all_work, all_int, save_work, save_int;
  // A frame over two refresh intervals is a visible stutter: where it came from. Its own
  // work is the frame's (the interval ends when the next frame starts).
  constexpr double kStutterMs = 2 * 1000.0 / 60;
  std::map<std::string, int> stutters;
  std::size_t stutter_count = 0, long_intervals = 0;
  double interval_max = 0;
  for (std::size_t i = 10; i < times_.size(); ++i) {
    interval_max = std::max(interval_max, times_[i].interval);
    if (times_[i].interval > kStutterMs) ++long_intervals;
    if (times_[i].work > kStutterMs) {
      ++stutter_count;
      ++stutters[std::string(times_[i].screen) + "/" + times_[i].phase];
    }
    all_work.push_back(times_[i].work);
    all_int.push_back(times_[i].interval);
    if (times_[i].in_flight) {
      save_work.push_back(times_[i].work);
      save_int.push_back(times_[i].interval);
    }
  }
  // Milliseconds to two decimals: finer is noise.
  const auto ms = [](double v) { return std::round(v * 100) / 100; };
  nlohmann::ordered_json by = nlohmann::ordered_json::object();
  for (const auto& [where, n] : stutters) by[where] = n;
  const nlohmann::ordered_json doc = {{"frames", all_work.size()},
                                      {"work_p50_ms", ms(percentile(all_work, 0.5))},
                                      {"work_p99_ms", ms(percentile(all_work, 0.99))},
                                      {"interval_p50_ms", ms(percentile(all_int, 0.5))},
                                      {"interval_p99_ms", ms(percentile(all_int, 0.99))},
                                      {"inflight_frames", save_work.size()},
                                      {"inflight_work_p50_ms", ms(percentile(save_work, 0.5))},
                                      {"inflight_work_p99_ms", ms(percentile(save_work, 0.99))},
                                      {"inflight_interval_p50_ms", ms(percentile(save_int, 0.5))},
                                      {"inflight_interval_p99_ms", ms(percentile(save_int, 0.99))},
                                      {"interval_max_ms", ms(interval_max)},
                                      {"intervals_over_33ms", long_intervals},
                                      {"work_over_33ms", stutter_count},
                                      {"work_over_33ms_by", by}};
  return json_text(doc);
}

}  // namespace pb::kiosk
