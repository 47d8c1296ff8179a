// SPDX-License-Identifier: Apache-2.0
// The parts of an http(s) URL the booth reads, read one way everywhere: the host a message
// names or a connect goes to, the user:password@ that must never sit in a config file, and
// the plain-http rule (only to this machine, unless the config allows it). No regex, no
// recursion: a URL of any length from a config file or a server reply is safe here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pb::url {

// What lies between "://" and the first '/', '?' or '#' (from the start when there is no
// "://"): [userinfo@]host[:port].
inline std::string_view authority(std::string_view url) {
  const std::size_t scheme = url.find("://");
  const std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  return url.substr(start, url.find_first_of("/?#", start) - start);
}

// True when the authority carries a user (and maybe a password) before an '@': a secret.
inline bool has_userinfo(std::string_view url) {
  return authority(url).find('@') != std::string_view::npos;
}

// host[:port] without any userinfo, for messages ("the certificate of s3.example.org").
inline std::string_view host_port(std::string_view url) {
  const std::string_view a = authority(url);
  const std::size_t at = a.rfind('@');
  return at == std::string_view::npos ? a : a.substr(at + 1);
}

struct HostPort {
  std::string host;                 // an IPv6 address without its brackets
  bool bracketed = false;           // written as [v6]
  std::optional<std::string> port;  // after ':' as written (maybe empty or not digits)
};

// Splits host[:port] (see host_port()); nullopt for "[" without "]" or anything but
// ":port" after "]".
inline std::optional<HostPort> split_host_port(std::string_view hp) {
  HostPort out;
  if (!hp.empty() && hp.front() == '[') {
    const std::size_t close = hp.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(hp.substr(1, close - 1));
    out.bracketed = true;
    const std::string_view rest = hp.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) out.port = std::string(rest.substr(1));
    return out;
  }
  const std::size_t colon = hp.rfind(':');
  out.host = std::string(hp.substr(0, colon));
  if (colon != std::string_view::npos) out.port = std::string(hp.substr(colon + 1));
  return out;
}

// Where a connection to an http(s) URL goes: host and port (443 for https, else 80, when
// none is written). nullopt when it is not scheme://host... or the host is empty.
inline std::optional<HostPort> endpoint(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  auto hp = split_host_port(host_port(url));
  if (!hp || hp->host.empty() || (hp->port && hp->port->empty())) return std::nullopt;
  if (!hp->port) hp->port = url.substr(0, scheme) == "https" ? "443" : "80";
  return hp;
}

// True for an http:// URL whose host is 127.x, localhost or [::1] (with an optional port of
// digits) and that carries no user and no control character: plain http may go there.
inline bool is_loopback_http(std::string_view url) {
  if (url.substr(0, 7) != "http://") return false;
  for (char c : url)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  if (has_userinfo(url)) return false;
  const auto hp = split_host_port(host_port(url));
  if (!hp) return false;
  if (hp->port &&
      (hp->port->empty() || hp->port->find_first_not_of("0123456789") != std::string::npos))
    return false;
  if (hp->bracketed) return hp->host == "::1";
  if (hp->host == "localhost") return true;
  return hp->host.size() > 4 && hp->host.rfind("127.", 0) == 0 &&
         hp->host.find_first_not_of("0123456789.", 4) == std::string::npos;
}

// The plain-http rule, for config checks and every request alike: an http:// URL to a host
// other than this machine is refused unless allow_plain_http is set (pledges and the booth's
// status would travel unencrypted).
inline bool plain_http_refused(std::string_view url, bool allow_plain_http) {
  return url.substr(0, 7) == "http://" && !allow_plain_http && !is_loopback_http(url);
}

}  // namespace pb::url
