// SPDX-License-Identifier: Apache-2.0
// LinkMonitor: tells the upload worker that the booth's network changed (a link went up or
// down, an address or a route came or went), so it probes offline targets at once instead
// of waiting for the next scheduled probe. Linux rtnetlink; elsewhere it never fires.
// Not thread-safe: the worker thread owns it and polls fd() beside its curl transfers.
#pragma once

namespace pb::upload {

class LinkMonitor {
 public:
  // Opens a non-blocking NETLINK_ROUTE socket subscribed to link, IPv4/IPv6 address and
  // route changes. When that fails (no netlink, a seccomp sandbox) fd() is -1 and the
  // worker relies on its probe cadence alone.
  LinkMonitor();
  ~LinkMonitor();
  LinkMonitor(const LinkMonitor&) = delete;
  LinkMonitor& operator=(const LinkMonitor&) = delete;

  // The socket to wait on for readability (-1 = none).
  int fd() const { return fd_; }
  // Reads every message queued on the socket without blocking. True when at least one of
  // them reports a change of link, address or route (a burst of them counts once); also
  // true after the kernel dropped messages (ENOBUFS: something changed, we missed what).
  bool drain();

 private:
  int fd_ = -1;
};

}  // namespace pb::upload
