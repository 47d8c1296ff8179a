#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Uploads N photos of ~SIZE bytes to moto_server (S3) and to rclone's WebDAV server with
# `pledgebooth upload`, and the same files with `aws s3 cp --recursive` and `rclone copy`,
# REPS times each, in one run; prints wall seconds, client CPU (user+sys) and peak RSS of
# every run and the medians.
# rclone serves WebDAV with MD5 ETags (--etag-hash MD5), so a PUT confirms itself as on S3.
# moto_server is one Python process that spends ~3 ms CPU per request (bench/upload/
# moto_profile.sh), so it sets the pace of both S3 clients. The *_sink rows send the same
# S3 PUTs (path-style /bucket/key) to nginx's dav module (2 workers), a sink that is not the
# bottleneck, so they compare the clients. nginx gives no MD5 ETag, so `pledgebooth upload`
# confirms each PUT with a HEAD there (4 requests per pledge); every stored file is checked
# against its source byte for byte.
# usage: bench/upload/run.sh BUILD_DIR [N=1000] [SIZE=400000] [PARALLEL=16] [REPS=3]
set -euo pipefail
BUILD=$(realpath "${1:?usage: run.sh BUILD_DIR [N] [SIZE] [PARALLEL] [REPS]}")
N=${2:-1000}
SIZE=${3:-400000}
PAR=${4:-16}
REPS=${5:-3}
PB="$BUILD/app/pledgebooth"
SEED="$BUILD/bench/upload/bench_upload_seed"
LEAN="$BUILD/bench/upload/bench_upload_lean"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-upload-bench-XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK" "${SINK:-}"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

S3_PORT=$(port)
moto_server -H 127.0.0.1 -p "$S3_PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
DAV_PORT=$(port)
# Every run's root folder exists before rclone starts (its directory cache would hide later ones).
for r in $(seq "$REPS"); do mkdir -p "$WORK/dav/pb-r$r" "$WORK/dav/rclone-r$r" "$WORK/dav/lean-r$r"; done
rclone serve webdav "$WORK/dav" --addr "127.0.0.1:$DAV_PORT" --user booth --pass benchpass --etag-hash MD5 >"$WORK/rclone.log" 2>&1 &
PIDS+=($!)
SINK_PORT=$(port)
# In RAM when possible: on this VM's disk nginx spent ~2 s CPU per 1000 pledges (ext4 writes
# in 16 KB pieces), more than the clients; on tmpfs with 1 MB body buffers ~0.35 s.
SINK=$(mktemp -d /dev/shm/pb-upload-sink-XXXXXX 2>/dev/null || mktemp -d "$WORK/sink-root-XXXXXX")
mkdir -p "$SINK/root" "$SINK/body"
cat >"$WORK/nginx.conf" <<NGINX
user root;
worker_processes 2;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  log_format reqs '\$request_method \$status \$uri';
  access_log $WORK/nginx-access.log reqs;
  client_body_temp_path $SINK/body;
  proxy_temp_path $SINK/body/p;
  fastcgi_temp_path $SINK/body/f;
  uwsgi_temp_path $SINK/body/u;
  scgi_temp_path $SINK/body/s;
  client_max_body_size 0;
  client_body_buffer_size 1m;
  server {
    listen 127.0.0.1:$SINK_PORT;
    root $SINK/root;
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
NGINX
[ "$(id -u)" = 0 ] || sed -i '/^user root;/d' "$WORK/nginx.conf"
nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
NGINX_PID=$!
PIDS+=($!)
wait_port "$S3_PORT"
wait_port "$DAV_PORT"
wait_port "$SINK_PORT"

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret AWS_DEFAULT_REGION=us-east-1
export PB_BENCH_KEY=bench PB_BENCH_SECRET=benchsecret PB_BENCH_DAV=benchpass
E="--endpoint-url http://127.0.0.1:$S3_PORT"
ES="--endpoint-url http://127.0.0.1:$SINK_PORT"
DAV_OBSCURED=$(rclone obscure benchpass)

echo "seeding $N pledges of ~$SIZE bytes..." >&2
"$SEED" "$WORK/seed" "$N" "$SIZE" s3,dav
PHOTOS="$WORK/seed/photos"
echo "photos: $(find "$PHOTOS" -name '*.jpg' | wc -l) files, $(du -sm "$PHOTOS" | cut -f1) MB" >&2
# The same objects the booth writes (photo + a ~450-byte JSON per pledge), for aws to upload too.
cp -al "$PHOTOS" "$WORK/both"
python3 - "$WORK/both" <<'PY'
import os, sys
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith(".jpg"):
            with open(os.path.join(d, f[:-4] + ".json"), "w") as out:
                out.write('{"schema":1,"id":"%s","event":"bench-event","booth":"booth-1",' % f[:-4] + '"x":"' + "." * 330 + '"}\n')
PY

# measure NAME CMD...: appends "NAME seconds peak_rss_kB user_s sys_s exit" to results.
measure() {
  local name=$1
  shift
  local rc=0
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" "$@" >"$WORK/$name.log" 2>&1 || rc=$?
  echo "$name $(cat "$WORK/time" | tail -1) $rc" | tee -a "$WORK/results" >&2
}

# measure_sink NAME CMD...: measure, and append "NAME nginx_cpu_ticks" (its workers' user+sys) to sinkcpu.
nginx_ticks() {
  local t=0 s f
  for s in /proc/[0-9]*/stat; do  # nginx's workers: processes whose parent is its master
    read -r -a f <"$s" 2>/dev/null || continue
    [ "${f[3]}" = "$NGINX_PID" ] && t=$((t + f[13] + f[14]))
  done
  echo "$t"
}
measure_sink() {
  local before
  before=$(nginx_ticks)
  measure "$@"
  echo "$1 $(($(nginx_ticks) - before))" >>"$WORK/sinkcpu"
}

# verify_sink BUCKET_DIR SOURCE_DIR JSON: every photo under SOURCE_DIR is in BUCKET_DIR byte
# for byte, nothing else is there but (JSON=json) one metadata file per photo naming it,
# (JSON=same) the source's JSON files byte for byte, or (JSON=none) nothing. Exits on failure.
verify_sink() {
  python3 - "$@" <<'PY' >&2
import hashlib, json, os, sys
bucket, source, mode = sys.argv[1:4]
def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, root)] = p
    return out
