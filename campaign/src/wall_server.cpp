// SPDX-License-Identifier: Apache-2.0
// WallServer: libmicrohttpd serves the page, its JSON, a Server-Sent Events stream and the
// photos from one event-loop thread (epoll), so a slow or idle client costs a few KB, never a
// thread. Who may connect, how many at once and for how long is decided here (docs/
// APPLIANCE.md, "The wall on an event network"; docs/ARCHITECTURE.md says why not
// cpp-httplib). One poller thread watches the ledger (PRAGMA data_version, a few
// microseconds) and the hidden list, rebuilds the feed when either changed, wakes the
// streams and closes connections that sent no whole request in time.
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "hidden_watch.h"
#include "pb/ledger.h"
#include "pb/log.h"
#include "pb/untrusted_file.h"
#include "pb/wall.h"
#include "pb/worker.h"
#include "wall_feed.h"

namespace pb::campaign {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxAssetBytes = 1 << 20;
constexpr std::int64_t kMaxPhotoBytes = 32 << 20;  // a booth photo is ~0.5 MB
constexpr auto kKeepAlive = std::chrono::seconds(15);

// --- what one client may hold (docs/APPLIANCE.md, "The wall on an event network") ---
// Connections open at once from all addresses that are not a projector's.
constexpr int kMaxConnections = 200;
// From one address: a browser opens up to 6 per host, a page of photos needs them.
constexpr int kMaxPerAddress = 12;
// Kept for each projector address (loopback, --projector): nobody else can take them.
constexpr int kProjectorConnections = 16;
// /events streams one address may hold (a projector's too: its own, outside the total).
constexpr int kMaxStreamsPerAddress = 2;
// From connecting (or the end of the previous reply) to a whole request head.
constexpr auto kHeaderDeadline = std::chrono::seconds(5);
// No byte moved for this long closes a connection (a stream's keep-alive comes every 15 s).
constexpr unsigned kIdleTimeoutS = 10;
constexpr unsigned kStreamTimeoutS = 60;
// The request line and headers together; the rest of a connection's memory is its reply.
constexpr std::size_t kMaxHeadBytes = 16 * 1024;
constexpr std::size_t kConnectionMemory = 32 * 1024;
// A refusal is logged at most this often per address (with the count since the last line).
constexpr auto kRefusalLogEvery = std::chrono::seconds(10);

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

// "192.0.2.7", "2001:db8::1"; an IPv4 address mapped into IPv6 as the IPv4 one.
std::string address_of(const sockaddr* sa) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (!sa) return text;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  } else if (sa->sa_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr))
      inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], text, sizeof text);
    else
      inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
  }
  return text;
}

// A browser on the booth itself (the projector on its HDMI port).
bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1";
}

// One TCP connection, from NOTIFY_CONNECTION started to closed.
struct Conn {
  std::string address;
  int fd = -1;
  bool projector = false;
  bool awaiting = true;  // no whole request head since awaiting_since
  Clock::time_point awaiting_since = Clock::now();
  int requests = 0;  // request heads received
  bool cut = false;  // shut down by the header deadline
};

// One /events stream: its connection and what it still has to send.
struct Stream {
  void* server = nullptr;  // the WallServer::Impl it belongs to
  struct MHD_Connection* connection = nullptr;
  std::string address;
  bool projector = false;
  std::int64_t sent_seq = -1;
  std::string pending;  // bytes of the current message not yet handed to MHD
  std::size_t offset = 0;
  bool suspended = false;  // MHD_suspend_connection called, not resumed yet
  int fd = -1;             // its socket, looked at while suspended
  bool gone = false;       // the client closed it: end the stream, free its slot
  Clock::time_point last_write = Clock::now();
};

// Refusals, logged at most once per kRefusalLogEvery per address, with a count.
class RefusalLog {
 public:
  void note(const std::string& address, const std::string& why, bool warn) {
    const auto now = Clock::now();
    if (seen_.size() > 4096) seen_.clear();  // a flood from many addresses: start over
    Entry& e = seen_[address];
    ++e.count;
    if (e.logged != Clock::time_point{} && now - e.logged < kRefusalLogEvery) return;
    const std::string line = "wall: " + why + " from " + address +
                             (e.count > 1 ? " (" + std::to_string(e.count) + " times)" : "");
    warn ? pb::log::warn(line) : pb::log::info(line);
    e.logged = now;
    e.count = 0;
  }

