"""The 'forkserver' start method: pre-booted worker JVMs (run by ScriptsIT)."""
import multiprocessing as mp
import os
import signal
import sys
import time

from checks import CHECKS, check, wait_for_workers, worker_pids

MAIN_IMPORTED_AT = time.time()  # in a child: when its worker imported this script as __mp_main__


def report(conn, parent_pid, started_at):
    import preload_marker
    conn.send({
        'pid': os.getpid(), 'ppid': os.getppid(),
        'parent': mp.parent_process().pid,
        'preloaded_before_task': preload_marker.IMPORTED_AT < started_at,
        'main_preloaded': sys.modules['__mp_main__'].MAIN_IMPORTED_AT < started_at,
        'state_seen': list(preload_marker.STATE),
        'method': mp.current_process()._start_method if hasattr(mp.current_process(), '_start_method') else None,
        # what a worker prepared before its task came must not show: the task's values win
        'name': mp.current_process().name, 'argv': sys.argv, 'cwd': os.getcwd(),
        'authkey': bytes(mp.current_process().authkey),
        'grandchild_name': mp.Process(target=report).name,
    })
    preload_marker.STATE.append(os.getpid())


def echo_all(conns):
    for c in conns:
        c.send(c.recv() * 2)


if __name__ == '__main__':
    check('default is forkserver', mp.get_start_method() == 'forkserver')
    try:
        mp.set_forkserver_preload(['preload_marker', 1])
        check('preload list of strings', False)
    except TypeError:
        check('preload list of strings', True)
    mp.set_forkserver_preload(['__main__', 'preload_marker'])
    os.environ['POLYPROC_FORKSERVER_IDLE'] = '2'

    def run_report(i):
        ours, theirs = mp.Pipe()
        started_at = time.time()
        p = mp.Process(target=report, args=(theirs, os.getpid(), started_at))
        p.start()
        theirs.close()
        r = ours.recv()
        p.join()
        check('child %d: pid is the worker\'s' % i, r['pid'] == p.pid and p.exitcode == 0, (r, p.pid))
        check('child %d: os.getppid() and parent_process() are the parent' % i,
              r['ppid'] == os.getpid() and r['parent'] == os.getpid(), r)
        check('child %d: name, argv, directory and authkey are the ones the parent sent' % i,
              (r['name'], r['argv'], r['cwd'], r['authkey'])
              == (p.name, sys.argv, os.getcwd(), bytes(mp.current_process().authkey)), r)
        check('child %d: its own first child is %s:1' % (i, p.name), r['grandchild_name'] == p.name + ':1', r)
        return r

    # The first child's worker boots while start() waits for it; the idle ones boot beside it
    # and are ready a little later (seconds on a loaded machine): the next child gets one.
    reports = [run_report(0)]
    for attempt in range(8):
        time.sleep(2)
        reports.append(run_report(1))
        if reports[-1]['preloaded_before_task']:
            break
    check('preload imported before the task', reports[-1]['preloaded_before_task'], reports[-1])
    check('__main__ imported before the task', reports[-1]['main_preloaded'], reports[-1])
    check('one worker per Process: no state from the previous one', reports[1]['state_seen'] == [], reports)
    check('two different processes', reports[0]['pid'] != reports[1]['pid'])

    sleeper = mp.Process(target=time.sleep, args=(600,))
    sleeper.start()
    idle = wait_for_workers(2, {sleeper.pid})
    check('POLYPROC_FORKSERVER_IDLE=2 idle workers', len(idle) == 2, idle)

    # An idle worker killed from outside is skipped.
    for pid in idle:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while worker_pids({sleeper.pid}) & idle and time.monotonic() < deadline:
        time.sleep(0.05)
    pairs = [mp.Pipe() for _ in range(20)]
    p = mp.Process(target=echo_all, args=([b for _, b in pairs],))
    p.start()
    for i, (a, _) in enumerate(pairs):
        a.send(i)
    check('after idle workers died: 20 connections passed', [a.recv() for a, _ in pairs] == [2 * i for i in range(20)])
    p.join()
    check('exit code', p.exitcode == 0, p.exitcode)

    # 'spawn' stays available: a fresh JVM of its own.
    s = mp.get_context('spawn').Process(target=sys.exit, args=(4,))
    s.start()
    check('spawn child is no idle worker', s.pid not in idle)
    s.join()
    check('spawn exit code', s.exitcode == 4, s.exitcode)
    sleeper.terminate()
    sleeper.join()
    check('terminate', sleeper.exitcode == -15, sleeper.exitcode)
    print('ALL OK', len(CHECKS), flush=True)
