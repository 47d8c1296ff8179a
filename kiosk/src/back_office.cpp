// SPDX-License-Identifier: Apache-2.0
// BackOffice: the kiosk's worker thread for everything slow (compose, encode, ledger,
// PIN hash, status). One queue, jobs in order, nothing thrown out of the thread.
#include "back_office.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pb/admin_pin.h"
#include "pb/camera.h"
#include "pb/disk.h"
#include "pb/heartbeat.h"
#include "pb/ledger.h"
#include "pb/log.h"
#include "pb/photo.h"
#include "pb/tally_counts.h"
#include "pb/thanks_info.h"
#include "pb/uploader.h"
#include "pb/wall.h"

namespace pb::kiosk {
namespace {

// ADMIN's delete confirmation shows the photo it is about to delete, this small (4:5 box).
constexpr int kThumbWidth = 160, kThumbHeight = 200;

// The pledge's photo decoded at a quarter of its size and fitted into the thumbnail box;
// null when the file is missing, too large to be a photo of ours, or not a JPEG.
std::shared_ptr<const ReviewImage> thumbnail_of(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size == 0 || size > 32u * 1024 * 1024) return nullptr;
  const cv::Mat photo = cv::imread(path, cv::IMREAD_REDUCED_COLOR_4);
  if (photo.empty()) return nullptr;
  const double scale = std::min(static_cast<double>(kThumbWidth) / photo.cols,
                                static_cast<double>(kThumbHeight) / photo.rows);
  const cv::Size box(std::max(1, static_cast<int>(photo.cols * scale)),
                     std::max(1, static_cast<int>(photo.rows * scale)));
  cv::Mat small;
  cv::resize(photo, small, box, 0, 0, cv::INTER_AREA);
  auto img = std::make_shared<ReviewImage>();
  img->width = small.cols;
  img->height = small.rows;
  img->argb.resize(static_cast<std::size_t>(small.cols) * static_cast<std::size_t>(small.rows) * 4);
  photo::copy_to_argb(small, img->argb.data(), small.cols * 4);
  return img;
}

struct ComposeJob {
  std::shared_ptr<const camera::Frame> still;
  ComposeReview what;
  std::optional<cv::Rect> face_hint;
};
struct DiscardJob {};
struct SaveJob {
  SavePledge what;
};
struct PinJob {
  std::string pin;
};
struct DeleteJob {};
struct ForgetJob {};
using Job = std::variant<ComposeJob, DiscardJob, SaveJob, PinJob, DeleteJob, ForgetJob>;

constexpr auto kRefreshEvery = std::chrono::milliseconds(1000);
constexpr int kReviewWidth = 720;  // the REVIEW image's pixel width (design units, 4:5 → 900 high)

// Whether `bytes` can be written and made durable under dir: a temp file (the name ledger
// recovery removes should the booth die mid-probe) written, fsynced and removed. statvfs
// alone misses a disk out of inodes, a reserve it cannot see, a file system refusing writes.
Status probe_write(const std::string& dir, std::size_t bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = dir + "/.write-probe.tmp";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::error(Status::Code::kDiskFull, std::strerror(errno));
  const std::vector<char> block(64 * 1024, '\x5a');
  int err = 0;
  for (std::size_t left = bytes; left > 0 && err == 0;) {
    const ssize_t n = write(fd, block.data(), std::min(left, block.size()));
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) left -= static_cast<std::size_t>(n);
  }
  if (err == 0 && fsync(fd) != 0) err = errno;
  close(fd);
  unlink(path.c_str());
  if (err != 0) return Status::error(Status::Code::kDiskFull, std::strerror(err));
  return Status::ok();
}

std::vector<std::string> target_names(const config::Config& config) {
  std::vector<std::string> names;
  for (const auto& t : config.upload.targets) names.push_back(t.name);
  return names;
}

std::int64_t free_mb(const std::string& dir) {
  auto bytes = disk::free_bytes(dir);
  return bytes ? *bytes / (1024 * 1024) : -1;
}

}  // namespace

struct BackOffice::Impl {
  config::Config config;
  std::shared_ptr<const photo::Composer> composer;
  upload::OutboxWorker* uploader;
  Translate tr;

