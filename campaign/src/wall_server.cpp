// SPDX-License-Identifier: Apache-2.0
// WallServer: cpp-httplib serves the page, its JSON, a Server-Sent Events stream and the
// photos; one poller thread watches the ledger (PRAGMA data_version, a few microseconds) and
// the hidden-photo file, rebuilds the feed when either changed and wakes every stream.
#include <httplib.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "pb/ledger.h"
#include "pb/log.h"
#include "pb/wall.h"
#include "wall_feed.h"

namespace pb::campaign {
namespace {

constexpr std::size_t kMaxAssetBytes = 1 << 20;
constexpr std::int64_t kMaxPhotoBytes = 32 << 20;  // a booth photo is ~0.5 MB
constexpr auto kKeepAlive = std::chrono::seconds(15);

Result<std::string> read_asset(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(Status::Code::kInvalid, "cannot read the wall's page " + path);
  std::string text(kMaxAssetBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxAssetBytes)
    return Status::error(Status::Code::kInvalid, path + " is larger than 1 MB");
  return text;
}

// The data_version of ledger.db seen through a connection of our own: it changes whenever
// another connection (the booth, `pledgebooth delete`) commits. nullopt while there is no
// ledger to open yet.
class LedgerWatch {
 public:
  explicit LedgerWatch(std::string db_path) : path_(std::move(db_path)) {}
  ~LedgerWatch() { sqlite3_close(db_); }
  LedgerWatch(const LedgerWatch&) = delete;
  LedgerWatch& operator=(const LedgerWatch&) = delete;

