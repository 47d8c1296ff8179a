#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Goodput on a shaped link, as a share of the link: the booth (a network namespace) sends
# N photos of ~SIZE bytes to a server in another namespace through a veth pair whose booth
# end is limited to RATE by a `tbf` qdisc (netem is not available here). Servers: `rclone
# serve webdav` and moto_server (S3), both in the server's namespace. Clients, each on the
# same photo files, REPS times:
#   curl       one `curl -T` of all the photos' bytes in one file to WebDAV (the ceiling:
#              one connection, no per-object cost)
#   pb2 pb16   `pledgebooth upload --parallel 2 / 16` to WebDAV (it also sends a ~450-byte
#              JSON per photo, not counted)
#   rclone rclone16  `rclone copy` to WebDAV (default 4 transfers, --transfers 16)
#   pbs3_2 pbs3_16   `pledgebooth upload --parallel 2 / 16` to S3 (moto; SigV4)
#   pbs3_2_old pbs3_16_old  the same with OLD_BUILD's pledgebooth (set OLD_BUILD=dir): a
#              build from before a change, side by side
#   aws        `aws s3 cp --recursive` of the photos to S3 (its default 10 requests at once)
#   rclones3   `rclone copy` to S3 (4 transfers)
# Goodput = photo bytes / wall time. Every photo stored is checked (MD5 against its source:
# the files on the WebDAV server, the ETags on S3; pledgebooth checks its own PUTs' ETags).
# CLIENTS="..." picks clients (default: all but the *_old ones unless OLD_BUILD is set).
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
OLD_PB=""
[ -n "${OLD_BUILD:-}" ] && OLD_PB="$(realpath "$OLD_BUILD")/app/pledgebooth"
DEFAULT_CLIENTS="curl pb2 pb16 rclone rclone16 pbs3_2 pbs3_16 aws rclones3"
[ -n "$OLD_PB" ] && DEFAULT_CLIENTS="$DEFAULT_CLIENTS pbs3_2_old pbs3_16_old"
CLIENTS=${CLIENTS:-$DEFAULT_CLIENTS}
PORT=8080
S3_PORT=5000
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-shaped-XXXXXX")
source "$(dirname "$(realpath "$0")")/netns.sh"
cleanup() {
  set +e
  netns_down
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_up "pbsl$$" 10.232.0
# The uplink: what the booth sends is held to RATE.
inb tc qdisc add dev "$VETH_B" root tbf rate "${RATE}mbit" burst 32kb latency 100ms

mkdir -p "$WORK/served"
for r in $(seq "$REPS"); do
  for c in $CLIENTS; do mkdir -p "$WORK/served/$c-r$r"; done
done
ip netns exec "$NS_S" rclone serve webdav "$WORK/served" --addr "$SERVER_IP:$PORT" --etag-hash MD5 >"$WORK/rclone.log" 2>&1 &
ip netns exec "$NS_S" moto_server -H "$SERVER_IP" -p "$S3_PORT" >"$WORK/moto.log" 2>&1 &
for p in $PORT $S3_PORT; do
  for _ in $(seq 600); do ins bash -c "exec 3<>/dev/tcp/$SERVER_IP/$p" 2>/dev/null && break; sleep 0.05; done
done
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret AWS_DEFAULT_REGION=us-east-1
export PB_BENCH_KEY=bench PB_BENCH_SECRET=benchsecret
S3_URL="http://$SERVER_IP:$S3_PORT"
for r in $(seq "$REPS"); do
  for c in $CLIENTS; do
    case $c in pbs3*|aws|rclones3) inb aws --endpoint-url "$S3_URL" s3 mb "s3://$(tr _ - <<<"$c")-r$r" >/dev/null ;; esac
  done
done

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
pb_run() {  # client parallel rep binary kind
  local data="$WORK/data-$1-$3" target
  rm -rf "$data"; cp -a "$WORK/seed" "$data"
  if [ "$5" = s3 ]; then
    target="kind = \"s3\"
endpoint = \"$S3_URL\"
bucket = \"$(tr _ - <<<"$1")-r$3\"
access_key_env = \"PB_BENCH_KEY\"
secret_key_env = \"PB_BENCH_SECRET\""
  else
    target="kind = \"webdav\"
url = \"http://$SERVER_IP:$PORT/$1-r$3\""
  fi
  cat >"$WORK/pb-$1-$3.toml" <<TOML
[storage]
data_dir = "$data"
[[upload.targets]]
name = "cloud"
$target
prefix = "bench"
allow_plain_http = true
TOML
  inb "$4" --config "$WORK/pb-$1-$3.toml" upload --parallel "$2"
}
export RCLONE_CONFIG=/dev/null RCLONE_WEBDAV_URL="http://$SERVER_IP:$PORT"
export RCLONE_S3_PROVIDER=Other RCLONE_S3_ENDPOINT="$S3_URL" RCLONE_S3_ACCESS_KEY_ID=bench \
  RCLONE_S3_SECRET_ACCESS_KEY=benchsecret RCLONE_S3_REGION=us-east-1 RCLONE_S3_FORCE_PATH_STYLE=true

