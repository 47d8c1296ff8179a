// The booth's on-screen strings per locale, from assets/i18n/<locale>.toml.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pb/status.h"

namespace pb::kiosk {

class Strings {
 public:
  // Reads <dir>/en.toml and <dir>/ko.toml (start-up only: this is disk I/O). Tables are
  // flattened to "section.key". kNotFound / kInvalid with the file and reason.
  static Result<Strings> load(const std::string& dir,
                              const std::vector<std::string>& locales = {"en", "ko"});
  // Adds one locale from TOML text (`name` stands for the file in messages).
  Status add(const std::string& locale, const std::string& toml_text, const std::string& name);

  // The string, or the key itself when missing (visible, never a crash).
  const std::string& get(const std::string& locale, const std::string& key) const;
  // get() with each {name} replaced by its value.
  std::string format(const std::string& locale, const std::string& key,
                     const std::vector<std::pair<std::string, std::string>>& args) const;
  bool has(const std::string& locale, const std::string& key) const;
  std::vector<std::string> keys(const std::string& locale) const;
  std::vector<std::string> locales() const;

 private:
  std::map<std::string, std::map<std::string, std::string>> tables_;
};

// Replaces each {name} in text by its value.
std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& args);

}  // namespace pb::kiosk
