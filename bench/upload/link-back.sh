#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# How soon the booth's queue moves once its server is reachable again (issue 13's table).
# Two network namespaces made here and joined by a veth pair: the booth (the kiosk's
# background uploader, bench_upload_booth, with 20 pledges queued = 40 objects) and a
# WebDAV server (rclone serve webdav). Per run the server is unreachable for DOWN_S
# seconds — long enough for the old probe backoff (2 → 30 s) to reach its cap — then back;
# the script times server back → first object and → all 40 objects in the server's folder.
# Cases:
#   refused    the server is stopped (connections refused), then started again; "back" is
#              the moment it accepts connections. Nothing changes in the booth's network.
#   blackhole  the server's namespace drops the packets to the booth (a blackhole route:
#              the booth's SYNs get no answer), then the route goes. Nothing changes in the
#              booth's network either: only the booth's probes can notice.
#   link       the booth's own link goes down (as when the Wi-Fi drops), then up again with
#              its address and route: the booth hears it (rtnetlink) and probes at once.
# Needs root (ip netns). Everything it makes (namespaces, veth, processes, files) is
# removed on exit, also on failure or Ctrl-C.
# usage: bench/upload/link-back.sh BUILD_DIR [RUNS=5] [DOWN_S=60] [CASES="refused blackhole link"] [SIZE=400000]
set -euo pipefail
BUILD=$(realpath "${1:?usage: link-back.sh BUILD_DIR [RUNS] [DOWN_S] [CASES] [SIZE]}")
RUNS=${2:-5}
DOWN_S=${3:-60}
CASES=${4:-refused blackhole link}
SIZE=${5:-400000}
PLEDGES=20
OBJECTS=$((PLEDGES * 2))
BOOTH="$BUILD/bench/upload/bench_upload_booth"
SEED="$BUILD/bench/upload/bench_upload_seed"
[ "$(id -u)" = 0 ] || { echo "link-back.sh: needs root for network namespaces" >&2; exit 2; }
for f in "$BOOTH" "$SEED"; do [ -x "$f" ] || { echo "missing $f (cmake --build $BUILD --target $(basename "$f"))" >&2; exit 2; }; done

# The two namespaces and the veth between them: bench/upload/netns.sh (shared with
# shaped-link.sh).
source "$(dirname "$(realpath "$0")")/netns.sh"
PORT=8080
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-link-back-XXXXXX")
SERVER_PID=""
BOOTH_PID=""
WATCH_PID=""
# The system's Python, not a version manager's shim (a shell script that costs seconds
# under load).
PYTHON=$(command -v /usr/bin/python3 || command -v python3)

