// SPDX-License-Identifier: Apache-2.0
// The campaign-wide count: kept in the ledger (campaign_counts, schema v4) and turned into
// what the booth may show (pb/tally_counts.h).
#include <algorithm>

#include "ledger_impl.h"
#include "pb/tally_counts.h"

namespace pb::store {

Status Ledger::save_campaign_count(const CampaignCount& c) {
  if (impl_->read_only) return impl_->read_only_error("keep the campaign count");
  Statement st(impl_->db,
               "INSERT INTO campaign_counts(event, others, other_booths, fetched_ms) "
               "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(event) DO UPDATE SET others = ?2, "
               "other_booths = ?3, fetched_ms = ?4");
  st.bind(1, c.event).bind(2, c.others).bind(3, c.other_booths).bind(4, c.fetched_ms);
  const int rc = st.step();
  if (rc != SQLITE_DONE) return impl_->db_error(rc, "keep the campaign count");
  return Status::ok();
}

Result<std::optional<CampaignCount>> Ledger::campaign_count(const std::string& event) {
  if (impl_->schema_version < 4) return std::optional<CampaignCount>();
  Statement st(impl_->db,
               "SELECT others, other_booths, fetched_ms FROM campaign_counts WHERE event = ?1");
  st.bind(1, event);
  const int rc = st.step();
  if (rc == SQLITE_DONE) return std::optional<CampaignCount>();
  if (rc != SQLITE_ROW) return impl_->db_error(rc, "read the campaign count");
  CampaignCount c{event, st.integer(0), st.integer(1), st.integer(2)};
  if (c.others < 0 || c.other_booths < 0 || c.fetched_ms < 0) return std::optional<CampaignCount>();
  return std::optional<CampaignCount>(std::move(c));
}

std::int64_t campaign_max_age_ms(int interval_s) {
  constexpr std::int64_t kFloorMs = 15 * 60 * 1000;
  return std::max<std::int64_t>(kFloorMs, 3 * std::int64_t{std::max(0, interval_s)} * 1000);
}

bool campaign_count_fresh(const CampaignCount& kept, const std::string& event, std::int64_t now_ms,
                          std::int64_t max_age_ms) {
  constexpr std::int64_t kClockSlackMs = 60 * 1000;
  if (kept.event != event) return false;
  if (kept.fetched_ms > now_ms + kClockSlackMs || now_ms - kept.fetched_ms > max_age_ms)
    return false;
  if (kept.other_booths < 0 || kept.other_booths > kMaxCampaignBooths) return false;
  return kept.others >= kept.other_booths && kept.others <= kMaxCampaignPledges;
}

std::optional<CampaignFigure> campaign_figure(const CampaignCount& fresh,
                                              std::int64_t own_pledges) {
  if (own_pledges < 0 || own_pledges > kMaxBoothPledges) return std::nullopt;
  const std::int64_t booths = fresh.other_booths + (own_pledges > 0 ? 1 : 0);
  if (booths < 2) return std::nullopt;
  return CampaignFigure{fresh.others + own_pledges, booths};
}

}  // namespace pb::store
