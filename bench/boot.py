#!/usr/bin/env python3
"""Boot time of polyproc against CPython: runs `LAUNCHER -c pass` and `python3 -c pass` N times
(wall clock, after one unmeasured warm-up run each) and prints the medians and their ratio.

    python3 bench/boot.py [-n 5] [--launcher bin/polyproc] [--code pass] [--label NAME]

POLYPROC_JAVA_OPTIONS etc. pass through the environment, so levers can be compared, e.g.
    POLYPROC_JAVA_OPTIONS=-XX:TieredStopAtLevel=1 python3 bench/boot.py
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def times(cmd, n):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # warm-up: builds, page cache
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - t0)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=5, help="measured runs of each (default 5)")
    ap.add_argument("--launcher", default=os.path.join(TOP, "bin", "polyproc"))
    ap.add_argument("--code", default="pass", help="the -c program (default: pass)")
    ap.add_argument("--label", default="polyproc")
    ap.add_argument("--no-python3", action="store_true", help="skip the python3 runs")
    a = ap.parse_args()

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
