#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A small object store for the upload tests that misbehaves on demand.

PUT/HEAD/GET/DELETE/MKCOL store plain files under --root (enough of S3 and WebDAV for the
booth's uploader); POST takes the webhook's multipart form and keeps the photo and the
metadata under webhook/<Idempotency-Key>.{jpg,json}. --faults names a file of lines
"METHOD SUFFIX FAULT COUNT [ARG]": the next COUNT requests whose method and path end match
get FAULT instead of the normal answer. Every fired fault is appended to --log.

Faults: reset (read half the body, then TCP RST), stall (say nothing for ARG s), any
status code such as 500 or 503,
429 (Retry-After: ARG), error200 (200 with an S3 error body, nothing stored),
lost (store the object, then RST instead of the reply), truncate (keep half, answer 201),
md5etag (store, answer 201 with the MD5 of the body as ETag, as S3 does), seen (answer as
usual: only the log line, to see which requests were made, and a line
"HEADERS METHOD PATH expect=VALUE" with the request's Expect header, "none" when absent).

Hostile replies: okspaces (store, answer 200 with {"ok" + 40,000 spaces + : true}),
errorspaces (answer status ARG with {"error" + 40,000 spaces + : "quota exceeded"}),
endless (200 and a body that never ends, as fast as it goes), drip (200 and an endless body
at ARG bytes/s), a 3xx status (Location: ARG), nonhttp (a line that is not HTTP, then close),
echoauth (401 echoing the Authorization header and its decoded value), latin1 and utf16
(403 with a message in that encoding carrying ESC and BEL).
With --cert/--key the server speaks TLS.
"""
import base64
import ssl
import argparse
import email
import hashlib
import email.policy
import json
import os
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
FAULTS = []  # [method, suffix, fault, remaining, arg]
ARGS = None


def take_fault(method, path):
    with LOCK:
        for f in FAULTS:
            if f[3] > 0 and f[0] in ("*", method) and (f[1] == "*" or path.endswith(f[1])):
                f[3] -= 1
                with open(ARGS.log, "a") as log:
                    log.write("FAULT %s %s %s\n" % (f[2], method, path))
                return f[2], f[4]
    return None, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def fs_path(self):
        rel = self.path.split("?", 1)[0].lstrip("/")
        full = os.path.normpath(os.path.join(ARGS.root, rel))
        if not full.startswith(os.path.normpath(ARGS.root)):
            raise ValueError("path escapes root")
        return full

    def reply(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def rst(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def store(self, path, data):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp-upload"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def fault(self):
        """Applies a due fault; returns True when the request is fully handled."""
        kind, arg = take_fault(self.command, self.path)
        if kind is None:
            return False
        n = int(self.headers.get("Content-Length") or 0)
        if kind == "reset":
            self.rfile.read(n // 2)
            self.rst()
        elif kind == "stall":
            time.sleep(float(arg or 5))
            self.rst()
        elif kind.isdigit() and kind.startswith("3"):
            self.body()
            self.reply(int(kind), b"<html><body>Moved</body></html>",
                       {"Location": arg or "http://portal.example/login"})
        elif kind == "okspaces":
            data = self.body()
            self.store(self.fs_path(), data)
            self.reply(200, b'{"ok"' + b" " * 40000 + b": true}")
        elif kind == "errorspaces":
            self.body()
            self.reply(int(arg or 403), b'{"error"' + b" " * 40000 + b': "quota exceeded"}')
        elif kind in ("endless", "drip"):
            self.body()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            rate = float(arg or 0)
            chunk = b"x" * (int(rate / 8) if rate else 65536)
            while True:  # until the client hangs up
                self.wfile.write(chunk)
                self.wfile.flush()
                if rate:
                    time.sleep(0.125)
        elif kind == "nonhttp":
            self.body()
            self.connection.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
            self.close_connection = True
        elif kind == "echoauth":
            self.body()
            auth = self.headers.get("Authorization", "")
            decoded = ""
            if auth.startswith("Basic "):
                decoded = base64.b64decode(auth[6:]).decode("utf-8", "replace")
            msg = "refused Authorization: %s (that is %s) at https://%s@dav.example/" % (
                auth, decoded, decoded)
            self.reply(401, json.dumps({"error": msg}).encode(), {"Content-Type": "application/json"})
        elif kind == "latin1":
            self.body()
            self.reply(403, "Zugriff f\u00fcr Fotos verweigert \x1b[2J\x07all uploads done".encode("latin-1"))
        elif kind == "utf16":
            self.body()
            self.reply(403, "\ufeffAcc\u00e8s refus\u00e9 \x1b]0;pwned\x07 \u2603".encode("utf-16-le"))
        elif kind.isdigit() and kind != "429":
            self.body()
            self.reply(int(kind), b"<Error><Code>InternalError</Code><Message>injected %s</Message></Error>" % kind.encode())
        elif kind == "429":
            self.body()
            self.reply(429, b"<Error><Code>SlowDown</Code><Message>injected 429</Message></Error>",
                       {"Retry-After": str(arg or 1)})
        elif kind == "error200":
            self.body()
            self.reply(200, b"<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>")
        elif kind == "lost":
            self.handle_normal(self.body())
            self.rst()
        elif kind == "truncate":
            data = self.body()
            self.store(self.fs_path(), data[: len(data) // 2])
            self.reply(201)
        elif kind == "md5etag":
            data = self.body()
            self.store(self.fs_path(), data)
            self.reply(201, headers={"ETag": '"%s"' % hashlib.md5(data).hexdigest()})
        elif kind == "seen":
            with LOCK, open(ARGS.log, "a") as log:
                log.write("HEADERS %s %s expect=%s\n" % (self.command, self.path,
                                                         self.headers.get("Expect", "none")))
            self.normal()
        else:
            raise ValueError("unknown fault " + kind)
        return True

    def handle_normal(self, data=None, reply=None):
        path = self.fs_path()
        m = self.command
        if m == "PUT":
            self.store(path, data)
            return reply(201) if reply else None
        if m == "POST":
            ctype = self.headers.get("Content-Type", "")
            msg = email.message_from_bytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + data,
                                           policy=email.policy.HTTP)
            key = self.headers.get("Idempotency-Key", "")
            auth = self.headers.get("Authorization", "")
            if ARGS.token and auth != "Bearer " + ARGS.token:
                return reply(401, b'{"error":"bad token"}') if reply else None
            if not key:
                return reply(400, b'{"error":"Idempotency-Key missing"}') if reply else None
            size = -1
            order = []
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                order.append(name)
                ext = "jpg" if name == "photo" else "json"
                if name == "photo":
                    size = len(payload)
                self.store(os.path.join(ARGS.root, "webhook", key + "." + ext), payload)
            body = json.dumps({"ok": True, "photo_size": size, "parts": order}).encode()
            return reply(200, body, {"Content-Type": "application/json"}) if reply else None
        return None

    def normal(self):
        path = self.fs_path()
        m = self.command
        if m in ("PUT", "POST"):
            return self.handle_normal(self.body(), self.reply)
        if m in ("HEAD", "GET"):
            if not os.path.isfile(path):
                return self.reply(404, b"<Error><Code>NoSuchKey</Code></Error>")
            with open(path, "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if m == "GET":
                self.wfile.write(data)
            return None
        if m == "DELETE":
            rel = self.path.lstrip("/")
            hook = os.path.join(ARGS.root, "webhook", os.path.basename(rel))
            found = False
            for p in (path, hook + ".jpg", hook + ".json"):
                if os.path.isfile(p):
                    os.remove(p)
                    found = True
            return self.reply(204 if found else 404)
        if m == "MKCOL":
            if os.path.isdir(path):
                return self.reply(405)
            if not os.path.isdir(os.path.dirname(path.rstrip("/"))):
                return self.reply(409)
            os.mkdir(path)
            return self.reply(201)
        return self.reply(405)

    def handle_any(self):
        try:
            if not self.fault():
                self.normal()
        except (ConnectionError, OSError):
            self.close_connection = True

    do_PUT = do_HEAD = do_GET = do_DELETE = do_MKCOL = do_POST = handle_any


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--faults", default="")
    ap.add_argument("--log", default="/dev/null")
    ap.add_argument("--token", default="")
    ap.add_argument("--cert", default="")
    ap.add_argument("--key", default="")
    ARGS = ap.parse_args()
    os.makedirs(ARGS.root, exist_ok=True)
    if ARGS.faults:
        with open(ARGS.faults) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 4:
                    FAULTS.append([parts[0], parts[1], parts[2], int(parts[3]), parts[4] if len(parts) > 4 else None])
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    server.daemon_threads = True
    if ARGS.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
