#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Where moto_server's time goes under `aws s3 cp --recursive` and under `pledgebooth upload`.
# Two passes over the same N pledges (photo ~SIZE bytes + ~430-byte JSON each):
#  1. plain moto_server: its process CPU (utime+stime from /proc/PID/stat) around each client
#     run, divided by the requests its log shows -> CPU per request, no profiler overhead;
#  2. moto_server under cProfile (bench/upload/moto_profiled.py, one profile per connection
#     thread): the top functions by cumulative time for each client's requests.
# Client runs: aws_photos (N photo PUTs), aws_json (N JSON PUTs), aws_both (the 2N objects
# the booth writes), pb (pledgebooth upload: N pledges = 2N PUTs).
# usage: bench/upload/moto_profile.sh BUILD_DIR [N=300] [SIZE=400000] [PARALLEL=16] [OUT_DIR]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath "${1:?usage: moto_profile.sh BUILD_DIR [N] [SIZE] [PARALLEL] [OUT_DIR]}")
N=${2:-300}
SIZE=${3:-400000}
PAR=${4:-16}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-moto-prof-XXXXXX")
OUT=${5:-$WORK/out}
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK/seed" "$WORK"/data-* "$WORK/both" "$WORK/json"
  case $OUT in "$WORK"/*) ;; *) rm -rf "$WORK" ;; esac  # keep only the profiles and logs
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret AWS_DEFAULT_REGION=us-east-1
export PB_BENCH_KEY=bench PB_BENCH_SECRET=benchsecret
TCK=$(getconf CLK_TCK)

"$BUILD/bench/upload/bench_upload_seed" "$WORK/seed" "$N" "$SIZE" s3 >/dev/null
PHOTOS="$WORK/seed/photos"
mkdir -p "$WORK/both" "$WORK/json"
cp -al "$PHOTOS/." "$WORK/both/"
python3 - "$WORK/both" "$WORK/json" <<'PY'
import os, sys
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith(".jpg"):
            body = '{"schema":1,"id":"%s","event":"bench-event","booth":"booth-1",' % f[:-4] + '"x":"' + "." * 330 + '"}\n'
            for root in sys.argv[1:]:
                sub = os.path.join(root, os.path.relpath(d, sys.argv[1]))
                os.makedirs(sub, exist_ok=True)
                open(os.path.join(sub, f[:-4] + ".json"), "w").write(body)
PY

# one_pass LABEL MOTO_CMD...: starts moto, runs the four clients, prints/records figures.
one_pass() {
  local label=$1
  shift
  local port pid
  port=$(port)
  PB_PROF_OUT="$OUT/$label" "$@" -H 127.0.0.1 -p "$port" >"$OUT/$label-moto.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_port "$port"
  local E="--endpoint-url http://127.0.0.1:$port" n=0
  for run in aws_photos aws_json aws_both pb; do
    n=$((n + 1))
    aws $E s3 mb "s3://$label-$run" >/dev/null
    rm -rf "$WORK/data-$run" && cp -a "$WORK/seed" "$WORK/data-$run"
    printf '[storage]\ndata_dir = "%s"\n[[upload.targets]]\nname = "s3"\nkind = "s3"\nendpoint = "http://127.0.0.1:%s"\nbucket = "%s"\naccess_key_env = "PB_BENCH_KEY"\nsecret_key_env = "PB_BENCH_SECRET"\n' \
      "$WORK/data-$run" "$port" "$label-$run" >"$WORK/$run.toml"
    local before_lines before_cpu after_cpu puts heads
    sleep 1  # moto settles (its accept loop polls every 0.5 s)
    if [ "$label" = profiled ]; then  # drop the profiles of the requests before this run
      kill -USR1 "$pid"
      until [ -e "$OUT/$label.$((2 * n - 1)).txt" ]; do sleep 0.2; done
    fi
    before_lines=$(wc -l <"$OUT/$label-moto.log")
    before_cpu=$(cpu_ticks "$pid")
    case $run in
      aws_photos) /usr/bin/time -f "%e %U %S" -o "$WORK/t" aws $E s3 cp --recursive --quiet "$PHOTOS" "s3://$label-$run/" ;;
      aws_json) /usr/bin/time -f "%e %U %S" -o "$WORK/t" aws $E s3 cp --recursive --quiet "$WORK/json" "s3://$label-$run/" ;;
      aws_both) /usr/bin/time -f "%e %U %S" -o "$WORK/t" aws $E s3 cp --recursive --quiet "$WORK/both" "s3://$label-$run/" ;;
      pb) /usr/bin/time -f "%e %U %S" -o "$WORK/t" "$BUILD/app/pledgebooth" --config "$WORK/$run.toml" upload --parallel "$PAR" >/dev/null ;;
    esac
    sleep 1  # the last connection closes
    after_cpu=$(cpu_ticks "$pid")
    puts=$(tail -n +"$((before_lines + 1))" "$OUT/$label-moto.log" | grep -c '"PUT ' || true)
    heads=$(tail -n +"$((before_lines + 1))" "$OUT/$label-moto.log" | grep -c '"HEAD ' || true)
    if [ "$label" = profiled ]; then
      kill -USR1 "$pid"
      until [ -e "$OUT/$label.$((2 * n)).txt" ]; do sleep 0.2; done  # written after the profile
      mv "$OUT/$label.$((2 * n))" "$OUT/$label-$run.prof"
      mv "$OUT/$label.$((2 * n)).txt" "$OUT/$label-$run.txt"
    fi
    local objs
    objs=$(aws $E s3 ls --recursive "s3://$label-$run" | wc -l)
    read -r wall cu cs <"$WORK/t"
    echo "$label $run wall_s=$wall client_cpu_s=$(awk "BEGIN {print $cu + $cs}") moto_cpu_s=$(awk "BEGIN {printf \"%.2f\", ($after_cpu - $before_cpu) / $TCK}") puts=$puts heads=$heads objects=$objs" | tee -a "$OUT/summary"
  done
}

one_pass plain moto_server
one_pass profiled python3 "$HERE/moto_profiled.py"

python3 - "$OUT" <<'PY'
import os, pstats, re, sys
out = sys.argv[1]
rows = [l.split() for l in open(os.path.join(out, "summary"))]
print(f"\n{'pass':9} {'client run':11} {'PUTs':>5} {'HEADs':>5} {'objects':>7} {'wall s':>7} {'client CPU s':>12} {'moto CPU s':>10} {'moto ms/req':>11}")
for r in rows:
    d = dict(kv.split("=") for kv in r[2:])
    reqs = int(d["puts"]) + int(d["heads"])
    print(f"{r[0]:9} {r[1]:11} {d['puts']:>5} {d['heads']:>5} {d['objects']:>7} {d['wall_s']:>7} {d['client_cpu_s']:>12} {d['moto_cpu_s']:>10} {1000 * float(d['moto_cpu_s']) / reqs:11.2f}")
for run in ["aws_photos", "aws_json", "aws_both", "pb"]:
    f = os.path.join(out, f"profiled-{run}.prof")
    if not os.path.exists(f):
        continue
    st = pstats.Stats(f)
    reqs = next(int(dict(kv.split("=") for kv in r[2:])["puts"]) for r in rows if r[0] == "profiled" and r[1] == run)
    info = open(os.path.join(out, f"profiled-{run}.txt")).read().strip()
    print(f"\n== {run}: {reqs} PUTs under cProfile ({info}); top by cumulative time, ms per PUT ==")
    items = sorted(st.stats.items(), key=lambda kv: kv[1][3], reverse=True)
    shown = 0
    for (fn, line, name), (cc, nc, tt, ct, _) in items:
        short = re.sub(r".*site-packages/", "", fn)
        short = re.sub(r".*/lib/python3\.\d+/", "stdlib/", short)
        if name in ("<module>",) or short.startswith("~"):
            continue
        print(f"  {1000 * ct / reqs:7.3f} cum {1000 * tt / reqs:7.3f} own {nc / reqs:6.1f} calls/PUT  {short}:{line}({name})")
        shown += 1
        if shown == 22:
            break
    print(f"  -- top by own time --")
    for (fn, line, name), (cc, nc, tt, ct, _) in sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:14]:
        short = re.sub(r".*site-packages/", "", fn)
        short = re.sub(r".*/lib/python3\.\d+/", "stdlib/", short)
        print(f"  {1000 * tt / reqs:7.3f} own {nc / reqs:6.1f} calls/PUT  {short}:{line}({name})")
PY
echo "profiles and moto logs in $OUT" >&2
