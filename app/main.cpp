// pledgebooth: entry point; parses the command line and hands over to a subcommand.
#include <curl/curl.h>

#include <cstdio>
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

int main(int argc, char** argv) {
  // libcurl's global state is set up once, before any thread starts.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pb::app::AppContext ctx;
  CLI::App app{"pledgebooth: a touchscreen booth for #HeForShe pledge photos"};
  app.require_subcommand(1);
  app.add_option("--config", ctx.config_path,
                 "booth.toml to use (default: ./booth.toml, else built-in)");
  pb::app::add_store_commands(app, ctx);
  pb::app::add_camera_commands(app, ctx);
  pb::app::add_kiosk_commands(app, ctx);
  pb::app::add_upload_commands(app, ctx);
  int rc = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    rc = app.exit(e);
  } catch (const pb::config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    rc = 2;
  } catch (const pb::app::ExitCode& e) {
    rc = e.code;
  }
  curl_global_cleanup();
  return rc;
}
