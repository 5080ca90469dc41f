#!/usr/bin/env python3
"""A forkserver child on a worker that is ready: where the time of start()+join() goes.

One program per implementation (python3's forkserver, polyproc's), --children no-op children
one after the other, --gap seconds apart so that polyproc's replacement worker has booted before
the next start() (a start() that had to wait for a boot, > 4 s, is left out and counted). Per
child: start() itself, start() returned -> the target runs (the child receives, unpickles and
prepares), the target ran -> join() returned (the child's ending, the exit and the parent seeing
it), and the total. Medians over the children after the first (the first starts the server).
Run with any python3:  python3 bench/warm_start.py [--children N] [--gap S] [--launcher PATH]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD_SCRIPT = r'''
import multiprocessing as mp, sys, time

def target(conn):
    conn.send(time.time())

if __name__ == '__main__':
    mp.set_start_method('forkserver')
    children, gap = int(sys.argv[1]), float(sys.argv[2])
    r, w = mp.Pipe(False)
    for i in range(children):
        t0 = time.time()
        p = mp.Process(target=target, args=(w,))
        p.start()
        t1 = time.time()
        ran = r.recv()
        p.join()
        t2 = time.time()
        print(i, t1 - t0, ran - t1, t2 - ran, t2 - t0, flush=True)
        time.sleep(gap)
'''

COLUMNS = ('start()', 'start() -> target runs', 'target ran -> joined', 'total')


def measure(cmd, children, gap):
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'warm_start_child.py')
        with open(script, 'w') as f:
            f.write(CHILD_SCRIPT)
        out = subprocess.run(cmd + [script, str(children), str(gap)], check=True,
                             capture_output=True, text=True).stdout
    rows = [[float(x) for x in line.split()[1:]] for line in out.splitlines()][1:]
    warm = [row for row in rows if row[3] < 4.0]
    return [statistics.median(col) * 1000 for col in zip(*warm)], len(rows) - len(warm)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--children', type=int, default=8)
    ap.add_argument('--gap', type=float, default=14.0)
    ap.add_argument('--launcher', default=os.path.join(TOP, 'bin', 'polyproc'))
    args = ap.parse_args()
    subprocess.run([args.launcher, '-c', 'pass'], check=True)  # builds if needed, fills caches
    cpy, _ = measure([sys.executable], args.children, 0.5)
    pp, waited = measure([args.launcher], args.children, args.gap)
    print('%-28s %10s %10s %8s' % ('measure (ms, medians)', 'python3', 'polyproc', 'ratio'))
    for name, a, b in zip(COLUMNS, cpy, pp):
        print('%-28s %10.1f %10.1f %8.1f' % (name, a, b, b / a if a else float('nan')))
    print('python3 %s; %d children, %.0f s apart; polyproc starts that waited for a boot, left out: %d'
          % (sys.version.split()[0], args.children, args.gap, waited))


if __name__ == '__main__':
    main()
