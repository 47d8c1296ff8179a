# SPDX-License-Identifier: Apache-2.0
# A loopback HTTP server for bench/upload/request_headers.sh: logs every request line and its
# headers (not the body) and answers like S3 (200, ETag = MD5 of the body, keep-alive).
import hashlib, socket, sys, threading
port, logf = int(sys.argv[1]), open(sys.argv[2], "a", buffering=1)
conns = [0]
def readline(f):
    return f.readline(65537)
def handle(c, addr):
    conns[0] += 1
    f = c.makefile("rb")
    n = 0
    while True:
        line = readline(f)
        if not line: break
        hdrs = []
        while True:
            h = readline(f)
            if h in (b"\r\n", b"\n", b""): break
            hdrs.append(h.decode().rstrip())
        n += 1
        d = {k.lower(): v.strip() for k, v in (x.split(":", 1) for x in hdrs)}
        logf.write(f"### conn {addr[1]} req {n}: {line.decode().rstrip()}\n" + "\n".join(hdrs) + "\n")
        if d.get("expect", "").lower() == "100-continue":
            c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = b""
        if "content-length" in d:
            body = f.read(int(d["content-length"]))
        elif d.get("transfer-encoding", "").lower() == "chunked":
            while True:
                sz = int(readline(f).split(b";")[0], 16)
                if sz == 0:
                    while readline(f) not in (b"\r\n", b""): pass
                    break
                body += f.read(sz); readline(f)
        logf.write(f"(body {len(body)} bytes, starts {body[:60]!r})\n")
        et = hashlib.md5(body).hexdigest()
        c.sendall(f'HTTP/1.1 200 OK\r\nETag: "{et}"\r\nContent-Length: 0\r\n\r\n'.encode())
    logf.write(f"### conn {addr[1]} closed after {n} requests\n")
    c.close()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(128)
while True:
    c, a = s.accept()
    threading.Thread(target=handle, args=(c, a), daemon=True).start()
