#!/usr/bin/env python3
"""Process start-up benchmark: polyproc against CPython (python3) in the same run.

Measures, as medians:
  * start()+join() of a no-op child, one at a time (--joins of them, default 10);
  * the whole-program cost of `-c pass`;
  * the resident memory (RSS and PSS) of one idle child.
Run with any python3:  python3 bench/process_start.py [--joins N] [--runs N]
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

def noop():
    pass

def idle(ready):
    open(ready, 'w').close()
    time.sleep(120)

def memory(pid):
    fields = {}
    with open('/proc/%d/smaps_rollup' % pid) as f:
        for line in f:
            parts = line.split()
            if parts[0] in ('Rss:', 'Pss:'):
                fields[parts[0][:-1]] = int(parts[1]) // 1024
    return fields

if __name__ == '__main__':
    mp.set_start_method('spawn')
    joins, ready = int(sys.argv[1]), sys.argv[2]
    for _ in range(joins):
        t = time.perf_counter()
        p = mp.Process(target=noop)
        p.start()
        p.join()
        print('join', time.perf_counter() - t, flush=True)
    p = mp.Process(target=idle, args=(ready,))
    p.start()
    while not os.path.exists(ready):
        time.sleep(0.05)
    time.sleep(1)
    m = memory(p.pid)
    print('child_rss_mb', m['Rss'], flush=True)
    print('child_pss_mb', m['Pss'], flush=True)
    me = memory(os.getpid())
    print('parent_rss_mb', me['Rss'], flush=True)
    p.terminate()
    p.join()
'''


def whole_program(cmd, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def children(python, joins):
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'bench_child.py')
        with open(script, 'w') as f:
            f.write(CHILD_SCRIPT)
        out = subprocess.run([python, script, str(joins), os.path.join(d, 'ready')], check=True,
                             capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        key, value = line.split()
        values.setdefault(key, []).append(float(value))
    return values


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--joins', type=int, default=10)
    ap.add_argument('--runs', type=int, default=5)
    args = ap.parse_args()
    subprocess.run([POLYPROC, '-c', 'pass'], check=True)  # builds if needed, fills caches
    rows = []
    cpy_pass = whole_program([sys.executable, '-c', 'pass'], args.runs)
    pp_pass = whole_program([POLYPROC, '-c', 'pass'], args.runs)
    rows.append(('-c pass (s)', cpy_pass, pp_pass))
    cpy = children(sys.executable, args.joins)
    pp = children(POLYPROC, args.joins)
    # The first join of a program also pays for importing multiprocessing: report it apart.
    rows.append(('first start+join (s)', cpy['join'][0], pp['join'][0]))
    rows.append(('start+join, median of the rest (s)', statistics.median(cpy['join'][1:]),
                 statistics.median(pp['join'][1:])))
    for key in ('child_rss_mb', 'child_pss_mb', 'parent_rss_mb'):
        rows.append((key.replace('_mb', ' (MB)'), cpy[key][0], pp[key][0]))
    print('%-38s %12s %12s %8s' % ('measure', 'python3', 'polyproc', 'ratio'))
    for name, a, b in rows:
        print('%-38s %12.3f %12.3f %8.1f' % (name, a, b, b / a if a else float('nan')))
    print('python3: %s' % sys.version.split()[0])


if __name__ == '__main__':
    main()
