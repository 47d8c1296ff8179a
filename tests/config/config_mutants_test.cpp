// SPDX-License-Identifier: Apache-2.0
// A few hundred mutated booth.toml files (byte flips, huge values, deep nesting, long path
// parts, unreadable folders, special files), seeded so that every run makes the same ones,
// each loaded by the real `pledgebooth`: it exits 0 or 2 with "file:line: key: what",
// never by a signal, never hanging. PB_CONFIG_MUTANTS and PB_CONFIG_MUTANTS_SEED change
// how many and which; a failing mutant is kept in $PB_TEST_ARTIFACTS when that is set.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <random>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

std::string base_config(const std::string& frame) {
  return "[event]\nid = \"seoul-launch\"\nname = \"#HeForShe Korea launch\"\n"
         "consent_version = 1\npage_url = \"https://www.heforshe.org\"\n"
         "public_base_url = \"https://cdn.example.org/pledges/\"\n"
         "[event.pledge_text]\nen = \"I agree.\"\nko = \"약속합니다.\"\n"
         "[booth]\nid = \"booth-1\"\nidle_timeout_s = 45\nadmin_pin_hash = \"\"\n"
         "max_retakes = 2\ndefault_locale = \"ko\"\nthanks_timeout_s = 12\ncountdown_s = 3\n"
         "[camera]\nsource = \"device:0\"\nwidth = 1280\nheight = 720\nfps = 30\n"
         "[photo]\nframe = \"" +
         frame +
         "\"\naspect = \"4:5\"\njpeg_quality = 90\n"
         "[storage]\ndata_dir = \"data\"\nmin_free_mb = 100\n"
         "[upload]\nenabled = true\nparallel = 4\nmax_backoff_s = 600\n"
         "[[upload.targets]]\nname = \"usb\"\nkind = \"file\"\npath = \"usb\"\nprefix = \"p\"\n"
         "[[upload.targets]]\nname = \"s3\"\nkind = \"s3\"\nendpoint = \"http://127.0.0.1:9000\"\n"
         "bucket = \"heforshe-pledges\"\nregion = \"eu-west-1\"\naccess_key_env = \"AK\"\n"
         "secret_key_env = \"SK\"\nprefix = \"seoul/2026\"\n"
         "[[upload.targets]]\nname = \"dav\"\nkind = \"webdav\"\nurl = \"https://dav.example.org/"
         "remote.php/dav\"\nusername = \"booth\"\npassword_env = \"DAV_PW\"\n"
         "[[upload.targets]]\nname = \"hook\"\nkind = \"webhook\"\nurl = "
         "\"https://hook.example.org/"
         "x\"\ntoken_env = \"HOOK\"\nconnect_timeout_s = 10\nlow_speed_timeout_s = 20\n";
}

// Where each `= "..."` value starts and ends (inside the quotes).
std::vector<std::pair<std::size_t, std::size_t>> string_values(const std::string& t) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = t.find("= \""); i != std::string::npos; i = t.find("= \"", i + 1)) {
    std::size_t end = t.find('"', i + 3);
    if (end != std::string::npos) out.emplace_back(i + 3, end);
  }
  return out;
}

class Mutator {
 public:
  Mutator(std::uint32_t seed, std::string folder) : rng_(seed), folder_(std::move(folder)) {}

  std::string mutate(std::string t) {
    const int rounds = 1 + pick(3);
    for (int r = 0; r < rounds; ++r) t = once(std::move(t));
    return t;
  }

