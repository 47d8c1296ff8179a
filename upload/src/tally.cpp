// SPDX-License-Identifier: Apache-2.0
// Tally documents (pb/tally.h): written with nlohmann::json, read back with bounds checks.
#include "pb/tally.h"

#include <nlohmann/json.hpp>

#include "pb/ledger.h"

namespace pb::upload {
namespace {

using nlohmann::json;

std::string clean_part(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == '~'))
      c = '-';
  if (out.empty() || out == "." || out == "..") out = "-";
  return out;
}

// Brackets nested deeper than this are refused before nlohmann parses (it recurses).
constexpr int kMaxDepth = 8;
// Entries of one map (answers, locales, days) at most.
constexpr std::size_t kMaxEntries = 10000;

bool too_deep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

bool count_of(const json& j, const char* name, std::int64_t& out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return false;
  out = it->get<std::int64_t>();
  return out >= 0;
}

bool text_of(const json& j, const char* name, std::string& out, std::size_t max) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return !out.empty() && out.size() <= max;
}

bool counts_map(const json& j, const char* name, std::map<std::string, std::int64_t>& out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_object() || it->size() > kMaxEntries) return false;
  for (const auto& [k, v] : it->items()) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || k.size() > 64) return false;
    out[store::ledger_text(k, 64)] = v.get<std::int64_t>();
  }
  return true;
}

}  // namespace

std::string tally_key(const std::string& prefix, const std::string& event,
                      const std::string& booth) {
  std::string p;
  for (char c : prefix)
    p += ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == '~' || c == '/')
             ? c
             : '-';
  while (!p.empty() && p.back() == '/') p.pop_back();
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  for (auto at = p.find(".."); at != std::string::npos; at = p.find("..")) p[at] = '-';
  return (p.empty() ? "" : p + "/") + clean_part(event) + "/_booths/" + clean_part(booth) + ".json";
}

std::string tally_document(const store::TallyCounts& c) {
  json days = json::object();
  for (const auto& [day, d] : c.days)
    days[day] = {{"pledges", d.pledges}, {"with_photo", d.with_photo}, {"shared", d.shared}};
  json j = {{"schema", kTallySchemaVersion},
            {"kind", "pledgebooth-tally"},
            {"booth", c.booth},
            {"event", c.event},
            {"newest_pledge_ms", c.newest_ms},
            {"newest_pledge_utc", c.newest_ms > 0 ? store::utc_timestamp(c.newest_ms) : ""},
            {"pledges", c.pledges},
            {"with_photo", c.with_photo},
            {"shared", c.shared},
            {"answers", c.answers},
            {"locales", c.locales},
            {"days", days}};
  return j.dump() + "\n";
}

std::optional<store::TallyCounts> parse_tally_document(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<store::TallyCounts> {
    if (error) *error = why;
    return std::nullopt;
  };
  if (text.size() > kMaxTallyDocument) return fail("larger than 256 KiB");
  if (too_deep(text)) return fail("nested too deeply");
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
  std::int64_t schema = 0;
  if (!count_of(j, "schema", schema) || schema != kTallySchemaVersion)
    return fail("not a tally document of schema " + std::to_string(kTallySchemaVersion));
  store::TallyCounts c;
  if (!text_of(j, "booth", c.booth, 64) || !text_of(j, "event", c.event, 64))
    return fail("no booth or event");
  c.booth = store::ledger_text(c.booth, 64);
  c.event = store::ledger_text(c.event, 64);
  if (!count_of(j, "pledges", c.pledges) || !count_of(j, "with_photo", c.with_photo) ||
      !count_of(j, "shared", c.shared) || !count_of(j, "newest_pledge_ms", c.newest_ms))
    return fail("a count is missing or not a whole number");
  if (!counts_map(j, "answers", c.answers) || !counts_map(j, "locales", c.locales))
    return fail("answers or locales are not counts");
  auto days = j.find("days");
  if (days == j.end() || !days->is_object() || days->size() > kMaxEntries) return fail("no days");
  for (const auto& [day, d] : days->items()) {
    store::DayCounts dc;
    if (day.size() != 10 || !d.is_object() || !count_of(d, "pledges", dc.pledges) ||
        !count_of(d, "with_photo", dc.with_photo) || !count_of(d, "shared", dc.shared))
      return fail("a day's counts are malformed");
    c.days[store::ledger_text(day, 10)] = dc;
  }
  return c;
}

store::CampaignCount campaign_count_of(const std::vector<store::TallyCounts>& documents,
                                       const std::string& event, const std::string& own_booth,
                                       std::int64_t fetched_ms) {
  store::CampaignCount c;
  c.event = event;
  c.fetched_ms = fetched_ms;
  for (const auto& d : documents) {
    if (d.event != event || d.booth == own_booth) continue;
    if (d.pledges <= 0 || d.pledges > store::kMaxBoothPledges) continue;
    if (c.other_booths >= store::kMaxCampaignBooths) break;
    c.others += d.pledges;
    ++c.other_booths;
  }
  return c;
}

}  // namespace pb::upload
