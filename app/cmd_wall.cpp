// SPDX-License-Identifier: Apache-2.0
// `pledgebooth wall [--listen ADDR:PORT] [--projector ADDR]`: the event's projector page from
// the local ledger;
// `pledgebooth wall hide|unhide PLEDGE_ID`: a volunteer takes a photo off the wall (or back).
#include <signal.h>

#include <iostream>
#include <vector>

#include "commands.h"
#include "pb/wall.h"

namespace pb::app {
namespace {

struct WallArgs {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir;  // "" = storage.data_dir
  std::string id;        // hide / unhide: the pledge
  std::vector<std::string> projectors;
};

void run_wall(AppContext& ctx, const std::string& listen, const std::string& data_dir,
              const std::vector<std::string>& projectors) {
  const config::Config& config = ctx.config();
  campaign::WallOptions opt;
  if (Status s = campaign::parse_listen(listen, opt.host, opt.port); !s) {
    std::cerr << "pledgebooth wall: " << s.message() << "\n";
    throw ExitCode{2};
  }
  opt.data_dir = data_dir.empty() ? config.storage.data_dir : data_dir;
  opt.event_id = config.event.id;
  opt.event_name = config.event.name;
  opt.page_url = config.event.page_url;
  opt.assets_dir = config::assets_dir() + "/wall";
  opt.projectors = projectors;
  // SIGINT and SIGTERM are taken by sigwait below, so no server thread ever sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto wall = campaign::WallServer::start(opt);
  if (!wall) {
    std::cerr << "pledgebooth wall: " << wall.status().message() << "\n";
    throw ExitCode{1};
  }
  const std::string shown_host =
      opt.host.find(':') != std::string::npos ? "[" + opt.host + "]" : opt.host;
  std::cout << "wall: serving event " << opt.event_id << " from " << opt.data_dir << " on http://"
            << shown_host << ":" << (*wall)->port() << "/ (Ctrl-C stops)" << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  wall->reset();
  std::cout << "wall: stopped" << std::endl;
}

void run_hide(AppContext& ctx, const std::string& data_dir, const std::string& id, bool hide) {
  const std::string dir = data_dir.empty() ? ctx.config().storage.data_dir : data_dir;
  if (Status s = campaign::set_hidden(dir, id, hide); !s) {
    std::cerr << "pledgebooth wall " << (hide ? "hide" : "unhide") << ": " << s.message() << "\n";
    throw ExitCode{s.code() == Status::Code::kInvalid ? 2 : 1};
  }
  std::cout << (hide ? "hidden from the wall: " : "shown on the wall again: ") << id << "\n";
}

}  // namespace

void add_wall_commands(CLI::App& app, AppContext& ctx) {
  auto args = std::make_shared<WallArgs>();
  auto* wall = app.add_subcommand("wall", kHelpWall);
  wall->add_option("--listen", args->listen, "ADDRESS:PORT to serve on (default 127.0.0.1:8080)");
  wall->add_option("--data-dir", args->data_dir, "data directory (default: from the config)");
  wall->add_option("--projector", args->projectors,
                   "IP address of the event's projector: it keeps connections of its own that "
                   "no other client can take (repeat for more; loopback always does)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  wall->require_subcommand(0, 1);
  wall->fallthrough();
  auto* hide = wall->add_subcommand("hide", "take a pledge's photo off the wall for good");
  hide->add_option("PLEDGE_ID", args->id, "the pledge's id")->required();
  hide->callback([&ctx, args] { run_hide(ctx, args->data_dir, args->id, true); });
  auto* unhide = wall->add_subcommand("unhide", "put a hidden photo back on the wall");
  unhide->add_option("PLEDGE_ID", args->id, "the pledge's id")->required();
  unhide->callback([&ctx, args] { run_hide(ctx, args->data_dir, args->id, false); });
  wall->callback([&ctx, wall, args] {
    if (wall->get_subcommands().empty())
      run_wall(ctx, args->listen, args->data_dir, args->projectors);
  });
}

}  // namespace pb::app
