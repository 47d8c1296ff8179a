// SPDX-License-Identifier: Apache-2.0
// The outbox engine: due rows → chains of HTTP steps on one multi handle → ledger.
#include "engine.h"

#include <algorithm>
#include <limits>

#include "pb/tally.h"
#include "pb/tally_counts.h"
#include "reply.h"

namespace pb::upload {
namespace {

constexpr int kMaxRows = 100000;         // pending rows read at once
constexpr std::int64_t kMaxAgeMs = 500;  // the ready list is read again after this
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
// Probe cap of an offline target with no rows waiting: nobody waits for it.
constexpr std::int64_t kIdleProbeCapMs = 30000;

}  // namespace

Engine::Engine(const config::Config& config, store::Ledger& ledger, CURLM* multi,
               EngineOptions options)
    : ledger_(ledger),
      multi_(multi),
      options_(std::move(options)),
      public_target_(config.event.public_target),
      rng_(std::random_device{}()) {
  options_.parallel = std::max(1, options_.parallel);
  options_.tallies = options_.tallies && config.upload.tallies;
  slots_.reserve(config.upload.targets.size());
  for (const auto& t : config.upload.targets) {
    Slot s;
    s.target = make_target(t);
    slots_.push_back(std::move(s));
  }
}

Engine::~Engine() {
  for (auto& [easy, job] : jobs_) curl_multi_remove_handle(multi_, easy);
  jobs_.clear();
}

Engine::Slot* Engine::find_slot(const std::string& name) {
  for (auto& s : slots_)
    if (s.target->name() == name) return &s;
  return nullptr;
}

bool Engine::startable_later(const store::OutboxItem& item) {
  if (active_rows_.count(item.id)) return false;
  Slot* slot = find_slot(item.target);
  if (!slot) return false;  // a target no longer configured: its rows wait untouched
  if (options_.max_tries_per_run > 0) {
    auto it = tries_.find(item.id);
    if (it != tries_.end() && it->second >= options_.max_tries_per_run) return false;
  }
  return true;
}

bool Engine::startable(const store::OutboxItem& item) {
  if (!startable_later(item)) return false;
  const Slot& slot = *find_slot(item.target);
  return slot.online || slot.recovered;
}

bool Engine::given_up(const Slot& slot) const {
  return !slot.online && options_.max_probe_failures > 0 &&
         slot.probe_failures >= options_.max_probe_failures;
}

void Engine::kick() {
  kicked_ = true;
  for (auto& s : slots_) s.tally_dirty = true;
}

void Engine::retry_now() {
  kick();
  for (auto& s : slots_) {
    s.recovered = true;
    s.online = true;
    s.probe_failures = 0;
  }
}

std::int64_t Engine::probe_wait_ms(const Slot& slot) {
  const std::int64_t cap =
      slot.has_rows ? options_.probe_cap_ms : std::max(options_.probe_cap_ms, kIdleProbeCapMs);
  const std::int64_t first = std::max<std::int64_t>(1, options_.probe_first_ms);
  const std::int64_t wait = std::min(cap, first << std::min(slot.probe_failures, 20));
  if (!options_.probe_jitter) return wait;
  std::uniform_int_distribution<std::int64_t> share(wait / 2, wait);
  return share(rng_);
}

void Engine::schedule_probe(Slot& slot, std::int64_t at) {
  slot.probe_at = at;
  if (!given_up(slot) && (!next_at_ || at < *next_at_)) next_at_ = at;
}

int Engine::offline_targets() const {
  return static_cast<int>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.online; }));
}

void Engine::network_changed(std::int64_t now) {
  for (auto& slot : slots_) {
    if (slot.online) continue;
    if (slot.probing) {
      // Its SYN may have gone out on the old route and be lost: ask again on the new one.
      for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
        if (!it->second->probe || it->second->slot != &slot) continue;
        curl_multi_remove_handle(multi_, it->first);
        jobs_.erase(it);
        break;
      }
      slot.probing = false;
    }
    slot.probe_failures = 0;
    schedule_probe(slot, now);
  }
}

