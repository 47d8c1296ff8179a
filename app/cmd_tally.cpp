// SPDX-License-Identifier: Apache-2.0
// `pledgebooth tally`: the campaign from every booth's tally document on a shared target,
// per event, booth and day (docs/METADATA.md, "Tally documents").
#include <cstdio>
#include <iostream>
#include <map>

#include "commands.h"
#include "pb/csv.h"
#include "pb/json.h"
#include "pb/tally.h"
#include "pb/utf8.h"

namespace pb::app {
namespace {

struct TallyArgs {
  std::string target;  // "" = the first configured target that can be read back
  bool json = false;
  bool csv = false;
  int parallel = 8;
};

// 1284 → "1,284"
std::string grouped(std::int64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > (n < 0 ? 1 : 0); i -= 3) s.insert(i, ",");
  return s;
}

nlohmann::ordered_json counts_json(const std::map<std::string, std::int64_t>& m) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

nlohmann::ordered_json days_json(const std::map<std::string, store::DayCounts>& days) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [day, d] : days)
    out[day] = {{"pledges", d.pledges}, {"with_photo", d.with_photo}, {"shared", d.shared}};
  return out;
}

void print_json(const upload::CampaignTally& t, const std::string& target) {
  const auto events = upload::tally_by_event(t.documents);
  const store::DayCounts total = upload::tally_total(events);
  nlohmann::ordered_json out_events = nlohmann::ordered_json::array();
  for (const auto& [name, e] : events) {
    nlohmann::ordered_json booths = nlohmann::ordered_json::array();
    for (const auto* b : e.booths)
      booths.push_back({{"booth", b->booth},
                        {"pledges", b->pledges},
                        {"with_photo", b->with_photo},
                        {"shared", b->shared},
                        {"newest_pledge_ms", b->newest_ms},
                        {"days", days_json(b->days)}});
    out_events.push_back({{"event", name},
                          {"pledges", e.sum.pledges},
                          {"with_photo", e.sum.with_photo},
                          {"shared", e.sum.shared},
                          {"answers", counts_json(e.sum.answers)},
                          {"locales", counts_json(e.sum.locales)},
                          {"days", days_json(e.sum.days)},
                          {"booths", booths}});
  }
  nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
  for (const auto& [document, why] : t.skipped)
    skipped.push_back({{"document", document}, {"why", why}});
  std::cout << json_text({{"target", target},
                          {"events", out_events},
                          {"total",
                           {{"pledges", total.pledges},
                            {"with_photo", total.with_photo},
                            {"shared", total.shared},
                            {"booths", t.documents.size()}}},
                          {"skipped", skipped},
                          {"requests", t.requests}})
            << "\n";
}

void print_csv(const upload::CampaignTally& t) {
  std::cout << "event,booth,day,pledges,with_photo,shared\n";
  for (const auto& d : t.documents)
    for (const auto& [day, c] : d.days)
      std::cout << store::csv_field(d.event) << "," << store::csv_field(d.booth) << ","
                << store::csv_field(day) << "," << c.pledges << "," << c.with_photo << ","
                << c.shared << "\n";
}

// Names come from other booths' documents and from the target's listing: printed as
// printable_text, so no newline or escape code in one forges a line or moves the cursor.
std::string shown(const std::string& name) {
  return printable_text(name, 200);
}

void print_text(const upload::CampaignTally& t, const std::string& target) {
  const auto events = upload::tally_by_event(t.documents);
  for (const auto& [name, e] : events) {
    std::cout << shown(name) << ": " << grouped(e.sum.pledges) << " pledges ("
              << grouped(e.sum.with_photo) << " with a photo, " << grouped(e.sum.shared)
              << " shared) at " << e.booths.size()
              << (e.booths.size() == 1 ? " booth\n" : " booths\n");
    for (const auto* b : e.booths)
      std::cout << "  booth " << shown(b->booth) << ": " << grouped(b->pledges)
                << " pledges, newest "
                << (b->newest_ms ? store::utc_timestamp(b->newest_ms) : std::string("none"))
                << "\n";
    for (const auto& [day, c] : e.sum.days)
      std::cout << "  day " << shown(day) << ": " << grouped(c.pledges) << " pledges\n";
    std::string answers;
    for (const auto& [k, v] : e.sum.answers)
      answers += (answers.empty() ? "" : ", ") + shown(k) + " " + grouped(v);
    std::cout << "  answers: " << answers << "\n";
  }
  std::cout << "campaign (" << shown(target)
            << "): " << grouped(upload::tally_total(events).pledges) << " pledges in "
            << events.size() << (events.size() == 1 ? " event" : " events") << " from "
            << t.documents.size() << " booth documents\n";
}

void run_tally(AppContext& ctx, const TallyArgs& args) {
  const auto& targets = ctx.config().upload.targets;
  const config::UploadTarget* chosen = nullptr;
  for (const auto& t : targets)
    if (args.target.empty() ? upload::can_read_tally(t) : t.name == args.target) {
      chosen = &t;
      break;
    }
  if (!chosen) {
    std::cerr << "tally: "
              << (args.target.empty() ? std::string("no configured target can be read back")
                                      : "no target named \"" + args.target + "\"")
              << "; the targets are:";
    for (const auto& t : targets) std::cerr << " " << t.name << " (" << t.kind << ")";
    std::cerr << "\n";
    throw ExitCode{2};
  }
  auto tally = upload::read_campaign_tally(*chosen, args.parallel);
  if (!tally) {
    std::cerr << "tally: target " << chosen->name << ": " << tally.status().message() << "\n";
    throw ExitCode{1};
  }
  for (const auto& [key, why] : tally->skipped)
    std::cerr << "tally: skipped " << shown(key) << ": " << shown(why) << "\n";
  if (args.json)
    print_json(*tally, chosen->name);
  else if (args.csv)
    print_csv(*tally);
  else
    print_text(*tally, chosen->name);
}

}  // namespace

void add_tally_command(CLI::App& app, AppContext& ctx) {
  auto args = std::make_shared<TallyArgs>();
  auto* cmd = app.add_subcommand("tally", kHelpTally);
  cmd->add_option("--target", args->target,
                  "the [[upload.targets]] name to read (default: the "
                  "first that can be read back)");
  auto* json = cmd->add_flag("--json", args->json, "machine-readable output");
  cmd->add_flag("--csv", args->csv, "event,booth,day,pledges,with_photo,shared rows")
      ->excludes(json);
  cmd->add_option("--parallel", args->parallel, "documents read at once (1-64)")
      ->check(CLI::Range(1, 64));
  cmd->callback([&ctx, args] { run_tally(ctx, *args); });
}

}  // namespace pb::app
