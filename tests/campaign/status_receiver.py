#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A fleet-status receiver for the heartbeat tests: every POST's body goes to DIR/NNNN.json and
its Authorization header to DIR/NNNN.auth; answers 204. Usage: status_receiver.py PORT DIR"""
import http.server
import os
import sys

port, out = int(sys.argv[1]), sys.argv[2]


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(n, 1 << 20))
        seq = len([f for f in os.listdir(out) if f.endswith(".json")])
        base = os.path.join(out, f"{seq:04d}")
        with open(base + ".auth", "w") as f:
            f.write(self.headers.get("Authorization", ""))
        with open(base + ".tmp", "wb") as f:
            f.write(body)
        os.rename(base + ".tmp", base + ".json")  # a test never reads half a document
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
