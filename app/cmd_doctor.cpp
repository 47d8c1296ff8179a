// SPDX-License-Identifier: Apache-2.0
// `pledgebooth doctor [--json]`: is this booth ready? The checks are pb::doctor's
// (doctor/); this prints each finding as an OK/WARN/FAIL line with what to do, or as JSON,
// and exits 1 on any FAIL.
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "pb/doctor.h"
#include "pb/json.h"

namespace pb::app {

namespace {

struct DoctorArgs {
  bool json = false;
};

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

void print_json(const std::vector<doctor::Finding>& findings) {
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& f : findings)
    checks.push_back({{"check", f.check},
                      {"level", lower(doctor::level_word(f.level))},
                      {"message", f.what},
                      {"fix", f.fix}});
  const nlohmann::ordered_json out = {{"ready", !doctor::any_failed(findings)}, {"checks", checks}};
  // Text from outside (device names, paths) is valid UTF-8 by now; replace, never throw.
  std::cout << json_text(out, 2) << "\n";
}

void print_text(const std::vector<doctor::Finding>& findings) {
  for (const auto& f : findings) {
    char word[8];
    std::snprintf(word, sizeof word, "%-5s", doctor::level_word(f.level));
    std::cout << "  " << word << f.check << ": " << f.what << (f.fix.empty() ? "" : " — " + f.fix)
              << "\n";
  }
  std::cout << (doctor::any_failed(findings) ? "doctor: fix the FAIL lines above\n"
                                             : "doctor: the booth is ready\n");
}

void run_doctor(AppContext& ctx, const DoctorArgs& args) {
  const auto findings = doctor::run_all(ctx.config(), doctor::Host::real());
  if (args.json)
    print_json(findings);
  else
    print_text(findings);
  if (doctor::any_failed(findings)) throw ExitCode{1};
}

}  // namespace

void add_doctor_command(CLI::App& app, AppContext& ctx) {
  auto args = std::make_shared<DoctorArgs>();
  auto* doc = app.add_subcommand("doctor", kHelpDoctor);
  doc->add_flag("--json", args->json, "machine-readable output");
  doc->callback([&ctx, args] { run_doctor(ctx, *args); });
}

}  // namespace pb::app
