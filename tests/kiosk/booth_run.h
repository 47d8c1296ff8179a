// SPDX-License-Identifier: Apache-2.0
// The real booth as a running process for booth-level tests: `pledgebooth kiosk` under SDL's
// offscreen driver with a script, its log read while it runs, so a test can act on events
// (a screen shown, THANKS showing a number) instead of sleeping.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace pb::test {

// SDL's software renderer on the offscreen driver (no EGL/Mesa: LeakSanitizer-clean).
inline const std::map<std::string, std::string>& offscreen_env() {
  static const std::map<std::string, std::string> env = {{"SDL_VIDEODRIVER", "offscreen"},
                                                         {"SDL_AUDIODRIVER", "dummy"},
                                                         {"SDL_RENDER_DRIVER", "software"},
                                                         {"SDL_FRAMEBUFFER_ACCELERATION", "0"}};
  return env;
}

// A booth.toml: synthetic camera, the ledger in data_dir, short timeouts; `extra` is appended
// (more sections, e.g. [upload]).
inline std::string booth_config(const std::string& data_dir, std::int64_t min_free_mb,
                                const std::string& extra = "") {
  // The event has a wall: REVIEW offers it, so a photo ticked for it is kept without uploads.
  return "[event]\nid = \"booth-test\"\nname = \"#HeForShe Booth Test\"\nwall = true\n"
         "page_url = \"https://www.heforshe.org\"\n"
         "[booth]\nid = \"booth-t\"\nidle_timeout_s = 20\nthanks_timeout_s = 3\ncountdown_s = 1\n"
         "[camera]\nsource = \"synthetic\"\nwidth = 640\nheight = 480\n"
         "[storage]\ndata_dir = \"" +
         data_dir + "\"\nmin_free_mb = " + std::to_string(min_free_mb) + "\n" +
         (extra.empty() ? "[upload]\nenabled = false\n" : extra);
}

// A running `pledgebooth kiosk --windowed --script …` whose stdout+stderr go to `log`.
class RunningBooth {
 public:
  // Writes config and script (scaled for sanitizer builds) into dir and starts the booth.
  // Without screenshots the script runs as fast as the booth (nothing waits for a PNG).
  RunningBooth(const std::string& dir, const std::string& config, const std::string& script,
               const std::string& tag = "booth", bool screenshots = true)
      : log_(dir + "/" + tag + ".log"), shots_(dir + "/" + tag + "-shots") {
    write_file(dir + "/" + tag + ".toml", config);
    write_file(dir + "/" + tag + ".txt", scaled_script(script));
    std::vector<std::string> argv{
        PB_BINARY,    "--config", dir + "/" + tag + ".toml", "kiosk",
        "--windowed", "--script", dir + "/" + tag + ".txt",  "--exit-after-script"};
    if (screenshots) {
      argv.push_back("--screenshots");
      argv.push_back(shots_);
    }
    child_ = std::make_unique<ChildProcess>(argv, log_, offscreen_env());
  }
  ChildProcess& process() { return *child_; }
  std::string log() const { return read_file(log_); }
  // Complete lines of the log that start with `prefix`.
  std::vector<std::string> lines(const std::string& prefix) const {
    std::vector<std::string> out;
    const std::string text = log();
    std::size_t start = 0, end;
    while ((end = text.find('\n', start)) != std::string::npos) {
      if (text.compare(start, prefix.size(), prefix) == 0)
        out.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return out;
  }
  // Whether a screenshot whose name ends in `suffix` (e.g. "out-of-service-en.png") exists.
  bool has_shot(const std::string& suffix) const {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(shots_, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      const std::string n = it->path().filename().string();
      if (n.size() >= suffix.size() &&
          n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
        return true;
    }
    return false;
  }
  const std::string& shots_dir() const { return shots_; }

 private:
  std::string log_, shots_;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace pb::test
