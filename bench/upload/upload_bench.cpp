// SPDX-License-Identifier: Apache-2.0
// The per-pledge CPU work of the uploader: keys, metadata JSON, planning steps, classifying.
#include <benchmark/benchmark.h>

#include "pb/uploader.h"
#include "targets.h"
#include "transfer.h"

namespace {

pb::store::Pledge sample() {
  pb::store::Pledge p;
  p.id = "0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b";
  p.event = "heforshe-seoul";
  p.booth = "booth-1";
  p.created_ms = 1764059400123;
  p.created_utc = "2025-11-25T08:30:00.123Z";
  p.locale = "ko";
  p.first_name = "민준";
  p.answer = "for my daughter";
  p.share_consent = true;
  p.consent_version = 1;
  p.photo_path = "photos/x.jpg";
  p.photo_size = 400000;
  p.photo_sha256 = std::string(64, 'a');
  return p;
}

void BM_ObjectKeyAndMetadata(benchmark::State& state) {
  auto p = sample();
  for (auto _ : state) {
    benchmark::DoNotOptimize(pb::upload::object_key("campaign", p, "jpg"));
    benchmark::DoNotOptimize(pb::upload::metadata_json(p));
  }
}
BENCHMARK(BM_ObjectKeyAndMetadata);

void BM_PlanS3Steps(benchmark::State& state) {
  pb::config::UploadTarget t;
  t.name = "s3";
  t.kind = "s3";
  t.settings["endpoint"] = "http://127.0.0.1:9000";
  t.settings["bucket"] = "pledges";
  auto target_ptr = pb::upload::make_target(t);
  pb::upload::Target& target = *target_ptr;
  auto p = sample();
  std::string json = pb::upload::metadata_json(p);
  for (auto _ : state) benchmark::DoNotOptimize(target.upload_steps(p, "/tmp/x.jpg", json));
}
BENCHMARK(BM_PlanS3Steps);

void BM_ClassifyS3Error(benchmark::State& state) {
  pb::upload::HttpRequest put;
  put.method = "PUT";
  pb::upload::HttpResponse r;
  r.status = 403;
  r.body =
      "<?xml "
      "version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>";
  for (auto _ : state) benchmark::DoNotOptimize(pb::upload::classify(put, r));
}
BENCHMARK(BM_ClassifyS3Error);

// The common case: every PUT and HEAD answer of S3 (and nginx/WebDAV) has an empty body.
void BM_ClassifyEmpty2xx(benchmark::State& state) {
  pb::upload::HttpRequest put;
  put.method = "PUT";
  pb::upload::HttpResponse r;
  r.status = 201;
  for (auto _ : state) benchmark::DoNotOptimize(pb::upload::classify(put, r));
}
BENCHMARK(BM_ClassifyEmpty2xx);

// A webhook's 200 with a JSON body (no "error" field).
void BM_ClassifyWebhookOk(benchmark::State& state) {
  pb::upload::HttpRequest post;
  post.method = "POST";
  pb::upload::HttpResponse r;
  r.status = 200;
  r.body = R"({"ok": true, "photo_size": 401234, "parts": ["photo", "metadata"]})";
  for (auto _ : state) benchmark::DoNotOptimize(pb::upload::classify(post, r));
}
BENCHMARK(BM_ClassifyWebhookOk);

}  // namespace

BENCHMARK_MAIN();
