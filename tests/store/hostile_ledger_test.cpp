// SPDX-License-Identifier: Apache-2.0
// Another booth's card is untrusted input: a crafted ledger.db must not make `stats`,
// `export`, `upload` or `delete` read, write or remove a file outside its folders, and its
// text reaches JSON and CSV only as valid UTF-8.
#include <sqlite3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "pb/inside_folder.h"
#include "pb/ledger.h"
#include "pb/utf8.h"
#include "sample_pledge.h"
#include "test_support.h"

namespace fs = std::filesystem;
using pb::test::run_pledgebooth;

namespace {

// Runs SQL on ledger.db the way a crafted card would hold it (no ledger in between).
void raw_sql(const std::string& data_dir, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((data_dir + "/ledger.db").c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// A card: dir/card with one consented pledge with a photo; returns its id.
std::string make_card(const pb::test::TempDir& dir) {
  auto ledger = pb::store::Ledger::open(dir / "card");
  REQUIRE(ledger);
  pb::store::PledgeInput in = pb::test::sample_pledge();
  in.booth = "booth-2";
  in.first_name = "Alex";
  in.consent_version = 1;
  in.photo_jpeg = {0xFF, 0xD8, 0xFF, 0xD9};
  auto saved = (*ledger)->save_pledge(in);
  REQUIRE(saved);
  return saved->id;
}

std::string config_with_usb(const pb::test::TempDir& dir) {
  const std::string path = dir / "booth.toml";
  pb::test::write_file(path,
                       "[event]\nid = \"campus-fair\"\n[storage]\ndata_dir = \"own\"\n"
                       "min_free_mb = 1\n[[upload.targets]]\nname = \"usb\"\nkind = \"file\"\n"
                       "path = \"usb\"\n");
  return path;
}

// Every file under dir whose content is `content`.
int files_holding(const std::string& dir, const std::string& content) {
  int n = 0;
  std::error_code ec;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file() && pb::test::read_file(e.path().string()) == content) ++n;
  return n;
}

// Valid UTF-8 (a stray byte shown as U+FFFD) without any control character: what may go
// into JSON, CSV and a terminal.
bool printable_utf8(const std::string& s) {
  const std::u32string decoded = pb::decode_utf8(s);
  if (pb::encode_utf8(decoded) != s) return false;
  for (char32_t c : decoded)
    if (pb::is_control_code_point(c)) return false;
  return true;
}

}  // namespace

TEST_CASE("a path is inside a folder only lexically and after resolving links",
          "[store][hostile]") {
  using pb::store::is_inside_folder;
  pb::test::TempDir dir("pbinside");
  fs::create_directories(dir / "data/photos/e");
  fs::create_directories(dir / "elsewhere");
  CHECK(is_inside_folder(dir / "data", dir / "data/photos/e/x.jpg"));
  CHECK(is_inside_folder(dir / "data", dir / "data/not-yet/made.jpg"));
  CHECK_FALSE(is_inside_folder(dir / "data", dir / "data"));
  CHECK_FALSE(is_inside_folder(dir / "data", dir / "data/../elsewhere/x"));
  CHECK_FALSE(is_inside_folder(dir / "data", dir / "data/photos/../../elsewhere/x"));
  CHECK_FALSE(is_inside_folder(dir / "data", "/etc/passwd"));
  CHECK_FALSE(is_inside_folder(dir / "data", dir / "data-other/x"));
  fs::create_directory_symlink(dir / "elsewhere", dir / "data/photos/link");
  CHECK_FALSE(is_inside_folder(dir / "data", dir / "data/photos/link/x.jpg"));
  fs::create_symlink("/etc/hostname", dir / "data/photos/e/evil.jpg");
  CHECK_FALSE(is_inside_folder(dir / "data", dir / "data/photos/e/evil.jpg"));
  // A data dir that is itself a link (a mount point linked in) still holds its files.
  fs::create_directory_symlink(dir / "data", dir / "data-link");
  CHECK(is_inside_folder(dir / "data-link", dir / "data-link/photos/e/x.jpg"));
  CHECK_FALSE(is_inside_folder(dir / "data", std::string("x\0y", 3)));
}

TEST_CASE("stats of a card whose ledger lists a deletion outside it removes nothing there",
          "[store][hostile]") {
  pb::test::TempDir dir("pbhostile");
  make_card(dir);
  const std::string victim = dir / "victim.txt";
  pb::test::write_file(victim, "keep me");
  fs::create_directories(dir / "card/photos/e");
  raw_sql(dir / "card",
          "INSERT INTO photo_deletions VALUES('../victim.txt');"
          "INSERT INTO photo_deletions VALUES('photos/e/../../../victim.txt');"
          "INSERT INTO photo_deletions VALUES('" +
              victim + "');");
  auto stats =
      run_pledgebooth({"--config", config_with_usb(dir), "stats", "--data-dir", dir / "card"});
  INFO(stats.output);
  CHECK(stats.exit_code == 0);
  CHECK(fs::exists(victim));
  CHECK(stats.output.find("leads outside " + dir.path() + "/card/photos") != std::string::npos);
  CHECK(stats.output.find("skipped") != std::string::npos);
}

TEST_CASE("export of a crafted card writes nothing outside the output folder", "[store][hostile]") {
  pb::test::TempDir dir("pbhostile");
  const std::string id = make_card(dir);
  // A file outside the output folder that a crafted photo path would overwrite, and a
  // file outside the data dir the copy would read.
  fs::create_directories(dir / "outside");
  pb::test::write_file(dir / "outside/x.jpg", "precious");
  pb::test::write_file(dir / "secret.txt", "secret");
  raw_sql(dir / "card", "UPDATE pledges SET photo_path = '../../outside/x.jpg'");
  fs::create_directories(dir / "out");
  auto exp = run_pledgebooth({"--config", config_with_usb(dir), "export", "--data-dir",
                              dir / "card", "--dir", dir / "out/stick"});
  INFO(exp.output);
  CHECK(exp.exit_code == 0);
  CHECK(pb::test::read_file(dir / "outside/x.jpg") == "precious");
  CHECK(exp.output.find("pledge " + id) != std::string::npos);
  CHECK(exp.output.find("skipped") != std::string::npos);
  // A link in the output folder that points outside it is not written through.
  raw_sql(dir / "card", "UPDATE pledges SET photo_path = 'photos/campus-fair/d/" + id + ".jpg'");
  fs::create_directories(dir / "card/photos/campus-fair/d");
  pb::test::write_file(dir / "card/photos/campus-fair/d/" + id + ".jpg", "photo");
  fs::create_directories(dir / "out/stick2/photos/campus-fair");
  fs::create_directory_symlink(dir / "outside", dir / "out/stick2/photos/campus-fair/d");
  auto exp2 = run_pledgebooth({"--config", config_with_usb(dir), "export", "--data-dir",
                               dir / "card", "--dir", dir / "out/stick2"});
  INFO(exp2.output);
  CHECK(exp2.exit_code == 0);
  CHECK_FALSE(fs::exists(dir / "outside/" + id + ".jpg"));
  CHECK(exp2.output.find("leads outside the export folder") != std::string::npos);
}

TEST_CASE("upload never sends a file outside the card's photos as a photo", "[store][hostile]") {
  pb::test::TempDir dir("pbhostile");
  const std::string id = make_card(dir);
  pb::test::write_file(dir / "secret.txt", "the secret");
  const std::string cfg = config_with_usb(dir);
  fs::create_directories(dir / "usb");
  SECTION("a photo path with ..") {
    raw_sql(dir / "card", "UPDATE pledges SET photo_path = '../secret.txt'");
  }
  SECTION("an absolute photo path") {
    raw_sql(dir / "card", "UPDATE pledges SET photo_path = '" + dir / "secret.txt" + "'");
  }
  SECTION("a photo that is a link to a file outside") {
    raw_sql(dir / "card", "UPDATE pledges SET photo_path = 'photos/campus-fair/x/" + id + ".jpg'");
    fs::create_directories(dir / "card/photos/campus-fair/x");
    fs::create_symlink(dir / "secret.txt", dir / "card/photos/campus-fair/x/" + id + ".jpg");
  }
  auto up = run_pledgebooth({"--config", cfg, "upload", "--data-dir", dir / "card"});
  INFO(up.output);
  CHECK(up.exit_code != 0);
  CHECK(files_holding(dir / "usb", "the secret") == 0);
  auto stats = run_pledgebooth({"--config", cfg, "stats", "--data-dir", dir / "card"});
  INFO(stats.output);
  CHECK(stats.output.find("leads outside") != std::string::npos);
}

TEST_CASE("delete of a crafted row removes no file outside the card", "[store][hostile]") {
  pb::test::TempDir dir("pbhostile");
  const std::string id = make_card(dir);
  pb::test::write_file(dir / "victim.txt", "keep me");
  raw_sql(dir / "card", "UPDATE pledges SET photo_path = 'photos/../../victim.txt'");
  auto del =
      run_pledgebooth({"--config", config_with_usb(dir), "delete", "--data-dir", dir / "card", id});
  INFO(del.output);
  CHECK(del.exit_code == 1);
  CHECK(fs::exists(dir / "victim.txt"));
  CHECK(del.output.find("leads outside") != std::string::npos);
}

TEST_CASE("the ledger API leaves out rows whose paths or ids lead elsewhere", "[store][hostile]") {
  pb::test::TempDir dir("pbhostile");
  const std::string id = make_card(dir);
  raw_sql(dir / "card",
          "INSERT INTO pledges(id, event, booth, created_ms, locale, share_consent) "
          "VALUES('../../etc', 'campus-fair', 'booth-2', 1, 'en', 1);"
          "INSERT INTO pledges(id, event, booth, created_ms, locale, share_consent) "
          "VALUES('0190aaaa-0000-7000-8000-000000000001', '../x', 'booth-2', 2, 'en', 1);"
          "UPDATE pledges SET photo_path = '/etc/passwd' WHERE id = '" +
              id + "';");
  for (auto access : {pb::store::Access::kReadWrite, pb::store::Access::kReadOnly}) {
    auto ledger = pb::store::Ledger::open(dir / "card", access);
    REQUIRE(ledger);
    auto all = (*ledger)->list_pledges();
    REQUIRE(all);
    CHECK(all->empty());
    auto one = (*ledger)->get_pledge(id);
    REQUIRE_FALSE(one);
    CHECK(one.status().code() == pb::Status::Code::kCorrupt);
    CHECK((*ledger)->skipped_rows().size() == 3);
    pb::store::Pledge crafted;
    crafted.photo_path = "../../etc/passwd";
    CHECK((*ledger)->photo_file(crafted).empty());
  }
}

TEST_CASE("stats and export on an existing folder neither chmod it nor create files in it",
          "[store][hostile]") {
  pb::test::TempDir dir("pbhostile");
  const std::string shared = dir / "shared";
  fs::create_directory(shared);
  REQUIRE(chmod(shared.c_str(), 01777) == 0);
  const std::string cfg = config_with_usb(dir);
  auto stats = run_pledgebooth({"--config", cfg, "stats", "--data-dir", shared});
  INFO(stats.output);
  CHECK(stats.output.find("holds no ledger.db") != std::string::npos);
  auto csv = run_pledgebooth(
      {"--config", cfg, "export", "--data-dir", shared, "--csv", dir / "pledges.csv"});
  INFO(csv.output);
  struct stat st {};
  REQUIRE(stat(shared.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 01777);
  CHECK(fs::is_empty(shared));
  // A data dir that is there keeps its mode when the booth's own commands open it.
  make_card(dir);
  REQUIRE(chmod((dir / "card").c_str(), 0750) == 0);
  auto own = run_pledgebooth({"--config", cfg, "stats", "--data-dir", dir / "card"});
  CHECK(own.exit_code == 0);
  REQUIRE(stat((dir / "card").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
  // A new one is made owner-only.
  auto fresh = run_pledgebooth({"--config", cfg, "add-test-pledges", "1", "--photo-kb", "1"});
  REQUIRE(fresh.exit_code == 0);
  REQUIRE(stat((dir / "own").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
}

TEST_CASE("names with invalid UTF-8 or NUL never reach the CSV or JSON as they are",
          "[store][hostile]") {
  pb::test::TempDir dir("pbhostile");
  make_card(dir);
  {
    auto ledger = pb::store::Ledger::open(dir / "card");
    REQUIRE(ledger);
    pb::store::PledgeInput in = pb::test::sample_pledge("campus-fair", "ko", {});
    in.booth = "booth-2";
    in.share_consent = false;
    in.first_name = std::string("Min\0jun\xff\xfe", 9);
    in.answer = "for my \x1b[2Jdaughter\xc3";
    auto saved = (*ledger)->save_pledge(in);
    REQUIRE(saved);
    CHECK(printable_utf8(saved->first_name));
    auto back = (*ledger)->get_pledge(saved->id);
    REQUIRE(back);
    REQUIRE(back->has_value());
    CHECK(printable_utf8((*back)->first_name));
    CHECK(printable_utf8((*back)->answer));
    CHECK((*back)->first_name.find("Min") == 0);
    CHECK((*back)->answer.find("daughter") != std::string::npos);
  }
  // Another booth's rows, written without the ledger: bytes of Latin-1, a NUL, an ESC.
  raw_sql(dir / "card",
          "UPDATE pledges SET first_name = CAST(X'4AE9726F6D6500411B5B324A' AS TEXT), "
          "answer = CAST(X'C328290A22' AS TEXT) WHERE locale = 'en';"
          "UPDATE outbox SET last_error = CAST(X'FF1B5D303B' AS TEXT);");
  auto csv = run_pledgebooth({"--config", config_with_usb(dir), "export", "--data-dir",
                              dir / "card", "--csv", dir / "p.csv"});
  INFO(csv.output);
  REQUIRE(csv.exit_code == 0);
  const std::string text = pb::test::read_file(dir / "p.csv");
  CHECK(text.find('\0') == std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  std::u32string decoded = pb::decode_utf8(text);
  CHECK(decoded.find(U'J') != std::u32string::npos);
  // Every byte decodes as UTF-8; the replacement characters are those the ledger put in
  // for the stray bytes, so the file holds exactly what a strict decoder accepts.
  CHECK(pb::encode_utf8(decoded) == text);
  auto stats = run_pledgebooth(
      {"--config", config_with_usb(dir), "stats", "--json", "--data-dir", dir / "card"});
  INFO(stats.output);
  CHECK(stats.output.find('\x1b') == std::string::npos);
  CHECK(pb::encode_utf8(pb::decode_utf8(stats.output)) == stats.output);
}
