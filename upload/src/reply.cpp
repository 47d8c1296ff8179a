// SPDX-License-Identifier: Apache-2.0
// Reply classification and the operator's message: bounded, linear readers of untrusted bytes.
#include "reply.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <optional>

#include <nlohmann/json.hpp>

#include "pb/url.h"
#include "pb/utf8.h"

namespace pb::upload {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Case-insensitive: does s hold `word` at i?
bool word_at(std::string_view s, std::size_t i, std::string_view word) {
  if (s.size() - i < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k)
    if (lower(s[i + k]) != word[k]) return false;
  return true;
}

bool contains(std::string_view s, std::string_view what) {
  for (std::size_t i = 0; i + what.size() <= s.size(); ++i)
    if (word_at(s, i, what)) return true;
  return false;
}

// The deepest nesting of {} and [] outside strings, counting no further than limit + 1.
int json_depth(std::string_view s, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

// The reply as a JSON object, when it is one (parsed without exceptions, depth bounded).
std::optional<nlohmann::json> json_object(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.front() != '{' || json_depth(text, kMaxJsonDepth) > kMaxJsonDepth)
    return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

// The words of a JSON error: "error" (a string, or an object with a "message"), "message"
// or "detail".
std::string json_words(const nlohmann::json& j) {
  for (const char* name : {"error", "message", "detail"}) {
    auto it = j.find(name);
    if (it == j.end()) continue;
    if (it->is_string() && !it->get_ref<const std::string&>().empty())
      return it->get<std::string>();
    if (it->is_object()) {
      auto m = it->find("message");
      if (m != it->end() && m->is_string() && !m->get_ref<const std::string&>().empty())
        return m->get<std::string>();
    }
  }
  return "";
}

std::string xml_unescape(std::string_view s) {
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      for (const auto& [name, c] : kEntities)
        if (s.compare(i, name.size(), name) == 0) {
          out += c;
          i += name.size();
          replaced = true;
          break;
        }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

struct XmlWords {
  bool error_root = false;  // the first element is <Error> (S3) or <…:error> (WebDAV)
  std::string code;         // <Code> (S3) or <…:exception> (Sabre/Nextcloud)
  std::string message;      // <Message> or <…:message>
};

// One pass over the tags: each '<' is looked at once and the scan never goes back, so the
// time is linear in the body whatever its shape.
XmlWords scan_xml(std::string_view s) {
  XmlWords w;
  bool first = true;
  std::size_t i = 0;
  while ((i = s.find('<', i)) != std::string_view::npos) {
    std::size_t start = i + 1;
    if (start >= s.size()) break;
    if (s[start] == '?' || s[start] == '!' || s[start] == '/') {
      i = start;
      continue;
    }
    std::size_t end = start;
    while (end < s.size() && !is_space(s[end]) && s[end] != '>' && s[end] != '/' && s[end] != '<')
      ++end;
    std::string_view name = s.substr(start, end - start);
    auto colon = name.rfind(':');
    std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
    std::size_t gt = s.find('>', end);
    if (gt == std::string_view::npos) break;
    if (first) {
      w.error_root = local == "Error" || local == "error";
      first = false;
    }
    std::string* into = nullptr;
    if ((local == "Code" || local == "exception") && w.code.empty()) into = &w.code;
    if ((local == "Message" || local == "message") && w.message.empty()) into = &w.message;
    if (into && s[gt - 1] != '/') {
      std::size_t close = s.find('<', gt + 1);
      std::string_view text =
          s.substr(gt + 1, (close == std::string_view::npos ? s.size() : close) - gt - 1);
      *into = xml_unescape(trim(text.substr(0, kMaxServerWords * 2)));
    }
    i = gt;
  }
  return w;
}

// Plain text or HTML: tags dropped, whitespace collapsed; stops once there is enough.
std::string plain_words(std::string_view s) {
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (out.size() > kMaxServerWords * 2) break;
    if (c == '<') {
      in_tag = true;
      continue;
    }
    if (c == '>') {
      in_tag = false;
      c = ' ';
    } else if (in_tag) {
      continue;
    }
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return std::string(trim(out));
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("+/=._~-", c) != nullptr;
}

// A run after "Basic " or "Bearer " that looks like a credential rather than an English word.
bool looks_like_token(std::string_view t) {
  if (t.size() < 8) return false;
  bool digit = false, upper = false, lower_case = false, sign = false;
  for (char c : t) {
    digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
    upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
    lower_case |= std::islower(static_cast<unsigned char>(c)) != 0;
    sign |= c == '+' || c == '/' || c == '=';
  }
  return digit || sign || (upper && lower_case);
}

}  // namespace

std::string body_text(std::string_view b) {
  b = b.substr(0, std::min(b.size(), kMaxReplyBody));
  if (b.size() >= 3 && b.compare(0, 3, "\xEF\xBB\xBF") == 0) b.remove_prefix(3);
  bool le = b.size() >= 2 && b[0] == '\xFF' && b[1] == '\xFE';
  bool be = b.size() >= 2 && b[0] == '\xFE' && b[1] == '\xFF';
  if (le || be) {
    b.remove_prefix(2);
  } else if (b.size() >= 4) {
    // No BOM: UTF-16 text of ASCII words has a NUL in every other byte.
    std::size_t even = 0, odd = 0, n = std::min<std::size_t>(b.size() & ~std::size_t{1}, 64);
    for (std::size_t i = 0; i < n; ++i) (i % 2 ? odd : even) += b[i] == '\0';
    le = odd * 4 >= n && even == 0;
    be = even * 4 >= n && odd == 0;
  }
  if (le || be) {
    std::u32string text;
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
      auto unit = [&](std::size_t k) -> char32_t {
        auto lo = static_cast<unsigned char>(b[k + (be ? 1 : 0)]);
        auto hi = static_cast<unsigned char>(b[k + (be ? 0 : 1)]);
        return static_cast<char32_t>(hi << 8 | lo);
      };
      char32_t c = unit(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 3 < b.size()) {
        char32_t next = unit(i + 2);
        if (next >= 0xDC00 && next <= 0xDFFF) {
          text.push_back(0x10000 + ((c - 0xD800) << 10) + (next - 0xDC00));
          i += 2;
          continue;
        }
      }
      text.push_back(c >= 0xD800 && c <= 0xDFFF ? U'\uFFFD' : c);
    }
    return encode_utf8(text);
  }
  if (is_valid_utf8(b)) return std::string(b);
  std::string latin1;  // the common other encoding of European servers' messages
  for (char c : b) latin1 += encode_utf8(static_cast<char32_t>(static_cast<unsigned char>(c)));
  return latin1;
}

bool is_error_body(std::string_view body) {
  if (body.empty()) return false;
  const std::string text = body_text(body);
  if (auto j = json_object(text)) {
    auto error = j->find("error");
    if (error != j->end() &&
        ((error->is_string() && !error->get_ref<const std::string&>().empty()) ||
         error->is_object() || (error->is_boolean() && error->get<bool>())))
      return true;
    auto ok = j->find("ok");
    return ok != j->end() && ok->is_boolean() && !ok->get<bool>();
  }
  std::string_view t = trim(text);
  return !t.empty() && t.front() == '<' && scan_xml(t).error_root;
}

std::optional<std::int64_t> json_size_field(std::string_view body, const char* name) {
  auto j = json_object(body_text(body));
  if (!j) return std::nullopt;
  auto it = j->find(name);
  if (it == j->end()) return std::nullopt;
  if (it->is_number_unsigned() && it->get<std::uint64_t>() <= INT64_MAX)
    return static_cast<std::int64_t>(it->get<std::uint64_t>());
  if (it->is_number_integer()) return it->get<std::int64_t>();
  return -1;
}

std::string server_message(std::string_view body) {
  const std::string text = body_text(body);
  std::string_view t = trim(text);
  std::string words;
  if (auto j = json_object(t)) words = json_words(*j);
  if (words.empty() && !t.empty() && t.front() == '<') {
    XmlWords x = scan_xml(t);
    if (!x.code.empty() || !x.message.empty())
      words = x.code + (x.code.empty() || x.message.empty() ? "" : ": ") + x.message;
  }
  if (words.empty()) words = plain_words(t);
  std::string out = printable_text(words, kMaxServerWords);
  return std::string(trim(out));
}

std::string tls_hint(CURLcode code, long verify_result, const std::string& curl_error,
                     const std::string& url) {
  // OpenSSL's X509_V_ERR_* values (stable ABI numbers).
  constexpr long kNotYetValid = 9, kExpired = 10, kSelfSigned = 18, kSelfSignedInChain = 19,
                 kNoLocalIssuer = 20, kUnverifiableLeaf = 21, kNoIssuer = 2, kUntrusted = 27,
                 kHostMismatch = 62, kIpMismatch = 64;
  const std::string host(url::host_port(url));
  const std::string detail = " (" + curl_error + ")";
  const long v = verify_result;
  if (v == kExpired || contains(curl_error, "expired"))
    return "TLS: the certificate of " + host +
           " has expired (or this booth's clock is wrong); the server's admin must renew it" +
           detail;
  if (v == kNotYetValid || contains(curl_error, "not yet valid"))
    return "TLS: the certificate of " + host +
           " is not valid yet: is this booth's date and time right?" + detail;
  if (v == kHostMismatch || v == kIpMismatch || contains(curl_error, "subject name") ||
      contains(curl_error, "does not match") || contains(curl_error, "hostname mismatch"))
    return "TLS: the certificate presented is not for " + host +
           " (a Wi-Fi login page or a wrong url?); log in to the network or check the target's "
           "url" +
           detail;
  if (v == kSelfSigned || v == kSelfSignedInChain || v == kNoLocalIssuer ||
      v == kUnverifiableLeaf || v == kNoIssuer || v == kUntrusted ||
      contains(curl_error, "self-signed") || contains(curl_error, "self signed") ||
      contains(curl_error, "issuer") || contains(curl_error, "unknown ca"))
    return "TLS: the certificate of " + host +
           " is from an unknown CA (self-signed or a private CA); if you trust it, set ca_file "
           "to that CA's certificate" +
           detail;
  if (code == CURLE_SSL_CONNECT_ERROR)
    return "TLS: the handshake with " + host + " failed" + detail;
  return "TLS: the certificate of " + host + " is not trusted" + detail;
}

Outcome classify(const HttpRequest& request, const HttpResponse& r,
                 const std::vector<long>& ok_statuses) {
  Outcome o;
  const std::string what = request.method;
  if (r.curl != CURLE_OK && !r.body_cut) {
    o.verdict = Verdict::kRetry;
    switch (r.curl) {
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_CONNECT_ERROR:
        // Often for a while only (a captive portal's certificate until someone logs in):
        // retried with backoff, the hint in ADMIN says what would fix it for good.
        o.message = tls_hint(r.curl, r.ssl_verify_result, r.curl_error, request.url);
        return o;
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        // Our own files: nothing changes until the operator fixes them.
        o.verdict = Verdict::kFail;
        o.message = "TLS: the configured certificate file cannot be used (" + r.curl_error + ")";
        return o;
      case CURLE_URL_MALFORMAT:
        o.verdict = Verdict::kFail;
        o.message = r.curl_error;
        return o;
      case CURLE_UNSUPPORTED_PROTOCOL:  // the URL's scheme was checked: an HTTP/0.9-like reply
      case CURLE_WEIRD_SERVER_REPLY:
      case CURLE_HTTP2:
        o.message = what +
                    ": the reply was not HTTP (a Wi-Fi login page, a proxy or another service on "
                    "that port?): " +
                    r.curl_error;
        return o;
      case CURLE_OPERATION_TIMEDOUT:
        if (r.deadline_ms > 0 && r.total_ms + 50 >= r.deadline_ms) {
          o.message = what + ": no complete answer within " +
                      std::to_string((r.deadline_ms + 999) / 1000) +
                      " s (the deadline for this request); the server or the link is too slow";
          return o;
        }
        o.network = true;
        o.message = "network: " + r.curl_error;
        return o;
      case CURLE_READ_ERROR:
      case CURLE_ABORTED_BY_CALLBACK:
        o.message = what + ": " + r.curl_error;
        return o;
      default:
        o.network = true;
        o.message = "network: " + r.curl_error;
        return o;
    }
  }
  const long s = r.status;
  const std::string head = what + " HTTP " + std::to_string(s);
  const bool two = s >= 200 && s < 300;
  const bool listed = std::find(ok_statuses.begin(), ok_statuses.end(), s) != ok_statuses.end();
  if (r.body_cut && (two || listed || s < 100)) {
    o.verdict = Verdict::kRetry;
    o.message = head + ": the reply went on past " + std::to_string(kMaxReplyBody / 1024) +
                " KiB and was cut off (a broken server or proxy?)";
    return o;
  }
  if (two || listed) {
    if (two && is_error_body(r.body)) {
      o.verdict = Verdict::kRetry;
      std::string m = server_message(r.body);
      o.message = head + " with an error body" + (m.empty() ? "" : ": " + m);
      return o;
    }
    o.verdict = Verdict::kOk;
    return o;
  }
  std::string m = server_message(r.body);
  o.message = head + (m.empty() ? "" : ": " + m);
  if (s >= 300 && s < 400) {
    // Never followed (it could lead to plain http or elsewhere); often a captive portal.
    std::string to = printable_text(r.location, 200);
    o.message += std::string(m.empty() ? ":" : ";") + " the server redirects" +
                 (to.empty() ? "" : " to " + to) +
                 " (not followed: a Wi-Fi login page or a moved url? check the target's url)";
  }
  if (what == "MKCOL" && s == 409) o.message += " (does the target's base folder exist?)";
  // 423 Locked: another request holds the resource (WebDAV servers lock a collection while
  // it is made). MKCOL 409: the parent is missing, maybe only for a moment because a
  // parallel transfer is making it; a base folder that never appears stays pending with
  // the hint above, visible in ADMIN.
  const bool transient_dav = s == 423 || (what == "MKCOL" && s == 409);
  if (s == 408 || s == 429 || s >= 500 || s < 200 || (s >= 300 && s < 400) || transient_dav) {
    o.verdict = Verdict::kRetry;
    o.retry_after_s = r.retry_after_s;
  } else {
    o.verdict = Verdict::kFail;
  }
  return o;
}

std::string base64(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  std::vector<std::string> by_length(secrets.begin(), secrets.end());
  std::sort(by_length.begin(), by_length.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& s : by_length) {
    if (s.empty()) continue;
    for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 3))
      text.replace(at, s.size(), "***");
  }
  // Credentials whatever their value, in one forward pass.
  std::string out;
  out.reserve(text.size());
  const std::string_view t = text;
  std::size_t i = 0;
  auto token_end = [&](std::size_t from) {
    while (from < t.size() && token_char(t[from])) ++from;
    return from;
  };
  while (i < t.size()) {
    if (word_at(t, i, "authorization")) {
      std::size_t k = i + 13;
      bool assigned = false;
      while (k < t.size() && k - i < 13 + 6 && std::strchr("\"': =\t", t[k]) && t[k] != '\0') {
        assigned |= t[k] == ':' || t[k] == '=';
        ++k;
      }
      out.append(t.substr(i, k - i));
      i = k;
      if (!assigned) continue;  // "401 Authorization Required" names no value
      std::size_t scheme = k;
      while (scheme < t.size() &&
             (std::isalnum(static_cast<unsigned char>(t[scheme])) || t[scheme] == '-'))
        ++scheme;
      if (scheme > k && scheme < t.size() && t[scheme] == ' ') {
        out.append(t.substr(k, scheme + 1 - k));
        k = scheme + 1;
      }
      std::size_t end = k;
      while (end < t.size() && !std::strchr("\"'<>}\r\n", t[end])) ++end;
      if (end > k) out += "***";
      i = end;
      continue;
    }
    bool matched = false;
    for (std::string_view word : {"basic ", "bearer ", "credential=", "signature="}) {
      if (!word_at(t, i, word)) continue;
      std::size_t start = i + word.size(), end = token_end(start);
      out.append(t.substr(i, word.size()));
      if (word.back() == '=' ? end > start : looks_like_token(t.substr(start, end - start))) {
        out += "***";
        i = end;
      } else {
        i = start;
      }
      matched = true;
      break;
    }
    if (matched) continue;
    if (t.compare(i, 3, "://") == 0) {
      std::size_t start = i + 3, end = start;
      while (end < t.size() && !std::strchr("/?#@ \t\r\n\"'<>", t[end])) ++end;
      if (end < t.size() && t[end] == '@' && end > start) {
        out += "://***@";  // user:password@ in a URL
        i = end + 1;
      } else {
        out.append(t.substr(i, end - i));
        i = end;
      }
      continue;
    }
    out += t[i++];
  }
  return out;
}

std::string clean_message(std::string_view text, const std::vector<std::string>& secrets) {
  // Printable first: dropping a control byte afterwards could join a split secret again.
  std::string out = redact(printable_text(text, kMaxMessage * 4), secrets);
  return out.size() > kMaxMessage ? printable_text(out, kMaxMessage) : out;
}

}  // namespace pb::upload
