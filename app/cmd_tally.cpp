// SPDX-License-Identifier: Apache-2.0
// `pledgebooth tally`: the campaign from every booth's tally document on a shared target,
// per event, booth and day (docs/METADATA.md, "Tally documents").
#include <cstdio>
#include <iostream>
#include <map>

#include "commands.h"
#include "pb/json.h"
#include "pb/tally.h"

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

std::string counts_json(const std::map<std::string, std::int64_t>& m) {
  std::string out = "{";
  for (const auto& [k, v] : m)
    out += (out.size() > 1 ? "," : "") + json_quote(k) + ":" + std::to_string(v);
  return out + "}";
}

std::string day_json(const store::DayCounts& d) {
  return "{\"pledges\":" + std::to_string(d.pledges) +
         ",\"with_photo\":" + std::to_string(d.with_photo) +
         ",\"shared\":" + std::to_string(d.shared) + "}";
}

std::string days_json(const std::map<std::string, store::DayCounts>& days) {
  std::string out = "{";
  for (const auto& [day, d] : days) out += (out.size() > 1 ? "," : "") + json_quote(day) + ":" + day_json(d);
  return out + "}";
}

// A CSV field: quoted when it must be, and never read as a formula by a spreadsheet.
std::string csv_field(const std::string& s) {
  std::string v = s;
  if (!v.empty() && std::string("=+-@").find(v[0]) != std::string::npos) v = "'" + v;
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// One event: the sum of its booths.
struct EventTotal {
  store::TallyCounts sum;
  std::vector<const store::TallyCounts*> booths;
};

std::map<std::string, EventTotal> by_event(const upload::CampaignTally& t) {
  std::map<std::string, EventTotal> out;
  for (const auto& d : t.documents) {
    EventTotal& e = out[d.event];
    e.sum.event = d.event;
    e.sum.pledges += d.pledges;
    e.sum.with_photo += d.with_photo;
    e.sum.shared += d.shared;
    for (const auto& [k, v] : d.answers) e.sum.answers[k] += v;
    for (const auto& [k, v] : d.locales) e.sum.locales[k] += v;
    for (const auto& [day, c] : d.days) {
      auto& s = e.sum.days[day];
      s.pledges += c.pledges;
      s.with_photo += c.with_photo;
      s.shared += c.shared;
    }
    e.sum.newest_ms = std::max(e.sum.newest_ms, d.newest_ms);
    e.booths.push_back(&d);
  }
  return out;
}

void print_json(const upload::CampaignTally& t, const std::string& target) {
  const auto events = by_event(t);
  std::int64_t pledges = 0, photos = 0, shared = 0;
  std::string out = "{\"target\":" + json_quote(target) + ",\"events\":[";
  bool first = true;
  for (const auto& [name, e] : events) {
    pledges += e.sum.pledges, photos += e.sum.with_photo, shared += e.sum.shared;
    out += std::string(first ? "\n " : ",\n ") + "{\"event\":" + json_quote(name) +
           ",\"pledges\":" + std::to_string(e.sum.pledges) +
           ",\"with_photo\":" + std::to_string(e.sum.with_photo) +
           ",\"shared\":" + std::to_string(e.sum.shared) +
           ",\"answers\":" + counts_json(e.sum.answers) +
           ",\"locales\":" + counts_json(e.sum.locales) + ",\"days\":" + days_json(e.sum.days) +
           ",\"booths\":[";
    first = false;
    for (std::size_t i = 0; i < e.booths.size(); ++i) {
      const auto& b = *e.booths[i];
      out += std::string(i ? "," : "") + "\n  {\"booth\":" + json_quote(b.booth) +
             ",\"pledges\":" + std::to_string(b.pledges) +
             ",\"with_photo\":" + std::to_string(b.with_photo) +
             ",\"shared\":" + std::to_string(b.shared) +
             ",\"newest_pledge_ms\":" + std::to_string(b.newest_ms) +
             ",\"days\":" + days_json(b.days) + "}";
    }
    out += "]}";
  }
  out += "],\n\"total\":{\"pledges\":" + std::to_string(pledges) +
         ",\"with_photo\":" + std::to_string(photos) + ",\"shared\":" + std::to_string(shared) +
         ",\"booths\":" + std::to_string(t.documents.size()) + "},\n\"skipped\":[";
  for (std::size_t i = 0; i < t.skipped.size(); ++i)
    out += std::string(i ? "," : "") + "{\"document\":" + json_quote(t.skipped[i].first) +
           ",\"why\":" + json_quote(t.skipped[i].second) + "}";
  out += "],\"requests\":" + std::to_string(t.requests) + "}\n";
  std::cout << out;
}

void print_csv(const upload::CampaignTally& t) {
  std::cout << "event,booth,day,pledges,with_photo,shared\n";
  for (const auto& d : t.documents)
    for (const auto& [day, c] : d.days)
      std::cout << csv_field(d.event) << "," << csv_field(d.booth) << "," << csv_field(day) << ","
                << c.pledges << "," << c.with_photo << "," << c.shared << "\n";
}

void print_text(const upload::CampaignTally& t, const std::string& target) {
  const auto events = by_event(t);
  std::int64_t total = 0;
  for (const auto& [name, e] : events) {
    total += e.sum.pledges;
    std::cout << name << ": " << grouped(e.sum.pledges) << " pledges ("
              << grouped(e.sum.with_photo) << " with a photo, " << grouped(e.sum.shared)
              << " shared) at " << e.booths.size() << (e.booths.size() == 1 ? " booth\n" : " booths\n");
    for (const auto* b : e.booths)
      std::cout << "  booth " << b->booth << ": " << grouped(b->pledges) << " pledges, newest "
                << (b->newest_ms ? store::utc_timestamp(b->newest_ms) : std::string("none"))
                << "\n";
    for (const auto& [day, c] : e.sum.days)
      std::cout << "  day " << day << ": " << grouped(c.pledges) << " pledges\n";
    std::string answers;
    for (const auto& [k, v] : e.sum.answers) answers += (answers.empty() ? "" : ", ") + k + " " + grouped(v);
    std::cout << "  answers: " << answers << "\n";
  }
  std::cout << "campaign (" << target << "): " << grouped(total) << " pledges in "
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
    std::cerr << "tally: skipped " << key << ": " << why << "\n";
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
  auto* cmd = app.add_subcommand(
      "tally", "the campaign: every booth's tally document from a shared target");
  cmd->add_option("--target", args->target, "the [[upload.targets]] name to read (default: the "
                                           "first that can be read back)");
  auto* json = cmd->add_flag("--json", args->json, "machine-readable output");
  cmd->add_flag("--csv", args->csv, "event,booth,day,pledges,with_photo,shared rows")->excludes(json);
  cmd->add_option("--parallel", args->parallel, "documents read at once (1-64)")
      ->check(CLI::Range(1, 64));
  cmd->callback([&ctx, args] { run_tally(ctx, *args); });
}

}  // namespace pb::app
