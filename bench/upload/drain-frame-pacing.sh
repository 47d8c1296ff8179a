#!/usr/bin/env bash
# Frame pacing of the booth's UI while its upload queue drains: the participants of
# bench/kiosk/frame-pacing (compose + JPEG + fsync'd save per pledge) play while the
# kiosk's own uploader sends QUEUED earlier pledges (~SIZE bytes each) to rclone's WebDAV
# server on loopback (the fastest link there is, so the drain competes hardest for the two
# cores and the disk). Prints each run's frame-time percentiles (as frame-pacing does) and
# how many queued pledges were uploaded during the run.
# usage: bench/upload/drain-frame-pacing.sh BUILD_DIR [QUEUED=400] [SIZE=400000] [PARTICIPANTS=10] [RUNS=3] [BOOTH_PARALLEL_MAX=4]
set -euo pipefail
BUILD=$(realpath "${1:?usage: drain-frame-pacing.sh BUILD_DIR [QUEUED] [SIZE] [PARTICIPANTS] [RUNS] [BOOTH_PARALLEL_MAX]}")
QUEUED=${2:-400}
SIZE=${3:-400000}
N=${4:-10}
RUNS=${5:-3}
PMAX=${6:-4}
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
rclone serve webdav "$WORK/served" --addr "127.0.0.1:$PORT" >"$WORK/rclone.log" 2>&1 &
SERVER_PID=$!
wait_port "$PORT"

{
  echo "expect attract 20"
  for _ in $(seq "$N"); do
    printf 'tap start\nexpect pledge\ntap agree\nexpect details\ntap key:shift\ntap key:S\ntap key:a\ntap key:m\n'
    printf 'tap pick:everyone\ntap details_next\nexpect review 15\ntap consent\ntap use_photo\nexpect thanks 15\n'
    printf 'wait 1\ntap thanks_done\nexpect attract 5\n'
  done
} >"$WORK/script.txt"

echo "drain-frame-pacing: $QUEUED queued pledges of ~$SIZE bytes, $N participants, booth_parallel_max=$PMAX, load $(cut -d' ' -f1-3 /proc/loadavg)"
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
  "$PB" --config "$WORK/booth.toml" kiosk --windowed --script "$WORK/script.txt" --exit-after-script \
    --frame-stats "$WORK/stats-$r.json" 2>/dev/null
  uploaded=$( (find "$WORK/served/r$r/bench/bench-event" -name '*.json' 2>/dev/null || true) | wc -l)
  echo "run $r: $(cat "$WORK/stats-$r.json") queued pledges uploaded during the run: $uploaded of $QUEUED (load $(cut -d' ' -f1 /proc/loadavg))"
  rm -rf "$data" "$WORK/served/r$r"
done
