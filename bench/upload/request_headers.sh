#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What an S3 PUT from `aws s3 cp` and from `pledgebooth upload` carries: both upload 2
# photos (+ JSON) to a logging server (bench/upload/capture_server.py) that answers like S3;
# prints each client's request headers and how many requests each connection served.
# usage: bench/upload/request_headers.sh BUILD_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath "${1:?usage: request_headers.sh BUILD_DIR}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-headers-XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret AWS_DEFAULT_REGION=us-east-1
export PB_BENCH_KEY=bench PB_BENCH_SECRET=benchsecret
"$BUILD/bench/upload/bench_upload_seed" "$WORK/seed" 2 400000 s3 >/dev/null
mkdir -p "$WORK/both"
cp -a "$WORK/seed/photos/." "$WORK/both/"
for f in "$WORK"/both/*/*/*.jpg; do echo '{"schema":1}' >"${f%.jpg}.json"; done
for client in aws pb; do
  P=$(port)
  python3 "$HERE/capture_server.py" "$P" "$WORK/$client.log" &
  PIDS+=($!)
  wait_port "$P"
  if [ "$client" = aws ]; then
    aws --endpoint-url "http://127.0.0.1:$P" s3 cp --recursive --quiet "$WORK/both" s3://bkt/
  else
    printf '[storage]\ndata_dir = "%s"\n[[upload.targets]]\nname = "s3"\nkind = "s3"\nendpoint = "http://127.0.0.1:%s"\nbucket = "bkt"\naccess_key_env = "PB_BENCH_KEY"\nsecret_key_env = "PB_BENCH_SECRET"\n' \
      "$WORK/seed" "$P" >"$WORK/pb.toml"
    "$BUILD/app/pledgebooth" --config "$WORK/pb.toml" upload --parallel 16 >/dev/null
  fi
  sleep 0.5
  echo "=== $client: the first request, then the connections ==="
  awk '/^### conn .* req 1:/ {n++} n == 1' "$WORK/$client.log" | sed -n '1,/^(body/p'
  grep 'closed after' "$WORK/$client.log"
done
