// SPDX-License-Identifier: Apache-2.0
// The ledger's own costs at a given size, for bench/store/scale (which grows the ledgers and
// times the commands and the booth): one JSON line per measure.
//   bench_store_scale open DIR RUNS    Ledger::open with start-up recovery, RUNS times
//   bench_store_scale tally DIR RUNS   the tally documents: counts, JSON, durable write
//   bench_store_scale save DIR N       N saves of a 20 KB photo (p50, p99)
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "pb/answer_picks.h"
#include "pb/disk.h"
#include "pb/ledger.h"
#include "pb/tally.h"
#include "pb/tally_counts.h"
#include "sample_pledge.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_store_scale: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<pb::store::Ledger> open_ledger(const std::string& dir) {
  auto ledger = pb::store::Ledger::open(dir);
  if (!ledger) fail(ledger.status().message());
  return std::move(*ledger);
}

// CPU ms this process has used (on a shared machine: what a step cost, not what it waited).
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

void bench_open(const std::string& dir, int runs) {
  std::vector<double> ms, cpu;
  pb::store::RecoveryReport rec;
  pb::store::LedgerCost cost;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    const double c0 = cpu_ms();
    auto ledger = open_ledger(dir);
    cpu.push_back(cpu_ms() - c0);
    ms.push_back(ms_since(t0));
    rec = ledger->recovery();
    cost = ledger->cost();
  }
  std::printf(
      "{\"measure\":\"open\",\"median_ms\":%.2f,\"cpu_ms\":%.2f,\"entries_listed\":%lld,"
      "\"rows_read\":%lld,\"page_requests\":%lld,\"folders_resolved\":%lld}\n",
      quantile(ms, 0.5), quantile(cpu, 0.5), static_cast<long long>(rec.entries_listed),
      static_cast<long long>(rec.rows_read), static_cast<long long>(cost.page_requests),
      static_cast<long long>(cost.folders_resolved));
}

// What the upload engine does for each burst of pledges, to a local target: count, build
// each (event, booth) document, write it durably.
void bench_tally(const std::string& dir, int runs) {
  auto ledger = open_ledger(dir);
  const auto picks = pb::config::answer_pick_texts();
  const std::string out = dir + "/../tally-out";
  std::vector<double> ms, cpu;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    const double c0 = cpu_ms();
    auto counts = pb::store::tally_counts(*ledger, picks);
    if (!counts) fail(counts.status().message());
    for (const auto& c : *counts) {
      const std::string key = pb::upload::tally_key("", c.event, c.booth);
      const std::string path = out + "/" + key;
      const std::string folder = path.substr(0, path.rfind('/'));
      if (auto s = pb::disk::make_dirs(folder, 0700); !s) fail(s.message());
      const std::string doc = pb::upload::tally_document(c);
      if (auto s = pb::disk::write_file(path, path + ".tmp", doc, 0644); !s) fail(s.message());
    }
    cpu.push_back(cpu_ms() - c0);
    ms.push_back(ms_since(t0));
  }
  std::printf("{\"measure\":\"tally\",\"median_ms\":%.2f,\"cpu_ms\":%.2f}\n", quantile(ms, 0.5),
              quantile(cpu, 0.5));
}

void bench_save(const std::string& dir, int n) {
  auto ledger = open_ledger(dir);
  std::mt19937_64 rng{42};
  pb::store::PledgeInput in = pb::test::sample_pledge("bench", "ko", {"usb"});
  in.first_name = "민준";
  in.answer = "For my daughter";
  in.consent_version = 1;
  in.photo_jpeg.resize(20 * 1024);
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    pb::test::fill_random(in.photo_jpeg, rng);
    const auto t0 = Clock::now();
    auto saved = ledger->save_pledge(in);
    ms.push_back(ms_since(t0));
    if (!saved) fail(saved.status().message());
  }
  std::printf("{\"measure\":\"save\",\"p50_ms\":%.2f,\"p99_ms\":%.2f}\n", quantile(ms, 0.5),
              quantile(ms, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) fail("usage: bench_store_scale open|tally|save DIR N");
  const std::string what = argv[1], dir = argv[2];
  const int n = std::max(1, std::atoi(argv[3]));
  if (what == "open")
    bench_open(dir, n);
  else if (what == "tally")
    bench_tally(dir, n);
  else if (what == "save")
    bench_save(dir, n);
  else
    fail("unknown measure " + what);
  return 0;
}
