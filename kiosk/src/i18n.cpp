// SPDX-License-Identifier: Apache-2.0
// String tables from TOML, flattened to "section.key".
#include "pb/i18n.h"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "pb/config.h"

namespace pb::kiosk {
namespace {

void flatten(const toml::table& t, const std::string& prefix,
             std::map<std::string, std::string>& out, std::string& error) {
  for (const auto& [k, v] : t) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = v.as_table()) {
      flatten(*sub, key, out, error);
    } else if (const auto* s = v.as_string()) {
      out[key] = s->get();
    } else if (error.empty()) {
      error = key + ": expected a string";
    }
  }
}

}  // namespace

Result<Strings> Strings::load(const std::string& dir, std::vector<std::string> locales) {
  if (locales.empty()) locales = config::available_locales(dir);
  Strings s;
  for (const auto& locale : locales) {
    const std::string path = dir + "/" + locale + ".toml";
    std::ifstream in(path);
    if (!in) return Status::error(Status::Code::kNotFound, path + ": cannot read the string table");
    std::stringstream text;
    text << in.rdbuf();
    if (Status st = s.add(locale, text.str(), path); !st) return st;
    if (!s.has(locale, "language.name") ||
        !keyboard_named(s.get(locale, "language.keyboard")).has_value())
      return Status::error(Status::Code::kInvalid,
                           path +
                               ": [language] needs a name and a keyboard (latin, spanish or "
                               "hangul)");
  }
  return s;
}

Status Strings::add(const std::string& locale, const std::string& toml_text,
                    const std::string& name) {
  try {
    const toml::table t = toml::parse(toml_text, name);
    std::string error;
    if (!tables_.count(locale)) order_.push_back(locale);
    auto& table = tables_[locale];
    flatten(t, "", table, error);
    if (!error.empty()) return Status::error(Status::Code::kInvalid, name + ": " + error);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << name << ":" << e.source().begin.line << ": " << e.description();
    return Status::error(Status::Code::kInvalid, msg.str());
  }
  return Status::ok();
}

const std::string& Strings::get(const std::string& locale, const std::string& key) const {
  if (auto t = tables_.find(locale); t != tables_.end())
    if (auto v = t->second.find(key); v != t->second.end()) return v->second;
  if (auto t = tables_.find("en"); t != tables_.end())
    if (auto v = t->second.find(key); v != t->second.end()) return v->second;
  return key;
}

bool Strings::has(const std::string& locale, const std::string& key) const {
  auto t = tables_.find(locale);
  return t != tables_.end() && t->second.count(key) > 0;
}

std::string Strings::format(const std::string& locale, const std::string& key,
                            const std::vector<std::pair<std::string, std::string>>& args) const {
  return fill(get(locale, key), args);
}

std::vector<std::string> Strings::keys(const std::string& locale) const {
  std::vector<std::string> out;
  if (auto t = tables_.find(locale); t != tables_.end())
    for (const auto& [k, v] : t->second) out.push_back(k);
  return out;
}

std::vector<std::string> Strings::locales() const {
  return order_;
}

std::vector<Language> Strings::languages() const {
  std::vector<Language> out;
  for (const auto& code : order_)
    out.push_back(
        {code, keyboard_named(get(code, "language.keyboard")).value_or(KeyboardMode::kLatin)});
  return out;
}

std::string Strings::number(const std::string& locale, std::int64_t n) const {
  return group_digits(
      n, has(locale, "language.thousands") ? get(locale, "language.thousands") : std::string(","));
}

std::string group_digits(std::int64_t n, const std::string& sep) {
  const std::string digits = std::to_string(n);
  const std::size_t sign = n < 0 ? 1 : 0;
  std::string out = digits.substr(0, sign);
  const std::size_t len = digits.size() - sign;
  for (std::size_t i = 0; i < len; ++i) {
    if (i > 0 && (len - i) % 3 == 0) out += sep;
    out += digits[sign + i];
  }
  return out;
}

std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& args) {
  for (const auto& [name, value] : args) {
    const std::string token = "{" + name + "}";
    for (std::size_t at = text.find(token); at != std::string::npos;
         at = text.find(token, at + value.size()))
      text.replace(at, token.size(), value);
  }
  return text;
}

}  // namespace pb::kiosk