  std::optional<std::int64_t> version() {
    if (!db_) {
      struct stat st {};
      if (::stat(path_.c_str(), &st) != 0) return std::nullopt;
      const std::string uri = "file:" + path_ + "?mode=ro";
      if (sqlite3_open_v2(uri.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) !=
          SQLITE_OK) {
        sqlite3_close(db_);
        db_ = nullptr;
        return std::nullopt;
      }
      sqlite3_busy_timeout(db_, 100);
    }
    sqlite3_stmt* st = nullptr;
    std::optional<std::int64_t> v;
    if (sqlite3_prepare_v2(db_, "PRAGMA data_version", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!v) {  // a broken connection: open again next time
      sqlite3_close(db_);
      db_ = nullptr;
    }
    return v;
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// Modification time and size of a file; {0, -1} when absent.
std::pair<std::int64_t, std::int64_t> file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {0, -1};
  return {static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_size)};
}

}  // namespace

Status parse_listen(const std::string& text, std::string& host, int& port) {
  const auto bad = [&](const std::string& why) {
    return Status::error(Status::Code::kInvalid,
                         "--listen '" + text.substr(0, 80) + "': " + why +
                             " (expected ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("no port");
  std::string h = text.substr(0, colon);
  const std::string p = text.substr(colon + 1);
  if (h.front() == '[') {
    if (h.size() < 3 || h.back() != ']') return bad("an IPv6 address goes in [ ]");
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    return bad("an IPv6 address goes in [ ]");
  }
  if (h.size() > 253 || h.find_first_not_of("0123456789abcdefABCDEF.:-_"
                                            "ghijklmnopqrstuvwxyz"
                                            "GHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
    return bad("not an address");
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
    return bad("not a port number");
  const int n = std::stoi(p);
  if (n > 65535) return bad("a port is at most 65535");
  host = h;
  port = n;
  return Status::ok();
}

struct WallServer::Impl {
  WallOptions opt;
  std::string index_html, wall_css, wall_js, qr;
  httplib::Server http;
  std::thread listener;
  std::thread poller;
  int bound_port = 0;

  mutable std::mutex mu;  // guards the four below
  std::condition_variable changed;
  std::string json;
  std::int64_t seq = 0;
  bool stopping = false;

  std::atomic<int> streams{0};
  std::mutex photo_mu;  // the photo handler's own ledger (one connection, one thread at a time)
  std::unique_ptr<store::Ledger> photo_ledger;

  void poll();
  void rebuild(store::Ledger* ledger);
  void routes();
  void serve_photo(const std::string& id, httplib::Response& res);
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    changed.notify_all();
    http.stop();
    if (listener.joinable()) listener.join();
    if (poller.joinable()) poller.join();
  }
};

void WallServer::Impl::rebuild(store::Ledger* ledger) {
  WallFeed feed;
  if (ledger) {
    auto all = ledger->list_pledges(opt.event_id);
    if (!all) {
      pb::log::warn("wall: reading the ledger: " + all.status().message());
      return;  // the page keeps what it shows
    }
    feed =
        build_feed(*all, opt.event_id, read_hidden(opt.data_dir), opt.max_photos, opt.max_answers);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    std::string next = feed_json(feed, seq + 1, opt.event_id, opt.event_name, opt.page_url);
    // seq is inside the JSON: compare without it.
    const auto body = [](const std::string& s) { return s.substr(s.find(",\"event\"")); };
    if (!json.empty() && body(next) == body(json)) return;
    json = std::move(next);
    ++seq;
  }
  changed.notify_all();
}

void WallServer::Impl::poll() {
  LedgerWatch watch(opt.data_dir + "/ledger.db");
  std::unique_ptr<store::Ledger> ledger;
  std::optional<std::int64_t> seen_version;
  std::pair<std::int64_t, std::int64_t> seen_hidden{-1, -1};
  bool first = true;
  std::string last_error;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu);
      if (!first)
        changed.wait_for(lock, std::chrono::milliseconds(opt.poll_ms), [&] { return stopping; });
      if (stopping) return;
    }
    const auto version = watch.version();
    const auto hidden = file_stamp(hidden_file(opt.data_dir));
    if (!first && version == seen_version && hidden == seen_hidden) continue;
    first = false;
    if (!ledger && version) {
      if (auto opened = store::Ledger::open(opt.data_dir, store::Access::kReadOnly)) {
        ledger = std::move(*opened);
      } else if (opened.status().message() != last_error) {  // once, not every poll
        last_error = opened.status().message();
        pb::log::warn("wall: " + last_error);
      }
    }
    seen_version = ledger ? version : std::nullopt;
    seen_hidden = hidden;
    rebuild(ledger.get());
  }
}

void WallServer::Impl::serve_photo(const std::string& id, httplib::Response& res) {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(photo_mu);
    if (!photo_ledger) {
      if (auto opened = store::Ledger::open(opt.data_dir, store::Access::kReadOnly))
        photo_ledger = std::move(*opened);
    }
    if (photo_ledger) {
      auto got = photo_ledger->get_pledge(id);
      // Consent, event and hidden are checked now, not taken from the last snapshot.
      if (got && *got && photo_on_wall(**got, opt.event_id, read_hidden(opt.data_dir)))
        path = photo_ledger->photo_file(**got);  // "" when it would lead outside photos/
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (path.empty() || !in) {
    res.status = 404;
    res.set_content("no such photo\n", "text/plain");
    return;
  }
  in.seekg(0, std::ios::end);
  const std::int64_t size = in.tellg();
  if (size <= 0 || size > kMaxPhotoBytes) {
    res.status = 404;
    res.set_content("no such photo\n", "text/plain");
    return;
  }
  in.seekg(0);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), size);
  res.set_header("Cache-Control", "private, max-age=300");
  res.set_content(std::move(bytes), "image/jpeg");
}

void WallServer::Impl::routes() {
  // The page loads nothing from elsewhere and cannot be framed; names and answers are put
  // into the page as text by wall.js, never as HTML.
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"X-Frame-Options", "DENY"},
                            {"Content-Security-Policy",
                             "default-src 'none'; script-src 'self'; style-src 'self'; "
                             "img-src 'self'; connect-src 'self'; frame-ancestors 'none'"}});
  const auto page = [](const std::string& body, const char* type) {
    return [&body, type](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(body, type);
    };
  };
  http.Get("/", page(index_html, "text/html; charset=utf-8"));
  http.Get("/wall.css", page(wall_css, "text/css; charset=utf-8"));
  http.Get("/wall.js", page(wall_js, "text/javascript; charset=utf-8"));
  http.Get("/qr.svg", page(qr, "image/svg+xml"));
  http.Get("/api/wall", [this](const httplib::Request&, httplib::Response& res) {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu);
      body = json;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(body, "application/json");
  });
  http.Get(R"(/photo/([0-9a-f-]{36})\.jpg)",
           [this](const httplib::Request& req, httplib::Response& res) {
             const std::string id = req.matches[1];
             if (!is_pledge_id(id)) {
               res.status = 404;
               return;
             }
             serve_photo(id, res);
           });
  http.Get("/events", [this](const httplib::Request&, httplib::Response& res) {
    if (++streams > opt.max_stream_clients) {
      --streams;
      res.status = 503;
      res.set_header("Retry-After", "10");
      res.set_content("too many walls open on this booth\n", "text/plain");
      return;
    }
    res.set_header("Cache-Control", "no-store");
    auto last = std::make_shared<std::int64_t>(-1);
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, last](std::size_t, httplib::DataSink& sink) {
          std::string message;
          {
            std::unique_lock<std::mutex> lock(mu);
            changed.wait_for(lock, kKeepAlive, [&] { return stopping || seq != *last; });
            if (stopping) return false;
            if (seq != *last) {
              *last = seq;
              message = "event: wall\nid: " + std::to_string(seq) + "\ndata: " + json + "\n\n";
            } else {
              message = ": keep-alive\n\n";  // finds a wall that went away
            }
          }
          return sink.is_writable() && sink.write(message.data(), message.size());
        },
        [this](bool) { --streams; });
  });
}

