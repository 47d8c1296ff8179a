// SPDX-License-Identifier: Apache-2.0
// A data dir that cannot be written (a write-protected card, a read-only mount): the ledger
// opens read-only and reads every pledge, also those still in the WAL of a booth that lost
// power; every write is refused with kReadOnly; stats and export work from the command line
// and the commands that write say why they cannot. The card tests mount a small tmpfs and
// a read-only bind mount (needs root; skipped with a message where mounting is refused).
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "pb/ledger.h"
#include "sample_pledge.h"
#include "small_disk.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::Status;
using pb::test::SmallDisk;
using pb::test::TempDir;
using namespace pb::store;

namespace {

PledgeInput photo_pledge(std::uint8_t seed, bool consent = true) {
  PledgeInput in = pb::test::sample_pledge("campus-fair", "ko", {"usb", "s3"});
  in.first_name = "민준";
  in.share_consent = consent;
  in.photo_jpeg = pb::test::sample_photo(16 * 1024, seed);
  return in;
}

std::unique_ptr<Ledger> open_ro(const std::string& dir) {
  auto l = Ledger::open(dir, Access::kReadOnly);
  INFO(l.status().message());
  REQUIRE(l.is_ok());
  CHECK((*l)->read_only());
  return std::move(*l);
}

// Every file under dir with its size: what a read-only open must leave as it found it.
std::set<std::string> listing(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    out.insert(e.path().string() +
               (e.is_regular_file() ? " " + std::to_string(e.file_size()) : std::string()));
  return out;
}

void check_photos(Ledger& ledger, const std::vector<Pledge>& saved) {
  auto all = ledger.list_pledges();
  REQUIRE(all.is_ok());
  REQUIRE(all->size() == saved.size());
  for (const auto& p : saved) {
    auto got = ledger.get_pledge(p.id);
    REQUIRE(got.is_ok());
    REQUIRE(got->has_value());
    std::string bytes = pb::test::read_file(ledger.photo_file(**got));
    CHECK(sha256_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) ==
          p.photo_sha256);
  }
}

// Every call that writes, each refused with kReadOnly; nothing of the ledger changes.
void check_writes_refused(Ledger& ledger, const std::string& some_id) {
  auto read_only = [](const Status& s) {
    INFO(s.message());
    CHECK(s.code() == Status::Code::kReadOnly);
    CHECK(s.message().find("read-only") != std::string::npos);
  };
  read_only(ledger.save_pledge(photo_pledge(9)).status());
  read_only(ledger.delete_pledge(some_id));
  read_only(ledger.mark_done(1, "key"));
  read_only(ledger.mark_retry(1, 0, "error"));
  read_only(ledger.mark_failed(1, "error"));
  read_only(ledger.requeue_failed().status());
  read_only(ledger.ensure_outbox({"webdav"}).status());
  read_only(ledger.forget_target("s3").status());
  CHECK(ledger.get_pledge(some_id)->has_value());
}

// Saves `n` pledges in a child process that then ends without closing the ledger, as a
// booth does when its power is cut: the commits stay in ledger.db-wal beside its -shm.
std::vector<Pledge> save_then_lose_power(const std::string& data, int n) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    auto ledger = Ledger::open(data);
    if (!ledger) _exit(1);
    for (int i = 0; i < n; ++i) {
      auto p = (*ledger)->save_pledge(photo_pledge(static_cast<std::uint8_t>(i)));
      if (!p) _exit(1);
      std::string line = p->id + " " + p->photo_sha256 + "\n";
      if (write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(1);
    }
    _exit(0);  // no destructor: no checkpoint, the WAL and -shm stay
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t got;
  while ((got = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(got));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::vector<Pledge> saved;
  std::istringstream in(out);
  Pledge p;
  while (in >> p.id >> p.photo_sha256) saved.push_back(p);
  REQUIRE(saved.size() == static_cast<std::size_t>(n));
  return saved;
}

// Pledges sqlite finds with immutable=1, which never reads the WAL.
std::int64_t count_ignoring_wal(const std::string& db_path) {
  sqlite3* db = nullptr;
  std::string uri = "file:" + db_path + "?immutable=1";
  std::int64_t n = -1;
  if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) ==
      SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pledges", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    else
      n = 0;  // no table yet: the schema itself is still in the WAL
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

// Sets TMPDIR for the scope of a test case.
class TmpdirOverride {
 public:
  explicit TmpdirOverride(const std::string& dir) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~TmpdirOverride() {
    if (old_.empty())
      unsetenv("TMPDIR");
    else
      setenv("TMPDIR", old_.c_str(), 1);
  }

 private:
  std::string old_;
};

}  // namespace

