// SPDX-License-Identifier: Apache-2.0
// One field of the ledger's CSV export (RFC 4180, as Excel and LibreOffice read it).
#pragma once

#include <string>

namespace pb::store {

// `s` as a CSV field: quoted when it holds a comma, a quote or a line break (quotes
// doubled); a leading = + - @ tab or CR gets a ' first, so a spreadsheet shows it as text
// instead of running it as a formula. A reader gets back exactly the field, that ' included.
std::string csv_field(const std::string& s);

}  // namespace pb::store
