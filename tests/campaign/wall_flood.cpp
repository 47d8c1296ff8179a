// SPDX-License-Identifier: Apache-2.0
// wall_flood: what a curious student on the event's network can do to the wall, for a bounded
// time, from one address. Holds N slow connections (one header byte at a time, a header that
// never ends), N idle ones (connected, silent) and N /events streams, each opened again as soon
// as the server closes it; or, with --probe, GETs one path again and again and prints how long
// each answer took. For tests/campaign/wall_flood_test.cpp and bench/campaign/wall-flood.sh.
//
//   wall_flood --to ADDR:PORT [--from ADDR] [--slow N] [--idle N] [--streams N] --seconds S
//   wall_flood --probe ADDR:PORT [--from ADDR] [--path /api/wall] [--every-ms 100] --seconds S
//
// Prints one line of key=value pairs at the end. Exit 0, or 2 for bad arguments.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Args {
  std::string to, from, probe, path = "/api/wall";
  int slow = 0, idle = 0, streams = 0, seconds = 10, every_ms = 100, byte_every_ms = 500;
};

bool parse_addr(const std::string& text, sockaddr_in& out, bool with_port) {
  std::string host = text;
  int port = 0;
  if (with_port) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    host = text.substr(0, colon);
    port = std::atoi(text.c_str() + colon + 1);
    if (port <= 0 || port > 65535) return false;
  }
  std::memset(&out, 0, sizeof out);
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<std::uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1;
}

// A non-blocking socket bound to `from` (when given), connecting to `to`; -1 on failure.
int open_to(const sockaddr_in& to, const std::string& from) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (!from.empty()) {
    sockaddr_in src{};
    parse_addr(from, src, false);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      ::close(fd);
      return -1;
    }
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0 &&
      errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

enum class Kind { kSlow, kIdle, kStream };

struct Slot {
  explicit Slot(Kind k) : kind(k) {}
  Kind kind;
  int fd = -1;
  bool connected = false;
  std::size_t sent = 0;      // bytes of the request sent
  Clock::time_point next{};  // next byte (slow) or next reconnect
};

const std::string kStreamRequest =
    "GET /events HTTP/1.1\r\nHost: wall\r\nAccept: text/event-stream\r\n\r\n";
// A header that never ends: after the request line, one long header line.
char slow_byte(std::size_t i) {
  static const std::string head = "GET /api/wall HTTP/1.1\r\nHost: wall\r\nX-Slow: ";
  return i < head.size() ? head[i] : 'a';
}

int flood(const Args& a) {
  sockaddr_in to{};
  if (!parse_addr(a.to, to, true)) return 2;
  std::vector<Slot> slots;
  for (int i = 0; i < a.slow; ++i) slots.emplace_back(Kind::kSlow);
  for (int i = 0; i < a.idle; ++i) slots.emplace_back(Kind::kIdle);
  for (int i = 0; i < a.streams; ++i) slots.emplace_back(Kind::kStream);
  long opened = 0, failed = 0, closed = 0, stream_bytes = 0, max_held = 0;
  const auto end = Clock::now() + std::chrono::seconds(a.seconds);
  const auto reopen = [&](Slot& s, Clock::time_point now, bool by_server) {
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    s.connected = false;
    s.sent = 0;
    s.next = now + milliseconds(by_server ? 50 : 200);
  };
  std::vector<pollfd> fds;
  char buf[16384];
  while (Clock::now() < end) {
    const auto now = Clock::now();
    long held = 0;
    for (auto& s : slots) {
      if (s.fd < 0 && now >= s.next) {
        s.fd = open_to(to, a.from);
        if (s.fd < 0) {
          ++failed;
          s.next = now + milliseconds(200);
        } else {
          ++opened;
        }
      }
      if (s.connected) ++held;
    }
    max_held = std::max(max_held, held);
    fds.clear();
    for (auto& s : slots) {
      short ev = POLLIN;
      if (!s.connected) ev |= POLLOUT;
      if (s.connected && s.kind == Kind::kStream && s.sent < kStreamRequest.size()) ev |= POLLOUT;
      fds.push_back({s.fd, ev, 0});
    }
    ::poll(fds.data(), fds.size(), 20);
    const auto after = Clock::now();
    for (std::size_t i = 0; i < slots.size(); ++i) {
      Slot& s = slots[i];
      if (s.fd < 0) continue;
      const short re = fds[i].revents;
      if (!s.connected && (re & (POLLOUT | POLLERR | POLLHUP))) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          ++failed;
          reopen(s, after, false);
          continue;
        }
        s.connected = true;
        s.next = after;
      }
      if (s.connected && (re & (POLLIN | POLLHUP | POLLERR))) {
        const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) {
          ++closed;
          reopen(s, after, true);
          continue;
        }
        if (n > 0 && s.kind == Kind::kStream) stream_bytes += n;
      }
      if (!s.connected) continue;
      if (s.kind == Kind::kSlow && after >= s.next) {
        const char c = slow_byte(s.sent);
        if (::send(s.fd, &c, 1, MSG_NOSIGNAL) == 1) ++s.sent;
        s.next = after + milliseconds(a.byte_every_ms);
      } else if (s.kind == Kind::kStream && s.sent < kStreamRequest.size()) {
        const ssize_t n = ::send(s.fd, kStreamRequest.data() + s.sent,
                                 kStreamRequest.size() - s.sent, MSG_NOSIGNAL);
        if (n > 0) s.sent += static_cast<std::size_t>(n);
      }
    }
  }
  long held = 0;
  for (auto& s : slots) {
    held += s.connected;
    if (s.fd >= 0) ::close(s.fd);
  }
  std::printf(
      "opened=%ld failed=%ld closed_by_server=%ld held_at_end=%ld max_held=%ld "
      "stream_bytes=%ld\n",
      opened, failed, closed, held, max_held, stream_bytes);
  return 0;
}