void Engine::reload(std::int64_t now) {
  // One read of every pending row (not a page of the oldest): rows of a target that is
  // offline or no longer configured must not hide the rows behind them.
  ready_.clear();
  next_at_.reset();
  loaded_at_ = now;
  kicked_ = false;
  auto rows = ledger_.due_outbox(kNever, kMaxRows);
  if (!rows) {
    next_at_ = now + 1000;  // the ledger is busy or broken: look again soon
    return;
  }
  auto later = [&](std::int64_t at) {
    if (!next_at_ || at < *next_at_) next_at_ = at;
  };
  for (auto& s : slots_) s.has_rows = false;
  for (const auto& item : *rows) {
    if (!startable_later(item)) continue;
    Slot& slot = *find_slot(item.target);
    slot.has_rows = true;
    if (!slot.online && !slot.recovered) {
      if (!slot.probing && !given_up(slot)) later(slot.probe_at);
      continue;
    }
    if (slot.recovered || item.next_attempt_ms <= now) {
      ready_.push_back(item);
    } else {
      later(item.next_attempt_ms);
    }
  }
  for (auto& s : slots_) s.recovered = false;
}

int Engine::fill(std::int64_t now) {
  for (auto& s : slots_)
    if (!s.online && !s.probing && s.probe_at <= now && !given_up(s)) start_probe(s, now);
  if (saturated()) return 0;
  bool any_recovered =
      std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.recovered; });
  if (any_recovered || kicked_ ||
      (ready_.empty() && ((next_at_ && *next_at_ <= now) || now - loaded_at_ >= kMaxAgeMs)))
    reload(now);
  int started = 0;
  while (!saturated() && !ready_.empty()) {
    store::OutboxItem item = std::move(ready_.front());
    ready_.pop_front();
    if (!startable(item)) continue;  // its target went offline since the reload
    start_job(item, now);
    ++started;
  }
  for (auto& s : slots_) {
    if (saturated()) break;
    if (tally_pending(s) && s.tally_at <= now && (s.online || s.recovered)) start_tally(s, now);
  }
  return started;
}

bool Engine::tally_pending(const Slot& s) const {
  return options_.tallies && s.tally_dirty && !s.tally_running && s.target->setup_error().is_ok() &&
         !given_up(s) &&
         !(options_.max_tries_per_run > 0 && s.tally_tries >= options_.max_tries_per_run);
}

void Engine::start_tally(Slot& slot, std::int64_t now) {
  if (slot.tally_at == 0 && options_.tally_delay_ms > 0 && now > 0) {
    // The first pledge of a burst: wait for the rest of it.
    slot.tally_at = now + options_.tally_delay_ms;
    if (!next_at_ || slot.tally_at < *next_at_) next_at_ = slot.tally_at;
    return;
  }
  slot.tally_dirty = false;
  slot.tally_at = 0;
  ++slot.tally_tries;
  auto counts = store::tally_counts(ledger_, options_.pick_of_answer);
  auto job = std::make_unique<Job>();
  job->slot = &slot;
  job->tally = true;
  if (!counts) {
    tally_finished(
        slot, *job,
        Outcome{Verdict::kRetry, false, std::nullopt, "ledger: " + counts.status().message()},
        "ledger: " + counts.status().message(), now);
    return;
  }
  for (const auto& c : *counts) {
    std::string key = tally_key(slot.target->config().prefix, c.event, c.booth);
    std::string doc = tally_document(c);
    auto it = slot.tally_written.find(key);
    if (it == slot.tally_written.end() || it->second != doc)
      job->docs.emplace_back(std::move(key), std::move(doc));
  }
  if (job->docs.empty()) return;
  if (slot.target->is_local()) {
    Outcome o;
    for (const auto& [key, doc] : job->docs) {
      Status st = slot.target->write_document_local(key, doc);
      if (!st) {
        o = Outcome{Verdict::kRetry, st.code() == Status::Code::kUnavailable, std::nullopt,
                    st.message()};
        break;
      }
    }
    tally_finished(slot, *job, o, clean_message(o.message, slot.target->secrets()), now);
    return;
  }
  for (const auto& [key, doc] : job->docs)
    for (Step& step : slot.target->document_steps(key, doc)) job->steps.push_back(std::move(step));
  slot.tally_running = true;
  start_step(job, now);
}

