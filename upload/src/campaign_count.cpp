// SPDX-License-Identifier: Apache-2.0
// CampaignCountWorker (pb/campaign_count.h): read the other booths' tally documents of this
// event every interval on a thread of its own, keep their sum in the ledger.
#include "pb/campaign_count.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

#include "pb/ledger.h"
#include "pb/log.h"
#include "pb/tally.h"
#include "pb/tally_counts.h"
#include "pb/worker.h"
#include "targets.h"

namespace pb::upload {
namespace {

// After a failed read (offline, a refused listing) the next comes this soon, or at the
// interval when that is shorter: the figure returns within a minute of the network.
constexpr std::chrono::seconds kRetryAfterFailure{60};
constexpr std::chrono::seconds kLedgerRetry{5};
constexpr int kParallelGets = 4;  // document GETs at once (one curl multi handle)

}  // namespace

const config::UploadTarget* campaign_count_target(const config::Config& config) {
  for (const auto& t : config.upload.targets)
    if (can_read_tally(t) && make_target(t)->setup_error().is_ok()) return &t;
  return nullptr;
}

struct CampaignCountWorker::Impl {
  config::Config config;
  std::string data_dir;
  std::optional<config::UploadTarget> target;  // nullopt: nothing to read
  mutable std::mutex mu;                       // guards stats
  CampaignCountStats stats;
  // Last: stopped first. Its stop flag also ends a read in flight (read_event_tally).
  Worker worker{mu};

  void run();
  void failed(const std::string& why) {
    std::lock_guard<std::mutex> lock(mu);
    ++stats.failures;
    stats.last_error = why;
  }
};

CampaignCountWorker::CampaignCountWorker(const config::Config& config, std::string data_dir)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->data_dir = data_dir.empty() ? config.storage.data_dir : std::move(data_dir);
  if (config.upload.campaign_count_interval_s > 0)
    if (const auto* t = campaign_count_target(config)) impl_->target = *t;
}

CampaignCountWorker::~CampaignCountWorker() {
  stop();
}

void CampaignCountWorker::start() {
  if (!impl_->target) return;
  impl_->worker.start(
      "pb-campaign", [impl = impl_.get()] { impl->run(); }, Worker::Priority::kLow);
}

void CampaignCountWorker::stop() {
  impl_->worker.stop();
}

CampaignCountStats CampaignCountWorker::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

void CampaignCountWorker::Impl::run() {
  // Nothing may escape this thread: a failure is a log line and a figure not shown.
  try {
    const auto ledger = store::Ledger::open_until(data_dir, [this](const Status& s) {
      failed("ledger: " + s.message());
      return worker.pause(kLedgerRetry);
    });
    if (!ledger) return;
    const std::string& event = config.event.id;
    const auto interval = std::chrono::seconds(config.upload.campaign_count_interval_s);
    std::optional<std::pair<std::int64_t, std::int64_t>> logged;  // (others, booths) last logged
    std::string logged_error;
    while (!worker.stopping()) {
      const std::int64_t now = store::now_ms();
      auto read = read_event_tally(*target, event, kParallelGets,
                                   static_cast<std::size_t>(store::kMaxCampaignBooths),
                                   &worker.stop_flag());
      if (worker.stopping()) return;
      Status st = read ? Status::ok() : read.status();
      if (read) {
        if (!read->skipped.empty())
          pb::log::warn(pb::log::cat("upload: campaign count: ", read->skipped.size(),
                                     " document(s) on ", target->name, " not counted, e.g. ",
                                     read->skipped.front().first, ": ",
                                     read->skipped.front().second));
        const store::CampaignCount count =
            campaign_count_of(read->documents, event, config.booth.id, now);
        st = ledger->save_campaign_count(count);
        if (st) {
          {
            std::lock_guard<std::mutex> lock(mu);
            ++stats.reads;
            stats.last_error.clear();
          }
          logged_error.clear();
          if (logged != std::make_pair(count.others, count.other_booths)) {
            logged = std::make_pair(count.others, count.other_booths);
            pb::log::info(pb::log::cat("upload: campaign count of ", event, " read from ",
                                       target->name, ": ", count.others, " pledges at ",
                                       count.other_booths, " other booth(s)"));
          }
        } else {
          st = Status::error(st.code(), "ledger: " + st.message());
        }
      }
      if (!st) {
        failed(st.message());
        if (st.message() != logged_error) {
          logged_error = st.message();
          pb::log::warn(pb::log::cat("upload: campaign count of ", event, " not read from ",
                                     target->name, ": ", st.message()));
        }
      }
      if (!worker.pause(st ? interval
                           : std::min<std::chrono::seconds>(interval, kRetryAfterFailure)))
        return;
    }
  } catch (const std::exception& e) {
    failed(std::string("campaign count stopped: ") + e.what());
    pb::log::error(pb::log::cat("upload: campaign count stopped: ", e.what()));
  } catch (...) {
    failed("campaign count stopped: unknown error");
    pb::log::error("upload: campaign count stopped: unknown error");
  }
}

}  // namespace pb::upload