// One GET on a fresh connection; milliseconds until the whole reply was read, -1 on failure.
long probe_once(const sockaddr_in& to, const Args& a, int& status) {
  const auto t0 = Clock::now();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (!a.from.empty()) {
    sockaddr_in src{};
    parse_addr(a.from, src, false);
    ::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
  }
  long ms = -1;
  status = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) {
    const std::string req =
        "GET " + a.path + " HTTP/1.1\r\nHost: wall\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      std::string reply;
      char buf[8192];
      for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
          if (n == 0) ms = -2;  // a clean end: decided below
          break;
        }
        reply.append(buf, static_cast<std::size_t>(n));
      }
      if (ms == -2 && reply.rfind("HTTP/1.", 0) == 0) {
        status = std::atoi(reply.c_str() + 9);
        ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
      } else {
        ms = -1;
      }
    }
  }
  ::close(fd);
  return ms;
}

int probe(const Args& a) {
  sockaddr_in to{};
  if (!parse_addr(a.probe, to, true)) return 2;
  std::vector<long> times;
  long failures = 0, not_ok = 0;
  const auto end = Clock::now() + std::chrono::seconds(a.seconds);
  while (Clock::now() < end) {
    const auto t0 = Clock::now();
    int status = 0;
    const long ms = probe_once(to, a, status);
    if (ms < 0)
      ++failures;
    else
      times.push_back(ms);
    if (ms >= 0 && status != 200) ++not_ok;
    std::this_thread::sleep_until(t0 + milliseconds(a.every_ms));
  }
  std::sort(times.begin(), times.end());
  const auto at = [&](double q) {
    return times.empty() ? -1L : times[static_cast<std::size_t>(q * (times.size() - 1))];
  };
  std::printf("answers=%zu failures=%ld not_200=%ld median_ms=%ld p90_ms=%ld max_ms=%ld\n",
              times.size(), failures, not_ok, at(0.5), at(0.9), times.empty() ? -1L : times.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--to")
      a.to = v;
    else if (k == "--from")
      a.from = v;
    else if (k == "--probe")
      a.probe = v;
    else if (k == "--path")
      a.path = v;
    else if (k == "--slow")
      a.slow = std::atoi(v.c_str());
    else if (k == "--idle")
      a.idle = std::atoi(v.c_str());
    else if (k == "--streams")
      a.streams = std::atoi(v.c_str());
    else if (k == "--seconds")
      a.seconds = std::atoi(v.c_str());
    else if (k == "--every-ms")
      a.every_ms = std::atoi(v.c_str());
    else if (k == "--byte-every-ms")
      a.byte_every_ms = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "wall_flood: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (a.seconds <= 0 || a.seconds > 600 || (a.to.empty() == a.probe.empty())) {
    std::fprintf(stderr,
                 "usage: wall_flood --to ADDR:PORT [--from ADDR] [--slow N] [--idle N] "
                 "[--streams N] --seconds S | --probe ADDR:PORT [--path P] --seconds S\n");
    return 2;
  }
  // 500 idle connections and more need more descriptors than the usual soft limit of 1024.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  return a.probe.empty() ? flood(a) : probe(a);
}