void Engine::tally_finished(Slot& slot, const Job& job, const Outcome& outcome,
                            const std::string& message, std::int64_t now) {
  slot.tally_running = false;
  if (outcome.verdict == Verdict::kOk) {
    for (const auto& [key, doc] : job.docs) slot.tally_written[key] = doc;
    slot.tally_failures = 0;
    if (options_.on_tally_written) options_.on_tally_written(slot.target->name(), job.docs.size());
    return;
  }
  // Written again later, counted afresh then: the ledger, not this job, holds the counts.
  slot.tally_dirty = true;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Refused for good (a 4xx): not again in this batch run; the booth tries at the cap.
  const int tries = outcome.verdict == Verdict::kFail ? 30 : slot.tally_failures++;
  if (outcome.verdict == Verdict::kFail && options_.max_tries_per_run > 0)
    slot.tally_tries = options_.max_tries_per_run;
  slot.tally_at = now + std::max<std::int64_t>(1, backoff_ms(tries, options_.max_backoff_s,
                                                             outcome.retry_after_s, unit(rng_)));
  if (!next_at_ || slot.tally_at < *next_at_) next_at_ = slot.tally_at;
  slot.last_error = "tally: " + message;
  if (outcome.network) went_offline(slot, now);
}

std::optional<std::int64_t> Engine::next_event_in(std::int64_t now) {
  if (ready_.empty() && (kicked_ || now - loaded_at_ >= kMaxAgeMs)) reload(now);
  if (!ready_.empty()) return 0;
  std::optional<std::int64_t> next = next_at_;
  for (const auto& s : slots_) {
    if (!tally_pending(s)) continue;
    // An offline target's tally waits for its probe (next_at_ holds that).
    if (!s.online) continue;
    if (!next || s.tally_at < *next) next = s.tally_at;
  }
  if (!next) return std::nullopt;
  return std::max<std::int64_t>(0, *next - now);
}

void Engine::start_job(const store::OutboxItem& item, std::int64_t now) {
  auto job = std::make_unique<Job>();
  job->item = item;
  job->slot = find_slot(item.target);
  active_rows_.insert(item.id);
  ++tries_[item.id];
  Slot& slot = *job->slot;

  auto pledge = ledger_.get_pledge(item.pledge_id);
  if (!pledge) {
    // A row the ledger will not use (a crafted card) stays failed; other errors may pass.
    const bool never = pledge.status().code() == Status::Code::kCorrupt;
    Outcome o{never ? Verdict::kFail : Verdict::kRetry, false, std::nullopt,
              "ledger: " + pledge.status().message()};
    finish(std::move(job), o, now);
    return;
  }
  if (!pledge->has_value()) {
    finish(std::move(job),
           Outcome{Verdict::kFail, false, std::nullopt, "the pledge is no longer in the ledger"},
           now);
    return;
  }
  job->pledge = **pledge;
  // Defence in depth: outbox rows exist only for the targets a pledge's choices name
  // (target_takes), but check again (a row queued before the target became the public one).
  const bool public_link = item.target == public_target_;
  if (!(public_link ? job->pledge.link_consent : job->pledge.share_consent)) {
    finish(std::move(job),
           Outcome{Verdict::kFail, false, std::nullopt,
                   public_link ? "no consent to a public link: this photo does not go there"
                               : "no consent to campaign use: this pledge never leaves the booth"},
           now);
    return;
  }
  if (!slot.target->setup_error().is_ok()) {
    finish(std::move(job),
           Outcome{Verdict::kFail, false, std::nullopt, slot.target->setup_error().message()}, now);
    return;
  }
  const std::string photo = ledger_.photo_file(job->pledge);
  const std::string json = metadata_json(job->pledge, public_link);
  if (slot.target->is_local()) {
    Status s = slot.target->upload_local(job->pledge, photo, json);
    Outcome o;
    if (s.is_ok()) {
      o.verdict = Verdict::kOk;
      job->bytes = job->pledge.photo_size + static_cast<std::int64_t>(json.size());
    } else {
      o.verdict = s.code() == Status::Code::kReadOnly ? Verdict::kFail : Verdict::kRetry;
      o.network = s.code() == Status::Code::kUnavailable;
      o.message = s.message();
    }
    finish(std::move(job), o, now);
    return;
  }
  job->steps = slot.target->upload_steps(job->pledge, photo, json);
  start_step(job, now);
}

