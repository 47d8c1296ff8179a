// SPDX-License-Identifier: Apache-2.0
// The wall in a real browser: Debian's chromium (headless) shows `pledgebooth wall`; a pledge
// saved through the real Ledger API appears without a reload, a hidden one disappears, and a
// pledge without share consent never reaches the page. The page is read over the DevTools
// protocol (cdp.py). PB_WALL_SCREENSHOTS=DIR keeps the screenshots (docs/screens/).
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "campaign_fixture.h"
#include "test_support.h"

using namespace pb;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Browser {
  Browser(const std::string& dir, const std::string& url) : port(test::free_port()) {
    process = std::make_unique<test::ChildProcess>(
        std::vector<std::string>{"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                 "--no-first-run", "--hide-scrollbars", "--mute-audio",
                                 // Nothing but loopback: no update, sync or QUIC probes.
                                 "--disable-background-networking", "--disable-component-update",
                                 "--disable-sync", "--disable-quic",
                                 "--force-device-scale-factor=1", "--window-size=1920,1080",
                                 "--user-data-dir=" + dir + "/chromium",
                                 "--remote-debugging-port=" + std::to_string(port), url},
        dir + "/chromium.log");
    INFO("chromium (Debian's package, scripts/install-deps test) logs to " << dir
                                                                           << "/chromium.log");
    REQUIRE(test::wait_for_port(port, test::scaled(30s)));
  }
  // The value of a JavaScript expression in the page, as JSON (null when it cannot be read).
  nlohmann::json eval(const std::string& expression) const {
    auto r = test::run({"python3", std::string(PB_CAMPAIGN_TESTS_DIR) + "/cdp.py",
                        std::to_string(port), "eval", expression},
                       {}, std::chrono::seconds(30));
    if (r.exit_code != 0) return nullptr;
    auto last = r.output.find_last_of('\n', r.output.size() - 2);
    return nlohmann::json::parse(last == std::string::npos ? r.output : r.output.substr(last + 1),
                                 nullptr, false);
  }
  void screenshot(const std::string& path) const {
    auto r = test::run({"python3", std::string(PB_CAMPAIGN_TESTS_DIR) + "/cdp.py",
                        std::to_string(port), "screenshot", path});
    INFO(r.output);
    CHECK(r.exit_code == 0);
  }
  int port;
  std::unique_ptr<test::ChildProcess> process;
};

std::vector<std::string> photos_on_page(const Browser& b) {
  auto v = b.eval("document.body.dataset.photos || ''");
  std::vector<std::string> ids;
  if (!v.is_string()) return ids;
  std::string s = v.get<std::string>();
  for (std::size_t at = 0; at < s.size();) {
    auto sp = s.find(' ', at);
    ids.push_back(s.substr(at, sp == std::string::npos ? std::string::npos : sp - at));
    if (sp == std::string::npos) break;
    at = sp + 1;
  }
  return ids;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void keep_screenshot(const Browser& b, const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name;
  b.screenshot(path);
  if (const char* keep = std::getenv("PB_WALL_SCREENSHOTS"); keep && *keep)
    fs::copy_file(path, std::string(keep) + "/" + name, fs::copy_options::overwrite_existing);
}

}  // namespace

