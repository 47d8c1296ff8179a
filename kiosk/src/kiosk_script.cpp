// SPDX-License-Identifier: Apache-2.0
// Parser of the scripted-run format documented in pb/kiosk_script.h.
#include "pb/kiosk_script.h"

#include <cmath>
#include <sstream>

namespace pb::kiosk {
namespace {

bool parse_number(const std::string& s, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(s, &used);
    // inf, nan and huge values would make a wait endless or overflow a float point.
    return used == s.size() && std::isfinite(out) && std::fabs(out) <= 1e6;
  } catch (...) {
    return false;
  }
}

bool parse_point(const std::string& s, float& x, float& y) {
  const auto comma = s.find(',');
  if (comma == std::string::npos) return false;
  double a = 0, b = 0;
  if (!parse_number(s.substr(0, comma), a) || !parse_number(s.substr(comma + 1), b)) return false;
  x = static_cast<float>(a);
  y = static_cast<float>(b);
  return true;
}

}  // namespace

Result<std::vector<ScriptStep>> parse_script(const std::string& text, const std::string& name) {
  std::vector<ScriptStep> steps;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (const auto hash = raw.find('#'); hash != std::string::npos) raw.erase(hash);
    std::istringstream words(raw);
    std::vector<std::string> w;
    for (std::string t; words >> t;) w.push_back(t);
    if (w.empty()) continue;
    auto fail = [&](const std::string& what) {
      return Status::error(Status::Code::kInvalid,
                           name + ":" + std::to_string(line_no) + ": " + what);
    };
    ScriptStep step;
    step.line = line_no;
    const std::string& verb = w[0];
    auto target_or_point = [&](const std::string& arg) {
      if (!parse_point(arg, step.x, step.y)) step.target = arg;
    };
    // A timeout in w[i] when there is one (10 s when not); never negative.
    auto optional_timeout = [&](std::size_t i) {
      step.seconds = 10;
      return w.size() <= i || (parse_number(w[i], step.seconds) && step.seconds >= 0);
    };
    if (verb == "wait") {
      if (w.size() != 2 || !parse_number(w[1], step.seconds) || step.seconds < 0)
        return fail("expected `wait SECONDS`");
      step.kind = ScriptStep::Kind::kWait;
    } else if (verb == "tap" || verb == "touch") {
      if (w.size() != 2) return fail("expected `" + verb + " TARGET` or `" + verb + " X,Y`");
      step.kind = verb == "tap" ? ScriptStep::Kind::kTap : ScriptStep::Kind::kTouch;
      target_or_point(w[1]);
    } else if (verb == "hold") {
      if (w.size() != 3 || !parse_number(w[2], step.seconds) || step.seconds <= 0)
        return fail("expected `hold TARGET SECONDS`");
      step.kind = ScriptStep::Kind::kHold;
      target_or_point(w[1]);
    } else if (verb == "expect") {
      if (w.size() < 2 || w.size() > 3 || !optional_timeout(2))
        return fail("expected `expect SCREEN [TIMEOUT_SECONDS]`");
      step.kind = ScriptStep::Kind::kExpect;
      step.target = w[1];
    } else if (verb == "settle") {
      if (w.size() > 2 || !optional_timeout(1)) return fail("expected `settle [TIMEOUT_SECONDS]`");
      step.kind = ScriptStep::Kind::kSettle;
    } else if (verb == "campaign") {
      if (w.size() > 2 || !optional_timeout(1))
        return fail("expected `campaign [TIMEOUT_SECONDS]`");
      step.kind = ScriptStep::Kind::kCampaign;
    } else if (verb == "shot") {
      if (w.size() != 2) return fail("expected `shot NAME`");
      step.kind = ScriptStep::Kind::kShot;
      step.target = w[1];
    } else if (verb == "quit") {
      step.kind = ScriptStep::Kind::kQuit;
    } else if (verb == "stall") {
      if (w.size() != 1) return fail("expected `stall`");
      step.kind = ScriptStep::Kind::kStall;
    } else if (verb == "key") {
      const auto known = [&w] {
        for (const char* k : kScriptKeys)
          if (w[1] == k) return true;
        return false;
      };
      if (w.size() != 2 || !known()) {
        std::string all;
        for (const char* k : kScriptKeys) all += std::string(all.empty() ? "" : "|") + k;
        return fail("expected `key " + all + "`");
      }
      step.kind = ScriptStep::Kind::kKey;
      step.target = w[1];
    } else if (verb == "await-file") {
      if (w.size() < 2 || w.size() > 3 || !optional_timeout(2))
        return fail("expected `await-file PATH [TIMEOUT_SECONDS]`");
      step.kind = ScriptStep::Kind::kAwaitFile;
      step.target = w[1];
    } else if (verb == "focus") {
      if (w.size() < 2 || w.size() > 3 || !optional_timeout(2))
        return fail("expected `focus TARGET [TIMEOUT_SECONDS]`");
      step.kind = ScriptStep::Kind::kFocus;
      step.target = w[1];
    } else {
      return fail("unknown step `" + verb + "`");
    }
    steps.push_back(step);
  }
  return steps;
}

}  // namespace pb::kiosk
