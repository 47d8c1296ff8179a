// SPDX-License-Identifier: Apache-2.0
// Heartbeat: one thread gathers the booth's state from its own read-only ledger connection
// and POSTs it with a libcurl easy handle; the newest document waits while offline.
#include "pb/heartbeat.h"

#include <curl/curl.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "pb/json.h"
#include "pb/ledger.h"
#include "pb/worker.h"

namespace pb::campaign {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxErrorBytes = 300;

template <typename T>
nlohmann::ordered_json or_null(const std::optional<T>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}
nlohmann::ordered_json text_or_null(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr)
                   : nlohmann::ordered_json(store::ledger_text(s, kMaxErrorBytes));
}

std::int64_t free_mb(const std::string& dir) {
  struct statvfs v {};
  if (statvfs(dir.c_str(), &v) != 0) return -1;
  return static_cast<std::int64_t>(v.f_bavail) * static_cast<std::int64_t>(v.f_frsize) /
         (1024 * 1024);
}

std::size_t discard(char*, std::size_t size, std::size_t n, void*) {
  return size * n;
}

}  // namespace

std::string heartbeat_json(const HeartbeatReport& r) {
  nlohmann::ordered_json fps = nullptr;  // one decimal, as a camera's rate is read
  if (r.camera_fps && std::isfinite(*r.camera_fps)) fps = std::round(*r.camera_fps * 10) / 10;
  return json_text(
      {{"schema", 1},
       {"kind", "pledgebooth.heartbeat"},
       {"version", PB_VERSION},
       {"booth", r.booth},
       {"event", r.event},
       {"at", store::utc_timestamp(r.at_ms)},
       {"uptime_s", r.uptime_s},
       {"counts",
        {{"pledges", r.pledges},
         {"with_photo", r.with_photo},
         {"shared", r.shared},
         {"pledges_all_events", r.pledges_all_events}}},
       {"queue",
        {{"pending", r.pending},
         {"failed", r.failed},
         {"done", r.done},
         {"oldest_pending_age_s", or_null(r.oldest_pending_age_s)}}},
       {"disk", {{"free_mb", r.free_mb >= 0 ? nlohmann::ordered_json(r.free_mb) : nullptr}}},
       {"camera", {{"fps", fps}, {"connected", or_null(r.camera_connected)}}},
       {"online", or_null(r.online)},
       {"last_error", text_or_null(r.last_error)},
       {"ledger_error", text_or_null(r.ledger_error)}});
}

struct Heartbeat::Impl {
  config::Config config;
  std::function<BoothExtras()> extras;
  Clock::time_point started = Clock::now();
  std::atomic<double> camera_fps{-1.0};  // < 0 = never reported
  std::atomic<int> camera_connected{-1};

  mutable std::mutex mu;  // guards stats
  HeartbeatStats stats;

  std::unique_ptr<store::Ledger> ledger;  // the thread's own, read-only
  // Last: stopped first. Its stop flag also ends a request in flight (post).
  Worker worker{mu};

  HeartbeatReport gather();
  Status post(const std::string& document);
  void run();
};

