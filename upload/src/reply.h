// SPDX-License-Identifier: Apache-2.0
// What a server's reply means for the outbox (done, retry later, failed for good) and the
// operator's message made from it. Every byte of a reply is untrusted: bodies are read with
// bounded, linear code (nlohmann's parser for JSON with a depth check first, a tag scan for
// S3/WebDAV XML, never a backtracking regex), and messages leave here as printable UTF-8
// with no credential in them. Pure functions: the unit tests and tests/fuzz/fuzz_reply.cpp
// call them directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transfer.h"

namespace pb::upload {

// Bytes of a reply body kept; a longer body ends the transfer (we only classify bodies).
constexpr std::size_t kMaxReplyBody = 64 * 1024;
// Bytes of the server's own words kept in a message.
constexpr std::size_t kMaxServerWords = 300;
// Bytes of a whole operator message (what the ledger's last_error and ADMIN show).
constexpr std::size_t kMaxMessage = 1000;
// JSON replies nested deeper than this are not parsed (read as plain text instead).
constexpr int kMaxJsonDepth = 32;

// Classifies a finished request. ok_statuses lists extra non-2xx statuses that count as
// success (405 for MKCOL of an existing collection, 404 for DELETE). Only answers that will
// not change by themselves (401, 403, 404 and the like) fail for good; network and TLS
// errors, 3xx, 408, 429, 5xx, non-HTTP replies, endless or late bodies are retried.
// The message is printable but not yet redacted (see clean_message).
Outcome classify(const HttpRequest& request, const HttpResponse& response,
                 const std::vector<long>& ok_statuses = {});

// The server's own words from an S3/WebDAV XML error, a JSON error or a text/HTML body: one
// printable line of at most kMaxServerWords bytes ("" when the body says nothing).
std::string server_message(std::string_view body);

// True for a body that is an error document although the status was 2xx: S3's <Error>,
// a JSON object with an "error" or with "ok": false.
bool is_error_body(std::string_view body);

// The integer field `name` of a JSON object reply (the webhook's "photo_size"): nullopt when
// the reply is no JSON object or has no such field, -1 when the field is not an integer.
std::optional<std::int64_t> json_size_field(std::string_view body, const char* name);

// Body bytes as UTF-8: UTF-16 (with a BOM, or NULs in every other byte) is transcoded,
// invalid UTF-8 is read as Latin-1. Control characters are left for printable_text.
std::string body_text(std::string_view body);

// What went wrong with the server's certificate, in words that say what to do.
// verify_result is CURLINFO_SSL_VERIFYRESULT (an OpenSSL X509_V_ERR_* value).
std::string tls_hint(CURLcode code, long verify_result, const std::string& curl_error,
                     const std::string& url);

// Standard base64 (with padding), for the Basic credentials a server might echo.
std::string base64(std::string_view bytes);

// Replaces each secret (and its base64 forms are expected among them, see Target) with
// "***", and whatever looks like a credential whatever the secrets: the value after an
// Authorization header name, Basic/Bearer tokens, SigV4 Credential=/Signature= values,
// user:password@ in URLs.
std::string redact(std::string text, const std::vector<std::string>& secrets);

// printable_text (valid UTF-8, no control characters), redact, cut to kMaxMessage:
// what may be stored in the ledger, shown in ADMIN or printed.
std::string clean_message(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace pb::upload
