// SPDX-License-Identifier: Apache-2.0
// What the camera side costs: painting a synthetic frame (the booth's CPU when no webcam is
// there), and what the UI thread pays per latest()/still() while the grabber runs at 60 fps.
// Run: build/bench/camera/camera_bench --benchmark_repetitions=7
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "pb/camera.h"

namespace {

void BM_SyntheticRender(benchmark::State& state) {
  pb::camera::SyntheticSource s(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                                30);
  std::int64_t n = 0;
  for (auto _ : state) benchmark::DoNotOptimize(s.render(n++));
}
BENCHMARK(BM_SyntheticRender)->Args({1280, 720})->Args({1920, 1080})->Unit(benchmark::kMillisecond);

// The UI thread's side of the hand-off: a mutex and a shared_ptr copy, never the device.
void BM_GrabberLatest(benchmark::State& state) {
  pb::camera::Grabber g(std::make_unique<pb::camera::SyntheticSource>(320, 240, 60));
  g.start();
  g.wait_next(0, std::chrono::seconds(5));
  for (auto _ : state) benchmark::DoNotOptimize(g.latest());
}
BENCHMARK(BM_GrabberLatest)->Unit(benchmark::kMicrosecond);

void BM_GrabberStill(benchmark::State& state) {
  pb::camera::Grabber g(std::make_unique<pb::camera::SyntheticSource>(320, 240, 60));
  g.start();
  g.wait_next(0, std::chrono::seconds(5));
  for (auto _ : state) benchmark::DoNotOptimize(g.still());
}
BENCHMARK(BM_GrabberStill)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