TEST_CASE("a ledger opened read-only reads every pledge and refuses every write",
          "[store][readonly]") {
  TempDir dir;
  const std::string data = dir / "data";
  std::vector<Pledge> saved;
  {
    auto opened = Ledger::open(data);
    REQUIRE(opened.is_ok());
    auto& ledger = **opened;
    for (int i = 0; i < 3; ++i)
      saved.push_back(*ledger.save_pledge(photo_pledge(static_cast<std::uint8_t>(i), i != 2)));
    auto due = ledger.due_outbox(now_ms(), 10);
    REQUIRE(due->size() == 4);
    REQUIRE(ledger.mark_done((*due)[0].id, "key-0"));
    REQUIRE(ledger.mark_failed((*due)[1].id, "403 Forbidden"));
  }
  const std::string db_before = pb::test::read_file(data + "/ledger.db");
  {
    auto ledger = open_ro(data);
    check_photos(*ledger, saved);
    auto events = ledger->event_stats();
    REQUIRE(events->size() == 1);
    CHECK((*events)[0].pledges == 3);
    CHECK((*events)[0].shared == 2);
    auto q = ledger->queue_counts();
    CHECK(q->pending == 2);
    CHECK(q->done == 1);
    CHECK(q->failed == 1);
    CHECK(ledger->outbox_items(OutboxState::kFailed)->at(0).last_error == "403 Forbidden");
    CHECK(ledger->schema_version() >= 2);
    check_writes_refused(*ledger, saved[0].id);
  }
  CHECK(pb::test::read_file(data + "/ledger.db") == db_before);
  CHECK(fs::exists(data + "/" + saved[0].photo_path));
}

TEST_CASE("a read-only open of a folder without a ledger says so and creates nothing",
          "[store][readonly]") {
  TempDir dir;
  auto missing = Ledger::open(dir / "no-such-card", Access::kReadOnly);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == Status::Code::kNotFound);
  CHECK(missing.status().message().find("no ledger.db") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "no-such-card"));
  fs::create_directory(dir / "empty");
  auto empty = Ledger::open(dir / "empty", Access::kReadOnly);
  CHECK(empty.status().code() == Status::Code::kNotFound);
  CHECK(fs::is_empty(dir / "empty"));
}

TEST_CASE("a read-only ledger sees what a running booth commits", "[store][readonly]") {
  TempDir dir;
  auto booth = Ledger::open(dir.path());
  REQUIRE(booth.is_ok());
  REQUIRE((*booth)->save_pledge(photo_pledge(1)).is_ok());
  auto reader = open_ro(dir.path());
  CHECK(reader->count_pledges("campus-fair").value() == 1);
  REQUIRE((*booth)->save_pledge(photo_pledge(2)).is_ok());
  CHECK(reader->count_pledges("campus-fair").value() == 2);
}

TEST_CASE("a write-protected card from a booth that shut down cleanly opens read-only",
          "[store][readonly][disk]") {
  SmallDisk disk("8m");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string data = disk.path() + "/data";
  std::vector<Pledge> saved;
  {
    auto opened = Ledger::open(data);
    REQUIRE(opened.is_ok());
    for (int i = 0; i < 3; ++i)
      saved.push_back(*(*opened)->save_pledge(photo_pledge(static_cast<std::uint8_t>(i))));
  }
  REQUIRE_FALSE(fs::exists(data + "/ledger.db-wal"));  // a clean close checkpoints the WAL
  REQUIRE(disk.make_read_only(data));
  const auto before = listing(data);

  auto rw = Ledger::open(data);
  REQUIRE_FALSE(rw.is_ok());
  INFO(rw.status().message());
  CHECK(rw.status().code() == Status::Code::kReadOnly);
  CHECK(rw.status().message().find(data + " is on a read-only disk") != std::string::npos);
  TempDir tmp("pbtmp");
  TmpdirOverride tmpdir(tmp.path());
  {
    auto ledger = open_ro(data);
    check_photos(*ledger, saved);
    CHECK(ledger->queue_counts()->pending == 6);
    check_writes_refused(*ledger, saved[0].id);
    CHECK(fs::is_empty(tmp.path()));  // read in place (immutable): no copy needed
  }
  CHECK(listing(data) == before);
}