cleanup() {
  set +e
  [ -n "$BOOTH_PID" ] && kill "$BOOTH_PID" 2>/dev/null && wait "$BOOTH_PID" 2>/dev/null
  [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  # Whatever still runs inside our namespaces (only ours) goes before they do.
  netns_down
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_up "pblb$$" 10.231.0

start_server() {
  mkdir -p "$WORK/served/pb"
  ip netns exec "$NS_S" rclone serve webdav "$WORK/served" --addr "$SERVER_IP:$PORT" >>"$WORK/rclone.log" 2>&1 &
  SERVER_PID=$!
}
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
# Waits until the server accepts connections (asked from inside its own namespace, so a
# drop between the namespaces does not hide it); prints the epoch time when it did.
server_ready() {
  for _ in $(seq 400); do
    if ins bash -c "exec 3<>/dev/tcp/$SERVER_IP/$PORT" 2>/dev/null; then date +%s.%N; return 0; fi
    sleep 0.025
  done
  echo "rclone did not start (see $WORK/rclone.log)" >&2
  return 1
}
# Watches the server's folder from before the server is back (a Python started under a
# load of 15 can take seconds to run its first line), inside the server's namespace:
# waits for the file $1 to hold T0 (epoch seconds) or "listen" (then T0 is the moment
# the server accepts a connection, tried every 5 ms), then prints seconds from T0 to the first metadata file (the first
# object counted is a whole pledge: the booth sends a pledge's JSON only after its photo
# is stored and confirmed, so a half-written photo never counts) and to all OBJECTS
# files (the last one is a small JSON, sent after its photo was confirmed).
watch_objects() {
  ip netns exec "$NS_S" "$PYTHON" - "$WORK/served/pb" "$1" "$OBJECTS" "$SERVER_IP" "$PORT" <<'PY'
import os, socket, sys, time
root, t0_file, want, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
def accepts():
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False
while True:
    try:
        with open(t0_file) as f:
            word = f.read().strip()
        if word == "listen":
            while not accepts():
                time.sleep(0.005)
            t0 = time.time()
        else:
            t0 = float(word)
        break
    except (OSError, ValueError):
        time.sleep(0.005)
first = None
deadline = time.time() + 600
def count():
    n = js = 0
    for d, _, files in os.walk(root):
        n += sum(1 for f in files if f.endswith((".jpg", ".json")))
        js += sum(1 for f in files if f.endswith(".json"))
    return n, js
while time.time() < deadline:
    n, js = count()
    now = time.time()
    if js and first is None: first = now - t0
    if n >= want:
        print(f"{first:.2f} {now - t0:.2f}")
        sys.exit(0)
    time.sleep(0.02)
print(f"{first if first is not None else -1:.2f} -1")
PY
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "-"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
range() { sort -n | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.1f … %.1f", lo, hi}'; }

echo "link-back: $PLEDGES pledges of ~$SIZE bytes ($OBJECTS objects), server down ${DOWN_S} s, $RUNS runs per case"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/results"
for case in $CASES; do
  for run in $(seq "$RUNS"); do
    data="$WORK/data-$case-$run"
    rm -rf "$WORK/served"
    "$SEED" "$data" "$PLEDGES" "$SIZE" cloud >/dev/null
    cat >"$WORK/booth.toml" <<TOML
[storage]
data_dir = "$data"

[upload]
enabled = true

[[upload.targets]]
name = "cloud"
kind = "webdav"
url = "http://$SERVER_IP:$PORT/pb"
prefix = "bench"
allow_plain_http = true
TOML
    # Down: refused = no server; blackhole = server up, its replies to the booth dropped;
    # link = the booth's link down.
    case $case in
      refused) ;;
      blackhole) start_server; server_ready >/dev/null; ins ip route add blackhole "$BOOTH_IP/32" ;;
      link) start_server; server_ready >/dev/null; inb ip link set "$VETH_B" down ;;
      *) echo "unknown case $case" >&2; exit 2 ;;
    esac
    ip netns exec "$NS_B" "$BOOTH" "$WORK/booth.toml" >>"$WORK/booth.log" 2>&1 &
    BOOTH_PID=$!
    rm -f "$WORK/t0"
    watch_objects "$WORK/t0" >"$WORK/watch.out" &
    WATCH_PID=$!
    sleep "$DOWN_S"
    case $case in
      refused) t0=listen ;;
      # T0 just before the change: the booth may be done before `ip` has returned.
      blackhole) t0=$(date +%s.%N); ins ip route del blackhole "$BOOTH_IP/32" ;;
      link) t0=$(date +%s.%N); booth_link_up ;;
    esac
    echo "$t0" >"$WORK/t0.tmp" && mv "$WORK/t0.tmp" "$WORK/t0"
    [ "$case" = refused ] && start_server
    wait "$WATCH_PID"; WATCH_PID=""
    read -r first all <"$WORK/watch.out"
    kill "$BOOTH_PID"; wait "$BOOTH_PID" 2>/dev/null || true; BOOTH_PID=""
    stop_server
    if [ -n "$(ip netns pids "$NS_B")$(ip netns pids "$NS_S")" ]; then
      echo "link-back: processes left in the namespaces after run $run" >&2; exit 1
    fi
    echo "$case run $run: first object ${first} s, all $OBJECTS ${all} s (load $(cut -d' ' -f1 /proc/loadavg))"
    echo "$case $first $all" >>"$WORK/results"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| case | server back → first object | → all $OBJECTS objects |"
echo "|---|---|---|"
for case in $CASES; do
  f=$(awk -v c="$case" '$1==c {print $2}' "$WORK/results")
  a=$(awk -v c="$case" '$1==c {print $3}' "$WORK/results")
  echo "| $case | median $(median <<<"$f") s ($(range <<<"$f")) | median $(median <<<"$a") s ($(range <<<"$a")) |"
done