 private:
  struct Entry {
    Clock::time_point logged{};
    long count = 0;
  };
  std::unordered_map<std::string, Entry> seen_;
};

const char* const kDefaultHeaders[][2] = {
    // The page loads nothing from elsewhere and cannot be framed; names and answers are put
    // into the page as text by wall.js, never as HTML.
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
     "connect-src 'self'; frame-ancestors 'none'"},
    // One representation, whole: a Range header is ignored, so a reply is never larger than
    // what it serves.
    {"Accept-Ranges", "none"},
};

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
  struct MHD_Daemon* daemon = nullptr;
  int bound_port = 0;
  std::set<std::string> projectors;  // addresses with slots of their own (besides loopback)
  HiddenWatch hidden;

  mutable std::mutex mu;  // guards the two below
  std::string json;
  std::int64_t seq = 0;

  std::mutex conn_mu;  // guards the connection accounting below
  std::set<Conn*> conns;
  std::unordered_map<std::string, int> per_address;
  int open_total = 0, open_projector = 0;
  RefusalLog refusals;

  std::mutex stream_mu;  // guards the streams; taken before mu or conn_mu, never after
  std::set<Stream*> streams;
  std::unordered_map<std::string, int> streams_per_address;
  int streams_total = 0;  // of addresses that are not a projector's
  bool streams_closing = false;

  std::mutex photo_mu;  // the photo handler's own ledger (one connection, one thread at a time)
  std::unique_ptr<store::Ledger> photo_ledger;

  // Reads the ledger every poll_ms and wakes the streams; stop() ends it before the daemon.
  // Last: everything it uses is there until it is stopped.
  Worker poller{mu};

  explicit Impl(const WallOptions& o) : opt(o), hidden(o.data_dir) {}

  bool is_projector(const std::string& address) const {
    return is_loopback(address) || projectors.count(address) > 0;
  }
  Status start_daemon();
  void poll();
  void rebuild(store::Ledger* ledger);
  void wake_streams(bool all);
  void close_slow_heads();
  void stop();

  bool admit(const sockaddr* addr);
  void connection_started(struct MHD_Connection* c, void** socket_context);
  void connection_closed(void** socket_context);
  void request_done(struct MHD_Connection* c);
  MHD_Result answer(struct MHD_Connection* c, const std::string& url, const std::string& method);
  MHD_Result serve_photo(struct MHD_Connection* c, const std::string& id);
  MHD_Result open_stream(struct MHD_Connection* c, Conn* conn);
  ssize_t read_stream(Stream* s, char* buf, std::size_t max);
  void end_stream(Stream* s);

  // libmicrohttpd's callbacks: C in, nothing thrown out.
  static MHD_Result on_accept(void* cls, const sockaddr* addr, socklen_t) {
    return static_cast<Impl*>(cls)->admit(addr) ? MHD_YES : MHD_NO;
  }
  static void on_connection(void* cls, struct MHD_Connection* c, void** socket_context,
                            enum MHD_ConnectionNotificationCode toe) {
    auto* impl = static_cast<Impl*>(cls);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
      impl->connection_started(c, socket_context);
    else
      impl->connection_closed(socket_context);
  }
  static void on_completed(void* cls, struct MHD_Connection* c, void**,
                           enum MHD_RequestTerminationCode) {
    static_cast<Impl*>(cls)->request_done(c);
  }
  static MHD_Result on_request(void* cls, struct MHD_Connection* c, const char* url,
                               const char* method, const char*, const char*,
                               std::size_t* upload_size, void** req_cls);
  static ssize_t on_stream_read(void* cls, std::uint64_t, char* buf, std::size_t max) {
    auto* s = static_cast<Stream*>(cls);
    return static_cast<Impl*>(s->server)->read_stream(s, buf, max);
  }
  static void on_stream_end(void* cls) {
    auto* s = static_cast<Stream*>(cls);
    static_cast<Impl*>(s->server)->end_stream(s);
  }
};

namespace {

Conn* conn_of(struct MHD_Connection* c) {
  const union MHD_ConnectionInfo* info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info ? static_cast<Conn*>(info->socket_context) : nullptr;
}

using Headers = std::vector<std::pair<const char*, std::string>>;

void add_headers(struct MHD_Response* r, const char* type, const char* cache,
                 const Headers& extra) {
  for (const auto& h : kDefaultHeaders) MHD_add_response_header(r, h[0], h[1]);
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", cache);
  for (const auto& [k, v] : extra) MHD_add_response_header(r, k, v.c_str());
}

// Queues a reply with the default headers; body is copied unless it lives as long as the
// server (persistent).
MHD_Result respond(struct MHD_Connection* c, unsigned status, const std::string& body,
                   const char* type, const char* cache, bool persistent = false,
                   const Headers& extra = {}) {
  struct MHD_Response* r =
      MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()),
                                      persistent ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  add_headers(r, type, cache, extra);
  const MHD_Result q = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return q;
}

