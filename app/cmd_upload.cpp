// `pledgebooth upload`: drain the outbox now, with a progress bar and a summary.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "commands.h"
#include "pb/json.h"
#include "pb/uploader.h"

namespace pb::app {
namespace {

struct UploadArgs {
  std::string data_dir;
  int parallel = 0;  // 0 = upload.parallel from the config
  bool json = false;
  bool retry_failed = false;
};

void draw_bar(const upload::BatchProgress& p) {
  // At most ~10 redraws a second, and always the last one.
  static auto last = std::chrono::steady_clock::time_point{};
  const auto now = std::chrono::steady_clock::now();
  std::int64_t finished = p.done + p.failed;
  if (now - last < std::chrono::milliseconds(100) && finished < p.total) return;
  last = now;
  const int width = 30;
  double frac = p.total > 0 ? static_cast<double>(finished) / static_cast<double>(p.total) : 1.0;
  if (frac > 1.0) frac = 1.0;
  int fill = static_cast<int>(frac * width);
  std::string bar(static_cast<std::size_t>(fill), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r[%s] %lld/%lld uploaded  %lld failed  %lld retrying  %.1f MB ",
               bar.c_str(), static_cast<long long>(p.done), static_cast<long long>(p.total),
               static_cast<long long>(p.failed), static_cast<long long>(p.retrying),
               static_cast<double>(p.bytes_sent) / 1e6);
  std::fflush(stderr);
}

void run_upload(AppContext& ctx, const UploadArgs& args) {
  const config::Config& config = ctx.config();
  upload::BatchOptions options;
  options.parallel = args.parallel > 0 ? args.parallel : config.upload.parallel;
  options.retry_failed = args.retry_failed;
  const bool tty = !args.json && ::isatty(STDERR_FILENO);
  if (tty) options.on_progress = draw_bar;
  const std::string data_dir = args.data_dir.empty() ? config.storage.data_dir : args.data_dir;

  auto result = upload::upload_batch(config, data_dir, options);
  if (tty) std::fputs("\n", stderr);
  if (!result) {
    std::cerr << "upload: " << result.status().message() << "\n";
    throw ExitCode{2};
  }
  const upload::BatchSummary& s = *result;
  if (args.json) {
    std::string out = "{";
    out += "\"uploaded\":" + std::to_string(s.progress.done);
    out += ",\"failed_this_run\":" + std::to_string(s.progress.failed);
    out += ",\"bytes\":" + std::to_string(s.progress.bytes_sent);
    out += ",\"seconds\":" + std::to_string(s.seconds);
    out += ",\"pending\":" + std::to_string(s.after.pending);
    out += ",\"failed\":" + std::to_string(s.after.failed);
    out += ",\"done\":" + std::to_string(s.after.done);
    out += ",\"queue_empty\":" + std::string(s.queue_empty() ? "true" : "false");
    out += ",\"errors\":[";
    for (std::size_t i = 0; i < s.errors.size(); ++i)
      out += (i ? "," : "") + json_quote(s.errors[i]);
    out += "]}";
    std::cout << out << "\n";
  } else {
    std::cout << "uploaded " << s.progress.done << " (" << s.progress.bytes_sent / 1000
              << " kB) in " << static_cast<int>(s.seconds * 10) / 10.0
              << " s; queue: " << s.after.pending << " pending, " << s.after.failed << " failed, "
              << s.after.done << " done\n";
    const std::size_t shown = 20;
    for (std::size_t i = 0; i < s.errors.size() && i < shown; ++i)
      std::cout << "  " << s.errors[i] << "\n";
    if (s.errors.size() > shown) std::cout << "  … and " << s.errors.size() - shown << " more\n";
    if (s.after.failed > 0)
      std::cout << "fix the cause, then run `pledgebooth upload --retry-failed`\n";
  }
  if (!s.queue_empty()) throw ExitCode{1};
}

}  // namespace

void add_upload_commands(CLI::App& app, AppContext& ctx) {
  auto args = std::make_shared<UploadArgs>();
  CLI::App* cmd = app.add_subcommand(
      "upload", "Upload every pending pledge now (exit 0 when the queue is empty)");
  cmd->add_option("--data-dir", args->data_dir,
                  "data dir to drain (default: storage.data_dir; e.g. another booth's stick)");
  cmd->add_option("--parallel", args->parallel, "transfers at once (default: upload.parallel)")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--json", args->json, "print the summary as JSON, no progress bar");
  cmd->add_flag("--retry-failed", args->retry_failed, "put failed rows back in the queue first");
  cmd->callback([&ctx, args] { run_upload(ctx, *args); });
}

}  // namespace pb::app