TEST_CASE("a write-protected card from a booth that lost power shows the pledges in its WAL",
          "[store][readonly][disk]") {
  SmallDisk disk("8m");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string data = disk.path() + "/data";
  auto saved = save_then_lose_power(data, 3);
  REQUIRE(fs::file_size(data + "/ledger.db-wal") > 0);
  REQUIRE(fs::exists(data + "/ledger.db-shm"));
  // The pledges are in the WAL only: a reader that skips it (immutable=1) misses them.
  REQUIRE(count_ignoring_wal(data + "/ledger.db") < 3);
  REQUIRE(disk.make_read_only(data));
  const auto before = listing(data);
  TempDir tmp("pbtmp");
  TmpdirOverride tmpdir(tmp.path());
  {
    auto ledger = open_ro(data);
    CHECK(fs::is_empty(tmp.path()));  // the WAL is read in place through the -shm
    for (const auto& p : saved) {
      auto got = ledger->get_pledge(p.id);
      REQUIRE(got.is_ok());
      REQUIRE(got->has_value());
      CHECK((*got)->photo_sha256 == p.photo_sha256);
    }
    CHECK(ledger->list_pledges()->size() == 3);
  }
  CHECK(listing(data) == before);
}

TEST_CASE("a WAL without its shm on a write-protected card is still read in full",
          "[store][readonly][disk]") {
  // Without the -shm no read-only reader may use the WAL in place; the ledger reads a
  // private copy instead and removes it when closed.
  SmallDisk disk("8m");
  SKIP_UNLESS_MOUNTED(disk);
  const std::string data = disk.path() + "/data";
  auto saved = save_then_lose_power(data, 3);
  fs::remove(data + "/ledger.db-shm");
  REQUIRE(fs::file_size(data + "/ledger.db-wal") > 0);
  REQUIRE(disk.make_read_only(data));
  TempDir tmp("pbtmp");
  TmpdirOverride tmpdir(tmp.path());
  {
    auto ledger = open_ro(data);
    CHECK(ledger->list_pledges()->size() == 3);
    for (const auto& p : saved) CHECK(ledger->get_pledge(p.id)->has_value());
    CHECK_FALSE(fs::is_empty(tmp.path()));
  }
  CHECK(fs::is_empty(tmp.path()));
}