// A target answered its probe: back online, or the next probe later (backing off).
void Engine::probe_answered(Slot& slot, bool reachable, const std::string& error,
                            std::int64_t now) {
  if (options_.on_probe_answered) options_.on_probe_answered(slot.target->name(), reachable, error);
  if (reachable) {
    slot.online = true;
    slot.recovered = true;
    slot.probe_failures = 0;
    return;
  }
  ++slot.probe_failures;
  schedule_probe(slot, now + probe_wait_ms(slot));
}

void Engine::start_probe(Slot& slot, std::int64_t now) {
  if (options_.on_probe) options_.on_probe(slot.target->name());
  if (slot.target->is_local()) {
    const bool there = slot.target->local_reachable();
    probe_answered(slot, there, there ? "" : "folder not there: " + slot.target->config().folder(),
                   now);
    return;
  }
  auto job = std::make_unique<Job>();
  job->slot = &slot;
  job->probe = true;
  job->steps.push_back(slot.target->probe_step());
  slot.probing = true;
  start_step(job, now);
}

bool Engine::start_step(std::unique_ptr<Job>& job, std::int64_t now) {
  const Step& step = job->steps[job->index];
  job->transfer = std::make_unique<Transfer>(job->slot->target->config(), step.request);
  Status s = job->transfer->prepare();
  if (!s) {
    // A refused URL or an unreadable photo: retrying cannot help, the operator must look.
    finish(std::move(job), Outcome{Verdict::kFail, false, std::nullopt, s.message()}, now);
    return false;
  }
  CURL* easy = job->transfer->easy();
  if (job->probe) {
    // After prepare(): these override the transfer timeouts for this request only.
    if (options_.probe_connect_timeout_ms > 0)
      curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options_.probe_connect_timeout_ms));
    if (options_.probe_timeout_ms > 0)
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.probe_timeout_ms));
  }
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    finish(std::move(job),
           Outcome{Verdict::kRetry, false, std::nullopt, "curl_multi_add_handle failed"}, now);
    return false;
  }
  jobs_[easy] = std::move(job);
  return true;
}

void Engine::perform(std::int64_t now) {
  int running = 0;
  curl_multi_perform(multi_, &running);
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode code = msg->data.result;
    auto it = jobs_.find(easy);
    if (it == jobs_.end()) continue;
    curl_multi_remove_handle(multi_, easy);
    step_ended(it->second.get(), code, now);
  }
  // A target that answered its probe starts its rows now, not after the next poll.
  if (std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.recovered; }))
    fill(now);
}

