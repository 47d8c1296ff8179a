#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Frame pacing of the booth's UI while its upload queue drains: the participants of
# bench/kiosk/frame-pacing (compose + JPEG + fsync'd save per pledge) play while the
# kiosk's own uploader sends QUEUED earlier pledges (~SIZE bytes each) to rclone's WebDAV
# server on loopback (the fastest link there is, so the drain competes hardest for the two
# cores and the disk). Prints each run's frame-time percentiles (as frame-pacing does) and
# how many queued pledges were uploaded during the run, and where the CPU went: the booth's
# threads (name, nice, CPU seconds; the upload worker is the thread at nice 19) and the
# WebDAV server's, whose work on loopback a real booth's link leaves to another machine.
# SERVER_PRIO runs that server at a nice value (default 0) or, "idle", as SCHED_IDLE (chrt
# --idle): a server on another machine, as a booth's is, takes no CPU from the booth.
# PERF_SCHED=S (root, perf): records the scheduler's switches for the first S seconds of
# each run (the drain) and prints who held the CPUs while the UI waited for one
# (bench/upload/sched_wait.py).
# usage: bench/upload/drain-frame-pacing.sh BUILD_DIR [QUEUED=400] [SIZE=400000] [PARTICIPANTS=10] [RUNS=3] [BOOTH_PARALLEL_MAX=4] [SERVER_PRIO=0]
set -euo pipefail
BUILD=$(realpath "${1:?usage: drain-frame-pacing.sh BUILD_DIR [QUEUED] [SIZE] [PARTICIPANTS] [RUNS] [BOOTH_PARALLEL_MAX]}")
QUEUED=${2:-400}
SIZE=${3:-400000}
N=${4:-10}
RUNS=${5:-3}
PMAX=${6:-4}
SERVER_PRIO=${7:-0}
if [ "$SERVER_PRIO" = idle ]; then SERVER_RUN=(chrt --idle 0); else SERVER_RUN=(nice -n "$SERVER_PRIO"); fi
PB="$BUILD/app/pledgebooth"
SEED="$BUILD/bench/upload/bench_upload_seed"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-drain-frames-XXXXXX")
SERVER_PID=""
cleanup() {
  set +e  # a server stopped by SIGTERM is not the bench failing
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

PORT=$(port)
for r in $(seq "$RUNS"); do mkdir -p "$WORK/served/r$r"; done
"${SERVER_RUN[@]}" rclone serve webdav "$WORK/served" --addr "127.0.0.1:$PORT" >"$WORK/rclone.log" 2>&1 &
SERVER_PID=$!
wait_port "$PORT"

{
  echo "expect attract 20"
  for _ in $(seq "$N"); do
    printf 'tap attract:start\nexpect pledge\ntap pledge:agree\nexpect details\ntap key:shift\ntap key:S\ntap key:a\ntap key:m\n'
    printf 'tap pick:everyone\ntap details:next\nexpect photo-choice\ntap photo-choice:take\nexpect review 15\ntap review:campaign\ntap review:use\nexpect thanks 15\n'
    printf 'wait 1\ntap thanks:done\nexpect attract 5\n'
  done
} >"$WORK/script.txt"

# CPU seconds (user+sys) of one process or thread from its stat file.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz}' "$1" 2>/dev/null || echo 0; }
# Keeps the last look at every thread of the booth (a thread's stat is gone once it exits):
# "tid comm nice cpu_s" lines in $2.
watch_threads() {
  local pid=$1 out=$2 hz
  hz=$(getconf CLK_TCK)
  while kill -0 "$pid" 2>/dev/null; do
    # One awk per look: comm is between the parentheses, nice and utime+stime after them.
    awk -v hz="$hz" '{l=$0; c=l; sub(/^[^(]*\(/, "", c); sub(/\) .*/, "", c); gsub(/ /, "_", c);
      sub(/.*\) /, "", l); split(l, f, " "); printf "%s %s %s %.2f\n", FILENAME, c, f[17], (f[12] + f[13]) / hz}' \
      /proc/"$pid"/task/*/stat >"$out.tmp" 2>/dev/null && mv "$out.tmp" "$out"
    sleep 0.5
  done
}

echo "drain-frame-pacing: $QUEUED queued pledges of ~$SIZE bytes, $N participants, booth_parallel_max=$PMAX, server priority $SERVER_PRIO, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$RUNS"); do
  data="$WORK/data-$r"
  "$SEED" "$data" "$QUEUED" "$SIZE" cloud >/dev/null
  cat >"$WORK/booth.toml" <<TOML
[booth]
countdown_s = 1
[camera]
source = "synthetic"
[storage]
data_dir = "$data"
[upload]
enabled = true
booth_parallel_max = $PMAX
[[upload.targets]]
name = "cloud"
kind = "webdav"
url = "http://127.0.0.1:$PORT/r$r"
prefix = "bench"
TOML
  server_before=$(cpu_s "/proc/$SERVER_PID/stat")
  "$PB" --config "$WORK/booth.toml" kiosk --windowed --script "$WORK/script.txt" --exit-after-script \
    --frame-stats "$WORK/stats-$r.json" 2>/dev/null &
  booth=$!
  perf_pid=""
  if [ -n "${PERF_SCHED:-}" ]; then
    perf record -q -e sched:sched_switch -e sched:sched_wakeup -a -o "$WORK/sched.data" -- sleep "$PERF_SCHED" 2>/dev/null &
    perf_pid=$!
  fi
  rm -f "$WORK/threads"
  watch_threads "$booth" "$WORK/threads" &
  watcher=$!
  wait "$booth"
  wait "$watcher" || true
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf script -i "$WORK/sched.data" -F comm,pid,tid,cpu,time,event,trace 2>/dev/null |
      python3 "$(dirname "$(realpath "$0")")/sched_wait.py" "$booth" "$(nproc)" 4 | sed 's/^/  sched: /'
    rm -f "$WORK/sched.data"
  fi
  server_cpu=$(echo "$(cpu_s "/proc/$SERVER_PID/stat") - $server_before" | bc)
  uploaded=$( (find "$WORK/served/r$r/bench/bench-event" -name '*.json' 2>/dev/null || true) | wc -l)
  echo "run $r: $(cat "$WORK/stats-$r.json") queued pledges uploaded during the run: $uploaded of $QUEUED (load $(cut -d' ' -f1 /proc/loadavg))"
  # The booth's threads by CPU (same-named threads summed), then the server's.
  echo "  CPU s: $(awk '{k=$2 "/nice" $3; c[k]+=$4} END {for (k in c) printf "%s %.2f\n", k, c[k]}' "$WORK/threads" 2>/dev/null | sort -k2 -nr | head -8 | paste -sd, -), webdav server $server_cpu"
  rm -rf "$data" "$WORK/served/r$r"
done