  mutable std::mutex mu;  // guards everything below up to `thread`
  std::condition_variable wake;
  std::deque<Job> jobs;
  std::vector<OfficeResult> results;
  BoothStatus status;
  bool stopping = false;
  std::atomic<int> in_flight{0};  // compose and save jobs queued or running
  std::thread thread;
  std::unique_ptr<campaign::Heartbeat> heartbeat;  // [status] url set: the fleet heartbeat

  // Owned by the thread only.
  std::unique_ptr<store::Ledger> ledger;
  std::optional<cv::Mat> composed;  // the REVIEW photo, until saved or discarded
  BoothStatus local;
  // After a failed save: why (the volunteer's message), and how much a probe must write
  // before the booth opens again. Free space by statvfs is no proof that a save works.
  std::optional<SaveFailed> save_broken;
  std::size_t probe_bytes = 0;
  // ADMIN's "last pledge" (with its thumbnail) and "last upload": read again only when a save
  // or delete ran here, or the counts say the ledger changed (another process).
  bool pledges_changed = true;
  decltype(local.pledges) listed_pledges = -1;
  decltype(local.done) listed_done = -1;

  void push(Job job) {
    {
      std::lock_guard<std::mutex> lock(mu);
      jobs.push_back(std::move(job));
    }
    wake.notify_all();
  }
  void post(OfficeResult r) {
    std::lock_guard<std::mutex> lock(mu);
    results.push_back(std::move(r));
  }
  std::string answer_of(const std::string& locale, const std::string& pick,
                        const std::string& words) {
    return pick.empty() ? words : tr(locale, "answer." + pick);
  }

  void run();
  void open_ledger();
  void refresh();
  void handle(ComposeJob& job);
  void handle(SaveJob& job);
  void handle(DeleteJob& job);
  void handle(ForgetJob& job);
  // The volunteer's screens say what happened in words; the technical detail goes here, to
  // the booth's log (the journal on the appliance), once per change.
  std::string logged_ledger_error, logged_upload_error, logged_wall_problem;
  void log_once(std::string& logged, const std::string& now, const std::string& what);
  // The volunteer's message (i18n key + args) when storage is not usable; key "" when fine.
  StorageState storage_state();
};

void BackOffice::Impl::log_once(std::string& logged, const std::string& now,
                                const std::string& what) {
  if (now == logged) return;
  logged = now;
  if (!now.empty()) pb::log::warn(pb::log::cat("kiosk: ", what, ": ", now));
}

void BackOffice::Impl::open_ledger() {
  if (ledger) return;
  auto opened = store::Ledger::open(config.storage.data_dir);
  if (opened) {
    ledger = std::move(*opened);
    local.ledger_open = true;
    local.ledger_error.clear();
  } else {
    local.ledger_open = false;
    local.ledger_error = opened.status().message();
  }
  log_once(logged_ledger_error, local.ledger_error, "the ledger cannot be opened");
}

StorageState BackOffice::Impl::storage_state() {
  if (!ledger) return StorageState{false, "oos.ledger", {}};
  if (save_broken) return StorageState{false, save_broken->message, save_broken->args};
  if (local.free_mb >= 0 && local.free_mb < config.storage.min_free_mb)
    return StorageState{false,
                        "oos.disk_low",
                        {{"free", std::to_string(local.free_mb)},
                         {"min", std::to_string(config.storage.min_free_mb)}}};
  return StorageState{true, "", {}};
}

