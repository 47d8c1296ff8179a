// SPDX-License-Identifier: Apache-2.0
// The upload module's background threads (the outbox worker, the campaign count) give way to
// the booth's UI and saves: see lower_own_priority.
#pragma once

namespace pb::upload {

// Names the calling thread (top -H, perf, ps) and runs it as SCHED_IDLE (nice 19 as the
// fallback) at the lowest best-effort I/O priority. Best effort: a failure leaves it as it was.
void lower_own_priority(const char* thread_name);

}  // namespace pb::upload
