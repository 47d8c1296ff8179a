// SPDX-License-Identifier: Apache-2.0
// The outbox engine shared by the kiosk's worker and the batch drain: takes due outbox
// rows, runs each as a chain of steps on one curl multi handle (N at a time, keep-alive),
// writes every outcome back to the ledger, and tracks which targets are offline.
// Single-threaded: the thread that calls fill()/perform() owns the engine and the multi.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "pb/config.h"
#include "pb/ledger.h"
#include "pb/uploader.h"
#include "targets.h"

namespace pb::upload {

struct EngineOptions {
  int parallel = 2;
  int max_backoff_s = 600;
  // Batch runs give a row at most this many tries (0 = unlimited, the worker).
  int max_tries_per_run = 0;
  // Batch runs stop waiting for an offline target after this many failed probes (0 = never).
  int max_probe_failures = 0;
  // Probes of an offline target: the first waits probe_first_ms, each failure doubles the
  // wait up to probe_cap_ms, and each wait is drawn from [half, all] of that (jitter, so
  // targets do not probe in step). The defaults suit a batch run; the booth's worker
  // probes faster while rows wait (see worker.cpp).
  std::int64_t probe_first_ms = 2000;
  std::int64_t probe_cap_ms = 30000;
  bool probe_jitter = false;
  // A probe gives up after this (connect, and the whole request); 0 = the target's
  // connect timeout, as for transfers. Separate from the transfer timeouts: a blackholed
  // network must not hold a probe for as long as a slow upload may take.
  int probe_connect_timeout_ms = 0;
  int probe_timeout_ms = 0;
  // Tally documents (pb/tally.h): every target gets this ledger's counts once at start and
  // again after pledges came in (kick()), tally_delay_ms after the first new one, so a
  // burst costs one upload; a document that did not change is not sent again.
  bool tallies = true;
  std::int64_t tally_delay_ms = 2000;
  // The text of each quick-pick answer (any locale) → its id (config::answer_pick_texts).
  std::map<std::string, std::string> pick_of_answer;
  // Seam for tests: a target's tally documents (how many) were written.
  std::function<void(const std::string& target, std::size_t docs)> on_tally_written;
  std::function<void()> on_change;  // after every finished row (progress)
  // After every finished row: the bytes it sent and how it ended (the worker's pace).
  std::function<void(std::int64_t bytes, Verdict verdict)> on_row_finished;
  // Seams for tests: a probe of the named target started / was answered.
  std::function<void(const std::string& target)> on_probe;
  std::function<void(const std::string& target, bool reachable, const std::string& error)>
      on_probe_answered;
};

class Engine {
 public:
  Engine(const config::Config& config, store::Ledger& ledger, CURLM* multi, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts due rows (up to `parallel` in flight) and due probes. file targets run here,
  // synchronously. Returns how many rows it started.
  int fill(std::int64_t now);
  // Drives the transfers (curl_multi_perform) and finishes the steps that ended.
  void perform(std::int64_t now);
  int in_flight() const { return static_cast<int>(jobs_.size()); }
  bool saturated() const { return in_flight() >= options_.parallel; }
  // Rows at once from now on (at least 1); rows in flight above it finish undisturbed.
  void set_parallel(int parallel) { options_.parallel = parallel < 1 ? 1 : parallel; }
  int parallel() const { return options_.parallel; }
  // Milliseconds until something can be started (0 = now); nullopt when nothing pending
  // will be tried by this engine (no pending rows, or a batch gave up on them).
  std::optional<std::int64_t> next_event_in(std::int64_t now);
  // Treat every pending row as due now, backoff or not ("upload now").
  void retry_now();
  // New rows may be in the ledger (a pledge was saved): read it at the next fill.
  // Their tally documents are rewritten (coalesced, see EngineOptions::tallies).
  void kick();
  // The booth's network changed (a link, address or route came or went): every offline
  // target is probed at the next fill, a probe in flight is started again (it may be
  // stuck on the old route), and the probe backoff starts over.
  void network_changed(std::int64_t now);
  // How many targets are offline now (waiting for a probe to answer).
  int offline_targets() const;

  std::vector<TargetStatus> target_status() const;
  const BatchProgress& progress() const { return progress_; }
  void set_total(std::int64_t total) { progress_.total = total; }

 private:
  struct Slot {
    std::unique_ptr<Target> target;
    bool online = true;
    bool recovered = false;  // came back: its pending rows are due at once
    std::int64_t probe_at = 0;
    int probe_failures = 0;
    bool probing = false;
    bool has_rows = false;  // pending rows wait for it (at the last reload)
    std::string last_error;
    std::int64_t last_ok_ms = 0;
    // Its tally documents: out of date (dirty), being written, not before tally_at.
    bool tally_dirty = true;
    bool tally_running = false;
    std::int64_t tally_at = 0;
    int tally_failures = 0;
    int tally_tries = 0;                               // this run
    std::map<std::string, std::string> tally_written;  // key → the document it holds
  };
  struct Job {
    store::OutboxItem item;
    store::Pledge pledge;
    Slot* slot = nullptr;
    bool probe = false;
    std::vector<Step> steps;
    std::size_t index = 0;
    std::unique_ptr<Transfer> transfer;
    std::int64_t bytes = 0;
    // A tally job: the documents (key, JSON) its steps write.
    bool tally = false;
    std::vector<std::pair<std::string, std::string>> docs;
  };

  Slot* find_slot(const std::string& name);
  // Could this row run in this engine at all (known target, not running, tries left)?
  bool startable_later(const store::OutboxItem& item);
  // …and now (its target online)?
  bool startable(const store::OutboxItem& item);
  void reload(std::int64_t now);
  bool given_up(const Slot& slot) const;
  void start_job(const store::OutboxItem& item, std::int64_t now);
  void start_probe(Slot& slot, std::int64_t now);
  void probe_answered(Slot& slot, bool reachable, const std::string& error, std::int64_t now);
  bool start_step(std::unique_ptr<Job>& job, std::int64_t now);
  void step_ended(Job* job, CURLcode code, std::int64_t now);
  void finish(std::unique_ptr<Job> job, const Outcome& outcome, std::int64_t now);
  void went_offline(Slot& slot, std::int64_t now);
  // Could its tally be written later in this run / now?
  bool tally_pending(const Slot& slot) const;
  void start_tally(Slot& slot, std::int64_t now);
  void tally_finished(Slot& slot, const Job& job, const Outcome& outcome,
                      const std::string& message, std::int64_t now);
  std::int64_t probe_wait_ms(const Slot& slot);
  void schedule_probe(Slot& slot, std::int64_t at);

  store::Ledger& ledger_;
  CURLM* multi_;
  EngineOptions options_;
  std::string public_target_;  // [event] public_target: takes (c) link pledges only
  std::vector<Slot> slots_;
  std::map<CURL*, std::unique_ptr<Job>> jobs_;  // in flight, by easy handle
  std::set<std::int64_t> active_rows_;
  std::deque<store::OutboxItem> ready_;  // due rows read by reload(), oldest first
  std::optional<std::int64_t> next_at_;  // when the next not-yet-due row becomes due
  std::int64_t loaded_at_ = 0;
  bool kicked_ = true;                 // read the ledger at the next chance
  std::map<std::int64_t, int> tries_;  // per row, this run
  std::set<std::int64_t> retrying_;
  BatchProgress progress_;
  std::mt19937_64 rng_;
};

}  // namespace pb::upload
