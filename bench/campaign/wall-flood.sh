#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The wall under the flood of issue 22: while one address (127.0.0.2) holds SLOW connections
# sending one header byte every 500 ms, IDLE silent ones and STREAMS /events streams (each
# opened again as soon as the wall closes it), another (127.0.0.1, the projector) GETs
# /api/wall every 100 ms on a fresh connection. Prints how long those answers took, what the
# flood could hold, and the wall's peak RSS (VmHWM). No root needed: both addresses are
# loopback. tests/campaign/wall_flood_test.cpp runs the same flood from a network namespace.
#
# usage: bench/campaign/wall-flood.sh BUILD_DIR [SECONDS] [PLEDGEBOOTH] [SLOW IDLE STREAMS]
#   PLEDGEBOOTH: the binary whose wall is measured (default BUILD_DIR/app/pledgebooth), e.g.
#   one built from an older commit to compare.
set -euo pipefail
build=${1:?usage: bench/campaign/wall-flood.sh BUILD_DIR [SECONDS] [PLEDGEBOOTH] [SLOW IDLE STREAMS]}
seconds=${2:-20}
exe=${3:-$build/app/pledgebooth}
slow=${4:-16}
idle=${5:-500}
streams=${6:-16}
flood=$build/tests/campaign/pb_wall_flood
[ -x "$flood" ] || { echo "build $flood first (cmake --build $build --target pb_wall_flood)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/pb-wall-flood.XXXXXX)
wall_pid=
cleanup() {
  [ -n "$wall_pid" ] && kill "$wall_pid" 2>/dev/null && wait "$wall_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/booth.toml" <<EOF
[event]
id = "bench"
name = "Bench"
[booth]
id = "b1"
[storage]
data_dir = "$tmp/data"
min_free_mb = 1
[upload]
enabled = false
EOF
"$exe" --config "$tmp/booth.toml" add-test-pledges 30 --photo-kb 50 >/dev/null
# Port 0: the wall takes a free one and says which (a port picked here could be taken by
# the previous run's flood, whose client ports are still in TIME_WAIT).
"$exe" --config "$tmp/booth.toml" wall --listen "0.0.0.0:0" >"$tmp/wall.log" 2>&1 &
wall_pid=$!
port=
for _ in $(seq 300); do
  port=$(sed -n 's|.* on http://0.0.0.0:\([0-9]*\)/.*|\1|p' "$tmp/wall.log")
  [ -n "$port" ] && break
  kill -0 "$wall_pid" 2>/dev/null || { cat "$tmp/wall.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "the wall did not start; its log:" >&2; cat "$tmp/wall.log" >&2; exit 1; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "wall: $exe"
"$flood" --to "127.0.0.2:$port" --from 127.0.0.2 --slow "$slow" --idle "$idle" \
  --streams "$streams" --seconds "$seconds" >"$tmp/flood.out" &
flood_pid=$!
sleep 1  # the flood is in place before the first probe
probe=$("$flood" --probe "127.0.0.1:$port" --from 127.0.0.1 --every-ms 100 --seconds $((seconds - 2)))
wait "$flood_pid"
echo "flood from 127.0.0.2 ($slow slow, $idle idle, $streams streams, ${seconds} s): $(cat "$tmp/flood.out")"
echo "/api/wall from 127.0.0.1 meanwhile: $probe"
if ! kill -0 "$wall_pid" 2>/dev/null; then
  wait "$wall_pid" && rc=0 || rc=$?
  echo "the wall is gone (exit $rc); its log:" >&2
  tail -20 "$tmp/wall.log" >&2
  wall_pid=
  exit 1
fi
echo "wall peak RSS: $(grep VmHWM "/proc/$wall_pid/status" | awk '{print $2, $3}')"
echo "wall threads at the end: $(grep Threads "/proc/$wall_pid/status" | awk '{print $2}')"
refused=$(grep -c "refused\|closed a connection" "$tmp/wall.log" || true)
echo "wall log lines about refusals: $refused"
