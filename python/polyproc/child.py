"""The Python side of a child process (polyproc.worker.ChildMain runs main())."""

import os


def main(fd):
    """Run the Process whose pickled form the parent wrote to descriptor fd; return its exit code."""
    from multiprocessing import spawn
    # The bootstrap pipe stays open in the parent until this process ends: a duplicate of it is
    # the parent sentinel, readable (end of file) once the parent is gone.
    parent_sentinel = os.dup(fd)
    return spawn._main(fd, parent_sentinel)
