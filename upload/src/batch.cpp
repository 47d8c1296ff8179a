// SPDX-License-Identifier: Apache-2.0
// upload_batch (`pledgebooth upload`) and delete_remote_copies (`pledgebooth delete`).
#include <algorithm>
#include <chrono>

#include "engine.h"
#include "pb/answer_picks.h"
#include "pb/uploader.h"
#include "reply.h"

namespace pb::upload {
namespace {

// A multi handle for one call (RAII).
struct Multi {
  CURLM* handle = curl_multi_init();
  ~Multi() {
    if (handle) curl_multi_cleanup(handle);
  }
};

}  // namespace

Result<BatchSummary> upload_batch(const config::Config& config, const std::string& data_dir,
                                  const BatchOptions& options) {
  auto start = std::chrono::steady_clock::now();
  auto opened = store::Ledger::open(data_dir);
  if (!opened) return opened.status();
  store::Ledger& ledger = **opened;
  if (options.retry_failed) {
    if (auto r = ledger.requeue_failed(); !r) return r.status();
  }
  std::vector<std::string> names;
  for (const auto& t : config.upload.targets) names.push_back(t.name);
  if (auto r = ledger.ensure_outbox(names, config.event.public_target); !r) return r.status();
  // Rows of targets no longer in the config are not this run's work: the caller names them
  // (Ledger::unconfigured_targets), so they count neither in the progress total nor as errors.
  auto configured = [&](const std::string& target) {
    return std::find(names.begin(), names.end(), target) != names.end();
  };
  auto queues = ledger.queue_by_target();
  if (!queues) return queues.status();
  std::int64_t pending = 0;
  for (const auto& q : *queues)
    if (configured(q.target)) pending += q.pending;

  Multi multi;
  if (!multi.handle) return Status::error(Status::Code::kInternal, "curl_multi_init failed");
  const int parallel = std::clamp(options.parallel, 1, 64);
  curl_multi_setopt(multi.handle, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(parallel));

  EngineOptions eo;
  eo.parallel = parallel;
  eo.max_backoff_s = config.upload.max_backoff_s;
  eo.max_tries_per_run = 8;
  eo.max_probe_failures = 2;
  eo.tally_delay_ms = 0;  // nothing more is coming: the tally documents go at once
  eo.pick_of_answer = config::answer_pick_texts();
  Engine* engine_ptr = nullptr;
  eo.on_change = [&] {
    if (options.on_progress && engine_ptr) options.on_progress(engine_ptr->progress());
  };
  Engine engine(config, ledger, multi.handle, eo);
  engine_ptr = &engine;
  engine.set_total(pending);
  engine.retry_now();  // the volunteer asked for it now: backoff does not apply
  if (options.on_progress) options.on_progress(engine.progress());

  const std::int64_t max_wait_ms = std::max(0, options.max_wait_s) * 1000LL;
  for (;;) {
    std::int64_t now = store::now_ms();
    engine.fill(now);
    long timeout_ms = 1000;
    if (engine.in_flight() == 0) {
      auto next = engine.next_event_in(now);
      if (!next || *next > max_wait_ms) break;
      timeout_ms = static_cast<long>(std::min<std::int64_t>(*next, 1000));
    }
    curl_multi_poll(multi.handle, nullptr, 0, static_cast<int>(timeout_ms), nullptr);
    engine.perform(store::now_ms());
  }

  BatchSummary summary;
  summary.progress = engine.progress();
  // The ledger may be another booth's (a stick) or hold errors stored before they were
  // cleaned: every line is cleaned again before it is printed.
  std::vector<std::string> secrets;
  for (const auto& t : config.upload.targets) {
    const auto target = make_target(t);
    secrets.insert(secrets.end(), target->secrets().begin(), target->secrets().end());
  }
  if (auto c = ledger.queue_counts()) summary.after = *c;
  for (auto state : {store::OutboxState::kFailed, store::OutboxState::kPending}) {
    auto items = ledger.outbox_items(state);
    if (!items) continue;
    for (const auto& i : *items)
      if (configured(i.target))
        summary.errors.push_back(
            clean_message(i.pledge_id + " " + i.target + " (" + store::to_string(state) +
                              "): " + (i.last_error.empty() ? "not tried yet" : i.last_error),
                          secrets));
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

Status delete_remote_copies(const config::Config& config, store::Ledger& ledger,
                            const std::string& pledge_id) {
  auto pledge = ledger.get_pledge(pledge_id);
  if (!pledge) return pledge.status();
  if (!pledge->has_value()) return Status::error(Status::Code::kNotFound, "no pledge " + pledge_id);
  auto rows = ledger.outbox_for(pledge_id);
  if (!rows) return rows.status();
  std::vector<std::string> problems;
  Status::Code code = Status::Code::kUnavailable;
  for (const auto& t : config.upload.targets) {
    // Only where a copy may be: uploaded, or tried at least once (a try may have stored it
    // before its reply was lost). A row never tried needs no network, so an offline booth
    // can still honour a deletion request for a pledge it never sent.
    bool maybe_remote = std::any_of(rows->begin(), rows->end(), [&](const store::OutboxItem& i) {
      return i.target == t.name && (i.state == store::OutboxState::kDone || i.attempts > 0);
    });
    if (!maybe_remote) continue;
    const auto target = make_target(t);
    if (target->is_local()) {
      if (Status s = target->delete_local(**pledge); !s)
        problems.push_back(t.name + ": " + s.message());
      continue;
    }
    if (!target->setup_error().is_ok()) {
      problems.push_back(t.name + ": " + target->setup_error().message());
      code = Status::Code::kRejected;
      continue;
    }
    for (const Step& step : target->delete_steps(**pledge)) {
      Transfer transfer(t, step.request);
      if (Status s = transfer.prepare(); !s) {
        problems.push_back(t.name + ": " + s.message());
        code = Status::Code::kRejected;
        break;
      }
      Outcome o = classify(step.request, transfer.perform(), step.ok_statuses);
      if (o.verdict != Verdict::kOk) {
        problems.push_back(t.name + ": " + clean_message(o.message, target->secrets()));
        if (o.verdict == Verdict::kFail) code = Status::Code::kRejected;
        break;
      }
    }
  }
  if (problems.empty()) return Status::ok();
  std::string msg = "remote copies not removed: ";
  for (std::size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
  return Status::error(code, msg);
}

}  // namespace pb::upload
