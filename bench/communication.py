#!/usr/bin/env python3
"""Communication benchmark: polyproc against CPython (python3, spawn) in the same run.

Measures, as medians over --runs runs of one program each (warm: every figure is taken after a
warm-up round in the same program):
  * Pipe round trip of a small message (us);
  * Pipe bandwidth with 1 MB messages (MB/s);
  * Queue throughput of 100,000 small items from one process to another (items/s);
  * uncontended Lock acquire+release (ns);
  * a Lock contended by two processes (acquire+release pairs per second, both together).
Run with any python3:  python3 bench/communication.py [--runs N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLYPROC = os.path.join(TOP, 'bin', 'polyproc')

SCRIPT = r'''
import multiprocessing as mp, time

def echo(conn):
    while True:
        m = conn.recv_bytes()
        if m == b'stop':
            return
        conn.send_bytes(m)

def sink(conn, n, size):
    for _ in range(n):
        conn.recv_bytes()
    conn.send(size)

def produce(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)

def contend(lock, start, seconds, out):
    start.wait()
    end = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < end:
        lock.acquire()
        lock.release()
        count += 1
    out.put(count)

def timed(fn, rounds=2):
    best = None
    for _ in range(rounds):   # the first round warms the JIT up
        t = time.perf_counter()
        fn()
        best = time.perf_counter() - t
    return best

if __name__ == '__main__':
    mp.set_start_method('spawn')
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b,)); p.start()
    def rtt():
        for _ in range(5000):
            a.send_bytes(b'x' * 16); a.recv_bytes()
    print('pipe_rtt_us', timed(rtt, 3) / 5000 * 1e6)
    a.send_bytes(b'stop'); p.join()

    n, size = 200, 1 << 20
    def bandwidth():
        r, w = mp.Pipe(duplex=False)
        s = mp.Process(target=sink, args=(r, n, size)); s.start()
        msg = b'y' * size
        w.send_bytes(msg)   # the child is up once it has read the first one
        t = time.perf_counter()
        for _ in range(n - 1):
            w.send_bytes(msg)
        s.join()
        return time.perf_counter() - t
    bandwidth()
    print('pipe_mb_s', (n - 1) * size / bandwidth() / 1e6)

    def queue():
        q = mp.Queue()
        c = mp.Process(target=produce, args=(q, 100000)); c.start()
        q.get()
        t = time.perf_counter()
        while q.get() is not None:
            pass
        c.join()
        return time.perf_counter() - t
    queue()
    print('queue_items_s', 100000 / queue())

    lock = mp.Lock()
    def uncontended():
        for _ in range(200000):
            lock.acquire(); lock.release()
    print('lock_ns', timed(uncontended, 3) / 200000 * 1e9)

    start, out = mp.Event(), mp.Queue()
    procs = [mp.Process(target=contend, args=(lock, start, 2.0, out)) for _ in range(2)]
    for x in procs:
        x.start()
    time.sleep(0.5)
    start.set()
    total = out.get() + out.get()
    for x in procs:
        x.join()
    print('contended_pairs_s', total / 2.0)
'''

MEASURES = [('pipe_rtt_us', 'Pipe round trip, small (us)', False),
            ('pipe_mb_s', 'Pipe bandwidth, 1 MB messages (MB/s)', True),
            ('queue_items_s', 'Queue, 100k items (items/s)', True),
            ('lock_ns', 'Lock acquire+release (ns)', False),
            ('contended_pairs_s', 'Lock, 2 processes (pairs/s)', True)]


def run(python, script):
    out = subprocess.run([python, script], check=True, capture_output=True, text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'bench_comm.py')
        with open(script, 'w') as f:
            f.write(SCRIPT)
        results = {'python3': [], 'polyproc': []}
        for _ in range(args.runs):
            results['python3'].append(run(sys.executable, script))
            results['polyproc'].append(run(POLYPROC, script))
    print('%-40s %12s %12s %14s' % ('measure', 'python3', 'polyproc', 'polyproc/py3'))
    for key, name, higher_is_better in MEASURES:
        a = statistics.median(r[key] for r in results['python3'])
        b = statistics.median(r[key] for r in results['polyproc'])
        print('%-40s %12.1f %12.1f %14.2f%s' % (name, a, b, b / a, '' if higher_is_better else ' (lower is better)'))
    print('python3: %s; medians of %d runs' % (sys.version.split()[0], args.runs))


if __name__ == '__main__':
    main()