TEST_CASE("the wall in chromium shows a new shared photo without a reload and never a private one",
          "[wall][browser]") {
  test::TempDir dir;
  const std::string data = dir / "data";
  auto opened = store::Ledger::open(data);
  REQUIRE(opened);
  store::Ledger& ledger = **opened;
  const std::vector<std::pair<const char*, const char*>> earlier = {
      {"Daniel", "For my daughter"},
      {"Minjun", "For my mother"},
      {"Tom", "Because equality helps us all"},
      {"Jae", "For my sister"},
      {"Luis", ""},
      {"Omar", "For my colleagues"},
      {"Ken", "Because it is right"},
      {"Ade", "For my wife"},
      {"Sven", "For the next generation"}};
  for (const auto& [name, answer] : earlier)
    test::save_test_pledge(ledger, {.name = name, .answer = answer, .real_jpeg = true});
  const auto privat = test::save_test_pledge(
      ledger,
      {.name = "Private Pat", .answer = "private words", .consent = false, .real_jpeg = true});
  test::write_file(dir / "booth.toml", test::wall_config(data));

  const int wall_port = test::free_port();
  test::ChildProcess wall({PB_BINARY, "--config", dir / "booth.toml", "wall", "--listen",
                           "127.0.0.1:" + std::to_string(wall_port)},
                          dir / "wall.log");
  REQUIRE(test::wait_for_port(wall_port, test::scaled(10s)));
  Browser browser(dir.path(), "http://127.0.0.1:" + std::to_string(wall_port) + "/");
  INFO("wall log: " << test::read_file(dir / "wall.log"));

  const auto never_private = [&] {
    auto html = browser.eval("document.documentElement.outerHTML");
    REQUIRE(html.is_string());
    const std::string s = html.get<std::string>();
    CHECK(s.find(privat.id) == std::string::npos);
    CHECK(s.find("Private Pat") == std::string::npos);
    CHECK(s.find("private words") == std::string::npos);
    auto fetched =
        browser.eval("performance.getEntriesByType('resource').map(e => e.name).join(' ')");
    REQUIRE(fetched.is_string());
    CHECK(fetched.get<std::string>().find(privat.id) == std::string::npos);
  };

  REQUIRE(test::eventually([&] { return photos_on_page(browser).size() == earlier.size(); },
                           test::scaled(30s)));
  // Every photo has loaded (the screenshot shows them).
  REQUIRE(test::eventually(
      [&] {
        return browser.eval("[...document.images].every(i => i.complete && i.naturalWidth > 0)") ==
               true;
      },
      test::scaled(20s)));
  never_private();
  CHECK(browser.eval("document.getElementById('count').textContent") == "10");
  REQUIRE(browser.eval("window.wallMarker = 'no reload'; 1") == 1);

  // A participant saves a shared pledge: it is the large photo within moments, same page.
  const auto fresh = test::save_test_pledge(
      ledger, {.name = "Alex", .answer = "So my son grows up seeing equals", .real_jpeg = true});
  const std::int64_t saved_ms = store::now_ms();
  REQUIRE(test::eventually(
      [&] {
        return browser.eval("document.querySelector('#hero figure')?.dataset.id || ''") == fresh.id;
      },
      test::scaled(10s)));
  CHECK(browser.eval("window.wallMarker") == "no reload");
  CHECK(browser.eval("performance.getEntriesByType('navigation').length") == 1);
  const auto seen = browser.eval("window.wallSeen['" + fresh.id + "']");
  REQUIRE(seen.is_number());
  // The page's own clock: the photo was on it well within the poll interval and a render.
  CHECK(seen.get<std::int64_t>() - saved_ms < 1000 * test::time_scale() + 1000);
  CHECK(browser.eval("document.getElementById('count').textContent") == "11");
  CHECK(browser.eval("document.getElementById('answers').textContent.includes('seeing equals')") ==
        true);
  REQUIRE(test::eventually(
      [&] {
        return browser.eval("[...document.images].every(i => i.complete && i.naturalWidth > 0)") ==
               true;
      },
      test::scaled(20s)));
  keep_screenshot(browser, dir.path(), "wall-en.png");

  // Another pledge without consent: counted, never shown.
  test::save_test_pledge(
      ledger,
      {.name = "Private Pat", .answer = "private words", .consent = false, .real_jpeg = true});
  REQUIRE(test::eventually(
      [&] { return browser.eval("document.getElementById('count').textContent") == "12"; },
      test::scaled(10s)));
  never_private();

  // A volunteer hides the new photo: it leaves the page, the one before is large again.
  auto hidden = test::run_pledgebooth({"--config", dir / "booth.toml", "wall", "hide", fresh.id});
  INFO(hidden.output);
  REQUIRE(hidden.exit_code == 0);
  REQUIRE(
      test::eventually([&] { return !has(photos_on_page(browser), fresh.id); }, test::scaled(10s)));
  CHECK(browser.eval("document.querySelectorAll('img[data-id=\"" + fresh.id + "\"]').length") == 0);
  CHECK(browser.eval("document.getElementById('answers').textContent.includes('seeing equals')") ==
        false);
  CHECK(browser.eval("window.wallMarker") == "no reload");
  never_private();
}

TEST_CASE("the wall before the first pledge invites the first one", "[wall][browser]") {
  test::TempDir dir;
  test::write_file(dir / "booth.toml", test::wall_config(dir / "data"));
  const int wall_port = test::free_port();
  test::ChildProcess wall({PB_BINARY, "--config", dir / "booth.toml", "wall", "--listen",
                           "127.0.0.1:" + std::to_string(wall_port)},
                          dir / "wall.log");
  REQUIRE(test::wait_for_port(wall_port, test::scaled(10s)));
  Browser browser(dir.path(), "http://127.0.0.1:" + std::to_string(wall_port) + "/");
  REQUIRE(test::eventually(
      [&] { return browser.eval("document.body.dataset.seq !== undefined") == true; },
      test::scaled(30s)));
  CHECK(browser.eval("document.getElementById('count').textContent") == "0");
  CHECK(browser.eval("getComputedStyle(document.getElementById('empty')).display") != "none");
  REQUIRE(test::eventually(
      [&] { return browser.eval("document.querySelector('.qr img').naturalWidth > 0") == true; },
      test::scaled(10s)));
  keep_screenshot(browser, dir.path(), "wall-empty-en.png");
}

TEST_CASE("a wall page refused its stream connects again once there is room", "[wall][browser]") {
  test::TempDir dir;
  {
    auto ledger = store::Ledger::open(dir / "data");
    REQUIRE(ledger);
    test::TestPledge p;
    p.name = "Waiting";
    test::save_test_pledge(**ledger, p);
  }
  test::write_file(dir / "booth.toml", test::wall_config(dir / "data"));
  const int port = test::free_port();
  test::ChildProcess wall({PB_BINARY, "--config", dir / "booth.toml", "wall", "--listen",
                           "127.0.0.1:" + std::to_string(port)},
                          dir / "wall.log");
  REQUIRE(test::wait_for_port(port, test::scaled(20s)));
  // Two streams from this address already (a page reloaded twice): the browser's is refused.
  std::vector<std::unique_ptr<test::RawClient>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<test::RawClient>("127.0.0.1", port));
    held.back()->send("GET /events HTTP/1.1\r\nHost: wall\r\n\r\n");
    REQUIRE(test::status_of(held.back()->reply(test::scaled(3s))) == 200);
  }
  Browser browser(dir.path(), "http://127.0.0.1:" + std::to_string(port) + "/");
  CHECK(test::eventually(
      [&] { return browser.eval("document.body.classList.contains('offline')") == true; },
      test::scaled(20s)));
  CHECK(photos_on_page(browser).empty());
  held.clear();  // room again: the page must come back by itself
  CHECK(test::eventually([&] { return photos_on_page(browser).size() == 1; }, test::scaled(30s)));
  CHECK(browser.eval("document.body.classList.contains('offline')") == false);
}
