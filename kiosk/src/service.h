// SPDX-License-Identifier: Apache-2.0
// What the booth tells the service manager that runs it (systemd's notify protocol: READY,
// WATCHDOG, STATUS) and when it gives up on the display so that the service restarts it.
#pragma once

#include <SDL.h>

#include <chrono>
#include <string>

namespace pb::kiosk {

// Datagrams to $NOTIFY_SOCKET (a path or an abstract "@name" unix socket). Without that
// variable every call does nothing. Sends never block the UI loop: a full or missing
// receiver loses the message, which is what systemd would see of a hung booth anyway.
class ServiceNotifier {
 public:
  using Clock = std::chrono::steady_clock;
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. The watchdog is ours when
  // WATCHDOG_PID is unset, our pid, or our parent's (under cage the unit's main process
  // is the compositor and the booth its child; the unit then needs NotifyAccess=all).
  static ServiceNotifier from_environment();
  ServiceNotifier() = default;
  ~ServiceNotifier();
  ServiceNotifier(ServiceNotifier&& other) noexcept;
  ServiceNotifier& operator=(ServiceNotifier&&) = delete;
  ServiceNotifier(const ServiceNotifier&) = delete;

  bool enabled() const { return fd_ >= 0; }
  // The gap between two pings the service allows (WATCHDOG_USEC); 0 = no watchdog.
  std::chrono::microseconds watchdog_timeout() const { return watchdog_; }
  // Before READY=1: a start-up step is done (STATUS=), and the service manager's start
  // timeout runs again from now (EXTEND_TIMEOUT_USEC=kStartStep): a slow but moving start
  // (a slow CPU, emulation) is not killed, a start stuck in one step still is.
  static constexpr std::chrono::seconds kStartStep{90};
  void starting(const std::string& step);
  // READY=1 with a status line; only the first call sends. The booth is not the unit's main
  // process (cage is): the unit needs NotifyAccess=all.
  void ready(const std::string& status);
  bool ready_sent() const { return ready_sent_; }
  void status(const std::string& status);
  // WATCHDOG=1 when a quarter of the timeout has passed since the last ping, so a ping
  // arrives at least every half timeout even when a frame takes long. Nothing before
  // ready(): the start-up up to the first frame is the service's start timeout's to judge.
  void watchdog(Clock::time_point now);
  void stopping();

 private:
  bool send(const std::string& message);
  int fd_ = -1;
  std::string address_;  // sun_path bytes, a leading '\0' for an abstract socket
  std::chrono::microseconds watchdog_{0};
  Clock::time_point last_ping_{};
  bool ready_sent_ = false;
};

// Decides from SDL's events and render results that the display or GPU is gone for good.
// Returns a message naming what was lost, or "" while the display is fine.
class DisplayWatch {
 public:
  // kiosk mode (not windowed): a quit request is the lockdown's to ignore, unless the
  // display connection behind it is gone (a compositor that died sends one).
  std::string on_event(const SDL_Event& e, SDL_Window* window, bool windowed);
  // After each frame: the renderer's result for that frame (SDL_RenderFlush).
  std::string on_frame(int render_result);

 private:
  int failed_frames_ = 0;
};

}  // namespace pb::kiosk
