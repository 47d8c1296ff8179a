// SPDX-License-Identifier: Apache-2.0
// Tally documents (pb/tally.h): written with nlohmann::json, read back with bounds checks.
#include "pb/tally.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

#include "pb/json.h"
#include "pb/ledger.h"
#include "pb/utf8.h"

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

// A count as a booth can have it: a whole number from 0 to store::kMaxBoothPledges. A
// larger one is a lie or a broken booth, and summed with others it would overflow.
bool in_bounds(const json& v) {
  return v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
         v.get<std::int64_t>() <= store::kMaxBoothPledges;
}

// Why a count is refused, or "" when name holds a count in bounds (into out).
std::string count_of(const json& j, const char* name, std::int64_t& out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0)
    return std::string(name) + " is missing or not a whole number";
  if (!in_bounds(*it))
    return std::string(name) + " is over " + std::to_string(store::kMaxBoothPledges) +
           ", more than a booth can take";
  out = it->get<std::int64_t>();
  return "";
}

// A name printed to a terminal and a spreadsheet: text without control characters (a
// newline would forge a line of `pledgebooth tally`'s output).
bool text_of(const json& j, const char* name, std::string& out, std::size_t max) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return !out.empty() && out.size() <= max && is_clean_text(out);
}

std::string counts_map(const json& j, const char* name, std::map<std::string, std::int64_t>& out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_object() || it->size() > kMaxEntries)
    return std::string(name) + " are not counts";
  for (const auto& [k, v] : it->items()) {
    if (k.empty() || k.size() > 64 || !is_clean_text(k))
      return std::string(name) + " hold a key that is empty, long or has control characters";
    if (!in_bounds(v))
      return std::string(name) + " hold a count that is not a whole number from 0 to " +
             std::to_string(store::kMaxBoothPledges);
    out[k] = v.get<std::int64_t>();
  }
  return "";
}

bool is_day(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return false;
  return true;
}

// The latest time a document may name (9999-12-31): utc_timestamp prints any before it.
constexpr std::int64_t kMaxNewestMs = 253402300799999;

std::int64_t add(std::int64_t a, std::int64_t b) {
  return saturating_add(a, b);
}

void add_day(store::DayCounts& into, const store::DayCounts& d) {
  into.pledges = add(into.pledges, d.pledges);
  into.with_photo = add(into.with_photo, d.with_photo);
  into.shared = add(into.shared, d.shared);
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
  return json_text(j) + "\n";
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
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_number_integer() ||
      schema->get<std::int64_t>() != kTallySchemaVersion)
    return fail("not a tally document of schema " + std::to_string(kTallySchemaVersion));
  store::TallyCounts c;
  if (!text_of(j, "booth", c.booth, 64) || !text_of(j, "event", c.event, 64))
    return fail("no booth or event, or one with control characters");
  for (const auto& [name, into] :
       {std::pair{"pledges", &c.pledges}, std::pair{"with_photo", &c.with_photo},
        std::pair{"shared", &c.shared}})
    if (std::string why = count_of(j, name, *into); !why.empty()) return fail(why);
  auto newest = j.find("newest_pledge_ms");
  if (newest == j.end() || !newest->is_number_integer() || newest->get<std::int64_t>() < 0 ||
      newest->get<std::int64_t>() > kMaxNewestMs)
    return fail("newest_pledge_ms is missing or not a time");
  c.newest_ms = newest->get<std::int64_t>();
  if (std::string why = counts_map(j, "answers", c.answers); !why.empty()) return fail(why);
  if (std::string why = counts_map(j, "locales", c.locales); !why.empty()) return fail(why);
  auto days = j.find("days");
  if (days == j.end() || !days->is_object() || days->size() > kMaxEntries) return fail("no days");
  for (const auto& [day, d] : days->items()) {
    store::DayCounts dc;
    if (!is_day(day) || !d.is_object()) return fail("a day's counts are malformed");
    for (const auto& [name, into] :
         {std::pair{"pledges", &dc.pledges}, std::pair{"with_photo", &dc.with_photo},
          std::pair{"shared", &dc.shared}})
      if (std::string why = count_of(d, name, *into); !why.empty())
        return fail("day " + day + ": " + why);
    c.days[day] = dc;
  }
  return c;
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

std::map<std::string, EventTally> tally_by_event(const std::vector<store::TallyCounts>& documents) {
  std::map<std::string, EventTally> out;
  for (const auto& d : documents) {
    EventTally& e = out[d.event];
    store::TallyCounts& s = e.sum;
    s.event = d.event;
    s.pledges = add(s.pledges, d.pledges);
    s.with_photo = add(s.with_photo, d.with_photo);
    s.shared = add(s.shared, d.shared);
    for (const auto& [k, v] : d.answers) s.answers[k] = add(s.answers[k], v);
    for (const auto& [k, v] : d.locales) s.locales[k] = add(s.locales[k], v);
    for (const auto& [day, c] : d.days) add_day(s.days[day], c);
    s.newest_ms = std::max(s.newest_ms, d.newest_ms);
    e.booths.push_back(&d);
  }
  return out;
}

store::DayCounts tally_total(const std::map<std::string, EventTally>& events) {
  store::DayCounts t;
  for (const auto& [name, e] : events) add_day(t, {e.sum.pledges, e.sum.with_photo, e.sum.shared});
  return t;
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
    c.others = add(c.others, d.pledges);
    ++c.other_booths;
  }
  return c;
}

}  // namespace pb::upload
