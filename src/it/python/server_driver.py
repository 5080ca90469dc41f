"""Drives a polyproc command for ServerIT where Java cannot: on a pseudo-terminal, with signals,
and with the precise way it ended (os.waitpid: an exit code, or the signal that killed it).
Run by python3 (not polyproc).

    python3 server_driver.py [--pty] STEP... -- COMMAND...

--pty: the command runs in a new session whose controlling terminal is a new pseudo-terminal,
on descriptors 0-2 (else stdin is a pipe, stdout and stderr one pipe). Each STEP in turn:

    expect:TEXT    wait (60 s at most) until the command's output so far contains TEXT
    send:TEXT      write TEXT (Python escapes: \\n, \\x03 for ^C) to the terminal or stdin
    kill:SIGNAME   send the signal to the command's process

Then waits for the command to end and prints its output, a line "--- status", and
"exit N" or "signal N" (or "timeout ..." if a step or the end did not come; then it kills it).

The command starts as from an interactive shell, with no signal ignored, however the test run
was started: under nohup (SIGHUP ignored) or as a background job of a script (SIGINT and
SIGQUIT ignored) the command would inherit those, and polyproc's client does not pass on a
signal that its caller ignores.
"""
import codecs
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time

LIMIT_S = 60


def main():
    args = sys.argv[1:]
    use_pty = args[:1] == ['--pty']
    if use_pty:
        args = args[1:]
    cut = args.index('--')
    steps, command = args[:cut], args[cut + 1:]
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT):
        if signal.getsignal(sig) == signal.SIG_IGN:
            signal.signal(sig, signal.SIG_DFL)
    if use_pty:
        master, slave = os.openpty()

        def take_terminal():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                                preexec_fn=take_terminal)
        os.close(slave)
        out_fd = in_fd = master
    else:
        r, w = os.pipe()
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=w, stderr=w)
        os.close(w)
        out_fd, in_fd = r, proc.stdin.fileno()
    output = bytearray()
    state = {'eof': False, 'status': None}

    def pump(timeout):
        if state['eof']:
            time.sleep(timeout)
            return
        ready, _, _ = select.select([out_fd], [], [], timeout)
        if ready:
            try:
                data = os.read(out_fd, 65536)
            except OSError:  # EIO: a pty whose other side is all closed
                data = b''
            if not data:
                state['eof'] = True
            output.extend(data)

    def reap():
        if state['status'] is None:
            pid, status = os.waitpid(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                state['status'] = status
        return state['status']

    def finish(why):
        sys.stdout.write(output.decode('utf-8', 'replace'))
        sys.stdout.write('\n--- status\n' + why + '\n')
        sys.stdout.flush()
        if reap() is None:
            os.kill(proc.pid, signal.SIGKILL)
            os.waitpid(proc.pid, 0)
        sys.exit(0)

    for step in steps:
        kind, _, value = step.partition(':')
        if kind == 'expect':
            deadline = time.monotonic() + LIMIT_S
            while value.encode() not in output:
                if time.monotonic() > deadline or (state['eof'] and reap() is not None):
                    finish('timeout waiting for ' + repr(value))
                pump(0.05)
        elif kind == 'send':
            os.write(in_fd, codecs.decode(value, 'unicode_escape').encode('latin-1'))
        elif kind == 'kill':
            os.kill(proc.pid, getattr(signal, value))
        else:
            raise SystemExit('unknown step ' + step)
    deadline = time.monotonic() + LIMIT_S
    while reap() is None:
        if time.monotonic() > deadline:
            finish('timeout waiting for the end')
        pump(0.05)
    deadline = time.monotonic() + 3  # what is still on the way; a child may hold the output open
    while not state['eof'] and time.monotonic() < deadline:
        pump(0.05)
    status = state['status']
    if os.WIFSIGNALED(status):
        finish('signal %d' % os.WTERMSIG(status))
    finish('exit %d' % os.WEXITSTATUS(status))


if __name__ == '__main__':
    main()