echo "shaped-link: $N photos, $BYTES bytes, tbf ${RATE} Mbit/s (= $LINK_BPS B/s), $REPS runs; load $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/results"
for r in $(seq "$REPS"); do
  for c in $CLIENTS; do
    b=$(tr _ - <<<"$c")-r$r
    case $c in
      curl) s=$(run_timed curl "$r" inb curl -sS -f -T "$WORK/all-photos.bin" "http://$SERVER_IP:$PORT/curl-r$r/all.bin") ;;
      pb2) s=$(run_timed pb2 "$r" pb_run pb2 2 "$r" "$PB" webdav) ;;
      pb16) s=$(run_timed pb16 "$r" pb_run pb16 16 "$r" "$PB" webdav) ;;
      rclone) s=$(run_timed rclone "$r" inb rclone copy "$WORK/seed/photos" ":webdav:rclone-r$r") ;;
      rclone16) s=$(run_timed rclone16 "$r" inb rclone copy --transfers 16 "$WORK/seed/photos" ":webdav:rclone16-r$r") ;;
      pbs3_2) s=$(run_timed "$c" "$r" pb_run "$c" 2 "$r" "$PB" s3) ;;
      pbs3_16) s=$(run_timed "$c" "$r" pb_run "$c" 16 "$r" "$PB" s3) ;;
      pbs3_2_old) s=$(run_timed "$c" "$r" pb_run "$c" 2 "$r" "$OLD_PB" s3) ;;
      pbs3_16_old) s=$(run_timed "$c" "$r" pb_run "$c" 16 "$r" "$OLD_PB" s3) ;;
      aws) s=$(run_timed aws "$r" inb aws --endpoint-url "$S3_URL" s3 cp --recursive --quiet "$WORK/seed/photos" "s3://$b/") ;;
      # rclone's S3 backend fails on AWS_CA_BUNDLE ("unsupported transport"); plain http here.
      rclones3) s=$(run_timed rclones3 "$r" inb env -u AWS_CA_BUNDLE rclone copy "$WORK/seed/photos" ":s3:$b") ;;
      *) echo "unknown client $c" >&2; exit 2 ;;
    esac
    pct=$(echo "scale=1; 100 * $BYTES / $s / $LINK_BPS" | bc)
    echo "run $r $c: $s s, goodput $pct % of the link (load $(cut -d' ' -f1 /proc/loadavg))"
    echo "$c $pct" >>"$WORK/results"
  done
done
# Every photo arrived whole (pledgebooth confirms each by ETag = MD5; check the others).
want=$(echo "$PHOTOS" | xargs md5sum | awk '{print $1}' | sort | md5sum)
s3_md5s() {  # bucket: the sorted ETags of its .jpg objects (MD5 for a single PUT)
  inb aws --endpoint-url "$S3_URL" s3api list-objects-v2 --bucket "$1" --output text \
    --query 'Contents[].[Key,ETag]' | awk '$1 ~ /\.jpg$/ {gsub(/"/, "", $2); print $2}' | sort | md5sum
}
for r in $(seq "$REPS"); do
  for c in $CLIENTS; do
    case $c in
      rclone|rclone16)
        got=$(find "$WORK/served/$c-r$r" -name '*.jpg' -print0 | xargs -0 md5sum | awk '{print $1}' | sort | md5sum) ;;
      pbs3*|aws|rclones3) got=$(s3_md5s "$(tr _ - <<<"$c")-r$r") ;;
      curl) cmp -s "$WORK/all-photos.bin" "$WORK/served/curl-r$r/all.bin" || echo "WARNING: curl run $r differs" >&2
            continue ;;
      *) continue ;;
    esac
    [ "$got" = "$want" ] || echo "WARNING: $c run $r: photos on the server differ from the source" >&2
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| client | goodput, % of ${RATE} Mbit/s (median of $REPS; min … max) |"
echo "|---|---|"
for c in $CLIENTS; do
  v=$(awk -v c="$c" '$1==c {print $2}' "$WORK/results" | sort -n)
  med=$(awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}' <<<"$v")
  echo "| $c | $med % ($(head -1 <<<"$v") … $(tail -1 <<<"$v")) |"
done
