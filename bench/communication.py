#!/usr/bin/env python3
"""Communication benchmark: polyproc against CPython (python3) in the same run.

Both with the 'spawn' start method. Inside one program, every measure runs --rounds times
between the same two long-lived processes, and the median of the second half of the rounds
(the first half warms the JIT up) is kept; the table gives the medians of those over --runs
programs:
  * Pipe round trip of a small message (us), and the same with bare os.write/os.read on the
    connection's descriptor, for scale (the part that is the kernel and the interpreter's read);
  * Pipe bandwidth with 1 MB messages and with 64 MB ones (MB/s);
  * Queue throughput of 100,000 small items from one process to another (items/s);
  * uncontended Lock acquire+release (ns);
  * a Lock contended by two processes, each in a loop (acquire+release pairs per second, both together).
Run with any python3:  python3 bench/communication.py [--runs N] [--rounds R]
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
import multiprocessing as mp, os, statistics, sys, time

# One long-lived peer process, driven through a control pipe: each measure runs --rounds times
# between the same two processes; the first half of the rounds warms both sides up (GraalPy's
# JIT compiles the loops on both ends: a round trip settles after ~40,000 of them), and the
# median of the second half is printed.

def lock_pairs(lock, seconds):
    end = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < end:
        lock.acquire()
        lock.release()
        count += 1
    return count

def peer(ctl, duplex, sink_end, q, lock, go):
    while True:
        cmd, arg = ctl.recv()
        if cmd == 'echo':
            while True:
                m = duplex.recv_bytes()
                if m == b'stop':
                    break
                duplex.send_bytes(m)
        elif cmd == 'echo_raw':
            fd = duplex.fileno()
            while True:
                m = os.read(fd, 64)
                if m == b'stop':
                    break
                os.write(fd, m)
            # A stream keeps no message boundaries: the next round's first write must not
            # reach us glued to this b'stop'.
            ctl.send('stopped')
        elif cmd == 'sink':
            for _ in range(arg):
                sink_end.recv_bytes()
            ctl.send('done')
        elif cmd == 'produce':
            for i in range(arg):
                q.put(i)
            q.put(None)
        elif cmd == 'contend':
            go.wait()
            ctl.send(lock_pairs(lock, arg))
        else:
            return

def warm_median(fn, rounds):
    values = [fn() for _ in range(rounds)]
    return statistics.median(values[rounds // 2:])

def main():
    rounds = int(sys.argv[1])
    # spawn in both: polyproc's forkserver would boot replacement workers in the background
    # while the figures are taken.
    mp.set_start_method('spawn')
    a, b = mp.Pipe()
    r, w = mp.Pipe(duplex=False)
    q, lock = mp.Queue(), mp.Lock()
    go = mp.Event()
    ctl, theirs = mp.Pipe()
    p = mp.Process(target=peer, args=(theirs, b, r, q, lock, go))
    p.start()

    def rtt(n=5000):
        ctl.send(('echo', None))
        t = time.perf_counter()
        for _ in range(n):
            a.send_bytes(b'x' * 16)
            a.recv_bytes()
        d = time.perf_counter() - t
        a.send_bytes(b'stop')
        return d / n * 1e6
    print('pipe_rtt_us', warm_median(rtt, rounds))

    def rtt_raw(n=5000):
        ctl.send(('echo_raw', None))
        fd = a.fileno()
        t = time.perf_counter()
        for _ in range(n):
            os.write(fd, b'x' * 16)
            os.read(fd, 64)
        d = time.perf_counter() - t
        os.write(fd, b'stop')
        ctl.recv()
        return d / n * 1e6
    print('pipe_rtt_raw_us', warm_median(rtt_raw, rounds))

    def bandwidth(n=200, size=1 << 20):
        msg = b'y' * size
        ctl.send(('sink', n))
        t = time.perf_counter()
        for _ in range(n):
            w.send_bytes(msg)
        ctl.recv()
        return n * size / (time.perf_counter() - t) / 1e6
    print('pipe_mb_s', warm_median(bandwidth, rounds))
    print('pipe_64mb_mb_s', warm_median(lambda: bandwidth(2, 64 << 20), rounds))

    def queue(n=100000):
        ctl.send(('produce', n))
        t = time.perf_counter()
        while q.get() is not None:
            pass
        return n / (time.perf_counter() - t)
    print('queue_items_s', warm_median(queue, rounds))

    def uncontended(n=200000):
        t = time.perf_counter()
        for _ in range(n):
            lock.acquire()
            lock.release()
        return (time.perf_counter() - t) / n * 1e9
    print('lock_ns', warm_median(uncontended, rounds))

    def contended(seconds=1.0):
        # this process and the peer, each in a loop for the same second
        go.clear()
        ctl.send(('contend', seconds))
        time.sleep(0.2)
        go.set()
        return (lock_pairs(lock, seconds) + ctl.recv()) / seconds
    print('contended_pairs_s', warm_median(contended, rounds))

    ctl.send(('quit', None))
    p.join()

if __name__ == '__main__':
    main()
'''

MEASURES = [('pipe_rtt_us', 'Pipe round trip, small (us)', False),
            ('pipe_rtt_raw_us', '  same, bare os.write/os.read (us)', False),
            ('pipe_mb_s', 'Pipe bandwidth, 1 MB messages (MB/s)', True),
            ('pipe_64mb_mb_s', 'Pipe bandwidth, 64 MB messages (MB/s)', True),
            ('queue_items_s', 'Queue, 100k items (items/s)', True),
            ('lock_ns', 'Lock acquire+release (ns)', False),
            ('contended_pairs_s', 'Lock, 2 processes (pairs/s)', True)]


def run(python, script, rounds):
    out = subprocess.run([python, script, str(rounds)], check=True, capture_output=True, text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--rounds', type=int, default=20, help='rounds of each measure inside one program')
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'bench_comm.py')
        with open(script, 'w') as f:
            f.write(SCRIPT)
        results = {'python3': [], 'polyproc': []}
        for _ in range(args.runs):
            results['python3'].append(run(sys.executable, script, args.rounds))
            results['polyproc'].append(run(POLYPROC, script, args.rounds))
    print('%-40s %12s %12s %14s' % ('measure', 'python3', 'polyproc', 'polyproc/py3'))
    for key, name, higher_is_better in MEASURES:
        a = statistics.median(r[key] for r in results['python3'])
        b = statistics.median(r[key] for r in results['polyproc'])
        print('%-40s %12.1f %12.1f %14.2f%s' % (name, a, b, b / a, '' if higher_is_better else ' (lower is better)'))
    print('python3: %s; medians of %d runs' % (sys.version.split()[0], args.runs))


if __name__ == '__main__':
    main()
