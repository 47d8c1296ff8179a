// SPDX-License-Identifier: Apache-2.0
// The subcommands of `pledgebooth`; each module's commands live in their own cmd_*.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pb/config.h"

namespace pb::store {
struct TargetQueue;
}

namespace pb::app {

// Shared by every subcommand: the --config option and the config it names.
struct AppContext {
  std::string config_path;  // --config; "" = ./booth.toml when present, else the embedded default
  // Loads (once) and returns the config; throws pb::config::ConfigError.
  const config::Config& config();
  std::unique_ptr<config::Config> loaded;
};

// Thrown by a command to end the process with a code after printing its own message.
struct ExitCode {
  int code;
};

// stats, export, delete, add-test-pledges
void add_store_commands(CLI::App& app, AppContext& ctx);
void add_doctor_command(CLI::App& app, AppContext& ctx);   // doctor
void add_camera_commands(CLI::App& app, AppContext& ctx);  // snap
void add_kiosk_commands(CLI::App& app, AppContext& ctx);   // kiosk, hash-pin
void add_upload_commands(CLI::App& app, AppContext& ctx);  // upload
void add_tally_command(CLI::App& app, AppContext& ctx);    // tally
void add_wall_commands(CLI::App& app, AppContext& ctx);    // wall, wall hide|unhide

// Shared by stats and upload (cmd_store.cpp): the names of the configured upload targets, and
// the line naming outbox rows of a target no longer in the config, with the command that
// drops them.
std::vector<std::string> target_names(const config::Config& config);
std::string unconfigured_target_message(AppContext& ctx, const std::string& data_dir_override,
                                        const store::TargetQueue& t);

}  // namespace pb::app
