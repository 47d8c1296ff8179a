#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Who held the CPUs while the booth's UI waited for one.

Reads `perf script -F comm,pid,tid,cpu,time,event,trace` of sched:sched_switch and
sched:sched_wakeup events (stdin) and the booth's pid. A UI task is the booth's main thread
(the UI thread, tid = pid) or one of Mesa's llvmpipe rasteriser threads (a frame waits for
them). A wait is the time a UI task was runnable but not running (woken, or preempted, until
switched in). Each wait is shared out over the tasks that ran on every CPU meanwhile
(divided by the CPU count), by kind: the upload worker (the booth's thread named pb-upload, or at
nice 19: prio 139), the booth's other threads, the WebDAV server (rclone), other
processes, idle. Prints the totals and the same for waits longer than LONG_MS.
usage: perf script ... | sched_wait.py BOOTH_PID [CPUS=2] [LONG_MS=4]
"""
import collections
import re
import sys

booth = int(sys.argv[1])
ncpu = int(sys.argv[2]) if len(sys.argv) > 2 else 2
long_ms = float(sys.argv[3]) if len(sys.argv) > 3 else 4.0

head = re.compile(r"^\s*(.+?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$")
kv = re.compile(r"(\w+)=(\S+)")

tgid = {}       # tid -> pid, from the events' current tasks
comm = {}       # tid -> last name seen
prio = {}       # tid -> last prio seen
current = {}    # cpu -> (tid, since)
segments = []   # (cpu, start, end, tid)
waiting = {}    # ui tid -> since
waits = []      # (ui tid, start, end)


def is_ui(tid):
    if tgid.get(tid) != booth:
        return False
    return tid == booth or comm.get(tid, "").startswith("llvmpipe")


for line in sys.stdin:
    m = head.match(line)
    if not m:
        continue
    cur_comm, pid, tid, cpu, t, event, rest = m.groups()
    pid, tid, cpu, t = int(pid), int(tid), int(cpu), float(t)
    tgid[tid] = pid
    f = dict(kv.findall(rest))
    if event.endswith("sched_switch"):
        prev, nxt = int(f["prev_pid"]), int(f["next_pid"])
        comm[prev] = f["prev_comm"]
        comm[nxt] = f["next_comm"]
        prio[prev] = int(f["prev_prio"])
        prio[nxt] = int(f["next_prio"])
        if cpu in current:
            ctid, since = current[cpu]
            segments.append((cpu, since, t, ctid))
        current[cpu] = (nxt, t)
        if is_ui(prev) and f["prev_state"].startswith("R"):
            waiting[prev] = t
        if nxt in waiting:
            waits.append((nxt, waiting.pop(nxt), t))
    elif event.endswith("sched_wakeup") or event.endswith("sched_waking"):
        w = int(f["pid"])
        comm[w] = f["comm"]
        if is_ui(w) and w not in waiting and all(c[0] != w for c in current.values()):
            waiting[w] = t


def kind(tid):
    if tid == 0:
        return "idle"
    if tgid.get(tid) == booth:
        if comm.get(tid) == "pb-upload" or prio.get(tid) == 139:
            return "booth upload worker"
        return "booth UI (main, llvmpipe)" if is_ui(tid) else "booth other threads"
    if comm.get(tid, "").startswith("rclone"):
        return "webdav server (rclone)"
    return "other processes"


# Segments by cpu, sorted, for the overlap sums.
by_cpu = collections.defaultdict(list)
for cpu, s, e, tid in segments:
    by_cpu[cpu].append((s, e, tid))
for v in by_cpu.values():
    v.sort()


def share(start, end, out):
    for cpu, segs in by_cpu.items():
        for s, e, tid in segs:
            if e <= start:
                continue
            if s >= end:
                break
            out[kind(tid)] += (min(e, end) - max(s, start)) * 1000 / ncpu


total = collections.Counter()
longs = collections.Counter()
n_long = 0
sum_wait = 0.0
for tid, s, e in waits:
    sum_wait += (e - s) * 1000
    share(s, e, total)
    if (e - s) * 1000 > long_ms:
        n_long += 1
        share(s, e, longs)
span = (max(e for _, _, e in waits) - min(s for _, s, _ in waits)) if waits else 0
print(f"UI tasks waited for a CPU {len(waits)} times, {sum_wait:.0f} ms in all over {span:.1f} s; "
      f"{n_long} waits over {long_ms:g} ms")
for title, c in (("all waits", total), (f"waits over {long_ms:g} ms", longs)):
    t = sum(c.values()) or 1
    print(f"  {title}: " + ", ".join(f"{k} {v:.0f} ms ({100 * v / t:.0f} %)" for k, v in c.most_common()))
