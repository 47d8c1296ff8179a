# SPDX-License-Identifier: Apache-2.0
# moto_server with one cProfile per connection thread, for bench/upload/moto_profile.sh. The
# profiles count each thread's CPU time (not wall time, which would charge lock waits and
# other threads' work to whatever was on the stack). SIGUSR1 writes the merged profile of
# every finished connection to $PB_PROF_OUT.<n> and starts afresh.
import cProfile, os, pstats, signal, socketserver, sys, threading, time
done, lock, dumps = [], threading.Lock(), [0]
orig = socketserver.ThreadingMixIn.process_request_thread
def profiled(self, request, client_address):
    p = cProfile.Profile(time.thread_time_ns, 1e-9)
    t0 = time.thread_time()
    p.enable()
    try:
        orig(self, request, client_address)
    finally:
        p.disable()
        with lock:
            done.append((p, time.thread_time() - t0))
socketserver.ThreadingMixIn.process_request_thread = profiled
def dump(*_):
    with lock:
        got, done[:] = list(done), []
    dumps[0] += 1
    out = f"{os.environ['PB_PROF_OUT']}.{dumps[0]}"
    if got:
        st = pstats.Stats(got[0][0])
        for p, _ in got[1:]:
            st.add(p)
        st.dump_stats(out)
    with open(out + ".tmp", "w") as f:
        f.write(f"connections {len(got)} thread_cpu_s {sum(c for _, c in got):.3f}\n")
    os.rename(out + ".tmp", out + ".txt")
signal.signal(signal.SIGUSR1, dump)
from moto.server import main
sys.exit(main())
