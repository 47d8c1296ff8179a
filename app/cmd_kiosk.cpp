// SPDX-License-Identifier: Apache-2.0
// `pledgebooth kiosk` (the booth) and `pledgebooth hash-pin` (the admin PIN's hash).
#include <unistd.h>

#include <iostream>
#include <string>

#include "commands.h"
#include "pb/admin_pin.h"
#include "pb/kiosk.h"

namespace pb::app {

void add_kiosk_commands(CLI::App& app, AppContext& ctx) {
  auto opts = std::make_shared<kiosk::KioskOptions>();
  CLI::App* k = app.add_subcommand("kiosk", kHelpKiosk);
  k->add_flag("--windowed", opts->windowed,
              "a 1280x720 window that may be closed, instead of fullscreen lockdown");
  k->add_option("--script", opts->script_path,
                "play timed taps from FILE (see kiosk/include/pb/kiosk_script.h)");
  k->add_option("--screenshots", opts->screenshots_dir,
                "save a PNG into DIR on entering each screen");
  k->add_flag("--exit-after-script", opts->exit_after_script, "quit when the script has run");
  k->add_option("--frame-stats", opts->frame_stats_path,
                "write frame-time percentiles (JSON) to FILE on exit");
  k->add_option("--power-off-log", opts->power_off_log,
                "ADMIN's \"Shut down safely\" writes to FILE instead of powering off (tests)");
  k->callback([&ctx, opts] {
    const int rc = kiosk::run_kiosk(ctx.config(), *opts);
    if (rc != 0) throw ExitCode{rc};
  });

  auto pin = std::make_shared<std::string>();
  CLI::App* h = app.add_subcommand("hash-pin", kHelpHashPin);
  h->add_option("--pin", *pin,
                "the PIN (prefer stdin: a PIN on the command line stays in shell history)");
  h->callback([pin] {
    std::string value = *pin;
    if (value.empty()) {
      if (isatty(STDIN_FILENO)) std::cerr << "Admin PIN (4-8 digits): ";
      std::getline(std::cin, value);
      while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    }
    auto hash = kiosk::hash_pin(value);
    if (!hash) {
      std::cerr << "hash-pin: " << hash.status().message() << "\n";
      throw ExitCode{2};
    }
    std::cout << *hash << "\n";
    if (isatty(STDOUT_FILENO))
      std::cerr << "Put it in booth.toml as [booth] admin_pin_hash = \"...\"\n";
  });
}

}  // namespace pb::app
