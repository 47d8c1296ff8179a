// SPDX-License-Identifier: Apache-2.0
// ScreenshotWriter, Screenshots and FrameStats: the booth's records of itself; how an
// installed booth draws (pb/drawing.h).
#include "diagnostics.h"
#include "pb/drawing.h"
#include "pb/log.h"
#include "pb/utf8.h"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
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

ScreenshotWriter::ScreenshotWriter() : thread_([this] { run(); }) {}

ScreenshotWriter::~ScreenshotWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ScreenshotWriter::write(std::string path, std::vector<unsigned char> rgb, int w, int h) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({std::move(path), std::move(rgb), w, h});
  }
  cv_.notify_all();
}

void ScreenshotWriter::run() {
  for (;;) {
    Shot shot;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
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
  char summary[512];
  std::snprintf(
      summary, sizeof summary,
      "{\"frames\": %zu, \"work_p50_ms\": %.2f, \"work_p99_ms\": %.2f, \"interval_p50_ms\": %.2f, "
      "\"interval_p99_ms\": %.2f, \"inflight_frames\": %zu, \"inflight_work_p50_ms\": %.2f, "
      "\"inflight_work_p99_ms\": %.2f, \"inflight_interval_p50_ms\": %.2f, "
      "\"inflight_interval_p99_ms\": "
      "%.2f}",
      all_work.size(), percentile(all_work, 0.5), percentile(all_work, 0.99),
      percentile(all_int, 0.5), percentile(all_int, 0.99), save_work.size(),
      percentile(save_work, 0.5), percentile(save_work, 0.99), percentile(save_int, 0.5),
      percentile(save_int, 0.99));
  std::string out(summary);
  out.pop_back();  // the closing brace: the stutters follow
  char longest[96];
  std::snprintf(longest, sizeof longest,
                ", \"interval_max_ms\": %.2f, \"intervals_over_33ms\": %zu", interval_max,
                long_intervals);
  out += longest;
  out += ", \"work_over_33ms\": " + std::to_string(stutter_count) + ", \"work_over_33ms_by\": {";
  const char* sep = "";
  for (const auto& [where, n] : stutters) {
    out += std::string(sep) + "\"" + where + "\": " + std::to_string(n);
    sep = ", ";
  }
  return out + "}}";
}

namespace {

// Fixed commands of ours; their first line, printable, at most 300 bytes.
std::string first_line_of(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[512];
    if (std::fgets(buf, sizeof buf, p)) out = buf;
    while (std::fgets(buf, sizeof buf, p)) {
    }
    pclose(p);
  }
  if (const auto nl = out.find('\n'); nl != std::string::npos) out.resize(nl);
  return printable_text(out, 300);
}

}  // namespace

DrawingAdvice drawing_advice() {
  namespace fs = std::filesystem;
  std::error_code ec;
  // Installed as GNUInstallDirs lays it out: bin/ and libexec/ side by side.
  const fs::path session =
      fs::read_symlink("/proc/self/exe", ec).parent_path() / "../libexec/pledgebooth/booth-session";
  if (ec || !fs::exists(session, ec))
    return {false, "not an installed booth here: the service's session script chooses at start",
            ""};
  const std::string choice =
      first_line_of("'" + session.lexically_normal().string() + "' --explain 2>/dev/null");
  // What the running booth logged: "kiosk: renderer opengl (llvmpipe (LLVM 15...)), vsync, WxH".
  const std::string used = first_line_of(
      "journalctl -b -u pledgebooth-booth -o cat --no-pager -g '^kiosk: renderer' -n 1 "
      "2>/dev/null");
  const std::string seen = used.empty() ? "" : " (" + used + ")";
  const bool software_gl = used.find("llvmpipe") != std::string::npos ||
                           used.find("softpipe") != std::string::npos ||
                           used.find("software") != std::string::npos;
  const std::string edit =
      "sudo systemctl edit pledgebooth-booth, add [Service] Environment=PLEDGEBOOTH_RENDERER=";
  if (choice.rfind("software", 0) == 0)
    return {true, "draws in software: " + choice + seen,
            "fine for the booth's screens; a box with a GPU driver (Raspberry Pi 4/5, Intel "
            "graphics) keeps the preview smoother. Forced by mistake? " +
                edit + "gpu"};
  if (choice == "gpu" && software_gl)
    return {true, "chose the GPU, but the booth's GL is software" + seen,
            edit + "software, then sudo systemctl restart pledgebooth-booth"};
  if (choice == "gpu") return {false, "draws on the GPU" + seen, ""};
  return {true, "the session script gave no answer (" + session.string() + ")",
          "reinstall pledgebooth-booth"};
}

}  // namespace pb::kiosk
