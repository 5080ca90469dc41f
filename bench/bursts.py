#!/usr/bin/env python3
"""Bursts in waves: one program starts four no-op children at once, joins them, waits --gap
seconds, four times; then creates a Pool(2), maps 100 tiny tasks and closes it, four times.
Prints every round (not a median: the rounds differ by design, the first wave pays the boots,
later ones find the forkserver's idle workers booted if the gap let them boot), for polyproc
and python3 (its default start method) in the same run.
Run with any python3:  python3 bench/bursts.py [--gap S]
"""
import argparse
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLYPROC = os.path.join(TOP, 'bin', 'polyproc')

SCRIPT = r'''
import multiprocessing as mp, sys, time

def noop(*args):
    pass

def burst():
    ps = [mp.Process(target=noop) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()

def pool():
    with mp.Pool(2) as pl:
        pl.map(noop, range(100))
        pl.close()
        pl.join()

if __name__ == '__main__':
    gap = float(sys.argv[1])
    for fn in (burst, pool):
        rounds = []
        for _ in range(4):
            time.sleep(gap)
            t = time.perf_counter()
            fn()
            rounds.append('%.2f' % (time.perf_counter() - t))
        print(fn.__name__, ' '.join(rounds), flush=True)
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gap', type=float, default=8.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'bursts_child.py')
        with open(script, 'w') as f:
            f.write(SCRIPT)
        for name, python in (('python3', sys.executable), ('polyproc', POLYPROC)):
            out = subprocess.run([python, script, str(args.gap)], capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                print('%-9s %-6s rounds (s): %s' % (name, *line.split(' ', 1)))


if __name__ == '__main__':
    main()