 private:
  std::size_t pick(std::size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  std::string filler() {
    static const char* const kPieces[] = {"a",       ".", "/", "-",    " ", "\\\\",
                                          "\\u0000", "é", "@", "..",   "%", "\\u001b",
                                          "9",       "_", "[", "\\\"", "ß", "가"};
    const std::size_t n = std::size_t{1} << (8 + pick(10));  // 256 ... 131072
    const char* piece = kPieces[pick(std::size(kPieces))];
    std::string out;
    while (out.size() < n) out += piece;
    return out;
  }

  std::string once(std::string t) {
    auto values = string_values(t);
    switch (pick(10)) {
      case 0: {  // byte flips
        for (std::size_t k = 1 + pick(8); k > 0 && !t.empty(); --k)
          t[pick(t.size())] = static_cast<char>(pick(256));
        return t;
      }
      case 1: {  // a huge string value
        if (values.empty()) return t + "x = \"" + filler() + "\"\n";
        auto [a, b] = values[pick(values.size())];
        return t.substr(0, a) + filler() + t.substr(b);
      }
      case 2: {  // a deep dotted header or key
        std::string key = "a";
        for (std::size_t n = pick(100000); n > 0; --n) key += pick(4) ? ".a" : ". \"a\"";
        return pick(2) ? t + "[" + key + "]\nx = 1\n" : key + " = 1\n" + t;
      }
      case 3: {  // deep nesting of arrays or inline tables
        const std::size_t n = 1 + pick(100000);
        std::string v;
        if (pick(2)) {
          v = std::string(n, '[') + std::string(pick(2) ? n : n / 2, ']');
        } else {
          for (std::size_t k = 0; k < n; ++k) v += "{a=";
          v += "1" + std::string(n, '}');
        }
        return "x = " + v + "\n" + t;
      }
      case 4: {  // long path parts and special files in the path keys
        static const char* const kKeys[] = {"frame = \"", "path = \"", "data_dir = \""};
        std::string value;
        switch (pick(6)) {
          case 0:
            value = "/tmp/" + std::string(256 + pick(4000), 'p') + "/f.png";
            break;
          case 1:
            value = std::string(256 + pick(300), 'q');
            break;
          case 2:
            value = folder_ + "/locked/frame.png";
            break;
          case 3:
            value = folder_ + "/fifo";
            break;
          case 4:
            value = pick(2) ? "/dev/zero" : "/proc/self/mem";
            break;
          default:
            value = folder_;
            break;
        }
        const char* key = kKeys[pick(std::size(kKeys))];
        if (pick(2)) {
          t += "[[upload.targets]]\nname = \"extra\"\nkind = \"webdav\"\n"
               "url = \"https://x.org/\"\nca_file = \"" +
               value + "\"\n";
          return t;
        }
        std::size_t at = t.find(key);
        if (at == std::string::npos) return t;
        at += std::strlen(key);
        const std::size_t end = t.find('"', at);
        if (end == std::string::npos) return t;
        return t.substr(0, at) + value + t.substr(end);
      }
      case 5: {  // numbers out of every range
        static const char* const kNumbers[] = {
            "99999999999999999999", "-9223372036854775808", "1e400", "inf", "nan", "-0",
            "0x7fffffffffffffff",   "1979-05-27T07:32:00Z", "[]",    "{}"};
        std::size_t at = t.find(" = ", pick(t.size()));
        if (at == std::string::npos) return t;
        const std::size_t end = t.find('\n', at);
        if (end == std::string::npos) return t;
        return t.substr(0, at + 3) + kNumbers[pick(std::size(kNumbers))] + t.substr(end);
      }
      case 6: {  // URLs with secrets, control characters and odd hosts
        static const char* const kUrls[] = {"http://u:pw@127.0.0.1:9000",
                                            "https://a@b/",
                                            "http://127.0.0.1\\u001b[2J",
                                            "http://[::1",
                                            "http://127.",
                                            "http://localhost:99999999999999",
                                            "https://\\u0000/"};
        std::size_t at = t.find("url = \"");
        if (at == std::string::npos) return t;
        at += 7;
        const std::size_t end = t.find('"', at);
        if (end == std::string::npos) return t;
        return t.substr(0, at) + kUrls[pick(std::size(kUrls))] + t.substr(end);
      }
      case 7: {  // cut anywhere
        return t.substr(0, pick(t.size() + 1));
      }
      case 8: {  // a line repeated or dropped
        std::size_t a = t.rfind('\n', pick(t.size()));
        a = a == std::string::npos ? 0 : a + 1;
        std::size_t b = t.find('\n', a);
        if (b == std::string::npos) return t;
        std::string line = t.substr(a, b - a + 1);
        return pick(2) ? t.substr(0, a) + t.substr(b + 1)
                       : t.substr(0, a) + line + line + t.substr(a);
      }
      default: {  // a random printable or not-so-printable insertion
        std::string junk;
        for (std::size_t k = 1 + pick(64); k > 0; --k) junk += static_cast<char>(pick(256));
        std::size_t at = pick(t.size() + 1);
        return t.substr(0, at) + junk + t.substr(at);
      }
    }
  }

  std::mt19937 rng_;
  std::string folder_;
};

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

}  // namespace

TEST_CASE("mutated configs exit 0 or 2 with file line and key and never crash",
          "[config][hostile][mutants]") {
  pb::test::TempDir dir("pbmutants");
  const std::string frame = pb::test::source_dir() + "/assets/frames/heforshe.png";
  fs::create_directory(dir / "locked");
  pb::test::write_file(dir / "locked/frame.png", "x");
  fs::permissions(dir / "locked", fs::perms::none);
  REQUIRE(mkfifo((dir / "fifo").c_str(), 0600) == 0);
  const std::string data = dir / "card";
  auto init =
      pb::test::run_pledgebooth({"add-test-pledges", "--data-dir", data, "1", "--photo-kb", "0"});
  REQUIRE(init.exit_code == 0);

  const int count = env_int("PB_CONFIG_MUTANTS", 300);
  const auto seed = static_cast<std::uint32_t>(env_int("PB_CONFIG_MUTANTS_SEED", 20261202));
  Mutator mutator(seed, dir.path());
  const std::string base = base_config(frame);
  const std::string cfg = dir / "booth.toml";
  int with_message = 0;
  for (int i = 0; i < count; ++i) {
    const std::string text = mutator.mutate(base);
    pb::test::write_file(cfg, text);
    auto r = pb::test::run({PB_BINARY, "--config", cfg, "stats", "--data-dir", data}, {},
                           std::chrono::seconds(60));
    // "<cfg>:<line>: " names the file and the line of every config error.
    const std::size_t at = r.output.find(cfg + ":");
    bool names_line = false;
    if (at != std::string::npos) {
      std::size_t p = at + cfg.size() + 1, digits = 0;
      while (p < r.output.size() && r.output[p] >= '0' && r.output[p] <= '9') ++p, ++digits;
      names_line = digits > 0 && r.output.compare(p, 2, ": ") == 0;
    }
    const bool config_error =
        r.exit_code == 2 || r.output.find("upload targets not checked") != std::string::npos;
    const bool fine = (r.exit_code == 0 || r.exit_code == 2) && (!config_error || names_line);
    if (names_line) ++with_message;
    if (!fine) {
      if (const char* art = std::getenv("PB_TEST_ARTIFACTS"); art && *art)
        pb::test::write_file(std::string(art) + "/config-mutant-" + std::to_string(i) + ".toml",
                             text);
      INFO("mutant " << i << " (seed " << seed << "), " << text.size() << " bytes, exit "
                     << r.exit_code << ":\n"
                     << r.output.substr(0, 2000));
      CHECK(fine);
    }
  }
  fs::permissions(dir / "locked", fs::perms::owner_all);
  // The mutants do reach the checks: most are refused with a line.
  CHECK(with_message > count / 3);
}
