// SPDX-License-Identifier: Apache-2.0
// The booth itself: `pledgebooth kiosk`. Opens the window, the camera, the ledger worker
// and the uploader, and runs the participant flow until ExitBooth from ADMIN (or, with
// --windowed, the window is closed; or the script ends with --exit-after-script).
#pragma once

#include <string>

#include "pb/config.h"

namespace pb::kiosk {

struct KioskOptions {
  bool windowed = false;           // a 1280x720 window instead of fullscreen lockdown
  std::string script_path;         // timed taps to play (see pb/kiosk_script.h)
  std::string screenshots_dir;     // a PNG on entering each screen (and on `shot`)
  bool exit_after_script = false;  // quit when the script has run
  std::string frame_stats_path;    // frame times written here on exit (JSON)
  // ADMIN's "Shut down safely", for tests: the power-off request is written to this file
  // instead of being sent to the system ("" = ask systemd-logind, see power_off.h).
  std::string power_off_log;
};

// Returns the process exit code: 0 normal exit (also after ADMIN's restart, or its shut down
// once the power-off was asked for), 2 start-up failure (message on stderr), 3 script failure,
// 5 the power-off was refused (the booth has closed all the same).
int run_kiosk(const config::Config& config, const KioskOptions& options);

}  // namespace pb::kiosk
