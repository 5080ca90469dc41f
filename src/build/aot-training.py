# The AOT training run (src/build/make-runtime.sh): what most polyproc programs do at start-up.
# The parent's JVM records which classes it loads and links; the child makes it go through the
# pickling, pipe and Queue code of both sides. Fails loudly if anything is off.
import multiprocessing as mp
import os
import sys


def work(q, n):
    q.put((os.getpid(), sum(range(n))))


if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=work, args=(q, 1000))
    p.start()
    pid, total = q.get(timeout=120)
    p.join(120)
    if (pid, total, p.exitcode) != (p.pid, 499500, 0):
        sys.exit(f"aot-training: unexpected result {(pid, total, p.exitcode)} for child {p.pid}")
    print("aot-training: ok")
