#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Wall latency: time from a pledge's save to its photo on the wall page in chromium.

Starts `pledgebooth wall` on a fresh data dir and headless chromium on its page, then N times
(default 20) saves one shared pledge with `pledgebooth add-test-pledges` (the real Ledger API;
it prints "saved <id>" once the pledge is durable) and reads, over the DevTools protocol, when
the page put that photo on screen (window.wallSeen[id], the page's Date.now()). Both clocks are
this machine's. Also the wall's CPU time while idle with the page open.

usage: bench/campaign/wall-latency.py BUILD_DIR [N]"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "campaign"))
import cdp  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    build = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    exe = os.path.join(build, "app", "pledgebooth")
    tmp = tempfile.mkdtemp(prefix="pb-wall-bench-")
    procs = []
    try:
        data = os.path.join(tmp, "data")
        cfg = os.path.join(tmp, "booth.toml")
        with open(cfg, "w") as f:
            f.write(f'[event]\nid = "bench"\nname = "Bench"\n[booth]\nid = "b1"\n'
                    f'[storage]\ndata_dir = "{data}"\nmin_free_mb = 1\n[upload]\nenabled = false\n')
        subprocess.run([exe, "--config", cfg, "add-test-pledges", "1", "--photo-kb", "300"],
                       check=True, stdout=subprocess.DEVNULL)
        port, dport = free_port(), free_port()
        procs.append(subprocess.Popen([exe, "--config", cfg, "wall", "--listen",
                                       f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL))
        wait_port(port)
        procs.append(subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-quic",
             "--window-size=1920,1080", f"--user-data-dir={tmp}/chromium",
             f"--remote-debugging-port={dport}", f"http://127.0.0.1:{port}/"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(dport)
        page = None
        end = time.time() + 30
        while time.time() < end:
            try:
                page = cdp.Page(dport)
                if page.eval("document.body.dataset.seq !== undefined"):
                    break
            except OSError:
                pass
            time.sleep(0.2)
        lat = []
        for _ in range(rounds):
            saver = subprocess.Popen([exe, "--config", cfg, "add-test-pledges", "1",
                                      "--photo-kb", "300"], stdout=subprocess.PIPE, text=True)
            line = saver.stdout.readline()
            saved_ms = time.time() * 1000
            saver.wait()
            pid = line.split()[1]
            seen = None
            end = time.time() + 10
            while seen is None and time.time() < end:
                seen = page.eval(f"window.wallSeen['{pid}'] || null")
                if seen is None:
                    time.sleep(0.01)
            if seen is None:
                raise SystemExit(f"pledge {pid} never appeared on the page")
            lat.append(seen - saved_ms)
            time.sleep(0.5)
        wall_pid = procs[0].pid
        c0 = cpu_s(wall_pid)
        time.sleep(30)
        idle = (cpu_s(wall_pid) - c0) / 30 * 100
        lat.sort()
        print(f"save -> photo on the page, {rounds} pledges: median {statistics.median(lat):.0f} ms, "
              f"p90 {lat[int(len(lat) * 0.9) - 1]:.0f} ms, min {lat[0]:.0f} ms, max {lat[-1]:.0f} ms")
        print(f"wall process CPU while idle with the page open: {idle:.2f} % of one core")
        print("load average:", open("/proc/loadavg").read().split()[:3])
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
