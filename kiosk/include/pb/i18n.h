// SPDX-License-Identifier: Apache-2.0
// The booth's on-screen strings per locale, from assets/i18n/<locale>.toml. Each table is
// one language: adding a file there adds a language to the booth (the toggle, the
// machine, the config's per-locale texts all follow config::available_locales).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pb/keyboard.h"
#include "pb/status.h"

namespace pb::kiosk {

class Strings {
 public:
  // Reads <dir>/<locale>.toml for each locale, by default every table in dir
  // (config::available_locales; start-up only: this is disk I/O). Tables are flattened to
  // "section.key"; each needs [language] name and a [layout] for its keyboard (rows and
  // shift, see parse_key_rows; switch_to and label). kNotFound / kInvalid with the file and
  // reason.
  static Result<Strings> load(const std::string& dir, std::vector<std::string> locales = {});
  // Adds one locale from TOML text (`name` stands for the file in messages). Its [layout],
  // when there is one, is read into its keyboard and is not a string of the table.
  Status add(const std::string& locale, const std::string& toml_text, const std::string& name);

  // The string, or the key itself when missing (visible, never a crash).
  const std::string& get(const std::string& locale, const std::string& key) const;
  // get() with each {name} replaced by its value.
  std::string format(const std::string& locale, const std::string& key,
                     const std::vector<std::pair<std::string, std::string>>& args) const;
  bool has(const std::string& locale, const std::string& key) const;
  // A count as the locale writes it: digits grouped by three with its [language] thousands
  // separator ("1,284"; "," when the table names none).
  std::string number(const std::string& locale, std::int64_t n) const;
  std::vector<std::string> keys(const std::string& locale) const;
  // In load order: "en" first, then by code.
  std::vector<std::string> locales() const;
  // The languages for the machine's toggle and keyboard, in locales() order (an empty
  // keyboard for a table without [layout]).
  std::vector<Language> languages() const;

 private:
  std::map<std::string, std::map<std::string, std::string>> tables_;
  std::map<std::string, KeyboardLayout> layouts_;
  std::vector<std::string> order_;  // locales as added
};

// n with its digits grouped by three, separated by sep: group_digits(1284, ",") = "1,284".
std::string group_digits(std::int64_t n, const std::string& sep);

// Replaces each {name} in text by its value.
std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& args);

}  // namespace pb::kiosk
