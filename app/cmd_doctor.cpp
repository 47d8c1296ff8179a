// `pledgebooth doctor`: is this booth ready? Config, data dir, disk, fonts, camera, display
// and upload targets, each an ok/FAIL line a volunteer can act on.
#include <sys/statvfs.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "pb/camera.h"
#include "pb/ledger.h"

namespace fs = std::filesystem;

namespace pb::app {

namespace {

struct Check {
  bool ok;
  std::string what;
};

void run_doctor(AppContext& ctx) {
  std::vector<Check> checks;
  const auto& cfg = ctx.config();
  checks.push_back(
      {true, "config: " + (cfg.source_path.empty() ? std::string("built-in default (no booth.toml)")
                                                   : cfg.source_path + " loads clean")});
  auto ledger = store::Ledger::open(cfg.storage.data_dir);
  if (!ledger) {
    checks.push_back(
        {false, "data dir " + cfg.storage.data_dir + ": " + ledger.status().message()});
  } else {
    std::string probe = (*ledger)->data_dir() + "/.doctor-probe";
    FILE* f = std::fopen(probe.c_str(), "w");
    bool writable = f && std::fputs("ok", f) >= 0 && std::fclose(f) == 0;
    std::remove(probe.c_str());
    checks.push_back({writable, "data dir " + (*ledger)->data_dir() +
                                    (writable ? " is writable" : " is NOT writable")});
    struct statvfs vfs {};
    if (statvfs((*ledger)->data_dir().c_str(), &vfs) == 0) {
      long long free_mb = static_cast<long long>(vfs.f_bavail) *
                          static_cast<long long>(vfs.f_frsize) / (1024 * 1024);
      bool enough = free_mb >= cfg.storage.min_free_mb;
      checks.push_back(
          {enough, "free disk: " + std::to_string(free_mb) + " MB (booth stops below " +
                       std::to_string(cfg.storage.min_free_mb) + " MB; ~2500 photos per GB)"});
    }
    auto q = (*ledger)->queue_counts();
    if (q) {
      checks.push_back({q->failed == 0, "upload queue: " + std::to_string(q->pending) +
                                            " pending, " + std::to_string(q->failed) + " failed"});
    }
  }
  const char* fonts[] = {"/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
                         "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"};
  for (const char* font : fonts)
    checks.push_back(
        {fs::exists(font), std::string("font ") + font +
                               (fs::exists(font) ? "" : " missing (apt-get install fonts-nanum)")});
  checks.push_back(
      {fs::exists(cfg.photo.frame),
       "sign frame " + cfg.photo.frame + (fs::exists(cfg.photo.frame) ? "" : " missing")});
  // The camera as the booth would open it: one frame must arrive.
  auto source = camera::make_source(cfg.camera);
  if (!source) {
    checks.push_back({false, "camera '" + cfg.camera.source + "': " + source.status().message()});
  } else {
    camera::Frame frame;
    Status opened = (*source)->open();
    Status read = opened ? (*source)->read(frame) : opened;
    (*source)->close();
    checks.push_back({read.is_ok(), "camera '" + cfg.camera.source + "' → " +
                                        (*source)->describe() +
                                        (read ? ": delivers " + std::to_string(frame.bgr.cols) +
                                                    "x" + std::to_string(frame.bgr.rows) + " frames"
                                              : ": " + read.message())});
  }
  const char* display = std::getenv("DISPLAY");
  const char* driver = std::getenv("SDL_VIDEODRIVER");
  checks.push_back({true, std::string("display: ") +
                              (display  ? std::string("DISPLAY=") + display
                               : driver ? std::string("SDL_VIDEODRIVER=") + driver
                                        : "none (run under xvfb-run or on the booth's screen)")});
  for (const auto& t : cfg.upload.targets) {
    std::string where = t.kind == "file" ? t.path
                        : t.kind == "s3" ? t.endpoint + "/" + t.bucket
                                         : t.url;
    bool secrets = true;
    std::string missing;
    for (const std::string* env :
         {&t.access_key_env, &t.secret_key_env, &t.password_env, &t.token_env}) {
      if (!env->empty() && !config::resolve_secret(*env)) {
        secrets = false;
        missing += " " + *env;
      }
    }
    checks.push_back(
        {secrets, "upload target '" + t.name + "' (" + t.kind + ") → " + where +
                      (secrets ? "" : "; environment variable(s) not set:" + missing)});
  }
  bool all = true;
  for (const auto& c : checks) {
    std::cout << (c.ok ? "  ok   " : "  FAIL ") << c.what << "\n";
    all = all && c.ok;
  }
  std::cout << (all ? "doctor: the booth is ready\n" : "doctor: fix the FAIL lines above\n");
  if (!all) throw ExitCode{1};
}

}  // namespace

void add_doctor_command(CLI::App& app, AppContext& ctx) {
  auto* doc =
      app.add_subcommand("doctor", "check config, data dir, disk, fonts, camera, display, targets");
  doc->callback([&ctx] { run_doctor(ctx); });
}

}  // namespace pb::app
