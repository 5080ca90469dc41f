#!/usr/bin/env python3
"""The one-way pipe's capacity (python/polyproc/context.py PIPE_CAPACITY), measured: 1 MB
messages through multiprocessing's Pipe(duplex=False) (1 MiB pipe under polyproc) and through a
Connection over a plain os.pipe() (Linux's 64 KiB), alternating in the same two processes.

Run with any python3:  python3 bench/pipe_capacity.py [--rounds R]
Prints MB/s per round for polyproc and python3, and the median of the second half of the rounds.
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
import multiprocessing as mp, os, sys, time
from multiprocessing.connection import Connection

def sink(ctl, readers):
    while True:
        i, n = ctl.recv()
        if i < 0:
            return
        for _ in range(n):
            readers[i].recv_bytes()
        ctl.send('done')

if __name__ == '__main__':
    mp.set_start_method('spawn')
    pipes = [mp.Pipe(duplex=False)]
    r, w = os.pipe()
    pipes.append((Connection(r, writable=False), Connection(w, readable=False)))
    ctl, theirs = mp.Pipe()
    p = mp.Process(target=sink, args=(theirs, [r for r, _ in pipes]))
    p.start()
    msg = b'y' * (1 << 20)
    for _ in range(int(sys.argv[1])):
        for i, (_, writer) in enumerate(pipes):
            ctl.send((i, 100))
            t = time.perf_counter()
            for _ in range(100):
                writer.send_bytes(msg)
            ctl.recv()
            print(['mp.Pipe', 'os.pipe'][i], 100 * len(msg) / (time.perf_counter() - t) / 1e6, flush=True)
    ctl.send((-1, 0))
    p.join()
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rounds', type=int, default=12)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'bench_pipe_capacity.py')
        with open(script, 'w') as f:
            f.write(SCRIPT)
        for name, python in (('python3', sys.executable), ('polyproc', POLYPROC)):
            out = subprocess.run([python, script, str(args.rounds)], check=True, capture_output=True, text=True).stdout
            for kind in ('mp.Pipe', 'os.pipe'):
                values = [float(line.split()[1]) for line in out.splitlines() if line.startswith(kind)]
                print('%-8s %-8s MB/s per round %s; median of the second half %.0f' % (
                    name, kind, [round(v) for v in values], statistics.median(values[len(values) // 2:])))


if __name__ == '__main__':
    main()
