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

// A [layout] table: rows and shift (arrays of strings), switch_to and label. "" = no layout.
std::string read_layout(const toml::table& t, KeyboardLayout& out) {
  auto rows = [&t](const char* key, KeyRows& into) -> std::string {
    const auto* arr = t[key].as_array();
    if (!arr) return std::string("layout.") + key + ": expected an array of strings";
    std::vector<std::string> lines;
    for (const auto& v : *arr) {
      const auto* line = v.as_string();
      if (!line) return std::string("layout.") + key + ": expected an array of strings";
      lines.push_back(line->get());
    }
    auto parsed = parse_key_rows(lines);
    if (!parsed) return std::string("layout.") + key + ": " + parsed.status().message();
    into = std::move(*parsed);
    return "";
  };
  if (std::string e = rows("rows", out.rows); !e.empty()) return e;
  if (std::string e = rows("shift", out.shifted); !e.empty()) return e;
  for (const auto& [k, v] : t)
    if (k.str() != "rows" && k.str() != "shift" && !v.is_string())
      return "layout." + std::string(k.str()) + ": expected a string";
  out.switch_to = t["switch_to"].value_or(std::string());
  out.label = t["label"].value_or(std::string());
  return "";
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
    if (!s.has(locale, "language.name") || !s.layouts_.count(locale))
      return Status::error(Status::Code::kInvalid,
                           path + ": needs [language] name and a [layout] for its keyboard");
  }
  return s;
}

Status Strings::add(const std::string& locale, const std::string& toml_text,
                    const std::string& name) {
  try {
    toml::table t = toml::parse(toml_text, name);
    std::string error;
    KeyboardLayout layout;
    const bool has_layout = t.contains("layout");
    if (has_layout) {
      if (const auto* lt = t["layout"].as_table())
        error = read_layout(*lt, layout);
      else
        error = "layout: expected a table";
      t.erase("layout");
    }
    if (!error.empty()) return Status::error(Status::Code::kInvalid, name + ": " + error);
    if (!tables_.count(locale)) order_.push_back(locale);
    if (has_layout) layouts_[locale] = std::move(layout);
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
  for (const auto& code : order_) {
    auto layout = layouts_.find(code);
    out.push_back({code, layout != layouts_.end() ? layout->second : KeyboardLayout{}});
  }
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
