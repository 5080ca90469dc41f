"""The 'forkserver' start method: worker JVMs booted ahead of need, each running one Process
that sees only what its parent sent, never what a worker prepared or a previous Process left.

Runs in a program of its own (BehavioursIT.FORKSERVER_ONLY): the forkserver starts at the
program's first start() and keeps the environment and preload list of that moment, so
setUpModule sets them (POLYPROC_FORKSERVER_IDLE=2, the preload list) before any child."""
import multiprocessing as mp
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

from support import LONG, ON_POLYPROC, wait_for_workers, wait_until, worker_pids

IDLE = 2
# CPython's forkserver imports the preload list without the parent's sys.path before 3.12.8
# (gh-117378): there, a module beside the script is not found, nor is a relative main path.
PRELOAD_REACHES_THE_SCRIPTS_FOLDER = ON_POLYPROC or sys.version_info >= (3, 12, 8)


def setUpModule():
    os.environ['POLYPROC_FORKSERVER_IDLE'] = str(IDLE)
    os.environ['PRELOAD_MARKER_DIR'] = tempfile.mkdtemp(prefix='pp-preloaded-')
    mp.set_forkserver_preload(['__main__', 'preload_marker'])


def tearDownModule():
    shutil.rmtree(os.environ.pop('PRELOAD_MARKER_DIR'), ignore_errors=True)


def report(conn, started_at):
    import preload_marker
    conn.send({
        'pid': os.getpid(), 'ppid': os.getppid(), 'parent': mp.parent_process().pid,
        'preloaded_before_task': preload_marker.IMPORTED_AT < started_at,
        'main_preloaded_before_task': preload_marker.IMPORTED_AT < started_at and preload_marker.MAIN_IMPORTED_FIRST,
        'state_seen': list(preload_marker.STATE),
        # what a worker prepared before its task came must not show: the task's values win
        'name': mp.current_process().name, 'argv': sys.argv, 'cwd': os.getcwd(),
        'authkey': bytes(mp.current_process().authkey),
        'grandchild_name': mp.Process(target=report).name,
    })
    preload_marker.STATE.append(os.getpid())


def echo_all(conns):
    for c in conns:
        c.send(c.recv() * 2)


def sleeps(running):
    running.set()
    time.sleep(600)


def idle_workers(count):
    """The idle workers once count of them have imported their preload list (on CPython,
    whose server imports it before it forks any child: none)."""
    if not ON_POLYPROC:
        return set()
    marked = os.environ['PRELOAD_MARKER_DIR']
    running = {p.pid for p in mp.active_children()}
    found = set()

    def ready():
        found.clear()
        found.update(worker_pids(running))
        return len(found) >= count and all(os.path.exists(os.path.join(marked, str(pid))) for pid in found)
    wait_until(ready, LONG, 0.1)
    return set(found)


def run_report():
    ours, theirs = mp.Pipe()
    started_at = time.time()
    p = mp.Process(target=report, args=(theirs, started_at))
    p.start()
    theirs.close()
    seen = ours.recv() if ours.poll(LONG) else {}
    p.join(LONG)
    return p, seen


class PreloadListTest(unittest.TestCase):
    def test_preload_list_must_hold_strings(self):
        with self.assertRaises(TypeError):
            mp.set_forkserver_preload(['preload_marker', 1])