MHD_Result refuse(struct MHD_Connection* c, unsigned status, const std::string& why,
                  const Headers& extra = {}) {
  return respond(c, status, why + "\n", "text/plain; charset=utf-8", "no-store", false, extra);
}

// A marker for *req_cls: the request's head was seen (the handler's first call is over).
char kHeadSeen;

}  // namespace

MHD_Result WallServer::Impl::on_request(void* cls, struct MHD_Connection* c, const char* url,
                                        const char* method, const char*, const char*,
                                        std::size_t* upload_size, void** req_cls) {
  if (*req_cls == &kHeadSeen) {
    // Only a body could bring us here again, and every body was refused at the head.
    *upload_size = 0;
    return MHD_NO;
  }
  *req_cls = &kHeadSeen;
  try {
    return static_cast<Impl*>(cls)->answer(c, url ? url : "", method ? method : "");
  } catch (const std::exception& e) {  // nothing may cross into C; the connection ends
    pb::log::warn(std::string("wall: a request failed: ") + e.what());
    return MHD_NO;
  }
}

// --- connections ---

bool WallServer::Impl::admit(const sockaddr* addr) {
  const std::string address = address_of(addr);
  const bool projector = is_projector(address);
  std::lock_guard<std::mutex> lock(conn_mu);
  const auto it = per_address.find(address);
  const int mine = it == per_address.end() ? 0 : it->second;
  if (mine >= (projector ? kProjectorConnections : kMaxPerAddress)) {
    refusals.note(address,
                  "refused a connection (" + std::to_string(mine) +
                      " open from that address, the most one may hold)",
                  true);
    return false;
  }
  if (!projector && open_total - open_projector >= kMaxConnections) {
    refusals.note(address,
                  "refused a connection (the wall holds " + std::to_string(kMaxConnections) +
                      ", its most; projectors keep their own)",
                  true);
    return false;
  }
  return true;
}

void WallServer::Impl::connection_started(struct MHD_Connection* c, void** socket_context) {
  auto conn = std::make_unique<Conn>();
  if (const auto* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS))
    conn->address = address_of(info->client_addr);
  if (const auto* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD))
    conn->fd = info->connect_fd;
  conn->projector = is_projector(conn->address);
  std::lock_guard<std::mutex> lock(conn_mu);
  ++per_address[conn->address];
  ++open_total;
  if (conn->projector) ++open_projector;
  conns.insert(conn.get());
  *socket_context = conn.release();
}

void WallServer::Impl::connection_closed(void** socket_context) {
  std::unique_ptr<Conn> conn(static_cast<Conn*>(*socket_context));
  *socket_context = nullptr;
  if (!conn) return;
  std::lock_guard<std::mutex> lock(conn_mu);
  conns.erase(conn.get());
  if (auto it = per_address.find(conn->address); it != per_address.end() && --it->second <= 0)
    per_address.erase(it);
  --open_total;
  if (conn->projector) --open_projector;
}

void WallServer::Impl::request_done(struct MHD_Connection* c) {
  // The next request on a kept-alive connection has its own header deadline.
  std::lock_guard<std::mutex> lock(conn_mu);
  if (Conn* conn = conn_of(c)) {
    conn->awaiting = true;
    conn->awaiting_since = Clock::now();
  }
}

// The header deadline: a connection that sent no whole request head within kHeaderDeadline
// of connecting (or of its previous reply) is shut down; the event loop then sees it end
// and closes it. Its descriptor is still open here: libmicrohttpd closes it only after
// NOTIFY_CLOSED, which waits for conn_mu.
void WallServer::Impl::close_slow_heads() {
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(conn_mu);
  for (Conn* c : conns) {
    if (!c->awaiting || c->cut || c->fd < 0 || now - c->awaiting_since < kHeaderDeadline) continue;
    ::shutdown(c->fd, SHUT_RDWR);
    c->cut = true;
    if (c->requests == 0)  // a kept-alive connection going quiet is no news
      refusals.note(c->address, "closed a connection that sent no whole request in 5 s", false);
  }
}