void Engine::step_ended(Job* raw, CURLcode code, std::int64_t now) {
  CURL* easy = raw->transfer->easy();
  auto node = jobs_.extract(easy);
  std::unique_ptr<Job> job = std::move(node.mapped());
  const Step& step = job->steps[job->index];
  const HttpResponse& r = job->transfer->finish(code);
  if (job->probe) {
    finish(std::move(job),
           Outcome{r.curl == CURLE_OK ? Verdict::kOk : Verdict::kRetry, r.curl != CURLE_OK,
                   std::nullopt, r.curl_error},
           now);
    return;
  }
  Outcome o = classify(step.request, r, step.ok_statuses);
  if (o.verdict == Verdict::kOk && step.expect_size >= 0 && r.content_length != step.expect_size) {
    o = Outcome{Verdict::kRetry, false, std::nullopt,
                "size check: the server holds " + std::to_string(r.content_length) + " bytes of " +
                    step.request.url.substr(step.request.url.rfind('/') + 1) + ", expected " +
                    std::to_string(step.expect_size)};
  }
  if (o.verdict == Verdict::kOk && step.webhook_size >= 0) {
    if (auto got = json_size_field(r.body, "photo_size"); got && *got != step.webhook_size) {
      o = Outcome{Verdict::kRetry, false, std::nullopt,
                  "size check: the webhook received " + std::to_string(*got) + " bytes, expected " +
                      std::to_string(step.webhook_size)};
    }
  }
  if (o.verdict != Verdict::kOk) {
    finish(std::move(job), o, now);
    return;
  }
  if (step.request.method == "PUT" || step.request.method == "POST") job->bytes += r.bytes_sent;
  if (!step.collection.empty()) job->slot->target->remember_collection(step.collection);
  if (step.etag_confirms) job->slot->target->note_put_etag(r.etag);
  if (step.etag_confirms && !r.body_md5.empty() && r.etag == r.body_md5 &&
      job->index + 1 < job->steps.size() && job->steps[job->index + 1].expect_size >= 0)
    ++job->index;  // the server's MD5 of the object equals ours: no HEAD needed
  job->transfer.reset();
  if (++job->index < job->steps.size()) {
    start_step(job, now);
    return;
  }
  finish(std::move(job), Outcome{}, now);
}

void Engine::went_offline(Slot& slot, std::int64_t now) {
  if (slot.online) slot.probe_failures = 0;
  slot.online = false;
  slot.recovered = false;
  slot.has_rows = true;  // the row that just failed waits for it
  schedule_probe(slot, now + probe_wait_ms(slot));
}

void Engine::finish(std::unique_ptr<Job> job, const Outcome& outcome, std::int64_t now) {
  Slot& slot = *job->slot;
  // Stored in the ledger and shown in ADMIN: no credential, no control byte, bounded.
  std::string message = clean_message(outcome.message, slot.target->secrets());
  if (job->probe) {
    slot.probing = false;
    probe_answered(slot, outcome.verdict == Verdict::kOk, message, now);
    return;
  }
  if (job->tally) {
    tally_finished(slot, *job, outcome, message, now);
    return;
  }
  const std::int64_t row = job->item.id;
  active_rows_.erase(row);
  switch (outcome.verdict) {
    case Verdict::kOk: {
      Status s = ledger_.mark_done(row, slot.target->remote_key(job->pledge));
      if (!s) {
        slot.last_error = "ledger: " + s.message();
        break;
      }
      slot.online = true;
      slot.last_ok_ms = now;
      retrying_.erase(row);
      ++progress_.done;
      progress_.bytes_sent += job->bytes;
      break;
    }
    case Verdict::kRetry: {
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      std::int64_t delay =
          backoff_ms(job->item.attempts, options_.max_backoff_s, outcome.retry_after_s, unit(rng_));
      // The ledger not taking the note is shown too (the row then stays as it was).
      if (Status s = ledger_.mark_retry(row, now + delay, message); !s)
        message += "; " + s.message();
      if (!next_at_ || now + delay < *next_at_) next_at_ = now + delay;
      slot.last_error = message;
      if (outcome.network) went_offline(slot, now);
      retrying_.insert(row);
      break;
    }
    case Verdict::kFail:
      if (Status s = ledger_.mark_failed(row, message); !s) message += "; " + s.message();
      slot.last_error = message;
      retrying_.erase(row);
      ++progress_.failed;
      break;
  }
  progress_.retrying = static_cast<std::int64_t>(retrying_.size());
  if (options_.on_row_finished) options_.on_row_finished(job->bytes, outcome.verdict);
  if (options_.on_change) options_.on_change();
}

std::vector<TargetStatus> Engine::target_status() const {
  std::vector<TargetStatus> out;
  for (const auto& s : slots_) {
    TargetStatus t;
    t.name = s.target->name();
    t.kind = s.target->config().kind;
    t.online = s.online;
    t.last_error = s.last_error;
    t.last_ok_ms = s.last_ok_ms;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace pb::upload
