// SPDX-License-Identifier: Apache-2.0
// Ledger save latency: a ~400 KB photo plus its row and outbox rows, durably (fsync'd),
// as the saver thread does for each pledge. Reports median and p99 per save.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "pb/ledger.h"
#include "sample_pledge.h"

namespace fs = std::filesystem;

namespace {

std::string bench_dir() {
  const char* base = std::getenv("PB_BENCH_DIR");  // point at the disk the booth will use
  fs::path dir = fs::path(base && *base ? base : fs::temp_directory_path().string()) /
                 ("pb-ledger-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir.string();
}

void BM_SavePledgeWithPhoto(benchmark::State& state) {
  const std::size_t photo_bytes = static_cast<std::size_t>(state.range(0)) * 1024;
  std::string dir = bench_dir();
  auto ledger = pb::store::Ledger::open(dir);
  if (!ledger) {
    state.SkipWithError(ledger.status().message().c_str());
    return;
  }
  std::mt19937_64 rng{42};
  pb::store::PledgeInput in = pb::test::sample_pledge("bench", "ko", {"usb", "s3"});
  in.first_name = "민준";
  in.answer = "for my daughter";
  in.photo_jpeg.resize(photo_bytes);
  std::vector<double> ms;
  for (auto _ : state) {
    state.PauseTiming();
    pb::test::fill_random(in.photo_jpeg, rng);
    state.ResumeTiming();
    auto t0 = std::chrono::steady_clock::now();
    auto saved = (*ledger)->save_pledge(in);
    auto t1 = std::chrono::steady_clock::now();
    if (!saved) {
      state.SkipWithError(saved.status().message().c_str());
      break;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  if (!ms.empty()) {
    std::sort(ms.begin(), ms.end());
    state.counters["p50_ms"] = ms[ms.size() / 2];
    state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
    state.counters["max_ms"] = ms.back();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * photo_bytes));
  ledger->reset();
  fs::remove_all(dir);
}

BENCHMARK(BM_SavePledgeWithPhoto)
    ->Arg(400)
    ->Iterations(300)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
