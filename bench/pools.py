#!/usr/bin/env python3
"""Pool, ProcessPoolExecutor and manager benchmark: polyproc against CPython (python3), same run.

Medians of --runs repetitions inside one program per interpreter, each interpreter with its
default start method (polyproc: forkserver; python3 3.11 on Linux: fork) and with 'spawn':
  * tiny:     Pool(2).map of 10,000 tiny tasks (the pool already started): overhead per task;
  * cpu:      Pool(2).map of 16 CPU-bound pure-Python tasks (~0.25 s each on CPython), pool
              already started, and 'cpu+start' with the pool's creation and shutdown included;
  * submit:   ProcessPoolExecutor(1).submit(...).result() round trip (executor started);
  * dict:     a managed dict's set+get round trip.
Run with any python3:  python3 bench/pools.py [--runs N] [--method M]
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
import concurrent.futures as cf, multiprocessing as mp, sys, time

def tiny(x):
    return x

def cpu(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total

def main():
    if sys.argv[1] != 'default':
        mp.set_start_method(sys.argv[1])
    runs, work = int(sys.argv[2]), int(sys.argv[3])
    with mp.Pool(2) as pool:
        pool.map(tiny, range(100))
        for _ in range(runs):
            t = time.perf_counter(); pool.map(tiny, range(10000)); print('tiny_per_task_us', (time.perf_counter() - t) / 10000 * 1e6)
        for _ in range(runs):
            t = time.perf_counter(); pool.map(cpu, [work] * 16, chunksize=1); print('cpu_s', time.perf_counter() - t)
    for _ in range(runs):
        t = time.perf_counter()
        with mp.Pool(2) as pool:
            pool.map(cpu, [work] * 16, chunksize=1)
        print('cpu+start_s', time.perf_counter() - t)
    with cf.ProcessPoolExecutor(1) as ex:
        ex.submit(tiny, 0).result()
        for _ in range(runs):
            t = time.perf_counter()
            for i in range(200):
                ex.submit(tiny, i).result()
            print('submit_us', (time.perf_counter() - t) / 200 * 1e6)
    with mp.Manager() as m:
        d = m.dict()
        for _ in range(runs):
            t = time.perf_counter()
            for i in range(1000):
                d['k'] = i
                d['k']
            print('dict_us', (time.perf_counter() - t) / 1000 * 1e6)

if __name__ == '__main__':
    main()
'''


def measure(python, method, runs, work):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'bench_pools.py')
        with open(path, 'w') as f:
            f.write(SCRIPT)
        out = subprocess.run([python, path, method, str(runs), str(work)], check=True,
                             capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        key, value = line.split()
        values.setdefault(key, []).append(float(value))
    return {k: statistics.median(v) for k, v in values.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--method', action='append', help='start methods (default: default and spawn)')
    ap.add_argument('--work', type=int, default=6_000_000, help='loop length of one CPU-bound task')
    args = ap.parse_args()
    subprocess.run([POLYPROC, '-c', 'pass'], check=True)
    print('%-28s %12s %12s %8s' % ('measure', 'python3', 'polyproc', 'ratio'))
    for method in args.method or ['default', 'spawn']:
        cpy = measure(sys.executable, method, args.runs, args.work)
        pp = measure(POLYPROC, method, args.runs, args.work)
        for key in ('tiny_per_task_us', 'cpu_s', 'cpu+start_s', 'submit_us', 'dict_us'):
            print('%-28s %12.3f %12.3f %8.2f' % ('%s: %s' % (method, key), cpy[key], pp[key], pp[key] / cpy[key]))
    print('python3: %s; runs %d' % (sys.version.split()[0], args.runs))


if __name__ == '__main__':
    main()