void BackOffice::Impl::refresh() {
  open_ledger();
  if (save_broken) {
    if (probe_write(config.storage.data_dir + "/photos", probe_bytes)) {
      pb::log::info(pb::log::cat("kiosk: a test write of ", probe_bytes,
                                 " bytes succeeded: saving works again"));
      save_broken.reset();
    }
  }
  local.free_mb = free_mb(config.storage.data_dir);
  const auto wall_problem = campaign::hidden_list_problem(config.storage.data_dir);
  local.wall_hidden_unreadable = wall_problem.has_value();
  log_once(logged_wall_problem, wall_problem ? wall_problem->what + " " + wall_problem->fix : "",
           "wall");
  local.upload_enabled = uploader != nullptr;
  if (ledger) {
    if (auto n = ledger->count_pledges(config.event.id)) local.pledges = *n;
    if (auto h = ledger->clock_high_ms()) local.clock_high_ms = *h;
    local.campaign.reset();
    if (const int every = config.upload.campaign_count_interval_s; every > 0 && uploader)
      if (auto kept = ledger->campaign_count(config.event.id);
          kept && *kept &&
          store::campaign_count_fresh(**kept, config.event.id, store::now_ms(),
                                      store::campaign_max_age_ms(every)))
        local.campaign = **kept;
    if (auto stats = ledger->event_stats()) {
      for (const auto& e : *stats)
        if (e.event == config.event.id) {
          local.photos = e.photos;
          local.shared = e.shared;
        }
    }
    if (auto q = ledger->queue_counts()) {
      local.pending = q->pending;
      local.failed = q->failed;
      local.done = q->done;
    }
    if (pledges_changed || listed_pledges != local.pledges) {
      pledges_changed = false;
      listed_pledges = local.pledges;
      local.last_pledge_id.clear();
      local.last_pledge_thumb.reset();
      if (auto last = ledger->last_pledge(config.event.id); last && *last) {
        const store::Pledge& p = **last;
        local.last_pledge_id = p.id;
        local.last_pledge_ms = p.created_ms;
        local.last_pledge_name = p.first_name;
        local.last_pledge_photo = !p.photo_path.empty();
        local.last_pledge_thumb =
            local.last_pledge_photo ? thumbnail_of(ledger->photo_file(p)) : nullptr;
      }
    }
    // Counts the ledger keeps (not its rows): none of this grows with the ledger.
    if (listed_done != local.done) {
      listed_done = local.done;
      local.last_upload.clear();
      for (const auto& t : config.upload.targets) local.last_upload.emplace_back(t.name, 0);
      if (auto queues = ledger->queue_by_target())
        for (const auto& q : *queues)
          for (auto& [name, ms] : local.last_upload)
            if (name == q.target) ms = std::max(ms, q.last_done_ms);
    }
    local.stranded.clear();
    if (auto gone = ledger->unconfigured_targets(target_names(config)))
      for (const auto& t : *gone) local.stranded.emplace_back(t.target, t.pending + t.failed);
    local.last_error.clear();
    local.last_error_target.clear();
    if (auto err = ledger->newest_upload_error(); err && *err) {
      local.last_error = (*err)->target + ": " + (*err)->last_error;
      local.last_error_target = (*err)->target;
    }
  }
  if (uploader) {
    const auto ws = uploader->status();
    local.online = ws.online;
    if (local.last_error.empty())
      for (const auto& t : ws.targets)
        if (!t.last_error.empty()) {
          local.last_error = t.name + ": " + t.last_error;
          local.last_error_target = t.name;
        }
  }
  log_once(logged_upload_error, local.last_error, "upload failing");
  StorageState storage = storage_state();
  std::lock_guard<std::mutex> lock(mu);
  status = local;
  results.emplace_back(std::in_place_type<StorageState>, std::move(storage));
}

