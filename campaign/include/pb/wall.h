// SPDX-License-Identifier: Apache-2.0
// The wall: a web page for the event's projector, served from the local ledger. The newest
// shared photo large, earlier ones in a mosaic, the live count, the answers, a QR code to the
// campaign page; pushed to the page by Server-Sent Events within a poll interval of a save.
// Only pledges with share consent, a photo of their own and not hidden by a volunteer ever
// reach the page: checked again on every snapshot and every photo request, and a photo is
// served only by pledge id, never by a path. The ledger is only read (the booth writes it).
// Safe to expose on an event's network: requests are GET only, their head at most 16 KB and
// whole within 5 s, without a body; an address holds at most 12 connections and 2 streams,
// all others together 200, and a projector's address keeps its own (docs/APPLIANCE.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pb/status.h"

namespace pb::campaign {

struct WallOptions {
  std::string host = "127.0.0.1";  // address to bind; only this one
  int port = 8080;                 // 0 = any free port (see WallServer::port)
  std::string data_dir;            // the booth's data dir (ledger.db, photos/)
  std::string event_id;            // the event shown; other events' pledges are not
  std::string event_name;          // shown as the page's title
  std::string page_url;            // the campaign page the QR code leads to
  std::string assets_dir;          // folder with index.html, wall.css, wall.js
  int poll_ms = 200;               // how often the ledger is checked for changes
  int max_photos = 25;             // the newest photos on the page (1 large + the mosaic)
  int max_answers = 8;             // the newest answers on the page
  int max_stream_clients = 8;      // open /events streams at once; more get 503
  // Addresses of the event's projector (IP addresses, e.g. "192.168.1.20"): each keeps
  // connections and streams of its own that no other client can take. Loopback always does.
  std::vector<std::string> projectors;
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80" → host, port. kInvalid with a sentence.
Status parse_listen(const std::string& text, std::string& host, int& port);

class WallServer {
 public:
  // Loads the page's assets, binds host:port and starts serving in background threads.
  // kInvalid for missing assets, a bad page_url or a projector that is no IP address,
  // kUnavailable when the port cannot be bound.
  // A data dir without a ledger yet is fine: the page shows 0 until the booth saves one.
  static Result<std::unique_ptr<WallServer>> start(const WallOptions& options);
  ~WallServer();  // stops: closes every stream, joins every thread
  WallServer(const WallServer&) = delete;
  WallServer& operator=(const WallServer&) = delete;

  int port() const;  // the bound port (the one chosen when options.port was 0)
  // The page's JSON (what /api/wall serves and each /events message carries).
  std::string snapshot_json() const;

 private:
  struct Impl;
  explicit WallServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// --- photos a volunteer hid from the wall (<data_dir>/wall-hidden.txt, one id a line) ---
// The pledge ids in a hidden list's text. Lenient, as a volunteer's editor may write it:
// spaces, tabs and a CR around an id are dropped, hex in any case is read (as lower case),
// a UTF-8 BOM is skipped; lines that are no pledge id are ignored.
std::set<std::string> parse_hidden(std::string_view text);
// The hidden ids; an absent file is an empty set. An error (never an empty set) when the
// file is there but cannot be read: another owner and mode, no descriptor left, a FIFO, a
// symlink or a folder in its place (pb/untrusted_file.h: opening it never blocks), larger
// than 1 MB.
Result<std::set<std::string>> read_hidden(const std::string& data_dir);
// Why the wall would withhold every photo and word now (read_hidden fails) and what to do,
// for `doctor` and ADMIN; nullopt when the list reads (or there is none).
struct HiddenListProblem {
  std::string what;  // why it cannot be read, and what that does to the wall
  std::string fix;   // what to do
};
std::optional<HiddenListProblem> hidden_list_problem(const std::string& data_dir);
// Hides (or shows again) a pledge's photo and words: the file is rewritten temp → fsync →
// rename → fsync(dir), so it is either the old or the new list after a power cut. kInvalid
// for an id that is not a pledge id (read leniently, as above); the error of read_hidden
// when the present list cannot be read (it is not replaced by one without its ids); kIo /
// kDiskFull / kReadOnly when the file cannot be written.
Status set_hidden(const std::string& data_dir, const std::string& pledge_id, bool hidden);
// The file's path.
std::string hidden_file(const std::string& data_dir);

}  // namespace pb::campaign
