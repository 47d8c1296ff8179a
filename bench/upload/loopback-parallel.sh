#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Loopback ratios with the same parallelism for every client: N photos of ~SIZE bytes to
# `rclone serve webdav` (MD5 ETags) on 127.0.0.1, REPS times, interleaved, with the load
# average noted per run. For each P in PARALLELS:
#   pb       `pledgebooth upload --parallel P` (each pledge is 2 objects: the photo, then a
#            ~450-byte JSON; plus one MKCOL per new folder; it confirms each PUT by its ETag)
#   rclone   `rclone copy --transfers P --checkers P` (lists the destination first)
#   curl     one `curl --parallel --parallel-max P` process PUTting every photo (-K list);
#            the plainest client there is, no checks
# Prints per-run wall seconds and client CPU (user+sys), then medians and the ratios
# rclone/pb and curl/pb of the median wall times (> 1: pledgebooth is faster).
# Every photo on the server is checked against its source (MD5) for every run.
# usage: bench/upload/loopback-parallel.sh BUILD_DIR [N=300] [SIZE=400000] [REPS=3] [PARALLELS="4 16"]
set -euo pipefail
BUILD=$(realpath "${1:?usage: loopback-parallel.sh BUILD_DIR [N] [SIZE] [REPS] [PARALLELS]}")
N=${2:-300}
SIZE=${3:-400000}
REPS=${4:-3}
PARALLELS=${5:-4 16}
PB="$BUILD/app/pledgebooth"
SEED="$BUILD/bench/upload/bench_upload_seed"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-loopback-XXXXXX")
SERVER_PID=""
cleanup() {
  set +e
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port)
for r in $(seq "$REPS"); do
  for p in $PARALLELS; do
    for c in pb rclone curl; do mkdir -p "$WORK/served/$c-p$p-r$r"; done
  done
done
rclone serve webdav "$WORK/served" --addr "127.0.0.1:$PORT" --etag-hash MD5 >"$WORK/rclone.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 400); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done

"$SEED" "$WORK/seed" "$N" "$SIZE" cloud >/dev/null
PHOTOS=$(cd "$WORK/seed/photos" && find . -name '*.jpg' | sed 's|^\./||' | sort)
want=$( (cd "$WORK/seed/photos" && md5sum $PHOTOS) | awk '{print $1}' | sort | md5sum)
export RCLONE_CONFIG=/dev/null RCLONE_WEBDAV_URL="http://127.0.0.1:$PORT"

curl_list() {  # dir: a curl -K config with one upload per photo
  local f
  for f in $PHOTOS; do
    printf 'upload-file = "%s"\nurl = "http://127.0.0.1:%s/%s/%s"\noutput = "/dev/null"\n' \
      "$WORK/seed/photos/$f" "$PORT" "$1" "$(basename "$f")"
  done
}
pb_config() {  # dir data
  cat <<TOML
[storage]
data_dir = "$2"
[[upload.targets]]
name = "cloud"
kind = "webdav"
url = "http://127.0.0.1:$PORT/$1"
prefix = "bench"
TOML
}
# measure NAME CMD...: appends "NAME P wall user+sys load" to results.
measure() {
  local name=$1 p=$2
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$WORK/time" "$@" >"$WORK/$name.log" 2>&1 ||
    { echo "$name failed:" >&2; tail -5 "$WORK/$name.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  local wall cpu load
  wall=$(echo "$t1 - $t0" | bc)
  cpu=$(awk '{print $1 + $2}' "$WORK/time" | tail -1)
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$name P=$p: $wall s, CPU $cpu s (load $load)"
  echo "$name $p $wall $cpu $load" >>"$WORK/results"
}
check() {  # dir: every photo there, byte for byte
  local got
  got=$(find "$WORK/served/$1" -name '*.jpg' -print0 | xargs -0 md5sum | awk '{print $1}' | sort | md5sum)
  [ "$got" = "$want" ] || { echo "FAILED: $1 holds other photos than the source" >&2; exit 1; }
}

echo "loopback-parallel: $N photos of ~$SIZE bytes to rclone WebDAV on 127.0.0.1, $REPS runs, P in {$PARALLELS}; load $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/results"
for r in $(seq "$REPS"); do
  for p in $PARALLELS; do
    d="pb-p$p-r$r"
    rm -rf "$WORK/data"; cp -a "$WORK/seed" "$WORK/data"
    pb_config "$d" "$WORK/data" >"$WORK/pb.toml"
    measure pb "$p" "$PB" --config "$WORK/pb.toml" upload --parallel "$p"
    check "$d"
    d="rclone-p$p-r$r"
    measure rclone "$p" rclone copy --transfers "$p" --checkers "$p" "$WORK/seed/photos" ":webdav:$d"
    check "$d"
    d="curl-p$p-r$r"
    curl_list "$d" >"$WORK/curl.cfg"
    measure curl "$p" curl -sS -f --parallel --parallel-max "$p" -K "$WORK/curl.cfg"
    check "$d"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$WORK/results" "$N" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, p, wall, cpu, load = line.split()
    rows.setdefault((int(p), name), []).append((float(wall), float(cpu), float(load)))
n = int(sys.argv[2])
print("| P | client | wall s (median; min … max) | photos/s | client CPU s | load during |")
print("|---|---|---|---|---|---|")
med = {}
for (p, name), v in sorted(rows.items()):
    w = sorted(x[0] for x in v)
    m = statistics.median(w)
    med[(p, name)] = m
    loads = [x[2] for x in v]
    print(f"| {p} | {name} | {m:.2f} ({w[0]:.2f} … {w[-1]:.2f}) | {n / m:.0f} | "
          f"{statistics.median(x[1] for x in v):.2f} | {min(loads):.1f}–{max(loads):.1f} |")
print()
for p in sorted({p for p, _ in rows}):
    print(f"P={p}: rclone/pb {med[(p, 'rclone')] / med[(p, 'pb')]:.2f}x, "
          f"curl/pb {med[(p, 'curl')] / med[(p, 'pb')]:.2f}x (> 1: pledgebooth faster)")
PY