class WorkerRunsOneProcessTest(unittest.TestCase):
    """Two Processes in turn, the second once the idle workers have imported the preload list:
    each sees what its parent sent, neither what its worker prepared nor what the other left."""

    @classmethod
    def setUpClass(cls):
        first = run_report()
        idle_workers(IDLE)
        cls.runs = {'first': first, 'second': run_report()}
        cls.second = cls.runs['second'][1]

    def test_pid_is_its_workers_and_it_exits_0(self):
        for which, (p, seen) in self.runs.items():
            with self.subTest(which):
                self.assertEqual((seen.get('pid'), p.exitcode), (p.pid, 0))

    def test_parent_process_is_the_parent(self):
        for which, (p, seen) in self.runs.items():
            with self.subTest(which):
                self.assertEqual(seen['parent'], os.getpid())

    @unittest.skipUnless(ON_POLYPROC, "CPython's forkserver children are the server's children")
    def test_os_getppid_is_the_parent(self):
        for which, (p, seen) in self.runs.items():
            with self.subTest(which):
                self.assertEqual(seen['ppid'], os.getpid())

    def test_name_argv_directory_and_authkey_are_the_ones_the_parent_sent(self):
        for which, (p, seen) in self.runs.items():
            with self.subTest(which):
                self.assertEqual((seen['name'], seen['argv'], seen['cwd'], seen['authkey']),
                                 (p.name, sys.argv, os.getcwd(), bytes(mp.current_process().authkey)))

    def test_its_own_first_child_is_named_after_it(self):
        for which, (p, seen) in self.runs.items():
            with self.subTest(which):
                self.assertEqual(seen['grandchild_name'], p.name + ':1')

    @unittest.skipUnless(PRELOAD_REACHES_THE_SCRIPTS_FOLDER, 'CPython before 3.12.8: gh-117378')
    def test_preload_modules_are_imported_before_the_task(self):
        self.assertTrue(self.second['preloaded_before_task'], self.second)

    @unittest.skipUnless(PRELOAD_REACHES_THE_SCRIPTS_FOLDER, 'CPython before 3.12.8: gh-117378')
    def test_main_module_is_imported_before_the_task(self):
        self.assertTrue(self.second['main_preloaded_before_task'], self.second)

    def test_no_state_from_the_previous_process(self):
        self.assertEqual(self.second['state_seen'], [])

    def test_two_processes_are_two_different_processes(self):
        self.assertNotEqual(self.runs['first'][0].pid, self.runs['second'][0].pid)


@unittest.skipUnless(ON_POLYPROC, "polyproc's idle worker JVMs")
class IdleWorkersTest(unittest.TestCase):
    def test_idle_count_is_POLYPROC_FORKSERVER_IDLE_beside_a_running_process(self):
        sleeper = mp.Process(target=time.sleep, args=(600,))
        sleeper.start()
        idle = wait_for_workers(IDLE, {sleeper.pid}, LONG)
        sleeper.kill()
        sleeper.join(LONG)
        self.assertEqual(len(idle), IDLE, idle)

    def test_idle_workers_killed_from_outside_are_skipped(self):
        idle = wait_for_workers(IDLE, timeout=LONG)
        for pid in idle:
            os.kill(pid, signal.SIGKILL)
        self.assertTrue(wait_until(lambda: not worker_pids() & idle), worker_pids())
        pairs = [mp.Pipe() for _ in range(20)]
        p = mp.Process(target=echo_all, args=([b for _, b in pairs],))
        p.start()
        for i, (a, _) in enumerate(pairs):
            a.send(i)
        self.assertEqual([a.recv() if a.poll(LONG) else None for a, _ in pairs], [2 * i for i in range(20)])
        p.join(LONG)
        self.assertEqual(p.exitcode, 0)

    def test_terminate_ends_the_process_a_worker_runs_with_sigterm(self):
        running = mp.Event()
        sleeper = mp.Process(target=sleeps, args=(running,))
        sleeper.start()
        self.assertTrue(running.wait(LONG))
        sleeper.terminate()
        sleeper.join(LONG)
        self.assertEqual(sleeper.exitcode, -signal.SIGTERM)


class SpawnBesideTheForkserverTest(unittest.TestCase):
    def test_a_spawn_child_is_a_fresh_process_not_an_idle_worker(self):
        idle = idle_workers(IDLE)
        s = mp.get_context('spawn').Process(target=sys.exit, args=(4,))
        s.start()
        self.assertNotIn(s.pid, idle)
        s.join(LONG)
        self.assertEqual(s.exitcode, 4)


if __name__ == '__main__':
    unittest.main()
