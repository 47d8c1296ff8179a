// SPDX-License-Identifier: Apache-2.0
// `pledgebooth tally`'s reading: list the events and their _booths/ folders, GET every
// document N at a time, parse each with bounds (pb/tally.h, listing.h).
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <map>

#include "pb/tally.h"
#include "reply.h"
#include "targets.h"
#include "transfer.h"

namespace pb::upload {
namespace {

constexpr int kMaxPages = 10000;  // of one listing (1000 names each on S3)

std::string join_key(const std::string& a, const std::string& b) {
  return a.empty() ? b : a + "/" + b;
}

// CURLOPT_XFERINFOFUNCTION: a non-zero return ends the transfer (CURLE_ABORTED_BY_CALLBACK).
int abort_when_cancelled(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}

class Reader {
 public:
  Reader(Target& target, CampaignTally& out, const std::atomic<bool>* cancel = nullptr)
      : t_(target), out_(out), cancel_(cancel) {}

  bool cancelled() const { return cancel_ && cancel_->load(); }
  // A prepared transfer ends soon after *cancel_ turns true (curl calls back about once a
  // second while it waits, more often while bytes flow).
  void abortable(CURL* easy) const {
    if (!cancel_) return;
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, abort_when_cancelled);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel_));
  }

  // The names directly under dir; an absent dir is empty.
  Result<std::vector<ListingEntry>> list(const std::string& dir) {
    if (t_.is_local()) {
      ListingPage page = t_.list_local(dir);
      if (!page.ok) return Status::error(Status::Code::kIo, page.error);
      return page.entries;
    }
    std::vector<ListingEntry> all;
    std::string token;
    for (int pages = 0; pages < kMaxPages; ++pages) {
      Step s = t_.list_step(dir, token);
      if (s.request.url.empty())
        return Status::error(Status::Code::kInvalid,
                             "target " + t_.name() + " (" + t_.config().kind +
                                 ") cannot be read back; name a folder, s3 or webdav target");
      if (cancelled()) return Status::error(Status::Code::kUnavailable, "cancelled");
      Transfer tr(t_.config(), s.request);
      if (Status st = tr.prepare(); !st) return st;
      abortable(tr.easy());
      ++out_.requests;
      const HttpResponse& r = tr.perform();
      Outcome o = classify(s.request, r, {404});
      if (o.verdict != Verdict::kOk)
        return Status::error(
            o.verdict == Verdict::kFail ? Status::Code::kRejected : Status::Code::kUnavailable,
            clean_message("listing " + (dir.empty() ? "/" : dir) + ": " + o.message, t_.secrets()));
      if (r.status == 404) return all;
      ListingPage page = t_.parse_list(r.body, dir);
      if (!page.ok)
        return Status::error(
            Status::Code::kRejected,
            clean_message("listing " + (dir.empty() ? "/" : dir) + ": " + page.error,
                          t_.secrets()));
      for (auto& e : page.entries) all.push_back(std::move(e));
      if (all.size() > kMaxListingEntries)
        return Status::error(Status::Code::kRejected, "listing " + dir + ": too many entries");
      if (page.next_token.empty()) return all;
      token = page.next_token;
    }
    return Status::error(Status::Code::kRejected, "listing " + dir + ": endless pages");
  }

  // A document's bytes arrived (or not): count it or name why it is skipped.
  void take(const std::string& key, const std::string& event, const std::string& booth,
            const std::string& body) {
    std::string why;
    auto doc = parse_tally_document(body, &why);
    if (!doc) return skip(key, why);
    if (doc->event != event || doc->booth != booth)
      return skip(
          key, "its event or booth (" + doc->event + ", " + doc->booth + ") differs from its name");
    out_.documents.push_back(std::move(*doc));
  }
  void skip(const std::string& key, const std::string& why) {
    out_.skipped.emplace_back(key, clean_message(why, t_.secrets()));
  }

  struct Doc {
    std::string key, event, booth;
  };

  void read_local(const std::vector<Doc>& docs) {
    for (const Doc& d : docs) {
      if (cancelled()) return;
      std::string body;
      Status s = t_.read_local(d.key, kMaxTallyDocument, body);
      if (!s) {
        skip(d.key, s.message());
        continue;
      }
      take(d.key, d.event, d.booth, body);
    }
  }

  void read_http(const std::vector<Doc>& docs, int parallel) {
    CURLM* multi = curl_multi_init();
    if (!multi) {
      for (const Doc& d : docs) skip(d.key, "curl_multi_init failed");
      return;
    }
    struct Get {
      const Doc* doc;
      Step step;
      std::unique_ptr<Transfer> transfer;
    };
    std::map<CURL*, std::unique_ptr<Get>> running;
    std::size_t next = 0;
    while (next < docs.size() || !running.empty()) {
      if (cancelled()) next = docs.size();  // the running ones end through abortable()
      while (next < docs.size() && static_cast<int>(running.size()) < parallel) {
        auto g = std::make_unique<Get>();
        g->doc = &docs[next++];
        g->step = t_.get_step(g->doc->key);
        g->step.request.max_body = kMaxTallyDocument;
        g->transfer = std::make_unique<Transfer>(t_.config(), g->step.request);
        if (Status s = g->transfer->prepare(); !s) {
          skip(g->doc->key, s.message());
          continue;
        }
        CURL* easy = g->transfer->easy();
        abortable(easy);
        if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
          skip(g->doc->key, "curl_multi_add_handle failed");
          continue;
        }
        ++out_.requests;
        running[easy] = std::move(g);
      }
      int still = 0;
      curl_multi_perform(multi, &still);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        auto it = running.find(msg->easy_handle);
        if (it == running.end()) continue;
        std::unique_ptr<Get> g = std::move(it->second);
        running.erase(it);
        curl_multi_remove_handle(multi, msg->easy_handle);
        const HttpResponse& r = g->transfer->finish(msg->data.result);
        if (r.body_cut) {
          skip(g->doc->key, "larger than " + std::to_string(kMaxTallyDocument / 1024) + " KiB");
          continue;
        }
        if (r.status == 404) {
          skip(g->doc->key, "missing (listed, then gone)");
          continue;
        }
        Outcome o = classify(g->step.request, r, {});
        if (o.verdict != Verdict::kOk) {
          skip(g->doc->key, o.message);
          continue;
        }
        take(g->doc->key, g->doc->event, g->doc->booth, r.body);
      }
      if (!running.empty()) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    curl_multi_cleanup(multi);
  }

 private:
  Target& t_;
  CampaignTally& out_;
  const std::atomic<bool>* cancel_;
};

