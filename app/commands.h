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

// What `pledgebooth --help` says of each command, in one style: a lower-case verb phrase
// without a full stop. One table, so the booth binary and the plain one list the same words.
inline constexpr const char* kHelpKiosk =
    "run the booth fullscreen and locked down (--windowed for a window)";
inline constexpr const char* kHelpSnap =
    "take one composed photo through the configured camera, to check framing";
inline constexpr const char* kHelpDoctor =
    "check config, service, devices, data dir, clock, disk, camera and targets";
inline constexpr const char* kHelpHashPin =
    "hash an admin PIN (read from stdin) for booth.admin_pin_hash";
inline constexpr const char* kHelpStats =
    "show pledges per event, photos and the upload queue by state";
inline constexpr const char* kHelpExport =
    "write pledges as CSV (UTF-8 with BOM) or as a folder with the photos";
inline constexpr const char* kHelpDelete =
    "delete a pledge by id or reference: its row, photo, queued uploads and remote copies";
inline constexpr const char* kHelpPurge =
    "delete photos, names and words older than [event] keep_months, here and uploaded";
// Not listed in --help (it writes made-up pledges into a real ledger); `add-test-pledges
// --help` still describes it.
inline constexpr const char* kHelpAddTestPledges =
    "add N made-up pledges to the ledger, for tests and benchmarks only";
inline constexpr const char* kHelpUpload =
    "upload every pending pledge now (exit 0 when the queue is empty)";
inline constexpr const char* kHelpTally =
    "add up the campaign from every booth's tally document on a shared target";
inline constexpr const char* kHelpWall =
    "serve the event's projector page: newest shared photos, count, answers";

// stats, export, delete, purge, add-test-pledges
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
