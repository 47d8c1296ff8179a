# SPDX-License-Identifier: Apache-2.0
"""The virtual booth for tests/appliance/vm-test: QEMU started and cut off, QMP (screendump,
input events, USB hot-plug) and the guest agent (commands inside the guest, no shell on the
screen). Standard library only; every wait has a deadline."""

import base64
import json
import os
import signal
import socket
import subprocess
import time


# A CPU model without AVX (SSE4.2, as a low-end booth's Celeron): under "-cpu max" llvmpipe's
# AVX2 shaders (vpgatherdd) segfault in QEMU 7.2's emulation of them, never on a real AVX2
# CPU; "max,-avx2" leaves CPUID inconsistent (apt's file method died of SIGILL).
CPU = "Westmere"


class VmError(Exception):
    """Something the virtual machine or its channels did not do in time."""


class _JsonChannel:
    """Newline-separated JSON over a unix socket (QMP and the guest agent both speak it)."""

    def __init__(self, path, deadline):
        self.path = path
        self.sock = None
        self.buf = b""
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                return
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise VmError(f"no connection to {path}")
                time.sleep(0.1)

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def send(self, obj):
        try:
            self.sock.sendall(json.dumps(obj).encode() + b"\n")
        except OSError as e:
            raise VmError(f"{self.path}: {e}") from e

    def read(self, timeout):
        """The next JSON object, or VmError after timeout seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise VmError(f"{self.path}: no answer in {timeout:.0f} s")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as e:
                raise VmError(f"{self.path}: {e}") from e
            if not chunk:
                raise VmError(f"{self.path}: closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.strip(b"\xff").strip()  # the agent's sync delimiter
        if not line:
            return self.read(max(0.1, deadline - time.monotonic()))
        return json.loads(line)


class Qmp(_JsonChannel):
    """QEMU's monitor protocol: commands and their results; events are kept in `events`."""

    def __init__(self, path, deadline):
        super().__init__(path, deadline)
        self.events = []
        self.read(10)  # the greeting
        self.execute("qmp_capabilities")

    def execute(self, command, timeout=30, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.send(msg)
        while True:
            reply = self.read(timeout)
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise VmError(f"QMP {command}: {reply['error'].get('desc', reply['error'])}")
            return reply.get("return")


class GuestAgent(_JsonChannel):
    """qemu-guest-agent in the guest: run a program, read its output and exit code."""

    def __init__(self, path, deadline):
        super().__init__(path, deadline)
        # A fresh connection may hold a reply meant for an earlier one: sync on a random id.
        while True:
            token = int.from_bytes(os.urandom(4), "little") & 0x7FFFFFFF
            self.buf = b""
            self.send({"execute": "guest-sync-delimited", "arguments": {"id": token}})
            try:
                while self.read(5).get("return") != token:
                    pass
                return
            except VmError:
                if time.monotonic() > deadline:
                    raise

    def _call(self, command, timeout=30, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.send(msg)
        reply = self.read(timeout)
        if "error" in reply:
            raise VmError(f"guest agent {command}: {reply['error'].get('desc', reply['error'])}")
        return reply.get("return")

    def run(self, argv, timeout=60, input_bytes=None):
        """(exit code, stdout, stderr) of argv in the guest, as root; VmError on timeout."""
        args = {"path": argv[0], "arg": list(argv[1:]), "capture-output": True}
        if input_bytes is not None:
            args["input-data"] = base64.b64encode(input_bytes).decode()
        pid = self._call("guest-exec", **args)["pid"]
        deadline = time.monotonic() + timeout
        while True:
            st = self._call("guest-exec-status", pid=pid)
            if st.get("exited"):
                out = base64.b64decode(st.get("out-data", "")).decode(errors="replace")
                err = base64.b64decode(st.get("err-data", "")).decode(errors="replace")
                code = st.get("exitcode", 128 + st.get("signal", 0))
                return code, out, err
            if time.monotonic() > deadline:
                raise VmError(f"guest: {' '.join(argv)}: still running after {timeout} s")
            time.sleep(0.2)

    def put(self, local_path, guest_path):
        """Copies a file into the guest (base64 over the agent, in chunks)."""
        handle = self._call("guest-file-open", path=guest_path, mode="w")
        with open(local_path, "rb") as f:
            while True:
                chunk = f.read(3 * 1024 * 1024)
                if not chunk:
                    break
                self._call("guest-file-write", timeout=120, handle=handle,
                           **{"buf-b64": base64.b64encode(chunk).decode()})
        self._call("guest-file-close", handle=handle)

    def sh(self, script, timeout=60):
        """A shell script in the guest; (exit code, stdout + stderr)."""
        code, out, err = self.run(["/bin/sh", "-c", script], timeout=timeout)
        return code, out + err


class Vm:
    """One boot of the virtual booth: QEMU with a disk overlay, a virtual GPU, a USB tablet,
    the serial console in a file, QMP and the guest agent on unix sockets, no network."""

    def __init__(self, workdir, image, disk, name, rtc_base="utc", smp=2, memory_mb=2048,
                 extra_args=()):
        self.workdir = workdir
        self.name = name
        self.serial_log = os.path.join(workdir, f"{name}-serial.log")
        self.qmp_path = os.path.join(workdir, f"{name}-qmp.sock")
        self.qga_path = os.path.join(workdir, f"{name}-qga.sock")
        self.qemu_log = os.path.join(workdir, f"{name}-qemu.log")
        for p in (self.qmp_path, self.qga_path):
            if os.path.exists(p):
                os.unlink(p)
        self.args = [
            "qemu-system-x86_64", "-nodefaults", "-no-user-config", "-name", name,
            "-machine", "q35", "-accel", "tcg,thread=multi", "-cpu", os.environ.get("PB_VM_CPU", CPU),
            "-smp", str(smp), "-m", str(memory_mb),
            "-kernel", os.path.join(image, "vmlinuz"), "-initrd", os.path.join(image, "initrd.img"),
            "-append", "root=/dev/vda rw console=ttyS0,115200 panic=-1 " + os.environ.get("PB_VM_APPEND", ""),
            "-drive", f"file={disk},if=virtio,format=qcow2,cache=writeback,discard=unmap",
            "-device", "virtio-vga,xres=1280,yres=800",
            "-device", "qemu-xhci,id=xhci", "-device", "usb-tablet,bus=xhci.0",
            "-chardev", f"file,id=serial0,path={self.serial_log}", "-serial", "chardev:serial0",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
            "-chardev", f"socket,id=qga0,path={self.qga_path},server=on,wait=off",
            "-device", "virtio-serial", "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
            "-rtc", f"base={rtc_base},clock=host", "-nic", "none", "-display", "none",
            "-no-reboot",
        ] + list(extra_args)
        self.proc = None
        self.qmp = None
        self._ga = None
        self.started_at = None
        self.screen_size = (1280, 800)

    def start(self):
        self.started_at = time.monotonic()
        log = open(self.qemu_log, "ab")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        self.qmp = Qmp(self.qmp_path, time.monotonic() + 30)
        return self

    def since_start(self):
        return time.monotonic() - self.started_at

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def guest(self, timeout=180):
        """The guest agent, once the guest runs it (waits up to timeout seconds)."""
        if self._ga is None:
            deadline = time.monotonic() + timeout
            while True:
                if not self.alive():
                    raise VmError(f"QEMU exited ({self.proc.returncode}) before the guest agent answered")
                try:
                    self._ga = GuestAgent(self.qga_path, min(deadline, time.monotonic() + 10))
                    break
                except VmError:
                    if time.monotonic() > deadline:
                        raise VmError(f"the guest agent did not answer in {timeout} s")
        return self._ga

    def screendump(self, path):
        self.qmp.execute("screendump", filename=path, format="png")
        return path

    def pointer_to(self, x, y):
        """Move the USB tablet's pointer to screen pixel (x, y)."""
        w, h = self.screen_size
        ax = max(0, min(0x7FFF, round(x * 0x7FFF / max(1, w - 1))))
        ay = max(0, min(0x7FFF, round(y * 0x7FFF / max(1, h - 1))))
        self.qmp.execute("input-send-event", events=[
            {"type": "abs", "data": {"axis": "x", "value": ax}},
            {"type": "abs", "data": {"axis": "y", "value": ay}}])

    def button(self, down):
        self.qmp.execute("input-send-event", events=[
            {"type": "btn", "data": {"down": down, "button": "left"}}])

    def tap(self, x, y, hold_s=0.08):
        self.pointer_to(x, y)
        time.sleep(0.05)
        self.button(True)
        time.sleep(hold_s)
        self.button(False)

    def power_cut(self):
        """The plug pulled: QEMU killed, nothing flushed or shut down."""
        self._drop_channels()
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def _drop_channels(self):
        if self._ga:
            self._ga.close()
            self._ga = None
        if self.qmp:
            self.qmp.close()
            self.qmp = None

    def stop(self):
        """End QEMU whatever state it is in (cleanup)."""
        if self.proc is None:
            return
        self._drop_channels()
        if self.alive():
            self.proc.terminate()
            if not self.wait_exit(10):
                self.proc.kill()
                self.proc.wait()

    def serial_text(self):
        try:
            with open(self.serial_log, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""