WallServer::WallServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WallServer::~WallServer() {
  impl_->stop();
}

int WallServer::port() const {
  return impl_->bound_port;
}

std::string WallServer::snapshot_json() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->json;
}

Result<std::unique_ptr<WallServer>> WallServer::start(const WallOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  for (auto [file, into] :
       {std::pair{"index.html", &impl->index_html}, std::pair{"wall.css", &impl->wall_css},
        std::pair{"wall.js", &impl->wall_js}}) {
    auto text = read_asset(options.assets_dir + "/" + file);
    if (!text) return text.status();
    *into = std::move(*text);
  }
  impl->qr = qr_svg(options.page_url);
  if (impl->qr.empty())
    return Status::error(Status::Code::kInvalid, "event.page_url cannot be made a QR code");

  // Small requests only: the wall takes no uploads, and a stuck client does not hold a thread.
  impl->http.set_payload_max_length(1024);
  impl->http.set_read_timeout(5, 0);
  impl->http.set_write_timeout(5, 0);
  impl->http.set_keep_alive_timeout(2);
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, with which a second wall on
  // the same port would bind too and share the requests instead of being refused.
  impl->http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  const std::size_t threads = static_cast<std::size_t>(options.max_stream_clients) + 4;
  impl->http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl->routes();

  if (options.port == 0) {
    impl->bound_port = impl->http.bind_to_any_port(options.host);
  } else if (impl->http.bind_to_port(options.host, options.port)) {
    impl->bound_port = options.port;
  }
  if (impl->bound_port <= 0)
    return Status::error(Status::Code::kUnavailable,
                         "cannot listen on " + options.host + ":" + std::to_string(options.port) +
                             " (the port is in use, or that is no address of this machine)");
  impl->rebuild(nullptr);  // the page has a JSON before the first poll
  Impl* raw = impl.get();
  raw->poller = std::thread([raw] { raw->poll(); });
  raw->listener = std::thread([raw] { raw->http.listen_after_bind(); });
  // Server::stop() does nothing before the listener runs: wait for it, so that a wall
  // stopped right after start (or on a failed test) always stops.
  while (!raw->http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return std::unique_ptr<WallServer>(new WallServer(std::move(impl)));
}

}  // namespace pb::campaign
