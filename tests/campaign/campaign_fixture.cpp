// SPDX-License-Identifier: Apache-2.0
// campaign_fixture: pledges with real booth photos for the wall tests.
#include "campaign_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>

#include "pb/config.h"
#include "pb/photo.h"

namespace pb::test {

std::vector<std::uint8_t> booth_photo(const std::string& name, const std::string& answer, int hue) {
  static auto sign = photo::SignFrame::load(config::assets_dir() + "/frames/heforshe.png");
  REQUIRE(sign);
  static photo::Composer composer(*sign, photo::Aspect::k4x5, nullptr);
  // A room, a person: enough for the projector screenshots to look like booth photos.
  cv::Mat hsv(720, 1280, CV_8UC3);
  for (int y = 0; y < hsv.rows; ++y)
    hsv.row(y).setTo(cv::Scalar(hue % 180, 70, 120 + y * 100 / hsv.rows));
  cv::Mat bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const cv::Scalar skin(120 + hue % 60, 150 + hue % 40, 190 + hue % 50);
  cv::ellipse(bgr, {640, 700}, {260, 200}, 0, 180, 360, cv::Scalar(60, 40 + hue % 80, 90), -1);
  cv::ellipse(bgr, {640, 330}, {110, 140}, 0, 0, 360, skin, -1);
  cv::ellipse(bgr, {640, 230}, {115, 60}, 0, 180, 360, cv::Scalar(30, 30, 40 + hue % 60), -1);
  auto composed = composer.compose(bgr, {name, answer, ""});
  REQUIRE(composed);
  auto jpeg = photo::encode_jpeg(composed->bgr, 85);
  REQUIRE(jpeg);
  return *jpeg;
}

store::Pledge save_test_pledge(store::Ledger& ledger, const TestPledge& p,
                               const std::vector<std::string>& targets) {
  store::PledgeInput in;
  in.event = p.event;
  in.booth = "booth-w";
  in.locale = "en";
  in.first_name = p.name;
  in.answer = p.answer;
  in.share_consent = p.consent;
  in.wall_consent = p.wall.value_or(p.consent);
  in.consent_version = p.consent || in.wall_consent ? 1 : 0;
  in.targets = targets;
  if (p.photo) {
    if (p.real_jpeg) {
      in.photo_jpeg = booth_photo(p.name, p.answer, static_cast<int>(p.name.size() * 37));
    } else {
      in.photo_jpeg.assign(4096, 0);
      in.photo_jpeg[0] = 0xFF;
      in.photo_jpeg[1] = 0xD8;
      for (std::size_t i = 2; i < in.photo_jpeg.size(); ++i)
        in.photo_jpeg[i] = static_cast<std::uint8_t>(i * 7 + p.name.size());
    }
  }
  auto saved = ledger.save_pledge(in);
  REQUIRE(saved);
  return *saved;
}

std::string wall_config(const std::string& data_dir, const std::string& extra) {
  return "[event]\nid = \"wall-test\"\nname = \"Launch Day\"\n"
         "page_url = \"https://www.heforshe.org/en/commitment\"\n"
         "[booth]\nid = \"booth-w\"\n[camera]\nsource = \"synthetic\"\n"
         "[storage]\ndata_dir = \"" +
         data_dir + "\"\nmin_free_mb = 1\n[upload]\nenabled = false\n" + extra;
}

RawClient::RawClient(const std::string& from, int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, from.c_str(), &src.sin_addr);
  REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
}

RawClient::~RawClient() {
  ::close(fd_);
}

bool RawClient::send(const std::string& bytes) {
  return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(bytes.size());
}

bool RawClient::ended_within(std::chrono::milliseconds timeout, std::string* got) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
    if (got) got->append(buf, static_cast<std::size_t>(n));
  }
  return false;
}

std::string RawClient::reply(std::chrono::milliseconds timeout) {
  std::string got;
  const auto end = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (std::chrono::steady_clock::now() < end && got.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

int status_of(const std::string& reply) {
  return reply.rfind("HTTP/1.", 0) == 0 ? std::atoi(reply.c_str() + 9) : 0;
}

campaign::WallOptions wall_options(const std::string& data_dir) {
  campaign::WallOptions o;
  o.port = 0;
  o.data_dir = data_dir;
  o.event_id = "wall-test";
  o.event_name = "Launch Day";
  o.page_url = "https://www.heforshe.org";
  o.assets_dir = config::assets_dir() + "/wall";
  return o;
}

}  // namespace pb::test
