#!/usr/bin/env python3
"""Process start-up benchmark: polyproc against CPython (python3) in the same run.

For each start method (polyproc: forkserver, its default, and spawn; python3: the same two),
medians of --runs repetitions:
  * first:      the first start()+join() of a program (includes starting the forkserver);
  * sequential: start()+join() of a no-op child, one at a time, 0.5 s apart;
  * burst:      four no-op children started at once, then joined;
  * pool:       Pool(2) created, map over 100 tiny tasks, closed and joined;
  * resident memory of the parent, of one idle forkserver worker (CPython: its server) and of
    one running child;
and the whole-program cost of `-c pass` and of a script that starts one child.
Between two measures the program waits --settle seconds, so that a forkserver that boots its
workers ahead of need has them ready (that wait is not counted), as a program that does other
work between two starts would. POLYPROC_FORKSERVER_IDLE applies as documented (default 1);
--idle N sets it for polyproc.
Run with any python3:  python3 bench/process_start.py [--runs N] [--settle S] [--idle N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLYPROC = os.path.join(TOP, 'bin', 'polyproc')

CHILD_SCRIPT = r'''
import multiprocessing as mp, os, sys, time

def noop(*args):
    pass

def idle(ready):
    open(ready, 'w').close()
    time.sleep(120)

def rss_mb(pid):
    with open('/proc/%d/smaps_rollup' % pid) as f:
        for line in f:
            if line.startswith('Rss:'):
                return int(line.split()[1]) / 1024

def children_of(pid):
    found = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as f:
                    if int(f.read().rsplit(')', 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found

def timed(name, fn):
    t = time.perf_counter()
    fn()
    print(name, time.perf_counter() - t, flush=True)

def one():
    p = mp.Process(target=noop)
    p.start()
    p.join()

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
    mp.set_start_method(sys.argv[1])
    runs, settle, ready = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    timed('first', one)
    for _ in range(runs):
        time.sleep(0.5)
        timed('sequential', one)
    for what, fn in (('burst', burst), ('pool', pool)):
        for _ in range(runs):
            time.sleep(settle)
            timed(what, fn)
    time.sleep(settle)
    p = mp.Process(target=idle, args=(ready,))
    p.start()
    while not os.path.exists(ready):
        time.sleep(0.05)
    time.sleep(1)
    print('running_child_rss_mb', rss_mb(p.pid), flush=True)
    others = [c for c in children_of(os.getpid()) if c != p.pid]
    # polyproc: idle worker JVMs; CPython forkserver: the server (resource tracker excluded).
    idle_rss = [rss_mb(c) for c in others if rss_mb(c) > 5]
    if idle_rss and sys.argv[1] == 'forkserver':
        print('idle_worker_rss_mb', max(idle_rss), flush=True)
    print('parent_rss_mb', rss_mb(os.getpid()), flush=True)
    p.terminate()
    p.join()
'''

ONE_CHILD = r'''
import multiprocessing as mp
def noop(): pass
if __name__ == '__main__':
    p = mp.Process(target=noop); p.start(); p.join()
'''


def whole_program(cmd, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(python, method, runs, settle, env=None):
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'bench_child.py')
        with open(script, 'w') as f:
            f.write(CHILD_SCRIPT)
        out = subprocess.run([python, script, method, str(runs), str(settle), os.path.join(d, 'ready')],
                             check=True, capture_output=True, text=True, env=env).stdout
    values = {}
    for line in out.splitlines():
        key, value = line.split()
        values.setdefault(key, []).append(float(value))
    return {k: statistics.median(v) for k, v in values.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--settle', type=float, default=8.0)
    ap.add_argument('--idle', type=int, default=None, help='POLYPROC_FORKSERVER_IDLE for polyproc')
    args = ap.parse_args()
    subprocess.run([POLYPROC, '-c', 'pass'], check=True)  # builds if needed, fills caches
    env = dict(os.environ)
    if args.idle is not None:
        env['POLYPROC_FORKSERVER_IDLE'] = str(args.idle)
    with tempfile.NamedTemporaryFile('w', suffix='.py') as one_child:
        one_child.write(ONE_CHILD)
        one_child.flush()
        rows = [('-c pass (s)', whole_program([sys.executable, '-c', 'pass'], args.runs),
                 whole_program([POLYPROC, '-c', 'pass'], args.runs)),
                ('script with one child (s)', whole_program([sys.executable, one_child.name], args.runs),
                 whole_program([POLYPROC, one_child.name], args.runs))]
    for method in ('forkserver', 'spawn'):
        cpy = measure(sys.executable, method, args.runs, args.settle)
        pp = measure(POLYPROC, method, args.runs, args.settle, env)
        for key in ('first', 'sequential', 'burst', 'pool', 'running_child_rss_mb',
                    'idle_worker_rss_mb', 'parent_rss_mb'):
            if key in cpy or key in pp:
                unit = 'MB' if key.endswith('_mb') else 's'
                rows.append(('%s: %s (%s)' % (method, key.replace('_mb', ''), unit),
                             cpy.get(key, float('nan')), pp.get(key, float('nan'))))
    print('%-40s %10s %10s %8s' % ('measure', 'python3', 'polyproc', 'ratio'))
    for name, a, b in rows:
        print('%-40s %10.3f %10.3f %8.2f' % (name, a, b, b / a if a else float('nan')))
    print('python3: %s; runs %d, settle %.1f s, POLYPROC_FORKSERVER_IDLE %s'
          % (sys.version.split()[0], args.runs, args.settle, env.get('POLYPROC_FORKSERVER_IDLE', 'default')))


if __name__ == '__main__':
    main()
