// SPDX-License-Identifier: Apache-2.0
// S3 and WebDAV listings parsed with expat (see listing.h).
#include "listing.h"

#include <expat.h>

#include <memory>

namespace pb::upload {
namespace {

bool good_name(const std::string& n) {
  if (n.empty() || n == "." || n == ".." || n.size() > 255) return false;
  for (char c : n)
    if (c == '/' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

// Element names arrive as "<namespace URI> <local name>" (XML_ParserCreateNS with ' ').
std::string local_name(const XML_Char* name) {
  std::string n(name);
  auto space = n.rfind(' ');
  return space == std::string::npos ? n : n.substr(space + 1);
}

struct Collector {
  std::vector<std::string> path;  // open elements, local names
  std::string text;               // character data of the innermost element
  bool too_many = false;
  // S3
  std::vector<std::string> keys, prefixes;
  std::string next_token;
  bool truncated = false;
  bool s3_root = false;
  // WebDAV
  struct Member {
    std::string href;
    bool collection = false;
  };
  std::vector<Member> members;
  bool dav_root = false;

  std::size_t count() const { return keys.size() + prefixes.size() + members.size(); }
};

void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char**) {
  auto* c = static_cast<Collector*>(data);
  std::string n = local_name(name);
  if (c->path.empty()) {
    c->s3_root = n == "ListBucketResult";
    c->dav_root = n == "multistatus";
  }
  if (c->dav_root && n == "response") c->members.push_back({});
  if (c->dav_root && n == "collection" && !c->members.empty()) c->members.back().collection = true;
  c->path.push_back(std::move(n));
  c->text.clear();
}

void XMLCALL on_end(void* data, const XML_Char*) {
  auto* c = static_cast<Collector*>(data);
  if (c->path.empty()) return;
  const std::string n = c->path.back();
  const std::string parent = c->path.size() >= 2 ? c->path[c->path.size() - 2] : "";
  if (c->count() >= kMaxListingEntries) {
    c->too_many = true;
  } else if (c->s3_root) {
    if (n == "Key" && parent == "Contents") c->keys.push_back(c->text);
    if (n == "Prefix" && parent == "CommonPrefixes") c->prefixes.push_back(c->text);
    if (n == "NextContinuationToken" && parent == "ListBucketResult") c->next_token = c->text;
    if (n == "IsTruncated" && parent == "ListBucketResult") c->truncated = c->text == "true";
  } else if (c->dav_root) {
    if (n == "href" && parent == "response" && !c->members.empty())
      c->members.back().href = c->text;
  }
  c->path.pop_back();
  c->text.clear();
}

void XMLCALL on_text(void* data, const XML_Char* s, int len) {
  auto* c = static_cast<Collector*>(data);
  if (c->text.size() + static_cast<std::size_t>(len) <= 4096) c->text.append(s, len);
}

// No DTD, no entity expansion: a reply declaring entities is refused.
void XMLCALL on_entity_decl(void* data, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                            const XML_Char*, const XML_Char*, const XML_Char*) {
  static_cast<Collector*>(data)->too_many = true;
}

bool parse(std::string_view xml, Collector& c, std::string& error) {
  if (xml.size() > kMaxListingBody) {
    error = "the listing is larger than " + std::to_string(kMaxListingBody / 1024) + " KiB";
    return false;
  }
  std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> p(XML_ParserCreateNS(nullptr, ' '),
                                                            XML_ParserFree);
  if (!p) {
    error = "out of memory";
    return false;
  }
  XML_SetUserData(p.get(), &c);
  XML_SetElementHandler(p.get(), on_start, on_end);
  XML_SetCharacterDataHandler(p.get(), on_text);
  XML_SetEntityDeclHandler(p.get(), on_entity_decl);
  if (XML_Parse(p.get(), xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR) {
    error = std::string("not XML: ") + XML_ErrorString(XML_GetErrorCode(p.get())) + " at line " +
            std::to_string(XML_GetCurrentLineNumber(p.get()));
    return false;
  }
  if (c.too_many) {
    error = "more than " + std::to_string(kMaxListingEntries) + " entries, or a DTD";
    return false;
  }
  if (c.path.size() > 64) {
    error = "nested too deeply";
    return false;
  }
  return true;
}

}  // namespace

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int a = hex(s[i + 1]), b = hex(s[i + 2]);
      if (a >= 0 && b >= 0) {
        out += static_cast<char>(a * 16 + b);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

ListingPage parse_s3_listing(std::string_view xml, const std::string& dir_key) {
  ListingPage page;
  Collector c;
  if (!parse(xml, c, page.error)) return page;
  if (!c.s3_root) {
    page.error = "not a ListBucketResult";
    return page;
  }
  const std::string base = dir_key.empty() ? "" : dir_key + "/";
  auto rest = [&](const std::string& key) -> std::string {
    return key.compare(0, base.size(), base) == 0 ? key.substr(base.size()) : "";
  };
  for (const auto& k : c.keys)
    if (std::string n = rest(k); good_name(n)) page.entries.push_back({n, false});
  for (const auto& p : c.prefixes) {
    std::string n = rest(p);
    if (!n.empty() && n.back() == '/') n.pop_back();
    if (good_name(n)) page.entries.push_back({n, true});
  }
  if (c.truncated) page.next_token = c.next_token;
  if (c.truncated && page.next_token.empty()) {
    page.error = "a truncated listing without a continuation token";
    return page;
  }
  page.ok = true;
  return page;
}

ListingPage parse_propfind(std::string_view xml, const std::string& dir_path) {
  ListingPage page;
  Collector c;
  if (!parse(xml, c, page.error)) return page;
  if (!c.dav_root) {
    page.error = "not a DAV multistatus";
    return page;
  }
  const std::string self = reduced_path(percent_decode(dir_path));
  for (const auto& m : c.members) {
    // Decoded first, then reduced: "%2e%2e" is ".." only now, and a member is a name
    // directly inside the collection, never what a path of dots leads to.
    std::string href = percent_decode(m.href);
    // An absolute URL: keep its path.
    if (auto scheme = href.find("://"); scheme != std::string::npos) {
      auto slash = href.find('/', scheme + 3);
      href = slash == std::string::npos ? "/" : href.substr(slash);
    }
    href = reduced_path(href);
    if (href == self) continue;
    const auto slash = href.rfind('/');
    if (slash == std::string::npos || href.substr(0, slash) != self) continue;
    std::string name = href.substr(slash + 1);
    if (good_name(name)) page.entries.push_back({name, m.collection});
  }
  page.ok = true;
  return page;
}

std::string reduced_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) (out += '/') += p;
  return out;
}

}  // namespace pb::upload