def md5(p):
    return hashlib.md5(open(p, "rb").read()).hexdigest()
got, src = files(bucket), files(source)
photos = [k for k in src if k.endswith(".jpg")]
bad = [k for k in photos if k not in got or md5(got[k]) != md5(src[k])]
jsons = [k for k in got if k.endswith(".json")]
if mode == "json":
    bad += [k for k in jsons if json.load(open(got[k]))["id"] != os.path.basename(k)[:-5]]
    want_json = len(photos)
elif mode == "same":
    bad += [k for k in jsons if k not in src or md5(got[k]) != md5(src[k])]
    want_json = len([k for k in src if k.endswith(".json")])
else:
    want_json = 0
extra = len(got) - len(photos) - len(jsons)
ok = not bad and extra == 0 and len(jsons) == want_json and len(photos) > 0
print(f"  sink {os.path.basename(bucket)}: {len(photos)} photos identical to their source, "
      f"{len(jsons)} JSON (want {want_json}), {extra} other files, {len(bad)} bad: {'ok' if ok else 'FAILED'}")
sys.exit(0 if ok else 1)
PY
}

for r in $(seq "$REPS"); do
  aws $E s3 mb "s3://aws-r$r" >/dev/null
  aws $E s3 mb "s3://pb-r$r" >/dev/null
  cp -a "$WORK/seed" "$WORK/data-r$r"
  cat >"$WORK/s3-r$r.toml" <<TOML
[storage]
data_dir = "$WORK/data-r$r"
[[upload.targets]]
name = "s3"
kind = "s3"
endpoint = "http://127.0.0.1:$S3_PORT"
bucket = "pb-r$r"
access_key_env = "PB_BENCH_KEY"
secret_key_env = "PB_BENCH_SECRET"
TOML
  cat >"$WORK/dav-r$r.toml" <<TOML