HeartbeatReport Heartbeat::Impl::gather() {
  HeartbeatReport r;
  r.booth = config.booth.id;
  r.event = config.event.id;
  r.at_ms = store::now_ms();
  r.uptime_s = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
  r.free_mb = free_mb(config.storage.data_dir);
  if (const double fps = camera_fps.load(); fps >= 0) r.camera_fps = fps;
  if (const int c = camera_connected.load(); c >= 0) r.camera_connected = c == 1;
  if (!ledger) {
    auto opened = store::Ledger::open(config.storage.data_dir, store::Access::kReadOnly);
    if (opened)
      ledger = std::move(*opened);
    else
      r.ledger_error = opened.status().message();
  }
  if (ledger) {
    if (auto stats = ledger->event_stats()) {
      for (const auto& e : *stats) {
        r.pledges_all_events += e.pledges;
        if (e.event == config.event.id) {
          r.pledges = e.pledges;
          r.with_photo = e.photos;
          r.shared = e.shared;
        }
      }
    } else {
      r.ledger_error = stats.status().message();
    }
    if (auto q = ledger->queue_counts()) {
      r.pending = q->pending;
      r.failed = q->failed;
      r.done = q->done;
    }
    std::int64_t newest_error = -1;
    for (auto state : {store::OutboxState::kPending, store::OutboxState::kFailed}) {
      auto items = ledger->outbox_items(state);
      if (!items) continue;
      for (const auto& it : *items) {
        if (state == store::OutboxState::kPending) {
          // The pledge id carries its save time: the age of the oldest undelivered photo.
          const std::int64_t saved = store::uuid_v7_ms(it.pledge_id);
          if (saved > 0) {
            const std::int64_t age = std::max<std::int64_t>(0, (r.at_ms - saved) / 1000);
            r.oldest_pending_age_s = std::max(r.oldest_pending_age_s.value_or(0), age);
          }
        }
        if (!it.last_error.empty() && it.updated_ms > newest_error) {
          newest_error = it.updated_ms;
          r.last_error = it.target + ": " + it.last_error;
        }
      }
    }
  }
  if (extras) {
    BoothExtras e = extras();
    r.online = e.online;
    if (!e.last_error.empty()) r.last_error = e.last_error;
  }
  return r;
}

Status Heartbeat::Impl::post(const std::string& document) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return Status::error(Status::Code::kInternal, "curl_easy_init failed");
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (!config.status.token_env.empty()) {
    if (auto token = config::resolve_secret(config.status.token_env))
      headers = curl_slist_append(headers, ("Authorization: Bearer " + *token).c_str());
  }
  const std::string agent = std::string("pledgebooth/") + PB_VERSION;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, config.status.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, document.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(document.size()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, static_cast<const void*>(&worker.stop_flag()));
  curl_easy_setopt(
      c, CURLOPT_XFERINFOFUNCTION,
      +[](void* p, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
        return static_cast<const std::atomic<bool>*>(p)->load() ? 1 : 0;
      });
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) return Status::error(Status::Code::kUnavailable, curl_easy_strerror(rc));
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (code < 200 || code > 299)
    return Status::error(Status::Code::kUnavailable, "HTTP " + std::to_string(code));
  return Status::ok();
}

void Heartbeat::Impl::run() {
  const auto interval = std::chrono::seconds(config.status.interval_s);
  Clock::time_point next_build = Clock::now();
  Clock::time_point next_try = next_build;
  std::chrono::milliseconds backoff{1000};
  std::optional<std::string> queued;  // the newest document not yet accepted
  for (;;) {
    if (!worker.pause_until(std::min(next_build, next_try))) return;
    const auto now = Clock::now();
    if (now >= next_build) {
      queued = heartbeat_json(gather());  // replaces an older one still waiting
      next_build = now + interval;
      next_try = now;
    }
    if (!queued || now < next_try) continue;
    const Status sent = post(*queued);
    {
      std::lock_guard<std::mutex> lock(mu);
      stats.last_document = *queued;
      if (sent) {
        ++stats.sent;
        stats.last_failure.clear();
      } else {
        ++stats.failures;
        stats.last_failure = sent.message();
      }
    }
    if (sent) {
      queued.reset();
      backoff = std::chrono::milliseconds(1000);
      next_try = next_build;
    } else {
      next_try = Clock::now() + backoff;
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, interval);
    }
  }
}

Heartbeat::Heartbeat(const config::Config& config, std::function<BoothExtras()> extras)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->extras = std::move(extras);
  // A status report never takes a frame's CPU.
  impl_->worker.start(
      "pb-heartbeat", [impl = impl_.get()] { impl->run(); }, Worker::Priority::kLow);
}

Heartbeat::~Heartbeat() {
  impl_->worker.stop();
}

void Heartbeat::note_camera(double fps, bool connected) {
  impl_->camera_fps = fps;
  impl_->camera_connected = connected ? 1 : 0;
}

HeartbeatStats Heartbeat::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

}  // namespace pb::campaign