void BackOffice::Impl::handle(ComposeJob& job) {
  composed.reset();
  if (!job.still || job.still->bgr.empty()) return;
  cv::Mat photo_bgr;
  if (composer) {
    photo::SignText text{job.what.first_name,
                         answer_of(job.what.locale, job.what.answer_pick, job.what.answer_words),
                         tr(job.what.locale, "sign.blank")};
    const auto t0 = std::chrono::steady_clock::now();
    auto photo = composer->compose(job.still->bgr, text, job.face_hint);
    if (photo) {
      photo_bgr = photo->bgr;
      // One line per photo for the volunteer's log: how the framing was found, how long it took.
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      char line[160];
      std::snprintf(line, sizeof line, "kiosk: photo composed in %.1f ms (%s)", ms,
                    !photo->face            ? "no face found: centred"
                    : photo->face_from_hint ? "face followed from the preview"
                                            : "face found in the whole frame");
      pb::log::info(line);
    }
  }
  if (photo_bgr.empty()) photo_bgr = job.still->bgr.clone();
  composed = photo_bgr;
  // The on-screen copy, scaled to the REVIEW box.
  const int w = kReviewWidth;
  const int h = photo_bgr.rows * w / std::max(1, photo_bgr.cols);
  cv::Mat small;
  cv::resize(photo_bgr, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  ReviewImage img;
  img.width = w;
  img.height = h;
  img.argb.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  photo::copy_to_argb(small, img.argb.data(), w * 4);
  post(std::move(img));
}

void BackOffice::Impl::handle(SaveJob& job) {
  pledges_changed = true;
  const SavePledge& w = job.what;
  pb::log::info("kiosk: saving a pledge");  // one write: crash tests kill on it
  open_ledger();
  local.free_mb = free_mb(config.storage.data_dir);
  // A retry ("Try again" on THANKS) after a failed save: the disk is tried again now, not at
  // the next refresh.
  if (save_broken && probe_write(config.storage.data_dir + "/photos", probe_bytes))
    save_broken.reset();
  // Failed saves keep the photo in memory: "Try again" saves it, leaving THANKS discards it.
  if (StorageState st = storage_state(); !st.ok) {
    post(SaveFailed{st.message, st.args, "storage not usable (" + st.message + ")"});
    return;
  }
  store::PledgeInput in;
  in.event = config.event.id;
  in.booth = config.booth.id;
  in.locale = w.locale;
  in.first_name = w.first_name;
  in.answer = answer_of(w.locale, w.answer_pick, w.answer_words);
  in.share_consent = w.with_photo && w.share_consent;
  in.consent_version = w.with_photo ? w.consent_version : 0;
  if (w.with_photo && composed) {
    auto jpeg = photo::encode_jpeg(*composed, config.photo.jpeg_quality);
    if (!jpeg) {
      post(SaveFailed{"oos.save_failed", {}, jpeg.status().message()});
      return;
    }
    in.photo_jpeg = std::move(*jpeg);
  }
  if (in.share_consent)
    for (const auto& t : config.upload.targets)
      in.targets.push_back(t.name.empty() ? t.kind : t.name);
  const std::size_t photo_bytes = in.photo_jpeg.size();
  const auto save_started = std::chrono::steady_clock::now();
  auto saved = ledger->save_pledge(in);
  [[maybe_unused]] const auto save_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - save_started)
                                            .count();
  if (!saved) {
    const bool full = saved.status().code() == Status::Code::kDiskFull;
    SaveFailed failed{full ? "oos.disk_full" : "oos.save_failed", {}, saved.status().message()};
    // Out of service until a write the size of this pledge (and room for its ledger rows)
    // succeeds; the refresh right after this save must not report the disk fine.
    save_broken = failed;
    probe_bytes = photo_bytes + 64 * 1024;
    post(std::move(failed));
    return;
  }
  composed.reset();  // the booth keeps no copy beyond the ledger's
  const store::Pledge& p = *saved;
  std::int64_t number = 0;
  if (auto n = ledger->count_pledges(config.event.id)) number = *n;
  std::string url = config.event.page_url;
  if (photo_link_published(config) && !p.photo_path.empty() && p.share_consent) {
    std::string base = config.event.public_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    url = base + "/" + p.event + "/" + store::utc_date(p.created_ms) + "/" + p.id + ".jpg";
  }
  post(SaveDone{p.id, number, url});
  if (uploader) uploader->note_save(save_ms);  // wakes it too: the pledge may be queued
}

void BackOffice::Impl::handle(DeleteJob&) {
  pledges_changed = true;
  open_ledger();
  local.delete_error.clear();
  // The volunteer reads why in words (i18n keys); the detail goes to the log.
  auto failed = [&](const char* key, const std::string& detail) {
    local.delete_error = key;
    pb::log::warn(pb::log::cat("kiosk: delete last pledge: ", detail));
  };
  if (!ledger) return failed("admin.delete_no_ledger", local.ledger_error);
  auto last = ledger->last_pledge(config.event.id);
  if (!last || !*last)
    return last ? failed("admin.no_pledge", "no pledge at this event")
                : failed("admin.delete_failed", last.status().message());
  const std::string id = (*last)->id;
  if (Status remote = upload::delete_remote_copies(config, *ledger, id);
      !remote && remote.code() != Status::Code::kNotFound)
    return failed("admin.delete_kept_remote", "uploaded copy not removed: " + remote.message());
  if (Status st = ledger->delete_pledge(id); !st)
    return failed("admin.delete_failed", st.message());
}