// The documents in <root>/<event>/_booths/ (other names there are left alone: e.g. a WebDAV
// temp name still there after a crash).
Status list_event(Reader& reader, const std::string& root, const std::string& event,
                  std::vector<Reader::Doc>& docs) {
  const std::string dir = join_key(join_key(root, event), "_booths");
  auto files = reader.list(dir);
  if (!files) return files.status();
  const std::string suffix = ".json";
  for (const auto& f : *files) {
    if (f.folder || f.name.size() <= suffix.size() ||
        f.name.compare(f.name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    docs.push_back({join_key(dir, f.name), event, f.name.substr(0, f.name.size() - suffix.size())});
  }
  return Status::ok();
}

void read_documents(Target& target, Reader& reader, const std::vector<Reader::Doc>& docs,
                    int parallel, CampaignTally& out) {
  if (target.is_local())
    reader.read_local(docs);
  else
    reader.read_http(docs, std::clamp(parallel, 1, 64));
  std::sort(out.documents.begin(), out.documents.end(),
            [](const store::TallyCounts& a, const store::TallyCounts& b) {
              return std::tie(a.event, a.booth) < std::tie(b.event, b.booth);
            });
}

}  // namespace

bool can_read_tally(const config::UploadTarget& config) {
  auto target = make_target(config);
  return target->is_local() || !target->list_step("", "").request.url.empty();
}

Result<CampaignTally> read_campaign_tally(const config::UploadTarget& config, int parallel) {
  auto target = make_target(config);
  if (!target->setup_error().is_ok()) return target->setup_error();
  CampaignTally out;
  Reader reader(*target, out);
  const std::string& root = config.prefix;
  auto events = reader.list(root);
  if (!events) return events.status();
  std::vector<Reader::Doc> docs;
  for (const auto& e : *events) {
    if (!e.folder) continue;
    // One event that cannot be listed (a `_booths` that is a symlink, a refused prefix) is
    // named and left out; a target gone away fails the whole tally rather than halve it.
    if (Status s = list_event(reader, root, e.name, docs); !s) {
      if (s.code() == Status::Code::kUnavailable) return s;
      reader.skip(join_key(join_key(root, e.name), "_booths"), s.message());
    }
  }
  read_documents(*target, reader, docs, parallel, out);
  return out;
}

Result<CampaignTally> read_event_tally(const config::UploadTarget& config, const std::string& event,
                                       int parallel, std::size_t max_documents,
                                       const std::atomic<bool>* cancel) {
  auto target = make_target(config);
  if (!target->setup_error().is_ok()) return target->setup_error();
  CampaignTally out;
  Reader reader(*target, out, cancel);
  std::vector<Reader::Doc> docs;
  if (Status s = list_event(reader, config.prefix, event, docs); !s) return s;
  if (docs.size() > max_documents) {
    reader.skip(docs[max_documents].key,
                "and " + std::to_string(docs.size() - max_documents - 1) + " more: no more than " +
                    std::to_string(max_documents) + " booth documents of one event are read");
    docs.resize(max_documents);
  }
  read_documents(*target, reader, docs, parallel, out);
  if (reader.cancelled()) return Status::error(Status::Code::kUnavailable, "cancelled");
  return out;
}

}  // namespace pb::upload
