"""The forkserver keeps more idle workers once demand outran them (IdlePolicy): it starts with
one, and each start() that finds none ready keeps one more, up to cores (at least 4) within
memory. Runs in a program of its own (BehavioursIT.FORKSERVER_ONLY): it counts the workers of
a forkserver that no start() has used before."""
import multiprocessing as mp
import unittest

from support import LONG, ON_POLYPROC, wait_for_workers, worker_pids


def noop():
    pass


@unittest.skipUnless(ON_POLYPROC, "polyproc's idle worker JVMs")
class GrowthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.before_first_start = worker_pids()
        cls.burst = [mp.Process(target=noop) for _ in range(3)]
        for p in cls.burst:
            p.start()
        for p in cls.burst:
            p.join(LONG)

    def test_no_worker_before_the_first_start(self):
        self.assertEqual(self.before_first_start, set())

    def test_a_burst_of_three_runs(self):
        self.assertEqual([p.exitcode for p in self.burst], [0, 0, 0])

    def test_idle_workers_grow_to_four_after_a_burst_that_found_none_ready(self):
        # None was ready for the first start(), nor booted for the next two: the pool grew to 4
        # (its cap on this machine: 2 cores, so 4, if 4 GiB are available) and keeps them
        # booted for the next wave.
        self.assertEqual(len(wait_for_workers(4, timeout=LONG)), 4, worker_pids())


if __name__ == '__main__':
    unittest.main()