TEST_CASE("stats and export read a write-protected card and commands that write refuse it",
          "[store][readonly][disk][cli]") {
  SmallDisk disk("16m");
  SKIP_UNLESS_MOUNTED(disk);
  TempDir dir;
  const std::string data = disk.path() + "/data";
  const std::string cfg = dir / "booth.toml";
  pb::test::write_file(cfg, "[event]\nid = \"seoul-launch\"\n[storage]\ndata_dir = \"" + data +
                                "\"\nmin_free_mb = 1\n[[upload.targets]]\nname = \"usb\"\n"
                                "kind = \"file\"\npath = \"" +
                                dir.path() + "/usb\"\n");
  auto add =
      pb::test::run_pledgebooth({"--config", cfg, "add-test-pledges", "3", "--photo-kb", "8"});
  REQUIRE(add.exit_code == 0);
  const std::string id = add.output.substr(add.output.find("saved ") + 6, 36);
  REQUIRE(disk.make_read_only(data));

  auto stats = pb::test::run_pledgebooth({"--config", cfg, "stats", "--json"});
  INFO(stats.output);
  CHECK(stats.exit_code == 0);
  CHECK(stats.output.find("{\"event\":\"seoul-launch\",\"pledges\":3,\"photos\":3,\"shared\":3}") !=
        std::string::npos);
  CHECK(stats.output.find("\"read_only\":true") != std::string::npos);
  CHECK(stats.output.find(data + " is on a read-only disk") != std::string::npos);

  auto csv = pb::test::run_pledgebooth({"--config", cfg, "export", "--csv", dir / "out.csv"});
  INFO(csv.output);
  CHECK(csv.exit_code == 0);
  CHECK(pb::test::read_file(dir / "out.csv").find(id) != std::string::npos);
  auto folder = pb::test::run_pledgebooth({"--config", cfg, "export", "--dir", dir / "stick"});
  CHECK(folder.exit_code == 0);
  int photos = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "stick"))
    photos += e.path().extension() == ".jpg";
  CHECK(photos == 3);

  // Commands that must write: a clear message naming the card, never sqlite's own words.
  auto refused = [&](const std::vector<std::string>& args, int code) {
    std::vector<std::string> argv{"--config", cfg};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = pb::test::run_pledgebooth(argv);
    INFO(r.output);
    CHECK(r.exit_code == code);
    CHECK(r.output.find(data + " is on a read-only disk") != std::string::npos);
    CHECK(r.output.find("stats") != std::string::npos);  // what still works
    CHECK(r.output.find("sqlite") == std::string::npos);
    CHECK(r.output.find("database file") == std::string::npos);
    return r.output;
  };
  refused({"add-test-pledges", "1"}, 1);
  refused({"delete", id}, 1);
  CHECK(refused({"upload"}, 2).find("copy the whole folder") != std::string::npos);
  auto ledger = open_ro(data);
  CHECK(ledger->get_pledge(id)->has_value());
  CHECK(ledger->list_pledges()->size() == 3);
}

TEST_CASE("stats and export read a data dir this user may not write", "[store][readonly][cli]") {
  // Another user's booth folder, readable but not writable: no -shm can be made beside
  // ledger.db, so the ledger is read from a private copy, removed afterwards.
  if (geteuid() != 0 || !fs::exists("/usr/bin/setpriv")) {
    WARN("skipped: needs root and setpriv to run pledgebooth as another user");
    return;
  }
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  const std::string data = dir / "data";
  const std::string cfg = dir / "booth.toml";
  pb::test::write_file(cfg,
                       "[event]\nid = \"seoul-launch\"\n[storage]\ndata_dir = \"data\"\n"
                       "min_free_mb = 1\n[[upload.targets]]\nname = \"usb\"\n"
                       "kind = \"file\"\npath = \"usb\"\n");
  auto add =
      pb::test::run_pledgebooth({"--config", cfg, "add-test-pledges", "2", "--photo-kb", "8"});
  REQUIRE(add.exit_code == 0);
  for (const auto& e : fs::recursive_directory_iterator(dir.path()))
    fs::permissions(e.path(), fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(dir.path()))
    if (e.is_directory())
      fs::permissions(e.path(), fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::add);
  fs::permissions(data, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  const std::string tmp = dir / "tmp";  // a TMPDIR the other user may write
  fs::create_directory(tmp);
  fs::permissions(tmp, fs::perms::all | fs::perms::sticky_bit);
  const std::string out = dir / "out";
  fs::create_directory(out);
  fs::permissions(out, fs::perms::all);
  auto as_nobody = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", PB_BINARY, "--config", cfg};
    argv.insert(argv.end(), args.begin(), args.end());
    return pb::test::run(argv, {{"TMPDIR", tmp}});
  };
  auto stats = as_nobody({"stats", "--json"});
  INFO(stats.output);
  CHECK(stats.exit_code == 0);
  CHECK(stats.output.find("\"pledges\":2") != std::string::npos);
  CHECK(stats.output.find("\"read_only\":true") != std::string::npos);
  CHECK(stats.output.find(data + " cannot be written (") != std::string::npos);
  auto csv = as_nobody({"export", "--csv", out + "/pledges.csv"});
  INFO(csv.output);
  CHECK(csv.exit_code == 0);
  CHECK(fs::exists(out + "/pledges.csv"));
  auto del = as_nobody({"delete", "0190aaaa-0000-7000-8000-000000000000"});
  INFO(del.output);
  CHECK(del.exit_code == 1);
  CHECK(del.output.find(data + " cannot be written (") != std::string::npos);
  CHECK(fs::is_empty(tmp));  // the private copy is gone
}
