#!/usr/bin/env python3
"""The polyproc server (issue 16): whole commands through bin/polyproc with a warm server,
against python3 in the same run, and the first command with no server against a direct run.

Each measure is the wall time of one whole command (start to exit, as a user waits for it),
medians of --runs. Before each polyproc run the benchmark waits (not counted) until the server
has as many ready idle workers as the program needs (its own, plus one per child it starts at
once), up to --settle-max seconds: "a warm server that has served the same command before".
The server runs in a private folder (POLYPROC_SERVER_DIR) and is stopped at the end.

  quick:   -c pass; a script that starts one child and joins it; examples/hello_processes.py
           (three children); six children started at once, all joined with join(30); Pool(4)
           created, map of 100 tiny tasks, closed
  first:   `-c pass` with no server running (the command starts one in the background and runs
           directly) against POLYPROC_SERVER=0
  memory:  the server's own PSS/RSS, and each idle worker's PSS (the server's --server-status)
  cpu:     (--cpu) pure-Python CPU-bound Pool programs, each at two sizes (python3 ~3 s and
           ~25 s here): few long tasks (Pool(2).map of 2 loops), many tasks with list arguments
           (Pool(2).map over 1000 lists of 1000 ints), imap_unordered over 5000 text rows

Run with any python3:
  python3 bench/server.py [--runs N] [--cpu | --cpu-only] [--cpu-runs N] [--settle-max S] [--only SUBSTRING]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLYPROC = os.path.join(TOP, 'bin', 'polyproc')

ONE_CHILD = r'''
import multiprocessing as mp
def noop():
    pass
if __name__ == '__main__':
    p = mp.Process(target=noop)
    p.start()
    p.join()
    assert p.exitcode == 0
'''

SIX_CHILDREN = r'''
import multiprocessing as mp
def noop():
    pass
if __name__ == '__main__':
    ps = [mp.Process(target=noop) for _ in range(6)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(30)
        assert p.exitcode == 0, p.exitcode
'''

POOL_TINY = r'''
import multiprocessing as mp
def square(x):
    return x * x
if __name__ == '__main__':
    with mp.Pool(4) as pool:
        assert sum(pool.map(square, range(100))) == 328350
'''

# CPU-bound, pure Python; N scales the work (python3 seconds ~ N * the unit measured below).
FEW_LONG = r'''
import multiprocessing as mp, sys
def loop(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    return total
if __name__ == '__main__':
    n = int(sys.argv[1])
    with mp.Pool(2) as pool:
        print(sum(pool.map(loop, [n, n])))
'''

LIST_ARGS = r'''
import multiprocessing as mp, sys
def score(args):
    row, reps = args
    total = 0
    for _ in range(reps):
        for x in row:
            total += (x * 31 + 7) % 101
    return total
if __name__ == '__main__':
    reps = int(sys.argv[1])
    rows = [(list(range(i, i + 1000)), reps) for i in range(1000)]
    with mp.Pool(2) as pool:
        print(sum(pool.map(score, rows)))
'''

IMAP_ROWS = r'''
import multiprocessing as mp, sys
def parse(args):
    line, reps = args
    total = 0
    for _ in range(reps):
        for f in line.split(','):
            total += int(f) % 97
    return total
if __name__ == '__main__':
    reps = int(sys.argv[1])
    lines = [(','.join(str(i * j) for j in range(200)), reps) for i in range(5000)]
    with mp.Pool(2) as pool:
        print(sum(pool.imap_unordered(parse, lines, chunksize=50)))
'''

# (name, script, children started at once, argument for --small, for --large)
QUICK = [('-c pass', None, 0), ('one child', ONE_CHILD, 1),
         ('examples/hello_processes.py', os.path.join(TOP, 'examples', 'hello_processes.py'), 3),
         ('six children at once', SIX_CHILDREN, 6), ('Pool(4) map 100 tiny', POOL_TINY, 4)]
# Sized for python3 here (2 cores): small ~3 s, large ~25 s.
CPU = [('few long tasks', FEW_LONG, 2, 65_000_000, 550_000_000),
       ('many tasks, list arguments', LIST_ARGS, 2, 150, 1_300),
       ('imap_unordered over rows', IMAP_ROWS, 2, 55, 450)]


def status(env):
    return subprocess.run([POLYPROC, '--server-status'], env=env, capture_output=True, text=True).stdout


def ready_workers(env):
    return len(re.findall(r'^  worker \d+ ready', status(env), re.M))


def wait_ready(env, needed, limit):
    if not status(env).startswith('pid '):
        subprocess.run([POLYPROC, '-c', 'pass'], env=env, check=True)  # starts the server
    deadline = time.time() + limit
    while time.time() < deadline and ready_workers(env) < needed:
        time.sleep(0.5)
    return ready_workers(env)


def timed(cmd, env):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f'{cmd} failed ({r.returncode}): {r.stderr[-2000:]}')
    return elapsed


def command(interpreter, script, args, folder):
    if script is None:
        return [interpreter, '-c', 'pass']
    if not os.path.exists(script):
        path = os.path.join(folder, 'prog%d.py' % (hash(script) & 0xffff))
        with open(path, 'w') as f:
            f.write(script)
        script = path
    return [interpreter, script] + [str(a) for a in args]


def pss_mb(pid):
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            text = f.read()
        return int(re.search(r'^Pss:\s+(\d+)', text, re.M).group(1)) // 1024, \
            int(re.search(r'^Rss:\s+(\d+)', text, re.M).group(1)) // 1024
    except (OSError, AttributeError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--settle-max', type=float, default=120)
    ap.add_argument('--cpu', action='store_true')
    ap.add_argument('--cpu-runs', type=int, default=1)
    ap.add_argument('--only', help='run only the measures whose name contains this')
    ap.add_argument('--cpu-only', action='store_true', help='only the CPU-bound programs (implies --cpu)')
    ns = ap.parse_args()
    folder = tempfile.mkdtemp(prefix='polyproc-bench-')
    env = dict(os.environ, POLYPROC_SERVER_DIR=folder)
    direct_env = dict(env, POLYPROC_SERVER='0')
    subprocess.run([POLYPROC, '-c', 'pass'], env=direct_env, check=True)  # builds if needed
    rows = []
    try:
        # The first command with no server: it starts one and runs directly.
        first, direct = [], []
        for _ in range(ns.runs if (not ns.only or ns.only in 'first') and not ns.cpu_only else 0):
            # Stopping the server ends its idle workers, and with them any boot in progress.
            subprocess.run([POLYPROC, '--server-stop'], env=env, capture_output=True)
            time.sleep(1)
            direct.append(timed([POLYPROC, '-c', 'pass'], direct_env))
            first.append(timed([POLYPROC, '-c', 'pass'], env))
        if first:
            rows.append(('`-c pass`, no server yet (starts one) / POLYPROC_SERVER=0', first, direct, 'direct'))
        for name, script, children in QUICK:
            if (ns.only and ns.only not in name) or ns.cpu_only:
                continue
            py = [timed(command('python3', script, [], folder), env) for _ in range(ns.runs)]
            pp = []
            for _ in range(ns.runs + 1):  # the first run teaches the server what this command needs
                wait_ready(env, 1 + children, ns.settle_max)
                pp.append(timed(command(POLYPROC, script, [], folder), env))
            rows.append((name, pp[1:], py, 'python3'))
        if not ns.cpu_only:
            # An idle worker says ready once it has settled (collected, trimmed): measure one.
            wait_ready(env, 1, ns.settle_max)
        text = status(env)
        server = re.search(r'^pid (\d+)', text, re.M)
        workers = [int(p) for p in re.findall(r'^  worker (\d+) ready', text, re.M)]
        memory = ([('server', pss_mb(int(server.group(1))))] if server else []) + \
            [('idle worker %d' % p, pss_mb(p)) for p in workers]
        if ns.cpu or ns.cpu_only:
            for name, script, children, small, large in CPU:
                for size, arg in (('small', small), ('large', large)):
                    if ns.only and ns.only not in name + size:
                        continue
                    py = [timed(command('python3', script, [arg], folder), env) for _ in range(ns.cpu_runs)]
                    if size == 'small':  # teaches the server what this program needs
                        wait_ready(env, 1 + children, ns.settle_max)
                        timed(command(POLYPROC, script, [arg], folder), env)
                    pp = []
                    for _ in range(ns.cpu_runs):
                        wait_ready(env, 1 + children, ns.settle_max)
                        pp.append(timed(command(POLYPROC, script, [arg], folder), env))
                    rows.append((f'{name} ({size}, {arg})', pp, py, 'python3'))
    finally:
        subprocess.run([POLYPROC, '--server-stop'], env=env, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    print(f'\nmedians (s) of {ns.runs} runs (quick rows), {ns.cpu_runs} (CPU rows); a warm server in a private folder\n')
    print('| command | polyproc | against | ratio |')
    print('| --- | ---: | ---: | ---: |')
    for name, pp, other, label in rows:
        a, b = statistics.median(pp), statistics.median(other)
        print(f'| {name} | {a:.2f} | {label} {b:.2f} | {a / b:.1f}x |')
    print('\n| process | PSS MB | RSS MB |\n| --- | ---: | ---: |')
    for name, m in memory:
        if m:
            print(f'| {name} | {m[0]} | {m[1]} |')


if __name__ == '__main__':
    sys.exit(main())
