// SPDX-License-Identifier: Apache-2.0
// The grabber thread: latest-frame hand-off, the still at the shutter, reconnecting after a
// failing source, and prompt shutdown.
#include <atomic>
#include <random>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "pb/camera.h"
#include "test_support.h"

using namespace std::chrono_literals;
using pb::Status;
using pb::camera::Clock;
using pb::camera::Frame;
using pb::camera::Grabber;
using pb::camera::SyntheticSource;

namespace {

// A synthetic camera that can be told to fail (unplugged) or throw until a given time.
struct Switches {
  std::atomic<Clock::rep> fail_until{0};
  std::atomic<Clock::rep> throw_until{0};
  std::atomic<int> opens{0};
};

class FlakySource : public pb::camera::CameraSource {
 public:
  explicit FlakySource(std::shared_ptr<Switches> s) : s_(std::move(s)), inner_(160, 120, 30) {}
  Status open() override {
    ++s_->opens;
    if (failing()) return Status::error(Status::Code::kUnavailable, "unplugged (test)");
    return inner_.open();
  }
  Status read(Frame& out) override {
    if (Clock::now().time_since_epoch().count() < s_->throw_until.load())
      throw std::runtime_error("driver exploded (test)");
    if (failing()) return Status::error(Status::Code::kUnavailable, "read failed (test)");
    return inner_.read(out);
  }
  void close() override { inner_.close(); }
  std::string describe() const override { return "flaky"; }

 private:
  bool failing() const { return Clock::now().time_since_epoch().count() < s_->fail_until.load(); }
  std::shared_ptr<Switches> s_;
  SyntheticSource inner_;
};

// A source whose read() blocks for a long time, like a stalled USB camera.
class StuckSource : public pb::camera::CameraSource {
 public:
  Status open() override { return Status::ok(); }
  Status read(Frame& out) override {
    std::this_thread::sleep_for(300ms);
    out.bgr = cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
    out.captured = Clock::now();
    return Status::ok();
  }
  void close() override {}
  std::string describe() const override { return "stuck"; }
};

}  // namespace

TEST_CASE("the still carries the synthetic counter of the shutter instant within one",
          "[camera][grabber]") {
  auto owned = std::make_unique<SyntheticSource>(320, 240, 30);
  SyntheticSource* source = owned.get();  // observer only; the grabber owns it
  Grabber grabber(std::move(owned));
  grabber.start();
  REQUIRE(grabber.wait_next(0, pb::test::scaled(5s)) != nullptr);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pause_ms(0, 45);
  int max_gap = 0;
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    const auto shutter = Clock::now();
    const std::int64_t at_shutter = source->counter_at(shutter);
    const auto still = grabber.still(shutter);
    REQUIRE(still != nullptr);
    REQUIRE(still->synthetic_counter >= 0);
    max_gap =
        std::max<int>(max_gap, static_cast<int>(std::llabs(still->synthetic_counter - at_shutter)));
  }
  CHECK(max_gap <= 1);
}

TEST_CASE("latest hands out the newest frame with rising sequence numbers", "[camera][grabber]") {
  Grabber grabber(std::make_unique<SyntheticSource>(160, 120, 60));
  CHECK(grabber.latest() == nullptr);
  grabber.start();
  auto a = grabber.wait_next(0, pb::test::scaled(5s));
  REQUIRE(a != nullptr);
  auto b = grabber.wait_next(a->sequence, pb::test::scaled(5s));
  REQUIRE(b != nullptr);
  CHECK(b->sequence > a->sequence);
  CHECK(b->synthetic_counter > a->synthetic_counter);
  CHECK(b->bgr.size() == cv::Size(160, 120));
  CHECK(b->bgr.data != a->bgr.data);  // each frame owns its pixels
  auto l = grabber.latest();
  REQUIRE(l != nullptr);
  CHECK(l->sequence >= b->sequence);
  // Nobody takes frames for a while: they are replaced (dropped), not queued.
  std::this_thread::sleep_for(200ms);
  const auto s = grabber.stats();
  CHECK(s.connected);
  CHECK(s.frames >= 5);
  CHECK(s.drops >= 3);
  CHECK(s.fps > 10);
  CHECK(s.source == "synthetic 160x120@60");
}

