#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `pledgebooth tally` over BOOTHS x EVENTS booth documents (default 500 x 20 = 10,000, the
# campaign of issue #14) on a folder and on moto_server (S3): wall seconds of REPS runs each,
# the HTTP requests the run made (from --json), and the load average before each run.
# The documents are made by this script (real schema-1 tally documents), copied into the
# bucket with `aws s3 sync`.
# usage: bench/campaign/tally-bench.sh BUILD_DIR [BOOTHS=500] [EVENTS=20] [REPS=3] [PARALLEL=8]
set -euo pipefail
BUILD=$(realpath "${1:?usage: tally-bench.sh BUILD_DIR [BOOTHS] [EVENTS] [REPS] [PARALLEL]}")
BOOTHS=${2:-500}
EVENTS=${3:-20}
REPS=${4:-3}
PAR=${5:-8}
PB="$BUILD/app/pledgebooth"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-tally-bench-XXXXXX")
MOTO=""
cleanup() {
  [ -n "$MOTO" ] && kill "$MOTO" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 - "$WORK/folder/campaign" "$BOOTHS" "$EVENTS" <<'PY'
import json, os, sys
root, booths, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for e in range(events):
    d = os.path.join(root, f"event-{e:02d}", "_booths")
    os.makedirs(d, exist_ok=True)
    for b in range(booths):
        n = 10 + (b * 7 + e) % 50
        doc = {"schema": 1, "kind": "pledgebooth-tally", "booth": f"booth-{b:03d}",
               "event": f"event-{e:02d}", "newest_pledge_ms": 1764059400123,
               "newest_pledge_utc": "2025-11-25T08:30:00.123Z", "pledges": n,
               "with_photo": n - 1, "shared": n // 2,
               "answers": {"daughter": n // 2, "other": n - n // 2},
               "locales": {"en": n - 3, "ko": 3},
               "days": {"2025-11-24": {"pledges": 3, "with_photo": 3, "shared": 1},
                        "2025-11-25": {"pledges": n - 3, "with_photo": n - 4, "shared": n // 2 - 1}}}
        with open(os.path.join(d, f"booth-{b:03d}.json"), "w") as f:
            f.write(json.dumps(doc) + "\n")
PY

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

S3_PORT=$(port)
moto_server -H 127.0.0.1 -p "$S3_PORT" >"$WORK/moto.log" 2>&1 &
MOTO=$!
wait_port "$S3_PORT"
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
aws --endpoint-url "http://127.0.0.1:$S3_PORT" s3 mb s3://campaign >/dev/null
aws --endpoint-url "http://127.0.0.1:$S3_PORT" s3 sync --quiet "$WORK/folder" s3://campaign

cat >"$WORK/folder.toml" <<TOML
[storage]
data_dir = "$WORK/data"
[[upload.targets]]
name = "stick"
kind = "file"
prefix = "campaign"
path = "$WORK/folder"
TOML
cat >"$WORK/s3.toml" <<TOML
[storage]
data_dir = "$WORK/data"
[[upload.targets]]
name = "bucket"
kind = "s3"
endpoint = "http://127.0.0.1:$S3_PORT"
bucket = "campaign"
prefix = "campaign"
access_key_env = "AWS_ACCESS_KEY_ID"
secret_key_env = "AWS_SECRET_ACCESS_KEY"
TOML

echo "documents: $((BOOTHS * EVENTS)) ($BOOTHS booths x $EVENTS events), parallel $PAR, nproc $(nproc)"
for kind in folder s3; do
  for r in $(seq "$REPS"); do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    start=$(date +%s.%N)
    "$PB" --config "$WORK/$kind.toml" tally --json --parallel "$PAR" >"$WORK/out.json"
    end=$(date +%s.%N)
    python3 - "$kind" "$r" "$start" "$end" "$load" "$WORK/out.json" <<'PY'
import json, sys
kind, rep, start, end, load, out = sys.argv[1:]
j = json.load(open(out))
print(f"{kind:6s} run {rep}: {float(end) - float(start):7.2f} s  requests {j['requests']:6d}  "
      f"documents {j['total']['booths']:6d}  pledges {j['total']['pledges']}  skipped {len(j['skipped'])}  load {load}")
PY
  done
done
