// SPDX-License-Identifier: Apache-2.0
// pledgebooth: entry point; parses the command line and hands over to a subcommand.
//
// Two executables are built from this file. `pledgebooth-booth` has every subcommand and
// links the camera, photo and kiosk stacks (OpenCV, SDL, GStreamer: ~280 shared libraries).
// `pledgebooth` links only config, store and upload, so the batch uploader on a volunteer's
// laptop starts fast and stays small; for kiosk, snap, doctor and hash-pin it execs
// `pledgebooth-booth` from its own folder with the same arguments.
#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "commands.h"

namespace pb::app {

const config::Config& AppContext::config() {
  if (!loaded) {
    std::string path = config_path;
    if (path.empty() && std::filesystem::exists("booth.toml")) path = "booth.toml";
    loaded = std::make_unique<config::Config>(path.empty() ? config::default_config()
                                                           : config::load_config(path));
  }
  return *loaded;
}

}  // namespace pb::app

namespace {

const char* kUsage =
    "usage: pledgebooth [--config booth.toml] <command> [options]   (pledgebooth --help lists "
    "the commands; pledgebooth <command> --help its options)\n";

#ifndef PB_BOOTH_BINARY
// Subcommands that need the camera/photo/kiosk stack, with their --help line.
const std::pair<const char*, const char*> kBoothCommands[] = {
    {"kiosk", pb::app::kHelpKiosk},
    {"snap", pb::app::kHelpSnap},
    {"doctor", pb::app::kHelpDoctor},
    {"hash-pin", pb::app::kHelpHashPin},
};

// The first argument that is not an option or an option's value: the subcommand.
std::string subcommand_of(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    return a;
  }
  return "";
}

// Replaces this process with pledgebooth-booth (same pid, so signals and exit codes pass
// through untouched). Returns only on failure.
int exec_booth_binary(char** argv) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string booth = (ec ? std::filesystem::path(argv[0]).parent_path() : self.parent_path()) /
                      "pledgebooth-booth";
  argv[0] = booth.data();
  execv(booth.c_str(), argv);
  std::cerr << "pledgebooth: cannot start " << booth << ": " << std::strerror(errno)
            << " (install the pledgebooth-booth package, or build it with scripts/build)\n";
  return 127;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifndef PB_BOOTH_BINARY
  const std::string sub = subcommand_of(argc, argv);
  for (const auto& [name, help] : kBoothCommands)
    if (sub == name) return exec_booth_binary(argv);
#endif
#ifdef PB_BOOTH_BINARY
  // A stalled V4L2 webcam fails its read within 1 s (OpenCV waits 10 s by default), so the
  // grabber can reopen it within 2 s. Set here, before any thread reads the environment.
  setenv("OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT", "1", 0);
#endif
  // libcurl's global state is set up once, before any thread starts.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pb::app::AppContext ctx;
  CLI::App app{"pledgebooth: a touchscreen booth for #HeForShe pledge photos"};
  app.require_subcommand(1);
  // Options of the app itself (--config) are accepted after the subcommand too: every
  // subcommand created below inherits this and hands what it does not know to the app.
  app.fallthrough();
  app.add_option("--config", ctx.config_path,
                 "booth.toml to use (default: ./booth.toml, else built-in)");
  pb::app::add_store_commands(app, ctx);
  pb::app::add_upload_commands(app, ctx);
  pb::app::add_tally_command(app, ctx);
  pb::app::add_wall_commands(app, ctx);
#ifdef PB_BOOTH_BINARY
  pb::app::add_doctor_command(app, ctx);
  pb::app::add_camera_commands(app, ctx);
  pb::app::add_kiosk_commands(app, ctx);
#else
  // Listed for --help; main() has already handed these over to pledgebooth-booth.
  for (const auto& [name, help] : kBoothCommands) app.add_subcommand(name, help)->allow_extras();
#endif
  int rc = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      rc = app.exit(e);  // --help, --version
    } else {
      // A usage error: what was wrong, the usage line, and the exit code config errors use.
      std::cerr << "pledgebooth: " << e.what() << "\n" << kUsage;
      rc = 2;
    }
  } catch (const pb::config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    rc = 2;
  } catch (const pb::app::ExitCode& e) {
    rc = e.code;
  }
  curl_global_cleanup();
  return rc;
}