TEST_CASE("a camera failing for a second delivers frames again and shuts down cleanly",
          "[camera][grabber]") {
  auto sw = std::make_shared<Switches>();
  pb::camera::GrabberOptions options;
  options.max_still_age = 200ms;
  auto grabber = std::make_unique<Grabber>(std::make_unique<FlakySource>(sw), options);
  grabber->start();
  auto before = grabber->wait_next(0, pb::test::scaled(5s));
  REQUIRE(before != nullptr);

  const auto unplugged = Clock::now();
  sw->fail_until = (unplugged + 1s).time_since_epoch().count();
  std::this_thread::sleep_for(500ms);
  auto during = grabber->stats();
  CHECK_FALSE(during.connected);
  CHECK(during.failures >= 1);
  CHECK(during.last_error.find("(test)") != std::string::npos);
  // The still refuses to hand out a stale frame while the camera is gone.
  CHECK(grabber->still(Clock::now()) == nullptr);

  // Frames resume within 2 s of the camera coming back.
  auto after = grabber->wait_next(grabber->stats().frames, pb::test::scaled(3s));
  REQUIRE(after != nullptr);
  CHECK(after->captured - (unplugged + 1s) < 2s);
  CHECK(after->sequence > before->sequence);
  auto s = grabber->stats();
  CHECK(s.connected);
  CHECK(s.reconnects >= 1);
  CHECK(sw->opens >= 2);

  // Stopping while the source fails again is prompt (no deadlock).
  sw->fail_until = (Clock::now() + 10s).time_since_epoch().count();
  std::this_thread::sleep_for(100ms);
  const auto t0 = Clock::now();
  grabber.reset();
  CHECK(Clock::now() - t0 < 1s);
}

TEST_CASE("an exception inside the source is caught on the grabber thread", "[camera][grabber]") {
  auto sw = std::make_shared<Switches>();
  sw->throw_until = (Clock::now() + 300ms).time_since_epoch().count();
  Grabber grabber(std::make_unique<FlakySource>(sw));
  grabber.start();
  auto f = grabber.wait_next(0, pb::test::scaled(5s));
  REQUIRE(f != nullptr);
  const auto s = grabber.stats();
  CHECK(s.failures >= 1);
  CHECK(s.last_error.find("driver exploded") != std::string::npos);
}

TEST_CASE("callers never wait for a stalled camera read", "[camera][grabber]") {
  Grabber grabber(std::make_unique<StuckSource>());
  grabber.start();
  REQUIRE(grabber.wait_next(0, pb::test::scaled(5s)) != nullptr);
  // The thread is now inside a 300 ms read; these calls must not wait for it.
  std::this_thread::sleep_for(20ms);
  const auto t0 = Clock::now();
  for (int i = 0; i < 100; ++i) {
    REQUIRE(grabber.latest() != nullptr);
    (void)grabber.stats();
    (void)grabber.still();
  }
  CHECK(Clock::now() - t0 < 100ms);
  grabber.stop();
  grabber.stop();  // idempotent
  CHECK_FALSE(grabber.stats().connected);
}

TEST_CASE("a grabber can be stopped and started again", "[camera][grabber]") {
  Grabber grabber(std::make_unique<SyntheticSource>(64, 48, 60));
  grabber.start();
  auto a = grabber.wait_next(0, pb::test::scaled(5s));
  REQUIRE(a != nullptr);
  grabber.stop();
  grabber.start();
  auto b = grabber.wait_next(a->sequence, pb::test::scaled(5s));
  REQUIRE(b != nullptr);
  CHECK(b->sequence > a->sequence);  // sequence numbers are never reused after a restart
}