// --- requests ---

MHD_Result WallServer::Impl::answer(struct MHD_Connection* c, const std::string& url,
                                    const std::string& method) {
  Conn* conn = conn_of(c);
  if (conn) {
    std::lock_guard<std::mutex> lock(conn_mu);
    conn->awaiting = false;
    ++conn->requests;
  }
  // Small requests only: the wall takes no uploads. A body is refused before a byte of it
  // is read (the connection closes after the reply).
  if (method != MHD_HTTP_METHOD_GET && method != MHD_HTTP_METHOD_HEAD)
    return refuse(c, MHD_HTTP_METHOD_NOT_ALLOWED, "the wall only serves GET",
                  {{"Allow", "GET, HEAD"}});
  const char* length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
  if ((length && std::strcmp(length, "0") != 0) ||
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding"))
    return refuse(c, MHD_HTTP_CONTENT_TOO_LARGE, "the wall takes no request body");
  std::size_t head = url.size() + method.size();
  MHD_get_connection_values_n(
      c, MHD_HEADER_KIND,
      [](void* cls, enum MHD_ValueKind, const char*, std::size_t key_size, const char*,
         std::size_t value_size) {
        *static_cast<std::size_t*>(cls) += key_size + value_size + 4;
        return MHD_YES;
      },
      &head);
  if (head > kMaxHeadBytes)
    return refuse(c, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
                  "the request's head is larger than 16 KB");

  if (url == "/") return respond(c, 200, index_html, "text/html; charset=utf-8", "no-cache", true);
  if (url == "/wall.css")
    return respond(c, 200, wall_css, "text/css; charset=utf-8", "no-cache", true);
  if (url == "/wall.js")
    return respond(c, 200, wall_js, "text/javascript; charset=utf-8", "no-cache", true);
  if (url == "/qr.svg") return respond(c, 200, qr, "image/svg+xml", "no-cache", true);
  if (url == "/api/wall") {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu);
      body = json;
    }
    return respond(c, 200, body, "application/json", "no-store");
  }
  if (url == "/events") return open_stream(c, conn);
  // Photos by pledge id only: /photo/<36 characters>.jpg, nothing else reaches a file.
  const std::string prefix = "/photo/", suffix = ".jpg";
  if (url.size() == prefix.size() + 36 + suffix.size() && url.rfind(prefix, 0) == 0 &&
      url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0) {
    const std::string id = url.substr(prefix.size(), 36);
    if (is_pledge_id(id)) return serve_photo(c, id);
  }
  return refuse(c, MHD_HTTP_NOT_FOUND, "not found");
}

MHD_Result WallServer::Impl::serve_photo(struct MHD_Connection* c, const std::string& id) {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(photo_mu);
    if (!photo_ledger) {
      if (auto opened = store::Ledger::open(opt.data_dir, store::Access::kReadOnly))
        photo_ledger = std::move(*opened);
    }
    if (photo_ledger) {
      auto got = photo_ledger->get_pledge(id);
      // Consent, event and hidden are checked now, not taken from the last snapshot; a
      // hidden list that cannot be read hides every photo.
      if (got && *got && photo_on_wall(**got, opt.event_id, hidden.current()))
        path = photo_ledger->photo_file(**got);  // "" when it would lead outside photos/
    }
  }
  struct stat st {};
  const int fd = path.empty() ? -1 : disk::open_untrusted_file(path, &st);
  if (fd < 0 || st.st_size <= 0 || st.st_size > kMaxPhotoBytes) {
    if (fd >= 0) ::close(fd);
    return refuse(c, MHD_HTTP_NOT_FOUND, "no such photo");  // the same for "not yours to see"
  }
  // The file goes out by sendfile, never whole into memory; MHD closes fd with the reply.
  struct MHD_Response* r =
      MHD_create_response_from_fd64(static_cast<std::uint64_t>(st.st_size), fd);
  if (!r) {
    ::close(fd);
    return MHD_NO;
  }
  add_headers(r, "image/jpeg", "private, max-age=300", {});
  const MHD_Result q = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return q;
}

// --- Server-Sent Events: a stream suspends its connection while it has nothing to send;
// the poller resumes it when the feed changed or its keep-alive is due ---

