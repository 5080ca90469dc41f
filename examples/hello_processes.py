"""Three children, each a real OS process running GraalPy: they print, and report by exit code."""
import multiprocessing as mp
import os
import sys


def work(n):
    print(f'child {mp.current_process().name}: pid {os.getpid()}, parent {os.getppid()}, {n}*{n} = {n * n}',
          flush=True)
    sys.exit(n)


if __name__ == '__main__':
    print(f'parent: pid {os.getpid()}, start method {mp.get_start_method()!r}', flush=True)
    procs = [mp.Process(target=work, args=(n,)) for n in range(1, 4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        print(f'{p.name} (pid {p.pid}) exited with {p.exitcode}')
