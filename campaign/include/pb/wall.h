// SPDX-License-Identifier: Apache-2.0
// The wall: a web page for the event's projector, served from the local ledger. The newest
// shared photo large, earlier ones in a mosaic, the live count, the answers, a QR code to the
// campaign page; pushed to the page by Server-Sent Events within a poll interval of a save.
// Only pledges with share consent, a photo of their own and not hidden by a volunteer ever
// reach the page: checked again on every snapshot and every photo request, and a photo is
// served only by pledge id, never by a path. The ledger is only read (the booth writes it).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

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
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80" → host, port. kInvalid with a sentence.
Status parse_listen(const std::string& text, std::string& host, int& port);

class WallServer {
 public:
  // Loads the page's assets, binds host:port and starts serving in background threads.
  // kInvalid for missing assets or a bad page_url, kUnavailable when the port cannot be bound.
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
// The set of hidden pledge ids; an absent file is an empty set. Lines that are no pledge id
// are ignored.
std::set<std::string> read_hidden(const std::string& data_dir);
// Hides (or shows again) a pledge's photo: the file is rewritten temp → fsync → rename →
// fsync(dir), so it is either the old or the new list after a power cut. kInvalid for an id
// that is not a pledge id; kIo / kDiskFull / kReadOnly when the file cannot be written.
Status set_hidden(const std::string& data_dir, const std::string& pledge_id, bool hidden);
// The file's path (the server notices a change by its modification time and size).
std::string hidden_file(const std::string& data_dir);

}  // namespace pb::campaign
