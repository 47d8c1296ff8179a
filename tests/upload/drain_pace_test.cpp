// SPDX-License-Identifier: Apache-2.0
// DrainPace, on a fake clock: more uploads at once while the link keeps up, fewer when
// it struggles or when the booth's own saves slow down.
#include <catch2/catch.hpp>

#include "drain_pace.h"

using pb::upload::DrainPace;

namespace {

constexpr std::int64_t kMB = 1000000;

// `n` uploads of 1 MB each finishing evenly over `ms`, from `now`; returns the end time.
std::int64_t uploads(DrainPace& pace, int n, std::int64_t ms, std::int64_t now) {
  for (int i = 1; i <= n; ++i) pace.upload_finished(kMB, true, false, now + ms * i / n);
  return now + ms;
}

}  // namespace

TEST_CASE("the drain adds a connection while one more raises the goodput, up to the cap",
          "[upload][pace]") {
  DrainPace pace(4);
  REQUIRE(pace.parallel() == 2);
  std::int64_t t = 1000;
  pace.upload_finished(0, false, false, t);  // the clock starts with the first answer
  t = uploads(pace, 4, 1000, t);             // 4 MB/s at 2
  CHECK(pace.parallel() == 3);
  t = uploads(pace, 6, 1000, t);  // 6 MB/s at 3: it paid
  CHECK(pace.parallel() == 4);
  t = uploads(pace, 8, 1000, t);
  CHECK(pace.parallel() == 4);  // the cap
}

TEST_CASE("the drain steps back when the extra connection brings nothing, and stays a while",
          "[upload][pace]") {
  DrainPace pace(8);
  std::int64_t t = 1000;
  pace.upload_finished(0, false, false, t);
  t = uploads(pace, 4, 1000, t);  // 4 MB/s at 2
  REQUIRE(pace.parallel() == 3);
  t = uploads(pace, 6, 1500, t);  // 4 MB/s at 3: the link is full
  CHECK(pace.parallel() == 2);
  t = uploads(pace, 4, 1000, t);
  CHECK(pace.parallel() == 2);  // held
  t += 60000;
  t = uploads(pace, 4, 1000, t);  // after the hold it tries again
  CHECK(pace.parallel() == 3);
}

TEST_CASE("a network error or a struggling server brings the drain back to two at once",
          "[upload][pace]") {
  DrainPace pace(6);
  std::int64_t t = 1000;
  pace.upload_finished(0, false, false, t);
  t = uploads(pace, 4, 1000, t);
  t = uploads(pace, 6, 1000, t);
  REQUIRE(pace.parallel() == 4);
  pace.upload_finished(0, false, true, t + 10);
  CHECK(pace.parallel() == 2);
  // A row refused for good (a 4xx) says nothing about the link.
  DrainPace other(6);
  other.upload_finished(0, false, false, 1000);
  uploads(other, 4, 1000, 1000);
  REQUIRE(other.parallel() == 3);
  other.upload_finished(0, false, false, 2100);
  CHECK(other.parallel() == 3);
}

TEST_CASE("a slow save while uploads run halves the drain and holds it, the usual save does not",
          "[upload][pace]") {
  DrainPace pace(8);
  std::int64_t t = 1000;
  // This booth's disk is slow anyway: its saves take 200 ms with nothing uploading.
  for (int i = 0; i < 3; ++i) pace.save_took(200, false, t);
  pace.upload_finished(0, false, false, t);
  t = uploads(pace, 4, 1000, t);
  t = uploads(pace, 6, 1000, t);
  REQUIRE(pace.parallel() == 4);
  pace.save_took(350, true, t);  // under twice the usual: fine
  CHECK(pace.parallel() == 4);
  pace.save_took(900, false, t);  // slow, but no upload ran: not the drain's fault
  CHECK(pace.parallel() == 4);
  pace.save_took(900, true, t);  // slow while uploading
  CHECK(pace.parallel() == 2);
  t = uploads(pace, 4, 500, t);  // a fast link does not grow it during the hold
  CHECK(pace.parallel() == 2);
  pace.save_took(900, true, t);
  CHECK(pace.parallel() == 1);
  pace.save_took(900, true, t);
  CHECK(pace.parallel() == 1);  // never below one
  t += DrainPace::kHoldAfterSlowSaveMs;
  t = uploads(pace, 4, 500, t);
  CHECK(pace.parallel() == 2);
}

TEST_CASE("a cap of one keeps the booth at one upload at a time", "[upload][pace]") {
  DrainPace pace(1);
  CHECK(pace.parallel() == 1);
  pace.upload_finished(0, false, false, 0);
  uploads(pace, 8, 100, 0);
  CHECK(pace.parallel() == 1);
}
