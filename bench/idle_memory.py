#!/usr/bin/env python3
"""Idle forkserver worker memory: PSS and RSS of idle worker JVMs (and of the parent) over time.

For each option set (JVM options for children only, POLYPROC_CHILD_JAVA_OPTIONS) and each idle
count (POLYPROC_FORKSERVER_IDLE, default 1 and 3), --runs times: a polyproc program starts the
forkserver (one Process start()+join() of a no-op), then waits; this script finds the idle
worker JVMs (the parent's children whose command line names polyproc.worker.WorkerMain, the one
that ran the no-op excluded), and when the youngest of them is --at seconds old (its age counted
from its process start, so its boot is included) reads /proc/PID/smaps_rollup of every idle
worker and of the parent. Printed: medians over runs (and over the idle workers of a run) of one
worker's PSS, its anonymous part (heap, metaspace, code, thread stacks: what the JVM options can
change; the rest is mapped files), its RSS, the whole idle set's PSS and the parent's PSS.
PSS divides a shared page among the processes that map it: with 3 idle workers the AOT cache and
the jars read-only count a third in each, so one worker's PSS falls while the set's sum grows.

--check also runs, per option set, a program with a Pool(2): map of 8 pure-Python CPU-bound tasks
(a loop of --work iterations) for --rounds rounds; it prints each round's time, and what the
workers report: whether Graal compiles Python (sys.version says GraalVM CE, not Interpreted), the
JVM's max heap, its GCs, and a worker's RSS after the work. A rough check that the options do not
break or visibly slow the workers; on a loaded machine its times are not a benchmark.

Run with any python3:
  python3 bench/idle_memory.py [--runs N] [--at 10,35,60] [--idle 1,3] [--check]
      [--set 'LABEL=JVM OPTIONS'] ...     (each --set adds one; the default options are always first)
      [--no-default-set]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLYPROC = os.path.join(TOP, 'bin', 'polyproc')
WORKER_MAIN = b'polyproc.worker.WorkerMain'
CLK_TCK = os.sysconf('SC_CLK_TCK')

IDLE_SCRIPT = r'''
import multiprocessing as mp, sys, time

def noop():
    pass

if __name__ == '__main__':
    p = mp.Process(target=noop)
    p.start()
    p.join()
    print('joined', p.pid, flush=True)
    time.sleep(float(sys.argv[1]))
'''

CHECK_SCRIPT = r'''
import multiprocessing as mp, os, sys, time

def cpu(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total

def report(_):
    import java
    rt = java.type('java.lang.Runtime').getRuntime()
    beans = java.type('java.lang.management.ManagementFactory').getGarbageCollectorMXBeans()
    gcs = '+'.join(str(b.getName()).replace(' ', '_') for b in beans)
    with open('/proc/self/smaps_rollup') as f:
        rss = [int(l.split()[1]) for l in f if l.startswith('Rss:')][0] / 1024
    return ('Interpreted' not in sys.version and 'GraalVM CE' in sys.version,
            rt.maxMemory() >> 20, gcs, rss, os.getpid())

if __name__ == '__main__':
    rounds, work = int(sys.argv[1]), int(sys.argv[2])
    with mp.Pool(2) as pool:
        pool.map(report, range(2))
        for _ in range(rounds):
            t = time.perf_counter()
            pool.map(cpu, [work] * 8, chunksize=1)
            print('round_s', time.perf_counter() - t, flush=True)
        seen = {}
        for _ in range(4):
            for r in pool.map(report, range(4), chunksize=1):
                seen[r[4]] = r
        for jit, heap, gcs, rss, pid in seen.values():
            print('worker', jit, heap, gcs, '%.0f' % rss, flush=True)
'''


def ppid_of(pid):
    with open('/proc/%d/stat' % pid) as f:
        return int(f.read().rsplit(')', 1)[1].split()[1])


def age_s(pid):
    with open('/proc/%d/stat' % pid) as f:
        start = int(f.read().rsplit(')', 1)[1].split()[19]) / CLK_TCK
    with open('/proc/uptime') as f:
        return float(f.read().split()[0]) - start


def workers_of(parent):
    found = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            pid = int(entry)
            try:
                if ppid_of(pid) == parent:
                    with open('/proc/%d/cmdline' % pid, 'rb') as f:
                        if WORKER_MAIN in f.read():
                            found.append(pid)
            except (OSError, IndexError, ValueError):
                pass
    return found


def rollup(pid):
    """{'Pss': MB, 'Pss_Anon': MB, 'Rss': MB, ...} from /proc/PID/smaps_rollup."""
    values = {}
    with open('/proc/%d/smaps_rollup' % pid) as f:
        for line in f:
            m = re.match(r'(\w+):\s+(\d+) kB', line)
            if m:
                values[m.group(1)] = int(m.group(2)) / 1024
    return values


def idle_run(opts, idle, at, timeout):
    """One program: {T: {'worker_pss': [...], 'worker_anon': [...], 'worker_rss': [...],
    'set_pss': x, 'parent_pss': x, 'parent_rss': x}}."""
    env = dict(os.environ, POLYPROC_FORKSERVER_IDLE=str(idle))
    if opts:
        env['POLYPROC_CHILD_JAVA_OPTIONS'] = opts
    else:
        env.pop('POLYPROC_CHILD_JAVA_OPTIONS', None)
    samples = {}
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'idle_memory_child.py')
        with open(script, 'w') as f:
            f.write(IDLE_SCRIPT)
        proc = subprocess.Popen([POLYPROC, script, str(max(at) + timeout)], env=env,
                                stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline().split()
            if not line or line[0] != 'joined':
                raise RuntimeError('the program did not start its child: %r' % line)
            ran = int(line[1])
            deadline = time.monotonic() + timeout
            idle_pids = []
            while True:  # until the idle workers have booted (their processes exist)
                idle_pids = [p for p in workers_of(proc.pid) if p != ran]
                if len(idle_pids) >= idle or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            if not idle_pids:
                raise RuntimeError('no idle worker appeared')
            for t in sorted(at):
                while min(age_s(p) for p in idle_pids) < t:
                    time.sleep(0.1)
                ws = [rollup(p) for p in idle_pids]
                parent = rollup(proc.pid)
                samples[t] = {'worker_pss': [w['Pss'] for w in ws],
                              'worker_anon': [w.get('Pss_Anon', float('nan')) for w in ws],
                              'worker_rss': [w['Rss'] for w in ws],
                              'set_pss': sum(w['Pss'] for w in ws),
                              'parent_pss': parent['Pss'], 'parent_rss': parent['Rss'],
                              'n': len(ws)}
        finally:
            proc.terminate()
            proc.wait()
    return samples


def check_run(opts, rounds, work):
    env = dict(os.environ)
    if opts:
        env['POLYPROC_CHILD_JAVA_OPTIONS'] = opts
    else:
        env.pop('POLYPROC_CHILD_JAVA_OPTIONS', None)
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, 'idle_memory_check.py')
        with open(script, 'w') as f:
            f.write(CHECK_SCRIPT)
        out = subprocess.run([POLYPROC, script, str(rounds), str(work)], env=env, check=True,
                             capture_output=True, text=True).stdout
    times = [float(l.split()[1]) for l in out.splitlines() if l.startswith('round_s')]
    workers = [l.split()[1:] for l in out.splitlines() if l.startswith('worker')]
    return times, workers


def med(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float('nan')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--at', default='10,35,60', help='worker ages (s) at which to sample')
    ap.add_argument('--idle', default='1,3', help='POLYPROC_FORKSERVER_IDLE values')
    ap.add_argument('--set', action='append', default=[], metavar='LABEL=OPTIONS',
                    help='an option set for child JVMs (POLYPROC_CHILD_JAVA_OPTIONS)')
    ap.add_argument('--no-default-set', action='store_true', help='leave out the run without options')
    ap.add_argument('--timeout', type=float, default=120.0, help='seconds to wait for idle workers')
    ap.add_argument('--check', action='store_true', help='also run the Pool(2) CPU check per set')
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--work', type=int, default=2_000_000)
    args = ap.parse_args()
    at = [float(x) for x in args.at.split(',')]
    idles = [int(x) for x in args.idle.split(',')]
    sets = [] if args.no_default_set else [('default', '')]
    for s in args.set:
        label, _, opts = s.partition('=')
        sets.append((label, opts))
    subprocess.run([POLYPROC, '-c', 'pass'], check=True)  # builds if needed, fills caches

    print('%-14s %4s %5s %11s %11s %11s %9s %11s %11s' % (
        'set', 'idle', 'age_s', 'worker_PSS', 'worker_anon', 'worker_RSS', 'set_PSS',
        'parent_PSS', 'parent_RSS'), flush=True)
    for label, opts in sets:
        for idle in idles:
            runs = [idle_run(opts, idle, at, args.timeout) for _ in range(args.runs)]
            for t in sorted(at):
                rs = [r[t] for r in runs]
                print('%-14s %4d %5.0f %11.0f %11.0f %11.0f %9.0f %11.0f %11.0f' % (
                    label, idle, t,
                    med([v for r in rs for v in r['worker_pss']]),
                    med([v for r in rs for v in r['worker_anon']]),
                    med([v for r in rs for v in r['worker_rss']]),
                    med([r['set_pss'] for r in rs]),
                    med([r['parent_pss'] for r in rs]), med([r['parent_rss'] for r in rs])),
                    flush=True)
    if args.check:
        print()
        print('%-14s %-40s %s' % ('set', 'Pool(2).map rounds (s)', 'workers: JIT, max heap MB, GCs, RSS MB after'))
        for label, opts in sets:
            times, workers = check_run(opts, args.rounds, args.work)
            print('%-14s %-40s %s' % (label, ' '.join('%.2f' % t for t in times),
                                      '; '.join(' '.join(w) for w in workers)), flush=True)
    print('sets: ' + '; '.join('%s = %r' % (label, opts) for label, opts in sets))
    print('runs %d; MB = MiB from /proc/PID/smaps_rollup; medians over runs and idle workers; '
          'load average %s' % (args.runs, os.getloadavg()))


if __name__ == '__main__':
    main()
