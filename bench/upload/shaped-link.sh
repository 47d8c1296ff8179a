#!/usr/bin/env bash
# Goodput on a shaped link, as a share of the link: the booth (a network namespace) sends
# N photos of ~SIZE bytes to `rclone serve webdav` (another namespace) through a veth pair
# whose booth end is limited to RATE by a `tbf` qdisc (netem is not available here).
# Clients, each on the same photo files, REPS times: `pledgebooth upload` (--parallel 2
# and 16; it also sends a ~450-byte JSON per photo, not counted), `rclone copy` (default
# 4 transfers and --transfers 16), and one `curl -T` of all the photos' bytes in one file
# (the ceiling: one connection, no per-object cost). Goodput = photo bytes / wall time.
# Needs root (ip netns, tc). Removes everything it made on exit.
# usage: bench/upload/shaped-link.sh BUILD_DIR [N=50] [SIZE=400000] [RATE_MBIT=20] [REPS=3]
set -euo pipefail
BUILD=$(realpath "${1:?usage: shaped-link.sh BUILD_DIR [N] [SIZE] [RATE_MBIT] [REPS]}")
N=${2:-50}
SIZE=${3:-400000}
RATE=${4:-20}
REPS=${5:-3}
PB="$BUILD/app/pledgebooth"
SEED="$BUILD/bench/upload/bench_upload_seed"
[ "$(id -u)" = 0 ] || { echo "shaped-link.sh: needs root" >&2; exit 2; }
TAG=pbsl$$
NS_B=$TAG-booth
NS_S=$TAG-server
SERVER_IP=10.232.0.2
PORT=8080
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-shaped-XXXXXX")
cleanup() {
  set +e
  for ns in "$NS_B" "$NS_S"; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill $pids 2>/dev/null
  done
  sleep 0.2
  ip netns del "$NS_B" 2>/dev/null
  ip netns del "$NS_S" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
inb() { ip netns exec "$NS_B" "$@"; }
ins() { ip netns exec "$NS_S" "$@"; }

ip netns add "$NS_B"
ip netns add "$NS_S"
ip link add "${TAG}b" netns "$NS_B" type veth peer name "${TAG}s" netns "$NS_S"
inb ip link set lo up
ins ip link set lo up
inb ip addr add 10.232.0.1/24 dev "${TAG}b"
inb ip link set "${TAG}b" up
ins ip addr add "$SERVER_IP/24" dev "${TAG}s"
ins ip link set "${TAG}s" up
# The uplink: what the booth sends is held to RATE.
inb tc qdisc add dev "${TAG}b" root tbf rate "${RATE}mbit" burst 32kb latency 100ms

mkdir -p "$WORK/served"
for r in $(seq "$REPS"); do
  for c in pb2 pb16 rclone rclone16 curl; do mkdir -p "$WORK/served/$c-r$r"; done
done
ip netns exec "$NS_S" rclone serve webdav "$WORK/served" --addr "$SERVER_IP:$PORT" --etag-hash MD5 >"$WORK/rclone.log" 2>&1 &
for _ in $(seq 400); do ins bash -c "exec 3<>/dev/tcp/$SERVER_IP/$PORT" 2>/dev/null && break; sleep 0.05; done

# One seeded ledger; each pledgebooth run gets a fresh copy of it (rows pending).
"$SEED" "$WORK/seed" "$N" "$SIZE" cloud >/dev/null
PHOTOS=$(find "$WORK/seed/photos" -name '*.jpg' | sort)
BYTES=$(cat $PHOTOS | wc -c)
cat $PHOTOS >"$WORK/all-photos.bin"
LINK_BPS=$((RATE * 1000000 / 8))

run_timed() {  # name rep command...: prints seconds
  local t0 t1
  t0=$(date +%s.%N)
  "${@:3}" >>"$WORK/$1.log" 2>&1 || { echo "$1 run $2 failed (see log)" >&2; tail -5 "$WORK/$1.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
pb_run() {  # parallel rep
  local data="$WORK/data-$1-$2"
  rm -rf "$data"; cp -a "$WORK/seed" "$data"
  cat >"$WORK/pb-$1-$2.toml" <<TOML
[storage]
data_dir = "$data"
[[upload.targets]]
name = "cloud"
kind = "webdav"
url = "http://$SERVER_IP:$PORT/pb$1-r$2"
prefix = "bench"
allow_plain_http = true
TOML
  inb "$PB" --config "$WORK/pb-$1-$2.toml" upload --parallel "$1"
}
export RCLONE_CONFIG=/dev/null RCLONE_WEBDAV_URL="http://$SERVER_IP:$PORT"

echo "shaped-link: $N photos, $BYTES bytes, tbf ${RATE} Mbit/s (= $LINK_BPS B/s), $REPS runs; load $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/results"
for r in $(seq "$REPS"); do
  for c in curl pb2 pb16 rclone rclone16; do
    case $c in
      curl) s=$(run_timed curl "$r" inb curl -sS -f -T "$WORK/all-photos.bin" "http://$SERVER_IP:$PORT/curl-r$r/all.bin") ;;
      pb2) s=$(run_timed pb2 "$r" pb_run 2 "$r") ;;
      pb16) s=$(run_timed pb16 "$r" pb_run 16 "$r") ;;
      rclone) s=$(run_timed rclone "$r" inb rclone copy "$WORK/seed/photos" ":webdav:rclone-r$r") ;;
      rclone16) s=$(run_timed rclone16 "$r" inb rclone copy --transfers 16 "$WORK/seed/photos" ":webdav:rclone16-r$r") ;;
    esac
    pct=$(echo "scale=1; 100 * $BYTES / $s / $LINK_BPS" | bc)
    echo "run $r $c: $s s, goodput $pct % of the link (load $(cut -d' ' -f1 /proc/loadavg))"
    echo "$c $pct" >>"$WORK/results"
  done
done
# Every photo arrived whole (pledgebooth confirms each by ETag = MD5; check the others).
want=$(echo "$PHOTOS" | xargs md5sum | awk '{print $1}' | sort | md5sum)
for r in $(seq "$REPS"); do
  for c in rclone rclone16; do
    got=$(find "$WORK/served/$c-r$r" -name '*.jpg' -print0 | xargs -0 md5sum | awk '{print $1}' | sort | md5sum)
    [ "$got" = "$want" ] || echo "WARNING: $c run $r: photos on the server differ from the source" >&2
  done
  cmp -s "$WORK/all-photos.bin" "$WORK/served/curl-r$r/all.bin" || echo "WARNING: curl run $r differs" >&2
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| client | goodput, % of ${RATE} Mbit/s (median of $REPS; min … max) |"
echo "|---|---|"
for c in curl pb2 pb16 rclone rclone16; do
  v=$(awk -v c="$c" '$1==c {print $2}' "$WORK/results" | sort -n)
  med=$(awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}' <<<"$v")
  echo "| $c | $med % ($(head -1 <<<"$v") … $(tail -1 <<<"$v")) |"
done