MHD_Result WallServer::Impl::open_stream(struct MHD_Connection* c, Conn* conn) {
  const std::string address = conn ? conn->address : "?";
  const bool projector = conn && conn->projector;
  auto s = std::make_unique<Stream>();
  {
    std::lock_guard<std::mutex> lock(stream_mu);
    const auto it = streams_per_address.find(address);
    const int mine = it == streams_per_address.end() ? 0 : it->second;
    if (streams_closing || mine >= kMaxStreamsPerAddress ||
        (!projector && streams_total >= opt.max_stream_clients)) {
      {
        std::lock_guard<std::mutex> l(conn_mu);
        refusals.note(address,
                      "refused an /events stream (" + std::to_string(mine) +
                          " open from that address, " + std::to_string(streams_total) + " in all)",
                      true);
      }
      return refuse(c, MHD_HTTP_SERVICE_UNAVAILABLE, "too many walls open on this booth",
                    {{"Retry-After", "10"}});
    }
    s->server = this;
    s->connection = c;
    s->fd = conn ? conn->fd : -1;
    s->address = address;
    s->projector = projector;
    ++streams_per_address[address];
    if (!projector) ++streams_total;
    streams.insert(s.get());
  }
  Stream* raw = s.release();
  struct MHD_Response* r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
                                                             &on_stream_read, raw, &on_stream_end);
  if (!r) {
    end_stream(raw);
    return MHD_NO;
  }
  add_headers(r, "text/event-stream", "no-store", {});
  // A stream is quiet between keep-alives; it ends sooner only when the wall stops.
  MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, kStreamTimeoutS);
  const MHD_Result q = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);  // the connection holds it; on_stream_end frees the stream
  return q;
}

ssize_t WallServer::Impl::read_stream(Stream* s, char* buf, std::size_t max) {
  std::lock_guard<std::mutex> lock(stream_mu);
  if (streams_closing) return MHD_CONTENT_READER_END_OF_STREAM;
  if (s->gone) return MHD_CONTENT_READER_END_WITH_ERROR;
  if (s->offset >= s->pending.size()) {
    s->pending.clear();
    s->offset = 0;
    {
      std::lock_guard<std::mutex> l(mu);
      if (seq != s->sent_seq) {
        s->sent_seq = seq;
        s->pending = "event: wall\nid: " + std::to_string(seq) + "\ndata: " + json + "\n\n";
      }
    }
    const auto now = Clock::now();
    if (s->pending.empty() && now - s->last_write >= kKeepAlive)
      s->pending = ": keep-alive\n\n";  // finds a wall that went away
    if (s->pending.empty()) {
      // Nothing to send: off the event loop until wake_streams.
      s->suspended = true;
      MHD_suspend_connection(s->connection);
      return 0;
    }
    s->last_write = now;
  }
  const std::size_t n = std::min(max, s->pending.size() - s->offset);
  std::memcpy(buf, s->pending.data() + s->offset, n);
  s->offset += n;
  return static_cast<ssize_t>(n);
}

void WallServer::Impl::end_stream(Stream* s) {
  std::unique_ptr<Stream> owned(s);
  std::lock_guard<std::mutex> lock(stream_mu);
  streams.erase(s);
  if (auto it = streams_per_address.find(s->address);
      it != streams_per_address.end() && --it->second <= 0)
    streams_per_address.erase(it);
  if (!s->projector) --streams_total;
}

