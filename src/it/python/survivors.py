"""Nothing lost or duplicated when the other end dies mid-stream, and Listener/Client between two
separate programs (run by ScriptsIT; passes under python3 too). argv[1]: the start method."""
import multiprocessing as mp
import os
import subprocess
import sys
import time
from multiprocessing.connection import Client, Listener

from checks import CHECKS, check


def write_forever(conn, ready):
    ready.set()
    i = 0
    while True:
        conn.send(i)
        i += 1


def read_one_then_wait(conn):
    conn.recv()
    time.sleep(600)


CLIENT = r'''
import sys
from multiprocessing.connection import Client
from multiprocessing import AuthenticationError
address, key = sys.argv[1], sys.argv[2].encode()
try:
    Client(address, authkey=b'wrong key')
    sys.exit(5)
except AuthenticationError:
    pass
with Client(address, authkey=key) as c:
    c.send(('hello from another program', c.recv() * 2))
'''


if __name__ == '__main__':
    mp.set_start_method(sys.argv[1] if len(sys.argv) > 1 else 'spawn')

    # A writer terminated mid-stream: the reader gets an unbroken prefix, then EOFError.
    reader, writer = mp.Pipe(duplex=False)
    ready = mp.Event()
    p = mp.Process(target=write_forever, args=(writer, ready))
    p.start()
    writer.close()
    ready.wait()
    got = [reader.recv() for _ in range(200)]
    p.terminate()
    p.join()
    try:
        while True:
            got.append(reader.recv())
    except EOFError:
        eof = True
    check('writer terminated: -15', p.exitcode == -15, p.exitcode)
    check('writer terminated: every message once, in order', got == list(range(len(got))), got[-5:])
    check('writer terminated: then EOFError', eof)

    # A reader terminated: the writer gets BrokenPipeError, as in CPython (SIGPIPE ignored).
    reader, writer = mp.Pipe(duplex=False)
    p = mp.Process(target=read_one_then_wait, args=(reader,))
    p.start()
    reader.close()
    writer.send('first')
    p.terminate()
    p.join()
    try:
        for _ in range(100000):
            writer.send_bytes(b'x' * 1024)
        broken = False
    except BrokenPipeError:
        broken = True
    check('reader terminated: the writer gets BrokenPipeError', broken)

    # Listener and Client in two separate programs, with the authkey handshake.
    with Listener(family='AF_UNIX', authkey=b'run secret') as listener:
        check('socket file is private', os.stat(listener.address).st_mode & 0o077 == 0
              or os.stat(os.path.dirname(listener.address)).st_mode & 0o077 == 0)
        other = subprocess.Popen([sys.executable, '-c', CLIENT, listener.address, 'run secret'])
        try:
            listener.accept()
        except mp.AuthenticationError:
            pass  # the other program's wrong key first
        with listener.accept() as conn:
            conn.send(21)
            message = conn.recv()
        check('another program got through with the key', message == ('hello from another program', 42), message)
        check('another program saw AuthenticationError for a wrong key', other.wait(120) == 0, other.returncode)
    print('ALL OK', len(CHECKS), flush=True)
