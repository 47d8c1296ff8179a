// SPDX-License-Identifier: Apache-2.0
// Listings of a target's "folder" (S3 ListObjectsV2, WebDAV PROPFIND) read with expat: a
// streaming XML parser, so a reply of any shape costs time linear in its bytes, and at most
// kMaxListingEntries names are kept. For `pledgebooth tally`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pb::upload {

inline constexpr std::size_t kMaxListingEntries = 100000;
// Bytes of one listing reply kept (a ListObjectsV2 page of 1000 keys is ~300 KB).
inline constexpr std::size_t kMaxListingBody = 4 * 1024 * 1024;

struct ListingEntry {
  std::string name;  // one path segment, decoded; never "", ".", ".." or with '/'
  bool folder = false;
};

struct ListingPage {
  bool ok = false;  // false: not the XML expected (error says why)
  std::string error;
  std::vector<ListingEntry> entries;
  std::string next_token;  // S3: NextContinuationToken when IsTruncated ("" = last page)
};

// A ListObjectsV2 reply (with delimiter '/') for keys under dir_key + "/": CommonPrefixes
// become folders, Contents files; names are what follows dir_key + "/".
ListingPage parse_s3_listing(std::string_view xml, const std::string& dir_key);
// A PROPFIND Depth 1 reply for the collection at path dir_path (the URL's path, e.g.
// "/dav/campaign/"): its members, the collection itself left out. Each href is
// percent-decoded, then reduced (reduced_path); only a name directly inside the collection
// counts, so no href of dots or double encoding names something outside it.
ListingPage parse_propfind(std::string_view xml, const std::string& dir_path);
// "%41b" → "Ab"; nullopt-free: a broken escape stays as it is.
std::string percent_decode(std::string_view s);
// An absolute path with "." and ".." parts resolved and empty parts and a trailing '/'
// dropped ("/a/./b/../c/" → "/a/c", "/.." → ""): what a server may take the path for.
std::string reduced_path(std::string_view path);

}  // namespace pb::upload
