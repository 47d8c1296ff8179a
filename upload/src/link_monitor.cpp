// SPDX-License-Identifier: Apache-2.0
// LinkMonitor on rtnetlink: the kernel multicasts RTM_NEW/DEL{LINK,ADDR,ROUTE} to the
// groups we join; we only need to know that something changed, not what.
#include "link_monitor.h"

#if defined(__linux__)
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#endif

namespace pb::upload {

#if defined(__linux__)

LinkMonitor::LinkMonitor() {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return;
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups =
      RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

LinkMonitor::~LinkMonitor() {
  if (fd_ >= 0) ::close(fd_);
}

bool LinkMonitor::drain() {
  if (fd_ < 0) return false;
  bool changed = false;
  // Bounded: a flood of messages (a table dump by another program) cannot keep the
  // worker here; what is left is read at the next wake-up.
  for (int reads = 0; reads < 64; ++reads) {
    alignas(nlmsghdr) char buf[8192];
    sockaddr_nl from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {  // the socket overflowed: changes were lost, so assume one
        changed = true;
        continue;
      }
      break;  // EAGAIN: nothing more to read
    }
    if (n == 0) break;
    // Only the kernel (port 0) speaks for the network; ignore anything else.
    if (from.nl_pid != 0) continue;
    auto len = static_cast<unsigned int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      switch (h->nlmsg_type) {
        case RTM_NEWLINK:
        case RTM_DELLINK:
        case RTM_NEWADDR:
        case RTM_DELADDR:
        case RTM_NEWROUTE:
        case RTM_DELROUTE:
          changed = true;
          break;
        default:
          break;
      }
    }
  }
  return changed;
}

#else

LinkMonitor::LinkMonitor() = default;
LinkMonitor::~LinkMonitor() = default;
bool LinkMonitor::drain() {
  return false;
}

#endif

}  // namespace pb::upload
