// SPDX-License-Identifier: Apache-2.0
// The wall's feed: which pledges the page may show, and the JSON it reads.
#include "wall_feed.h"

#include <qrencode.h>

#include <algorithm>
#include <memory>

#include "pb/json.h"

namespace pb::campaign {

bool is_pledge_id(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool words_on_wall(const store::Pledge& p, const std::string& event, const HiddenPhotos& hidden) {
  return p.event == event && p.wall_consent && hidden.vouched && hidden.ids.count(p.id) == 0;
}

bool photo_on_wall(const store::Pledge& p, const std::string& event, const HiddenPhotos& hidden) {
  return words_on_wall(p, event, hidden) && !p.photo_path.empty();
}

bool add_to_feed(WallFeed& feed, const store::Pledge& p, const std::string& event,
                 const HiddenPhotos& hidden, int max_photos, int max_answers) {
  const auto full = [&] {
    return static_cast<int>(feed.photos.size()) >= max_photos &&
           static_cast<int>(feed.answers.size()) >= max_answers;
  };
  if (!words_on_wall(p, event, hidden)) return full();
  WallItem item{p.id, p.first_name, p.answer, p.created_ms, photo_on_wall(p, event, hidden)};
  if (item.photo && static_cast<int>(feed.photos.size()) < max_photos) feed.photos.push_back(item);
  if (!item.answer.empty() && static_cast<int>(feed.answers.size()) < max_answers)
    feed.answers.push_back(item);
  return full();
}

WallFeed build_feed(const std::vector<store::Pledge>& pledges, const std::string& event,
                    const HiddenPhotos& hidden, int max_photos, int max_answers) {
  WallFeed feed;
  feed.withheld = !hidden.vouched;
  for (auto it = pledges.rbegin(); it != pledges.rend(); ++it) {
    if (it->event != event) continue;
    ++feed.count;
    add_to_feed(feed, *it, event, hidden, max_photos, max_answers);
  }
  return feed;
}

namespace {

nlohmann::ordered_json item_json(const WallItem& it) {
  nlohmann::ordered_json j = {{"id", it.id},
                              {"name", it.first_name},
                              {"answer", it.answer},
                              {"time", store::utc_timestamp(it.created_ms)}};
  if (it.photo) j["photo"] = "photo/" + it.id + ".jpg";
  return j;
}

nlohmann::ordered_json items_json(const std::vector<WallItem>& items) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& it : items) out.push_back(item_json(it));
  return out;
}

}  // namespace

std::string feed_json(const WallFeed& feed, std::int64_t seq, const std::string& event_id,
                      const std::string& event_name, const std::string& page_url) {
  return json_text({{"schema", 1},
                    {"seq", seq},
                    {"event", {{"id", event_id}, {"name", event_name}, {"page_url", page_url}}},
                    {"count", feed.count},
                    {"withheld", feed.withheld},
                    {"photos", items_json(feed.photos)},
                    {"answers", items_json(feed.answers)}});
}

std::string qr_svg(const std::string& text) {
  if (text.empty() || text.size() > 1000) return "";
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!qr) return "";
  constexpr int kQuiet = 4;
  const int size = qr->width + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < qr->width; ++y)
    for (int x = 0; x < qr->width; ++x)
      if (qr->data[y * qr->width + x] & 1)
        path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
  const std::string n = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + n + "\" height=\"" + n +
         "\" fill=\"#fff\"/><path fill=\"#2a0842\" d=\"" + path + "\"/></svg>\n";
}

}  // namespace pb::campaign
