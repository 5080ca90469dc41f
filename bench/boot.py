#!/usr/bin/env python3
"""Boot time of polyproc against CPython: runs `LAUNCHER -c pass` and `python3 -c pass` N times
(wall clock, after one unmeasured warm-up run each) and prints the medians and their ratio.

    python3 bench/boot.py [-n 5] [--launcher bin/polyproc] [--code pass] [--label NAME]

POLYPROC_JAVA_OPTIONS etc. pass through the environment, so levers can be compared, e.g.
    POLYPROC_JAVA_OPTIONS=-XX:TieredStopAtLevel=1 python3 bench/boot.py
On a noisy machine compare levers in one run instead: --variant 'LABEL|VAR=VALUE|...' (repeat it)
runs each variant in turn, round-robin, so that the noise falls on all alike, e.g.
    python3 bench/boot.py -n 5 --variant 'stock|POLYPROC_NO_RUNTIME=1' \
        --variant 'jlink|POLYPROC_NO_AOT=1' --variant 'jlink+aot|'
(LAUNCHER=path in a variant runs another launcher.)
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def once(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def times(cmd, n):
    once(cmd)  # warm-up: builds, page cache
    return [once(cmd) for _ in range(n)]


def variants(a):
    """Round-robin runs of each --variant; prints one line each."""
    vs = []
    for spec in a.variant:
        label, *assigns = spec.split("|")
        env = dict(os.environ)
        env.update(kv.split("=", 1) for kv in assigns if kv)
        cmd = [env.pop("LAUNCHER", a.launcher), "-c", a.code]
        vs.append((label, cmd, env, []))
    for _, cmd, env, _ in vs:
        once(cmd, env)  # warm-up
    for _ in range(a.n):
        for _, cmd, env, out in vs:
            out.append(once(cmd, env))
    base = statistics.median(vs[0][3])
    for label, _, _, out in vs:
        m = statistics.median(out)
        print(f"{label:<30} median {m:7.3f} s  x{m / base:5.2f}  runs {' '.join(f'{t:.2f}' for t in out)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=5, help="measured runs of each (default 5)")
    ap.add_argument("--launcher", default=os.path.join(TOP, "bin", "polyproc"))
    ap.add_argument("--code", default="pass", help="the -c program (default: pass)")
    ap.add_argument("--label", default="polyproc")
    ap.add_argument("--no-python3", action="store_true", help="skip the python3 runs")
    ap.add_argument("--variant", action="append", default=[], help="LABEL|VAR=VALUE|... (repeat)")
    a = ap.parse_args()
    if a.variant:
        variants(a)
        return

    pp = times([a.launcher, "-c", a.code], a.n)
    pm = statistics.median(pp)
    print(f"{a.label:<30} median {pm:7.3f} s  runs {' '.join(f'{t:.2f}' for t in pp)}")
    if not a.no_python3:
        cp = times([sys.executable, "-c", a.code], a.n)
        cm = statistics.median(cp)
        print(f"{'python3 ' + sys.version.split()[0]:<30} median {cm:7.3f} s  runs {' '.join(f'{t:.3f}' for t in cp)}")
        print(f"ratio polyproc/python3: {pm / cm:.0f}x")


if __name__ == "__main__":
    main()
