// SPDX-License-Identifier: Apache-2.0
// OutboxWorker: the kiosk's upload thread around the Engine, with a status snapshot.
#include <algorithm>
#include <atomic>
#include <mutex>

#include "drain_pace.h"
#include "engine.h"
#include "link_monitor.h"
#include "pb/answer_picks.h"
#include "pb/uploader.h"
#include "pb/worker.h"

namespace pb::upload {
namespace {

// While rows wait for an offline target the booth probes it 0.5 s, 1 s, 2 s, then every
// 1.5–3 s (jittered per target): a volunteer who fixes the Wi-Fi sees the queue move
// within seconds. A probe is one HEAD; it gives up after 3 s without a connection (a
// blackholed network) or 5 s in all, whatever the transfer timeouts are.
constexpr std::int64_t kProbeFirstMs = 500;
constexpr std::int64_t kProbeCapMs = 3000;
constexpr int kProbeConnectTimeoutMs = 3000;
constexpr int kProbeTimeoutMs = 5000;

}  // namespace

struct OutboxWorker::Impl {
  config::Config config;
  std::string data_dir;
  CURLM* multi = nullptr;  // used by the worker thread only (curl_multi_wakeup is thread-safe)
  std::atomic<bool> retry_now{false};
  std::atomic<bool> kick{false};
  std::mutex saves_mu;              // guards saves
  std::vector<std::int64_t> saves;  // save times (ms) the worker has not looked at yet

  mutable std::mutex mu;  // guards status
  WorkerStatus status;
  // Last: stopped first. The thread waits in curl_multi_poll, which stop() wakes.
  Worker worker{mu, [this] { curl_multi_wakeup(multi); }};

  void run();
  void publish(store::Ledger* ledger, const Engine* engine, const std::string& error);
};

OutboxWorker::OutboxWorker(const config::Config& config, std::string data_dir)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->data_dir = data_dir.empty() ? config.storage.data_dir : std::move(data_dir);
  impl_->multi = curl_multi_init();
  for (const auto& t : config.upload.targets)
    impl_->status.targets.push_back(TargetStatus{t.name, t.kind, true, "", 0});
}

OutboxWorker::~OutboxWorker() {
  stop();
  if (impl_->multi) curl_multi_cleanup(impl_->multi);
}

void OutboxWorker::start() {
  if (!impl_->multi) return;
  {
    std::lock_guard<std::mutex> s(impl_->mu);
    impl_->status.running = true;
  }
  impl_->worker.start(
      "pb-upload", [impl = impl_.get()] { impl->run(); }, Worker::Priority::kLow);
}

void OutboxWorker::stop() {
  impl_->worker.stop();
  std::lock_guard<std::mutex> s(impl_->mu);
  impl_->status.running = false;
}

void OutboxWorker::wake(bool retry_now) {
  if (retry_now) impl_->retry_now = true;
  impl_->kick = true;
  if (impl_->multi) curl_multi_wakeup(impl_->multi);
}

void OutboxWorker::note_save(std::int64_t ms) {
  {
    std::lock_guard<std::mutex> lock(impl_->saves_mu);
    if (impl_->saves.size() < 64) impl_->saves.push_back(ms);
  }
  wake();
}

WorkerStatus OutboxWorker::status() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->status;
}

void OutboxWorker::Impl::publish(store::Ledger* ledger, const Engine* engine,
                                 const std::string& error) {
  WorkerStatus next;
  {
    std::lock_guard<std::mutex> lock(mu);
    next = status;
  }
  if (ledger) {
    if (auto c = ledger->queue_counts()) {
      next.pending = c->pending;
      next.failed = c->failed;
      next.done = c->done;
    }
  }
  if (engine) next.targets = engine->target_status();
  if (!error.empty())
    for (auto& t : next.targets) t.last_error = error;
  next.online = std::all_of(next.targets.begin(), next.targets.end(),
                            [](const TargetStatus& t) { return t.online; });
  std::lock_guard<std::mutex> lock(mu);
  next.running = status.running;
  status = std::move(next);
}

void OutboxWorker::Impl::run() {
  // Nothing may escape this thread: every failure becomes status or a ledger row.
  try {
    const auto ledger = store::Ledger::open_until(data_dir, [this](const Status& s) {
      if (worker.stopping()) return false;
      publish(nullptr, nullptr, "ledger: " + s.message());
      curl_multi_poll(multi, nullptr, 0, 5000, nullptr);  // stop() wakes it
      return !worker.stopping();
    });
    if (!ledger) return;
    std::vector<std::string> names;
    for (const auto& t : config.upload.targets) names.push_back(t.name);
    if (auto queued = ledger->ensure_outbox(names, config.event.public_target); !queued)
      publish(nullptr, nullptr, "ledger: " + queued.status().message());

    EngineOptions options;
    // A booth uploads gently (2 at once) and more only while the link keeps up.
    DrainPace pace(config.upload.booth_parallel_max);
    options.parallel = pace.parallel();
    options.max_backoff_s = config.upload.max_backoff_s;
    options.probe_first_ms = kProbeFirstMs;
    options.probe_cap_ms = kProbeCapMs;
    options.probe_jitter = true;
    options.probe_connect_timeout_ms = kProbeConnectTimeoutMs;
    options.probe_timeout_ms = kProbeTimeoutMs;
    options.pick_of_answer = config::answer_pick_texts();  // tally documents count picks
    bool changed = true;
    options.on_change = [&changed] { changed = true; };
    options.on_row_finished = [&pace](std::int64_t bytes, Verdict verdict) {
      pace.upload_finished(bytes, verdict == Verdict::kOk, verdict == Verdict::kRetry,
                           store::now_ms());
    };
    Engine engine(config, *ledger, multi, options);
    // A link, address or route change wakes the poll below: offline targets are probed
    // at once rather than at their next turn.
    LinkMonitor link;
    std::int64_t published_at = 0;
    while (!worker.stopping()) {
      if (retry_now.exchange(false)) engine.retry_now();
      if (kick.exchange(false)) engine.kick();
      std::int64_t now = store::now_ms();
      {
        std::lock_guard<std::mutex> lock(saves_mu);
        for (std::int64_t ms : saves) pace.save_took(ms, engine.in_flight() > 0, now);
        saves.clear();
      }
      engine.set_parallel(pace.parallel());
      engine.fill(now);
      if (changed || now - published_at >= 2000) {
        publish(ledger.get(), &engine, "");
        published_at = now;
        changed = false;
      }
      long timeout_ms = 30000;
      if (engine.saturated()) {
        timeout_ms = 1000;
      } else if (auto next = engine.next_event_in(now)) {
        timeout_ms = static_cast<long>(std::clamp<std::int64_t>(*next, 0, 30000));
      }
      curl_waitfd extra{};
      extra.fd = link.fd();
      extra.events = CURL_WAIT_POLLIN;
      const unsigned int extra_n = link.fd() >= 0 ? 1 : 0;
      curl_multi_poll(multi, extra_n ? &extra : nullptr, extra_n, static_cast<int>(timeout_ms),
                      nullptr);
      now = store::now_ms();
      if (extra_n && (extra.revents & CURL_WAIT_POLLIN) && link.drain())
        engine.network_changed(now);
      engine.perform(now);
    }
    publish(ledger.get(), &engine, "");
  } catch (const std::exception& e) {
    publish(nullptr, nullptr, std::string("upload worker stopped: ") + e.what());
  } catch (...) {
    publish(nullptr, nullptr, "upload worker stopped: unknown error");
  }
}

}  // namespace pb::upload