void BackOffice::Impl::handle(ForgetJob&) {
  open_ledger();
  if (!ledger) return;
  auto gone = ledger->unconfigured_targets(target_names(config));
  if (!gone) {
    pb::log::warn(pb::log::cat("kiosk: forget removed targets: ", gone.status().message()));
    return;
  }
  // Only targets no longer configured: a configured target's uploads are still sent.
  for (const auto& t : *gone) {
    auto dropped = ledger->forget_target(t.target);
    if (dropped)
      pb::log::info(pb::log::cat("kiosk: a volunteer dropped ", *dropped,
                                 " undelivered uploads for \"", t.target,
                                 "\", no longer in the config; the pledges and photos stay"));
    else
      pb::log::warn(
          pb::log::cat("kiosk: forget target ", t.target, ": ", dropped.status().message()));
  }
}

void BackOffice::Impl::run() {
  auto last_refresh = std::chrono::steady_clock::now() - kRefreshEvery;
  for (;;) {
    std::optional<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu);
      wake.wait_until(lock, last_refresh + kRefreshEvery,
                      [&] { return stopping || !jobs.empty(); });
      if (stopping && jobs.empty()) return;  // queued saves are finished first
      if (!jobs.empty()) {
        job = std::move(jobs.front());
        jobs.pop_front();
      }
    }
    if (job) {
      if (auto* c = std::get_if<ComposeJob>(&*job)) {
        handle(*c);
        --in_flight;
      } else if (std::holds_alternative<DiscardJob>(*job)) {
        composed.reset();
      } else if (auto* s = std::get_if<SaveJob>(&*job)) {
        handle(*s);
        --in_flight;
        refresh();
        last_refresh = std::chrono::steady_clock::now();
      } else if (auto* p = std::get_if<PinJob>(&*job)) {
        post(PinChecked{kiosk::verify_pin(p->pin, config.booth.admin_pin_hash)});
      } else if (auto* d = std::get_if<DeleteJob>(&*job)) {
        handle(*d);
        refresh();
        last_refresh = std::chrono::steady_clock::now();
      } else if (auto* f = std::get_if<ForgetJob>(&*job)) {
        handle(*f);
        refresh();
        last_refresh = std::chrono::steady_clock::now();
      }
    }
    if (std::chrono::steady_clock::now() - last_refresh >= kRefreshEvery) {
      refresh();
      last_refresh = std::chrono::steady_clock::now();
    }
  }
}

BackOffice::BackOffice(const config::Config& config,
                       std::shared_ptr<const photo::Composer> composer,
                       upload::OutboxWorker* uploader, Translate tr)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->composer = std::move(composer);
  impl_->uploader = uploader;
  impl_->tr = std::move(tr);
  impl_->thread = std::thread([this] { impl_->run(); });
  // The heartbeat has its own thread and ledger connection; it copies ADMIN's status.
  if (!config.status.url.empty())
    impl_->heartbeat = std::make_unique<campaign::Heartbeat>(config, [impl = impl_.get()] {
      std::lock_guard<std::mutex> lock(impl->mu);
      return campaign::BoothExtras{
          impl->status.upload_enabled ? std::optional<bool>(impl->status.online) : std::nullopt,
          impl->status.last_error};
    });
}

BackOffice::~BackOffice() {
  impl_->heartbeat.reset();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
}

void BackOffice::compose_review(std::shared_ptr<const camera::Frame> still,
                                const ComposeReview& what, std::optional<cv::Rect> face_hint) {
  ++impl_->in_flight;
  impl_->push(ComposeJob{std::move(still), what, face_hint});
}
void BackOffice::discard_photo() {
  impl_->push(DiscardJob{});
}
void BackOffice::save(const SavePledge& what) {
  ++impl_->in_flight;
  impl_->push(SaveJob{what});
}
void BackOffice::verify_pin(const std::string& pin) {
  impl_->push(PinJob{pin});
}
void BackOffice::delete_last_pledge() {
  impl_->push(DeleteJob{});
}
void BackOffice::forget_stranded() {
  impl_->push(ForgetJob{});
}

std::vector<OfficeResult> BackOffice::take_results() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<OfficeResult> out;
  out.swap(impl_->results);
  return out;
}

BoothStatus BackOffice::status() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->status;
}

void BackOffice::note_camera(double fps, bool connected) {
  if (impl_->heartbeat) impl_->heartbeat->note_camera(fps, connected);
}

bool BackOffice::busy() const {
  return impl_->in_flight.load() > 0;
}

}  // namespace pb::kiosk
