"""The forkserver keeps more idle workers once demand outran them (run by ScriptsIT)."""
import multiprocessing as mp
import time

from checks import CHECKS, check, worker_pids


def noop():
    pass


if __name__ == '__main__':
    check('no worker before the first start()', len(worker_pids()) == 0)
    burst = [mp.Process(target=noop) for _ in range(3)]
    for p in burst:
        p.start()
    for p in burst:
        p.join()
    check('burst ran', [p.exitcode for p in burst] == [0, 0, 0], [p.exitcode for p in burst])
    # None was ready for the first start(), nor booted for the next two: the pool grew to 4
    # (its cap is cores, at least 4, within memory), and keeps them booted for the next wave.
    deadline = time.monotonic() + 120
    while len(worker_pids()) < 4 and time.monotonic() < deadline:
        time.sleep(0.5)
    check('idle workers grew with demand', len(worker_pids()) == 4, worker_pids())
    print('ALL OK', len(CHECKS))
