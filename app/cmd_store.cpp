// SPDX-License-Identifier: Apache-2.0
// `pledgebooth stats|export|delete|purge|add-test-pledges`: the ledger from the command line.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>

#include "commands.h"
#include "pb/answer_picks.h"
#include "pb/clock.h"
#include "pb/inside_folder.h"
#include "pb/json.h"
#include "pb/ledger.h"
#include "pb/retention.h"
#include "pb/uploader.h"
#include "pb/utf8.h"

namespace fs = std::filesystem;

namespace pb::app {

std::vector<std::string> target_names(const config::Config& config) {
  std::vector<std::string> names;
  for (const auto& t : config.upload.targets) names.push_back(t.name);
  return names;
}

namespace {

// The options of stats, export, delete and add-test-pledges (one subcommand runs).
// What add-test-pledges saves besides the count.
struct TestMix {
  int photo_kb = 400;
  bool consent = true;
  // A booth's real mix instead of N alike: consent on 2 in 3, one in 5 without a photo,
  // quick picks in both languages, own words and no answer, en/ko, spread over `days` days
  // up to now, and of the uploads queued `delivered_pct` % done, 2 % failed, the rest pending.
  bool mix = false;
  int days = 1;
  int delivered_pct = 90;
  int days_ago = 0;  // saved as if this many days ago (retention tests)
};

struct StoreArgs {
  std::string data_dir, csv, dir, id;
  bool json = false, include_private = false, dry_run = false;
  int count = 1;
  TestMix mix;
};

// An argument as the shell reads it back, for commands printed to be copied.
std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789/._-+=:@,") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

// "42 uploads wait for target "old-s3", which is not in /p/booth.toml: add it back, or drop
// them with `pledgebooth upload --forget-target old-s3`".
std::string unconfigured_target_message(AppContext& ctx, const std::string& data_dir_override,
                                        const store::TargetQueue& t) {
  const std::string& source = ctx.config().source_path;
  std::string where = source.empty() ? "the built-in config (no booth.toml was found)"
                                     : fs::absolute(source).lexically_normal().string();
  std::string command = "pledgebooth";
  if (!ctx.config_path.empty()) command += " --config " + shell_word(ctx.config_path);
  command += " upload";
  if (!data_dir_override.empty()) command += " --data-dir " + shell_word(data_dir_override);
  command += " --forget-target " + shell_word(t.target);
  const std::int64_t n = t.pending + t.failed;
  return std::to_string(n) + (n == 1 ? " upload waits" : " uploads wait") + " for target \"" +
         t.target + "\", which is not in " + where + ": add it back, or drop " +
         (n == 1 ? "it" : "them") + " with `" + command + "`";
}

namespace {

// How a command may open the ledger.
enum class Use {
  kWrite,     // delete, purge, add-test-pledges: a read-only data dir is an error
  kReadOnly,  // stats, export: a read-only data dir (write-protected card) is read as it is
};

std::unique_ptr<store::Ledger> open_ledger(AppContext& ctx, const std::string& data_dir_override,
                                           const char* command, Use use) {
  std::string dir = data_dir_override.empty() ? ctx.config().storage.data_dir : data_dir_override;
  // stats and export on a folder that holds no ledger (a shared folder, the wrong stick)
  // create nothing in it: read-only, which says that there is no ledger.
  std::error_code ec;
  const bool foreign_folder =
      use == Use::kReadOnly && fs::is_directory(dir, ec) && !fs::exists(dir + "/ledger.db", ec);
  auto ledger = store::Ledger::open(
      dir, foreign_folder ? store::Access::kReadOnly : store::Access::kReadWrite);
  if (!ledger && ledger.status().code() == Status::Code::kReadOnly) {
    if (use == Use::kWrite) {
      std::cerr << "pledgebooth " << command << ": " << ledger.status().message() << ". `"
                << command
                << "` has to change the ledger; `pledgebooth stats` and `pledgebooth export` "
                   "can still read it.\n";
      throw ExitCode{1};
    }
    const std::string why = ledger.status().message();
    ledger = store::Ledger::open(dir, store::Access::kReadOnly);
    if (ledger) std::cerr << "note: " << why << "; reading it without changing anything\n";
  }
  if (!ledger) {
    std::cerr << "pledgebooth: cannot open the ledger in " << dir << ": "
              << ledger.status().message() << "\n";
    throw ExitCode{1};
  }
  const auto& rec = (*ledger)->recovery();
  if (rec.temp_files_removed > 0)
    std::cerr << "recovery: removed " << rec.temp_files_removed << " unfinished photo file(s)\n";
  for (const auto& f : rec.orphans_recovered)
    std::cerr << "recovery: a photo without a ledger row was moved to " << f << "\n";
  for (const auto& id : rec.missing_photos)
    std::cerr << "recovery: pledge " << id << " has lost its photo file\n";
  return std::move(*ledger);
}

// Rows of another booth's ledger that were not used (see Ledger::skipped_rows), on stderr.
void report_skipped(const store::Ledger& ledger) {
  for (const auto& line : ledger.skipped_rows()) std::cerr << "warning: " << line << "\n";
}

template <typename T>
T check(Result<T> r, const char* what) {
  if (!r) {
    std::cerr << "pledgebooth: " << what << ": " << r.status().message() << "\n";
    throw ExitCode{1};
  }
  return std::move(*r);
}

void run_stats(AppContext& ctx, const std::string& data_dir, bool json) {
  auto ledger = open_ledger(ctx, data_dir, "stats", Use::kReadOnly);
  auto events = check(ledger->event_stats(), "stats");
  auto queue = check(ledger->queue_counts(), "queue");
  auto failed = check(ledger->outbox_items(store::OutboxState::kFailed), "failed uploads");
  auto pending = check(ledger->outbox_items(store::OutboxState::kPending), "pending uploads");
  report_skipped(*ledger);
  // Another booth's card (--data-dir) is read without a config; one that does not load only
  // means the removed-target check is skipped, with its file:line:key on stderr.
  std::vector<store::TargetQueue> stranded;
  try {
    stranded = check(ledger->unconfigured_targets(target_names(ctx.config())), "upload targets");
  } catch (const config::ConfigError& e) {
    if (data_dir.empty()) throw;
    std::fprintf(stderr, "stats: %s (upload targets not checked)\n", e.what());
  }
  if (json) {
    nlohmann::ordered_json out_events = nlohmann::ordered_json::array();
    for (const auto& e : events)
      out_events.push_back(
          {{"event", e.event}, {"pledges", e.pledges}, {"photos", e.photos}, {"shared", e.shared}});
    nlohmann::ordered_json out_failed = nlohmann::ordered_json::array();
    for (const auto& f : failed)
      out_failed.push_back({{"pledge", f.pledge_id},
                            {"target", f.target},
                            {"attempts", f.attempts},
                            {"error", f.last_error}});
    nlohmann::ordered_json out_stranded = nlohmann::ordered_json::array();
    for (const auto& t : stranded)
      out_stranded.push_back({{"target", t.target}, {"pending", t.pending}, {"failed", t.failed}});
    const std::string out = json_text(
        {{"events", out_events},
         {"queue", {{"pending", queue.pending}, {"done", queue.done}, {"failed", queue.failed}}},
         {"failed", out_failed},
         {"unconfigured_targets", out_stranded},
         {"read_only", ledger->read_only()}});
    std::cout << out << "\n";
    return;
  }
  if (events.empty()) std::cout << "No pledges yet in " << ledger->data_dir() << "\n";
  for (const auto& e : events)
    std::printf("%-28s %6lld pledges  %6lld photos  %6lld shared\n", e.event.c_str(),
                static_cast<long long>(e.pledges), static_cast<long long>(e.photos),
                static_cast<long long>(e.shared));
  std::printf("upload queue: %lld pending, %lld done, %lld failed\n",
              static_cast<long long>(queue.pending), static_cast<long long>(queue.done),
              static_cast<long long>(queue.failed));
  for (const auto& p : pending)
    if (!p.last_error.empty())
      std::printf("  retrying %s → %s (attempt %d): %s\n", p.pledge_id.c_str(), p.target.c_str(),
                  p.attempts, p.last_error.c_str());
  for (const auto& f : failed)
    std::printf("  FAILED %s → %s: %s\n", f.pledge_id.c_str(), f.target.c_str(),
                f.last_error.c_str());
  if (!failed.empty())
    std::printf("Fix the cause, then run `pledgebooth upload --retry-failed`.\n");
  for (const auto& t : stranded)
    std::printf("%s\n", unconfigured_target_message(ctx, data_dir, t).c_str());
}

void run_export(AppContext& ctx, const std::string& data_dir, const std::string& csv,
                const std::string& dir, bool include_private) {
  if (csv.empty() && dir.empty()) {
    std::cerr << "pledgebooth export: give --csv FILE or --dir DIR\n";
    throw ExitCode{2};
  }
  auto ledger = open_ledger(ctx, data_dir, "export", Use::kReadOnly);
  if (!csv.empty()) {
    if (Status s = ledger->export_csv(csv, include_private); !s) {
      std::cerr << "pledgebooth export: " << s.message() << "\n";
      throw ExitCode{1};
    }
    report_skipped(*ledger);
    std::cout << "wrote " << csv << "\n";
  }
  if (!dir.empty()) {
    // A folder for a USB stick: pledges.csv plus the photos in their dated folders. Only
    // what their owners gave the organiser for campaign use (a), unless --include-private:
    // photos kept for the wall or an own link only go under private/ so nobody hands them
    // on by mistake (pledges.csv marks them share_consent=no and then has their names).
    if (include_private)
      std::cout << "export: --include-private: photos whose owners did NOT agree to campaign "
                   "use (kept for the wall or their own link) go to "
                << dir
                << "/private/ (share_consent=no in pledges.csv, with their names and words); "
                   "keep them off shared drives\n";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (Status s = ledger->export_csv(dir + "/pledges.csv", include_private); !s) {
      std::cerr << "pledgebooth export: " << s.message() << "\n";
      throw ExitCode{1};
    }
    auto pledges = check(ledger->list_pledges(), "list pledges");
    int copied = 0, kept_private = 0, left_out = 0;
    for (const auto& p : pledges) {
      if (p.photo_path.empty()) continue;
      if (!p.share_consent && !include_private) {
        ++left_out;
        continue;
      }
      // The ledger checked the path inside its data dir; here it must stay inside the
      // output folder too, also where a link in it points elsewhere.
      fs::path dest = fs::path(dir) / (p.share_consent ? "" : "private") / p.photo_path;
      if (!store::is_inside_folder(dir, dest.string()) || fs::is_symlink(dest, ec)) {
        std::cerr << "warning: export: " << dest.string()
                  << " leads outside the export folder; photo of pledge " << p.id << " skipped\n";
        continue;
      }
      fs::create_directories(dest.parent_path(), ec);
      if (!store::is_inside_folder(dir, dest.string())) continue;  // a link made meanwhile
      if (!fs::copy_file(ledger->photo_file(p), dest, fs::copy_options::overwrite_existing, ec)) {
        std::cerr << "pledgebooth export: copy " << p.photo_path << ": " << ec.message() << "\n";
        throw ExitCode{1};
      }
      ++(p.share_consent ? copied : kept_private);
    }
    sync();
    report_skipped(*ledger);
    std::cout << "wrote " << dir << "/pledges.csv and " << copied << " shared photo(s)";
    if (include_private) std::cout << " and " << kept_private << " private photo(s) in private/";
    std::cout << "\n";
    if (left_out > 0)
      std::cout << left_out
                << " photo(s) without consent to campaign use stay on the booth "
                   "(--include-private copies them)\n";
  }
}

// The pledge an id or a reference (as THANKS shows it, "7F3A-9C21") names; exits 1 with a
// message when none does, or when a reference fits several (then each is listed).
store::Pledge pledge_named(store::Ledger& ledger, const std::string& id_or_ref) {
  if (id_or_ref.size() == 36) {
    auto got = check(ledger.get_pledge(id_or_ref), "read pledge");
    if (got) return *got;
    std::cerr << "pledgebooth delete: no pledge with id " << id_or_ref << "\n";
    throw ExitCode{1};
  }
  if (store::reference_digits(id_or_ref).empty()) {
    std::cerr << "pledgebooth delete: " << printable_text(id_or_ref, 80)
              << " is neither a pledge id nor a reference (8 hex digits as THANKS shows them, "
                 "e.g. 7F3A-9C21)\n";
    throw ExitCode{1};
  }
  auto found = check(ledger.find_by_reference(id_or_ref), "find pledge");
  if (found.size() == 1) return found.front();
  if (found.empty()) {
    std::cerr << "pledgebooth delete: no pledge with reference " << id_or_ref << "\n";
    throw ExitCode{1};
  }
  std::cerr << "pledgebooth delete: " << found.size() << " pledges have reference " << id_or_ref
            << "; delete one by its id:\n";
  for (const auto& p : found)
    std::cerr << "  " << p.id << "  " << p.created_utc << "  "
              << (p.first_name.empty() ? "(no name)" : printable_text(p.first_name, 40)) << "\n";
  throw ExitCode{1};
}

void run_delete(AppContext& ctx, const std::string& data_dir, const std::string& id_or_ref) {
  auto ledger = open_ledger(ctx, data_dir, "delete", Use::kWrite);
  const store::Pledge pledge = pledge_named(*ledger, id_or_ref);
  report_skipped(*ledger);
  const std::string& id = pledge.id;
  // Remote copies first: if that fails the local row stays, so a later try can find them.
  if (Status s = upload::delete_remote_copies(ctx.config(), *ledger, id); !s) {
    std::cerr << "pledgebooth delete: remote copies could not be deleted, nothing was removed: "
              << s.message() << "\n";
    throw ExitCode{1};
  }
  if (Status s = ledger->delete_pledge(id); !s) {
    std::cerr << "pledgebooth delete: " << s.message() << "\n";
    throw ExitCode{1};
  }
  std::cout << "deleted pledge " << id << " (reference " << store::pledge_reference(id)
            << "): row, photo, upload queue and remote copies\n";
}

// Retention on demand: what the booth does by itself past [event] keep_months (photo, name
// and own words deleted, the pledge still counted), plus the remote copies it knows of.
void run_purge(AppContext& ctx, const std::string& data_dir, bool dry_run) {
  const config::Config& config = ctx.config();
  const int months = config.event.keep_months;
  if (months <= 0) {
    std::cout << "purge: [event] keep_months is 0 (not set): no pledge expires, nothing to do\n";
    return;
  }
  auto ledger = open_ledger(ctx, data_dir, "purge", dry_run ? Use::kReadOnly : Use::kWrite);
  const auto picks = config::answer_pick_texts();
  const store::IsPick is_pick = [&picks](const std::string& a) { return picks.count(a) > 0; };
  auto plan = check(store::retention_plan(*ledger, months, is_pick, true), "purge");
  report_skipped(*ledger);
  const std::string cutoff =
      store::utc_timestamp(store::retention_cutoff_ms(ledger->clock().now_ms(), months));
  std::cout << (dry_run ? "purge --dry-run: " : "purge: ") << plan.size()
            << (plan.size() == 1 ? " pledge" : " pledges") << " saved before "
            << cutoff.substr(0, 10) << " " << cutoff.substr(11, 5)
            << " UTC ([event] keep_months = " << months << ")"
            << (dry_run ? " would lose" : " lose") << " what is listed; each still counts\n";
  const auto names = target_names(config);
  int failed = 0;
  for (const auto& e : plan) {
    const std::string& id = e.pledge.id;
    std::cout << "  " << id << " (" << store::pledge_reference(id) << ", "
              << e.pledge.created_utc.substr(0, 10) << "): " << store::describe(e) << "\n";
    if (dry_run) continue;
    // Remote copies first. If they stay (offline, a server said no), the local part still
    // goes and the delivered rows stay recorded, so the next purge tries them again.
    bool remote_gone = true;
    if (e.delivered > 0 || e.undelivered > 0) {
      if (Status s = upload::delete_remote_copies(config, *ledger, id); !s) {
        std::cerr << "purge: " << id << ": " << s.message() << " (tried again next purge)\n";
        remote_gone = false;
        ++failed;
      }
      auto rows = check(ledger->outbox_for(id), "read outbox");
      for (const auto& r : rows)
        if (r.state == store::OutboxState::kDone &&
            std::find(names.begin(), names.end(), r.target) == names.end()) {
          std::cerr << "purge: " << id << ": its copy on target \"" << r.target
                    << "\", which is not in the config, stays recorded\n";
          remote_gone = false;
        }
    }
    if (Status s = ledger->expire_pledge(id, !e.words, remote_gone); !s) {
      std::cerr << "purge: " << id << ": " << s.message() << "\n";
      ++failed;
    }
  }
  if (dry_run) std::cout << "nothing was changed; run `pledgebooth purge` to do it\n";
  if (failed > 0) throw ExitCode{1};
}

// Saves N pledges with random photo bytes, printing "saved <id> <sha256>" after each one
// is durable. Used by the crash test and the benchmarks (bench/store/scale grows ledgers
// with --mix); not shown in --help.
void run_add_test_pledges(AppContext& ctx, const std::string& data_dir, int count,
                          const TestMix& opt) {
  auto ledger = open_ledger(ctx, data_dir, "add-test-pledges", Use::kWrite);
  std::mt19937_64 rng{std::random_device{}()};
  std::vector<std::string> picks;
  if (opt.mix)
    for (const auto& [text, pick] : config::answer_pick_texts()) picks.push_back(text);
  const std::int64_t day_ms = 24 * 3600 * 1000, now = store::now_ms();
  const std::int64_t span = std::max(1, opt.days) * day_ms;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t roll = rng();
    store::PledgeInput in;
    in.event = ctx.config().event.id;
    in.booth = ctx.config().booth.id;
    in.locale = i % 2 ? "ko" : "en";
    in.first_name = i % 2 ? "민준" : "Alex";
    in.answer = "for my daughter";
    in.share_consent = opt.consent;
    in.consent_version = ctx.config().event.consent_version;
    int photo_kb = opt.photo_kb;
    if (opt.mix) {
      in.locale = roll % 3 == 0 ? "ko" : "en";
      in.first_name = roll % 7 == 0 ? "" : in.locale == "ko" ? "민준" : "Alex";
      const int kind = static_cast<int>(roll / 3 % 10);  // 6 picks, 2 own words, 2 none
      in.answer = kind < 6 && !picks.empty() ? picks[(roll / 30) % picks.size()]
                  : kind < 8 ? "Because equality is everyone's business, " + std::to_string(i)
                             : "";
      in.share_consent = roll / 300 % 3 != 0;
      if (roll / 900 % 5 == 0) photo_kb = 0;
      in.created_ms = now - span + static_cast<std::int64_t>((roll >> 20) % span);
    }
    if (opt.days_ago > 0) in.created_ms = now - opt.days_ago * day_ms + i;
    if (photo_kb > 0) {
      in.photo_jpeg.resize(static_cast<std::size_t>(photo_kb) * 1024);
      for (std::size_t j = 0; j + 8 <= in.photo_jpeg.size(); j += 8) {
        std::uint64_t v = rng();
        std::memcpy(&in.photo_jpeg[j], &v, 8);
      }
    } else {
      in.share_consent = false;  // as on the booth: consent is asked for a photo only
    }
    // Queued as the booth queues it: campaign use (a) for every target but the public one.
    in.targets = upload::upload_targets_for(ctx.config(), in.share_consent, false);
    auto saved = ledger->save_pledge(in);
    if (!saved) {
      std::fprintf(stderr, "save failed: %s\n", saved.status().message().c_str());
      throw ExitCode{1};
    }
    if (opt.mix && in.share_consent) {
      auto rows = check(ledger->outbox_for(saved->id), "read outbox");
      for (const auto& row : rows) {
        const int pct = static_cast<int>(rng() % 100);
        Status st = pct < opt.delivered_pct ? ledger->mark_done(row.id, "bench/" + saved->id)
                    : pct < opt.delivered_pct + 2
                        ? ledger->mark_failed(row.id, "HTTP 403: AccessDenied")
                        : Status::ok();
        if (!st) {
          std::fprintf(stderr, "outbox: %s\n", st.message().c_str());
          throw ExitCode{1};
        }
      }
    }
    // One write() per line, so a SIGKILL never leaves half a line.
    std::string line = "saved " + saved->id + " " + saved->photo_sha256 + "\n";
    if (::write(1, line.data(), line.size()) < 0) throw ExitCode{1};
  }
}

}  // namespace

void add_store_commands(CLI::App& app, AppContext& ctx) {
  auto args = std::make_shared<StoreArgs>();

  auto* stats = app.add_subcommand("stats", kHelpStats);
  stats->add_option("--data-dir", args->data_dir, "data directory (default: from the config)");
  stats->add_flag("--json", args->json, "machine-readable output");
  stats->callback([&ctx, args] { run_stats(ctx, args->data_dir, args->json); });

  auto* exp = app.add_subcommand("export", kHelpExport);
  exp->add_option("--data-dir", args->data_dir, "data directory (default: from the config)");
  exp->add_option("--csv", args->csv, "write one row per pledge to this file");
  exp->add_option("--dir", args->dir, "write pledges.csv and the photos into this folder");
  exp->add_flag("--include-private", args->include_private,
                "with --dir: also copy photos whose owners did not agree to share them, "
                "into DIR/private/");
  exp->callback([&ctx, args] {
    run_export(ctx, args->data_dir, args->csv, args->dir, args->include_private);
  });

  auto* del = app.add_subcommand("delete", kHelpDelete);
  del->add_option("--data-dir", args->data_dir, "data directory (default: from the config)");
  del->add_option("PLEDGE", args->id,
                  "the pledge's id, or its reference as THANKS shows it (e.g. 7F3A-9C21)")
      ->required();
  del->callback([&ctx, args] { run_delete(ctx, args->data_dir, args->id); });

  auto* purge = app.add_subcommand("purge", kHelpPurge);
  purge->add_option("--data-dir", args->data_dir, "data directory (default: from the config)");
  purge->add_flag("--dry-run", args->dry_run, "only list what would be deleted");
  purge->callback([&ctx, args] { run_purge(ctx, args->data_dir, args->dry_run); });

  auto* add = app.add_subcommand("add-test-pledges", kHelpAddTestPledges);
  add->group("");  // hidden from --help
  add->add_option("--data-dir", args->data_dir, "data directory");
  add->add_option("N", args->count, "how many")->required();
  add->add_option("--photo-kb", args->mix.photo_kb, "photo size in KB (0 = no photo)");
  add->add_option("--consent", args->mix.consent, "share consent (true/false)");
  add->add_flag("--mix", args->mix.mix, "a booth's mix of consent, answers, languages and uploads");
  add->add_option("--days", args->mix.days, "with --mix: spread over this many days up to now");
  add->add_option("--delivered", args->mix.delivered_pct, "with --mix: % of uploads marked done");
  add->add_option("--days-ago", args->mix.days_ago, "save them as if this many days ago");
  add->callback(
      [&ctx, args] { run_add_test_pledges(ctx, args->data_dir, args->count, args->mix); });
}

}  // namespace pb::app
