// SPDX-License-Identifier: Apache-2.0
// Background threads give way to the booth's UI and saves: the outbox worker, the campaign
// count and the fleet heartbeat call lower_own_priority first.
#pragma once

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pb {

// Names the calling thread (top -H, perf, ps) and runs it as SCHED_IDLE (nice 19 as the
// fallback) at the lowest best-effort I/O priority. Best effort: a failure leaves it as it was.
//
// The booth's UI and its saves come before background work: this thread (and the resolver
// threads curl starts from it, which inherit it) runs as SCHED_IDLE, so a UI or rasteriser
// thread that wakes takes its CPU at once (the kernel also places a waking thread on a CPU
// that runs only SCHED_IDLE work), with nice 19 as the fallback, and at the lowest
// best-effort I/O priority: on two busy cores a frame waits as little as possible behind an
// upload (bench/upload/drain-frame-pacing.sh with PERF_SCHED).
inline void lower_own_priority(const char* thread_name) {
  pthread_setname_np(pthread_self(), thread_name);
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  (void)::setpriority(PRIO_PROCESS, tid, 19);
  sched_param none{};
  (void)::sched_setscheduler(0, SCHED_IDLE, &none);  // 0: the calling thread
  constexpr int kIoprioWhoProcess = 1, kIoprioClassBe = 2, kIoprioClassShift = 13;
  (void)::syscall(SYS_ioprio_set, kIoprioWhoProcess, static_cast<int>(tid),
                  (kIoprioClassBe << kIoprioClassShift) | 7);
}

}  // namespace pb
