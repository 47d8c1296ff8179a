// SPDX-License-Identifier: Apache-2.0
// systemd's notify protocol without libsystemd (a datagram per message) and the booth's
// rules for a lost display: exit non-zero so the service restarts it, never hang.
#include "service.h"

#include <SDL_syswm.h>
#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace pb::kiosk {

namespace {
constexpr int kFailedFramesToGiveUp = 30;  // ~0.5 s of frames the renderer refused

// Status lines are ours, but keep them one line: a newline would start a new assignment.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}
}  // namespace

ServiceNotifier ServiceNotifier::from_environment() {
  ServiceNotifier n;
  const char* socket_path = std::getenv("NOTIFY_SOCKET");
  if (!socket_path || !*socket_path) return n;
  std::string address = socket_path;
  if (address[0] == '@') {
    address[0] = '\0';
  } else if (address[0] != '/') {
    return n;  // neither a path nor an abstract name (e.g. vsock): not ours to speak
  }
  if (address.size() >= sizeof(sockaddr_un::sun_path)) return n;
  n.fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (n.fd_ < 0) return n;
  n.address_ = address;

  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  char* end = nullptr;
  const long long timeout = usec ? std::strtoll(usec, &end, 10) : 0;
  bool ours = true;
  if (pid && *pid) {
    char* pid_end = nullptr;
    const long long p = std::strtoll(pid, &pid_end, 10);
    ours = *pid_end == '\0' && (p == ::getpid() || p == ::getppid());
  }
  if (usec && end && *end == '\0' && timeout > 0 && ours)
    n.watchdog_ = std::chrono::microseconds(timeout);
  return n;
}

ServiceNotifier::~ServiceNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

ServiceNotifier::ServiceNotifier(ServiceNotifier&& other) noexcept
    : fd_(other.fd_),
      address_(std::move(other.address_)),
      watchdog_(other.watchdog_),
      last_ping_(other.last_ping_),
      ready_sent_(other.ready_sent_) {
  other.fd_ = -1;
}

bool ServiceNotifier::send(const std::string& message) {
  if (fd_ < 0) return false;
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  std::memcpy(to.sun_path, address_.data(), address_.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size() +
                                          (address_[0] == '\0' ? 0 : 1));
  ssize_t sent;
  do {
    sent = ::sendto(fd_, message.data(), message.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&to), len);
  } while (sent < 0 && errno == EINTR);
  return sent == static_cast<ssize_t>(message.size());
}

void ServiceNotifier::starting(const std::string& step) {
  if (ready_sent_) return;
  send("EXTEND_TIMEOUT_USEC=" +
       std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(kStartStep).count()) +
       "\nSTATUS=" + one_line(step));
}

void ServiceNotifier::ready(const std::string& status) {
  if (ready_sent_) return;
  ready_sent_ = true;
  // No MAINPID=: the unit's main process stays cage, systemd's own child, whose exit it sees
  // at once (a main process that is not its child it can only watch through the cgroup).
  send("READY=1\nSTATUS=" + one_line(status));
}

void ServiceNotifier::status(const std::string& status) {
  send("STATUS=" + one_line(status));
}

void ServiceNotifier::watchdog(Clock::time_point now) {
  // Not before READY=1: systemd arms the watchdog at the first ping, and a first frame that
  // takes long (Mesa compiling its shaders on a slow CPU) belongs to TimeoutStartSec=.
  if (watchdog_.count() == 0 || fd_ < 0 || !ready_sent_) return;
  if (last_ping_ != Clock::time_point{} && now - last_ping_ < watchdog_ / 4) return;
  if (send("WATCHDOG=1")) last_ping_ = now;
}

void ServiceNotifier::stopping() {
  send("STOPPING=1");
}

namespace {
// Wayland: SDL turns a dead compositor connection into a quit request. libwayland-client is
// already loaded by SDL when that backend runs, so ask it directly without linking it.
bool wayland_connection_lost(SDL_Window* window) {
  SDL_SysWMinfo info;
  SDL_VERSION(&info.version);
  if (!window || !SDL_GetWindowWMInfo(window, &info)) return false;
#if defined(SDL_VIDEO_DRIVER_WAYLAND)
  if (info.subsystem != SDL_SYSWM_WAYLAND || !info.info.wl.display) return false;
  using GetError = int (*)(void*);
  auto get_error = reinterpret_cast<GetError>(dlsym(RTLD_DEFAULT, "wl_display_get_error"));
  return get_error && get_error(info.info.wl.display) != 0;
#else
  return false;
#endif
}
}  // namespace

std::string DisplayWatch::on_event(const SDL_Event& e, SDL_Window* window, bool windowed) {
  if (e.type == SDL_RENDER_DEVICE_RESET) return "the GPU was lost (render device reset)";
  if (e.type == SDL_DISPLAYEVENT && e.display.event == SDL_DISPLAYEVENT_DISCONNECTED &&
      SDL_GetNumVideoDisplays() < 1)
    return "the last display was disconnected";
  if (!windowed && e.type == SDL_QUIT && wayland_connection_lost(window))
    return "the connection to the Wayland compositor was lost";
  return "";
}

std::string DisplayWatch::on_frame(int render_result) {
  if (render_result == 0) {
    failed_frames_ = 0;
    return "";
  }
  if (++failed_frames_ < kFailedFramesToGiveUp) return "";
  return std::string("the renderer failed ") + std::to_string(failed_frames_) +
         " frames in a row: " + SDL_GetError();
}

}  // namespace pb::kiosk