[storage]
data_dir = "$WORK/data-r$r"
[[upload.targets]]
name = "dav"
kind = "webdav"
url = "http://127.0.0.1:$DAV_PORT/pb-r$r"
username = "booth"
password_env = "PB_BENCH_DAV"
TOML
  aws $E s3 mb "s3://lean-r$r" >/dev/null
  cp -a "$WORK/seed" "$WORK/lean-r$r"
  sed -e "s|data-r$r|lean-r$r|" -e "s|pb-r$r|lean-r$r|" "$WORK/s3-r$r.toml" >"$WORK/lean-s3-r$r.toml"
  sed -e "s|data-r$r|lean-r$r|" -e "s|pb-r$r|lean-r$r|" "$WORK/dav-r$r.toml" >"$WORK/lean-dav-r$r.toml"
  aws $E s3 mb "s3://awsboth-r$r" >/dev/null
  # The sink run uploads the "s3" outbox rows of its own copy of the seed, to nginx.
  cp -a "$WORK/seed" "$WORK/sink-data-r$r"
  sed -e "s|data-r$r|sink-data-r$r|" -e "s|127.0.0.1:$S3_PORT|127.0.0.1:$SINK_PORT|" "$WORK/s3-r$r.toml" >"$WORK/sink-s3-r$r.toml"
  measure aws_s3_cp aws $E s3 cp --recursive --quiet "$PHOTOS" "s3://aws-r$r/"
  measure aws_s3_cp_photo_and_json aws $E s3 cp --recursive --quiet "$WORK/both" "s3://awsboth-r$r/"
  # The s3 run leaves the dav rows pending (exit 1 by design); the dav run ends with none.
  measure pb_upload_s3 "$PB" --config "$WORK/s3-r$r.toml" upload --parallel "$PAR"
  measure rclone_copy_webdav rclone copy "$PHOTOS" :webdav: --webdav-url "http://127.0.0.1:$DAV_PORT/rclone-r$r" \
    --webdav-user booth --webdav-pass "$DAV_OBSCURED"
  measure pb_upload_webdav "$PB" --config "$WORK/dav-r$r.toml" upload --parallel "$PAR"
  head -3 "$WORK/pb_upload_webdav.log" >&2
  # The same upload_batch without the app's other libraries: the uploader's own memory.
  measure lean_upload_s3 "$LEAN" "$WORK/lean-s3-r$r.toml" "$PAR"
  measure lean_upload_webdav "$LEAN" "$WORK/lean-dav-r$r.toml" "$PAR"
  # Every photo and its JSON arrived (2 objects per pledge).
  echo "  objects: aws=$(aws $E s3 ls --recursive "s3://aws-r$r" | wc -l) pb=$(aws $E s3 ls --recursive "s3://pb-r$r" | wc -l)" \
       "dav: rclone=$(find "$WORK/dav/rclone-r$r" -type f | wc -l) pb=$(find "$WORK/dav/pb-r$r" -type f | wc -l)" >&2
  # The same uploads to the nginx sink: the clients' own speed.
  measure_sink aws_s3_cp_sink aws $ES s3 cp --recursive --quiet "$PHOTOS" "s3://aws-r$r/"
  measure_sink aws_s3_cp_photo_and_json_sink aws $ES s3 cp --recursive --quiet "$WORK/both" "s3://awsboth-r$r/"
  measure_sink pb_upload_sink "$PB" --config "$WORK/sink-s3-r$r.toml" upload --parallel "$PAR"
  head -1 "$WORK/pb_upload_sink.log" >&2
  for b in aws awsboth pb; do
    echo "  sink requests to $b-r$r: $(grep " /$b-r$r/" "$WORK/nginx-access.log" | cut -d' ' -f1,2 | sort | uniq -c | xargs)" >&2
  done
  verify_sink "$SINK/root/aws-r$r" "$PHOTOS" none
  verify_sink "$SINK/root/awsboth-r$r" "$WORK/both" same
  verify_sink "$SINK/root/pb-r$r" "$PHOTOS" json
  rm -rf "$WORK/data-r$r" "$WORK/lean-r$r" "$WORK/sink-data-r$r" "$SINK/root"/*-r"$r"
done

python3 - "$WORK/results" "$N" "$PAR" "$WORK/sinkcpu" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, secs, rss, user, sys_s, rc = line.split()
    rows.setdefault(name, []).append((float(secs), int(rss), float(user) + float(sys_s)))
med = {k: (statistics.median(s for s, _, _ in v), max(r for _, r, _ in v), statistics.median(c for _, _, c in v))
       for k, v in rows.items()}
n = int(sys.argv[2])
print(f"{'run':30} {'median s':>9} {'photos/s':>9} {'peak RSS MB':>12} {'CPU s':>7} {'CPU ms/photo':>13}   (N={n}, --parallel {sys.argv[3]}, runs={len(next(iter(rows.values())))})")
for k, (s, r, c) in med.items():
    print(f"{k:30} {s:9.2f} {n / s:9.1f} {r / 1024:12.1f} {c:7.2f} {1000 * c / n:13.2f}")
print("CPU = client user+sys (median); a photo is one pledge: aws sends 1 object, we send 2 (photo, then JSON).")
sink = {}
for line in open(sys.argv[4]):
    name, ticks = line.split()
    sink.setdefault(name, []).append(int(ticks) / int(sys.argv[5]))
print("nginx sink's own CPU (its workers' user+sys, median s): " +
      ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in sink.items()))
print(f"moto, speed-up vs aws s3 cp:         {med['aws_s3_cp'][0] / med['pb_upload_s3'][0]:.1f}x (goal >= 2x; aws sends 1 object per pledge, we send 2)")
print(f"  same objects (photo + JSON):       {med['aws_s3_cp_photo_and_json'][0] / med['pb_upload_s3'][0]:.1f}x")
print(f"nginx sink, speed-up vs aws s3 cp:   {med['aws_s3_cp_sink'][0] / med['pb_upload_sink'][0]:.1f}x wall, "
      f"{med['aws_s3_cp_sink'][2] / med['pb_upload_sink'][2]:.1f}x less client CPU")
print(f"  same objects (photo + JSON):       {med['aws_s3_cp_photo_and_json_sink'][0] / med['pb_upload_sink'][0]:.1f}x wall, "
      f"{med['aws_s3_cp_photo_and_json_sink'][2] / med['pb_upload_sink'][2]:.1f}x less client CPU")
print(f"speed-up vs rclone copy:             {med['rclone_copy_webdav'][0] / med['pb_upload_webdav'][0]:.1f}x (goal >= 10x)")
PY
