// SPDX-License-Identifier: Apache-2.0
// `pledgebooth upload`: drain the outbox now, with a progress bar and a summary.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "pb/json.h"
#include "pb/ledger.h"
#include "pb/uploader.h"

namespace pb::app {

namespace {

struct UploadArgs {
  std::string data_dir;
  int parallel = 0;  // 0 = upload.parallel from the config
  bool json = false;
  bool retry_failed = false;
  std::vector<std::string> forget_targets;  // drop these targets' rows instead of uploading
};

// The ledger for writing; a read-only data dir (a write-protected stick) ends the command
// with a message saying so and what to do instead.
std::unique_ptr<store::Ledger> open_for_upload(const std::string& data_dir) {
  auto ledger = store::Ledger::open(data_dir);
  if (ledger) return std::move(*ledger);
  std::cerr << "upload: " << ledger.status().message();
  if (ledger.status().code() == Status::Code::kReadOnly)
    std::cerr << ". Uploading records every sent photo in the ledger, so it needs to write "
                 "there: copy the whole folder to a writable disk and run `pledgebooth upload "
                 "--data-dir <the copy>`; `pledgebooth stats` and `pledgebooth export` can read "
                 "it as it is";
  std::cerr << "\n";
  throw ExitCode{2};
}

// `upload --forget-target NAME...`: drops the undelivered rows of targets that are no longer
// in the config. Refuses a configured target: its uploads are not stranded.
void forget_targets(AppContext& ctx, const UploadArgs& args, const std::string& data_dir) {
  const auto configured = target_names(ctx.config());
  const std::string& source = ctx.config().source_path;
  for (const auto& name : args.forget_targets) {
    if (std::find(configured.begin(), configured.end(), name) == configured.end()) continue;
    std::cerr << "upload: target \"" << name << "\" is in "
              << (source.empty() ? std::string("the built-in config")
                                 : std::filesystem::absolute(source).lexically_normal().string())
              << ", so its uploads are still sent; nothing was dropped. To give up on it, remove "
                 "it from the config first.\n";
    throw ExitCode{2};
  }
  auto ledger = open_for_upload(data_dir);
  for (const auto& name : args.forget_targets) {
    auto before = ledger->queue_by_target();
    auto dropped = ledger->forget_target(name);
    if (!before || !dropped) {
      std::cerr << "upload: " << (before ? dropped.status() : before.status()).message() << "\n";
      throw ExitCode{2};
    }
    if (*dropped == 0) {
      std::cout << "no undelivered uploads for target \"" << name << "\"; nothing to drop\n";
      continue;
    }
    std::int64_t pending = 0, failed = 0;
    for (const auto& t : *before)
      if (t.target == name) pending = t.pending, failed = t.failed;
    std::cout << "dropped " << *dropped << (*dropped == 1 ? " upload" : " uploads")
              << " for target \"" << name << "\" (" << pending << " pending, " << failed
              << " failed); the pledges and their photos stay in " << ledger->data_dir() << "\n";
  }
  auto left = ledger->unconfigured_targets(configured);
  if (left)
    for (const auto& t : *left)
      std::cout << unconfigured_target_message(ctx, args.data_dir, t) << "\n";
}

// The progress line on a terminal: at most ~10 redraws a second, and always the last one.
class ProgressBar {
 public:
  void draw(const upload::BatchProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    std::int64_t finished = p.done + p.failed;
    if (now - last_ < std::chrono::milliseconds(100) && finished < p.total) return;
    last_ = now;
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

 private:
  std::chrono::steady_clock::time_point last_{};
};

void run_upload(AppContext& ctx, const UploadArgs& args) {
  const config::Config& config = ctx.config();
  upload::BatchOptions options;
  options.parallel = args.parallel > 0 ? args.parallel : config.upload.parallel;
  options.retry_failed = args.retry_failed;
  const bool tty = !args.json && ::isatty(STDERR_FILENO);
  if (tty)
    options.on_progress = [bar = std::make_shared<ProgressBar>()](const upload::BatchProgress& p) {
      bar->draw(p);
    };
  const std::string data_dir = args.data_dir.empty() ? config.storage.data_dir : args.data_dir;
  if (!args.forget_targets.empty()) return forget_targets(ctx, args, data_dir);
  // Opened here first so that a read-only data dir gets its own message, and to find rows
  // whose target is no longer configured: they count as not delivered (exit 1), with a
  // message saying why and what to do, instead of a queue that never empties.
  auto ledger = open_for_upload(data_dir);

  auto result = upload::upload_batch(config, data_dir, options);
  if (tty) std::fputs("\n", stderr);
  if (!result) {
    std::cerr << "upload: " << result.status().message() << "\n";
    throw ExitCode{2};
  }
  const upload::BatchSummary& s = *result;
  auto stranded_r = ledger->unconfigured_targets(target_names(config));
  if (!stranded_r) {
    std::cerr << "upload: " << stranded_r.status().message() << "\n";
    throw ExitCode{2};
  }
  // Their rows are summed up in one line per target below (upload_batch lists none of them).
  const std::vector<store::TargetQueue>& stranded = *stranded_r;
  const std::vector<std::string>& errors = s.errors;
  if (args.json) {
    nlohmann::ordered_json out_stranded = nlohmann::ordered_json::array();
    for (const auto& t : stranded)
      out_stranded.push_back({{"target", t.target},
                              {"pending", t.pending},
                              {"failed", t.failed},
                              {"message", unconfigured_target_message(ctx, args.data_dir, t)}});
    const std::string out = json_text({{"uploaded", s.progress.done},
                                       {"failed_this_run", s.progress.failed},
                                       {"bytes", s.progress.bytes_sent},
                                       {"seconds", s.seconds},
                                       {"pending", s.after.pending},
                                       {"failed", s.after.failed},
                                       {"done", s.after.done},
                                       {"queue_empty", s.queue_empty()},
                                       {"errors", errors},
                                       {"unconfigured_targets", out_stranded}});
    std::cout << out << "\n";
  } else {
    std::cout << "uploaded " << s.progress.done << " (" << s.progress.bytes_sent / 1000
              << " kB) in " << static_cast<int>(s.seconds * 10) / 10.0
              << " s; queue: " << s.after.pending << " pending, " << s.after.failed << " failed, "
              << s.after.done << " done\n";
    const std::size_t shown = 20;
    for (std::size_t i = 0; i < errors.size() && i < shown; ++i)
      std::cout << "  " << errors[i] << "\n";
    if (errors.size() > shown) std::cout << "  … and " << errors.size() - shown << " more\n";
    std::int64_t stranded_failed = 0;
    for (const auto& t : stranded) stranded_failed += t.failed;
    if (s.after.failed > stranded_failed)
      std::cout << "fix the cause, then run `pledgebooth upload --retry-failed`\n";
    for (const auto& t : stranded)
      std::cout << unconfigured_target_message(ctx, args.data_dir, t) << "\n";
  }
  if (!s.queue_empty()) throw ExitCode{1};
}

}  // namespace

void add_upload_commands(CLI::App& app, AppContext& ctx) {
  auto args = std::make_shared<UploadArgs>();
  CLI::App* cmd = app.add_subcommand("upload", kHelpUpload);
  cmd->add_option("--data-dir", args->data_dir,
                  "data dir to drain (default: storage.data_dir; e.g. another booth's stick)");
  cmd->add_option("--parallel", args->parallel, "transfers at once (default: upload.parallel)")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--json", args->json, "print the summary as JSON, no progress bar");
  cmd->add_flag("--retry-failed", args->retry_failed, "put failed rows back in the queue first");
  cmd->add_option("--forget-target", args->forget_targets,
                  "drop the queued uploads of a target no longer in the config (pledges and "
                  "photos stay); uploads nothing")
      ->type_name("NAME");
  cmd->callback([&ctx, args] { run_upload(ctx, *args); });
}

}  // namespace pb::app
