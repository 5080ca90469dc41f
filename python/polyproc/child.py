"""The Python side of a child process (polyproc.worker.ChildMain runs main())."""

import os


def main(fd):
    """Run the Process whose pickled form the parent wrote to descriptor fd; return its exit code."""
    from multiprocessing import resource_tracker, spawn
    from polyproc.popen_spawn import TRACKER_FD
    resource_tracker._resource_tracker._fd = TRACKER_FD
    # The bootstrap pipe stays open in the parent until this process ends: a duplicate of it is
    # the parent sentinel, readable (end of file) once the parent is gone.
    parent_sentinel = os.dup(fd)
    # _bootstrap returns SystemExit's code when it is an int: True and False are ints too.
    return int(spawn._main(fd, parent_sentinel))