// Resumes the suspended streams that have something to do: all of them, or those whose
// keep-alive is due and those whose client went away. libmicrohttpd does not look at a
// suspended connection, so a page reloaded on the projector would hold its old stream's slot
// until the next keep-alive found it closed: a peek at the socket finds it within a poll.
void WallServer::Impl::wake_streams(bool all) {
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(stream_mu);
  for (Stream* s : streams) {
    if (!s->suspended) continue;
    if (s->fd >= 0) {
      char byte;
      const ssize_t n = ::recv(s->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        s->gone = true;
    }
    if (all || s->gone || now - s->last_write >= kKeepAlive) {
      s->suspended = false;
      MHD_resume_connection(s->connection);
    }
  }
}

// --- the feed ---

// Pledges read from the ledger at a time while the feed fills.
constexpr int kFeedPage = 64;

void WallServer::Impl::rebuild(store::Ledger* ledger) {
  WallFeed feed;
  const HiddenPhotos hidden_now = hidden.current();
  if (ledger) {
    // The count the ledger keeps, and the newest pledges a page at a time until the feed
    // is full: the same work at 100,000 pledges as at 100 (issue 21).
    feed.withheld = !hidden_now.vouched;
    const auto fail = [](const Status& s) {
      pb::log::warn("wall: reading the ledger: " + s.message());
    };
    auto count = ledger->count_pledges(opt.event_id);
    if (!count) return fail(count.status());  // the page keeps what it shows
    feed.count = *count;
    std::optional<store::PageCursor> after;
    bool full = false;
    do {
      auto page = ledger->newest_pledges(opt.event_id, kFeedPage, after ? &*after : nullptr);
      if (!page) return fail(page.status());
      for (const auto& p : page->pledges)
        if ((full =
                 add_to_feed(feed, p, opt.event_id, hidden_now, opt.max_photos, opt.max_answers)))
          break;
      after = std::move(page->next);
    } while (!full && after);
  } else {
    feed.withheld = !hidden_now.vouched;
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
  wake_streams(true);
}

void WallServer::Impl::poll() {
  LedgerWatch watch(opt.data_dir + "/ledger.db");
  std::unique_ptr<store::Ledger> ledger;
  std::optional<std::int64_t> seen_version;
  std::int64_t seen_hidden = -1;
  bool first = true;
  std::string last_error;
  for (;;) {
    if (first ? poller.stopping() : !poller.pause(std::chrono::milliseconds(opt.poll_ms))) return;
    close_slow_heads();
    wake_streams(false);  // keep-alives due
    const auto version = watch.version();
    const std::int64_t hidden_now = hidden.current().generation;
    if (!first && version == seen_version && hidden_now == seen_hidden) continue;
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
    seen_hidden = hidden_now;
    rebuild(ledger.get());
  }
}

// --- start and stop ---

Status WallServer::Impl::start_daemon() {
  const std::string where = opt.host + ":" + std::to_string(opt.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(opt.host.c_str(), std::to_string(opt.port).c_str(), &hints, &found) != 0 ||
      !found)
    return Status::error(Status::Code::kUnavailable,
                         "cannot listen on " + where + " (no such address on this machine)");
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(found, ::freeaddrinfo);
  sockaddr_storage addr{};
  std::memcpy(&addr, found->ai_addr, std::min<std::size_t>(found->ai_addrlen, sizeof addr));
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
  if (found->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
  const unsigned limit =
      static_cast<unsigned>(kMaxConnections + kProjectorConnections * (1 + projectors.size()));
  daemon =
      MHD_start_daemon(flags, static_cast<std::uint16_t>(opt.port), &on_accept, this, &on_request,
                       this, MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr),  //
                       MHD_OPTION_CONNECTION_LIMIT, limit,                              //
                       MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutS,                    //
                       MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory,           //
                       MHD_OPTION_NOTIFY_CONNECTION, &on_connection, this,              //
                       MHD_OPTION_NOTIFY_COMPLETED, &on_completed, this,                //
                       MHD_OPTION_END);
  if (!daemon)
    return Status::error(Status::Code::kUnavailable,
                         "cannot listen on " + where +
                             " (the port is in use, or that is no address of this machine)");
  const union MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  bound_port = info ? info->port : opt.port;
  return Status::ok();
}

void WallServer::Impl::stop() {
  poller.stop();
  if (!daemon) return;
  // No new connection; every stream ends at its next read, so none is left suspended when
  // the daemon stops (libmicrohttpd's rule).
  const int listen_fd = MHD_quiesce_daemon(daemon);
  if (listen_fd >= 0) ::close(listen_fd);
  {
    std::lock_guard<std::mutex> lock(stream_mu);
    streams_closing = true;
  }
  wake_streams(true);
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(stream_mu);
      if (streams.empty() || Clock::now() > deadline) break;
    }
    wake_streams(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  MHD_stop_daemon(daemon);
  daemon = nullptr;
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
  auto impl = std::make_unique<Impl>(options);
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
  for (const std::string& p : options.projectors) {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST;
    addrinfo* found = nullptr;
    if (::getaddrinfo(p.c_str(), nullptr, &hints, &found) != 0 || !found)
      return Status::error(Status::Code::kInvalid,
                           "--projector '" + p.substr(0, 80) + "' is not an IP address");
    impl->projectors.insert(address_of(found->ai_addr));
    ::freeaddrinfo(found);
  }
  impl->rebuild(nullptr);  // the page has a JSON before the first request
  if (Status s = impl->start_daemon(); !s) return s;
  Impl* raw = impl.get();
  raw->poller.start("pb-wall-poll", [raw] { raw->poll(); });
  return std::unique_ptr<WallServer>(new WallServer(std::move(impl)));
}

}  // namespace pb::campaign
