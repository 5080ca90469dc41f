"""Runs unittest behaviour modules under one start method in ONE program, and writes one JSON
line per test to a results file, for BehavioursIT (JUnit) to report each test by name.

    polyproc run_behaviours.py --results FILE METHOD MODULE [MODULE ...]
    python3  run_behaviours.py --results FILE METHOD MODULE [MODULE ...]   (for comparison)

One program per start method saves a launcher boot (and the forkserver's first workers) per
module. The results go to a file of their own, not stdout: children write to stdout and stderr
at any time, and a long line (a traceback) written by this process could be split among theirs.
Each line is {"event": "list"|"start"|"result", "id": ..., ...}: every test is listed before any
runs, so a test that never got its result (a hang, a crash of this program) is seen as such.

Before any test module is imported, this program sets up the world that the behaviour tests
expect a child to see (support.prepare_world): the environment, directory and JVM options are
taken by the forkserver when it starts, at the first start().
"""
import json
import multiprocessing as mp
import os
import sys
import time
import traceback
import unittest


class JsonLinesResult(unittest.TestResult):
    """A unittest result that writes each test's outcome as it happens."""

    def __init__(self, out):
        super().__init__()
        self.out = out
        self.started = {}
        self.problems = {}
        self.children_before = set()

    def emit(self, **fields):
        self.out.write(json.dumps(fields) + '\n')
        self.out.flush()

    def startTest(self, test):
        super().startTest(test)
        self.started[test.id()] = time.monotonic()
        self.problems[test.id()] = []
        self.children_before = set(mp.active_children())
        self.emit(event='start', id=test.id())

    def _problem(self, test, kind, err):
        self.problems.setdefault(test.id(), []).append((kind, self._exc_info_to_string(err, test)))

    def addError(self, test, err):
        super().addError(test, err)
        if test.id() not in self.started:  # setUpClass, setUpModule, tearDown*: no startTest
            self.emit(event='result', id=test.id(), outcome='error', seconds=0,
                      detail=self._exc_info_to_string(err, test))
        else:
            self._problem(test, 'error', err)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._problem(test, 'failure', err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = 'failure' if issubclass(err[0], test.failureException) else 'error'
            self.problems[test.id()].append((kind, str(subtest) + '\n' + self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.problems[test.id()].append(('skip', reason))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.problems[test.id()].append(('failure', 'unexpected success'))

    def stopTest(self, test):
        super().stopTest(test)
        problems = self.problems.pop(test.id(), [])
        kinds = [k for k, _ in problems]
        outcome = ('error' if 'error' in kinds else 'failure' if 'failure' in kinds
                   else 'skip' if 'skip' in kinds else 'pass')
        self.emit(event='result', id=test.id(), outcome=outcome,
                  seconds=round(time.monotonic() - self.started.get(test.id(), time.monotonic()), 3),
                  detail='\n'.join(text for _, text in problems))
        # A failed test may leave children behind; they would hold the program's exit. Those
        # that ran before it (a Pool that its class's setUpClass started, shared by its tests)
        # are for tearDownClass to end.
        kill_leftovers(test.id(), [p for p in mp.active_children() if p not in self.children_before])


def kill_leftovers(who, children):
    for p in children:
        p.kill()
        p.join(10)
    if children:
        print('run_behaviours: %s left %d child(ren) running, killed' % (who, len(children)),
              file=sys.stderr, flush=True)


def tests_in(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from tests_in(item)
        else:
            yield item


def main(argv):
    if len(argv) < 4 or argv[0] != '--results':
        sys.exit('usage: run_behaviours.py --results FILE METHOD MODULE [MODULE ...]')
    results_path, method, names = argv[1], argv[2], argv[3:]
    import support
    if support.SERVED:
        # BehavioursIT's served run: this program must be a polyproc server's worker.
        with open('/proc/%d/cmdline' % os.getppid(), 'rb') as f:
            served = b'polyproc.server.ServerMain' in f.read()
        print('run_behaviours: served by a polyproc server' if served else 'run_behaviours: NOT served',
              file=sys.stderr, flush=True)
    support.prepare_world(method)
    with open(results_path, 'w') as out:
        result = JsonLinesResult(out)
        try:
            suite = unittest.defaultTestLoader.loadTestsFromNames(names)
        except Exception:
            result.emit(event='result', id='load ' + ' '.join(names), outcome='error', seconds=0,
                        detail=traceback.format_exc())
            return 2
        for test in tests_in(suite):
            result.emit(event='list', id=test.id())
        suite.run(result)
    kill_leftovers('a setUpClass (its tearDownClass did not end them)', mp.active_children())
    support.clean_world()
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
