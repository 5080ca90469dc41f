"""Value, Array, RawValue and RawArray (multiprocessing.sharedctypes) between real processes, with
the start method in argv[1] (run by ScriptsIT).

GraalPy 25.0.3's ctypes once made these read as None ("'NoneType' object cannot be interpreted as
an integer") or read wrong, after any ``.value =`` at an attribute site not yet run: so every
read and write here goes through many objects, in loops, and through fresh code (compiled anew
each time), in the parent and in the children. Children write, the parent sees it in the same
memory (and the other way round), without anything going through a pipe.
"""
import ctypes
import multiprocessing as mp
import sys
from multiprocessing import sharedctypes

from checks import check

LONG = 120  # generous: a child JVM can take many seconds to boot on a loaded 2-core machine
N_VALUES = 40
ROUNDS = 25
INCREMENTS = 20000  # enough for the children to contend for the lock


class Point(ctypes.Structure):
    _fields_ = [('x', ctypes.c_int), ('y', ctypes.c_double)]


def fresh(expr, **names):
    """Evaluate expr in code compiled just now: an attribute site that has never run."""
    return eval(compile(expr, '<fresh>', 'eval'), {}, names)


def assign(target, value, **names):
    exec(compile(target + ' = value', '<fresh>', 'exec'), {}, dict(names, value=value))


def make_values(base):
    """Many shared objects of many kinds, each holding a value derived from base."""
    vals = []
    for i in range(N_VALUES):
        vals.append(mp.Value('i', base + i))
        vals.append(mp.Value('d', base + i + 0.5, lock=False))
        vals.append(mp.RawValue(ctypes.c_long, base * 1000 + i))
    return vals


def expected(base, k):
    i, kind = divmod(k, 3)
    return [base + i, base + i + 0.5, base * 1000 + i][kind]


def read_all(vals, base, rounds):
    """Reads every value, rounds times, through a loop site and through fresh sites; returns the
    first mismatch or error, or None."""
    for r in range(rounds):
        for k, v in enumerate(vals):
            try:
                got = v.value if r % 2 else fresh('v.value', v=v)
            except Exception as e:  # the old failure: TypeError on a read
                return 'round %d value %d: %s: %s' % (r, k, type(e).__name__, e)
            if got != expected(base, k):
                return 'round %d value %d: %r != %r' % (r, k, got, expected(base, k))
    return None


def write_all(vals, base):
    for k, v in enumerate(vals):
        if k % 2:
            v.value = expected(base, k)
        else:
            assign('v.value', expected(base, k), v=v)


def child(n, vals, counter, arr, chars, flags, point, barrier, done):
    # What the parent wrote before start, seen here, read over and over.
    problems = [read_all(vals, 100, ROUNDS)]
    barrier.wait(LONG)
    if n == 0:
        write_all(vals, 200)
    barrier.wait(LONG)
    # What child 0 wrote, seen by every child.
    problems.append(read_all(vals, 200, ROUNDS))
    # Concurrent increments under the Value's own lock: none lost if the memory is shared.
    for _ in range(INCREMENTS):
        with counter.get_lock():
            counter.value += 1
    with arr.get_lock():
        arr[n] = arr[n] + 1000 * (n + 1)
    flags[n] = True
    if n == 0:
        chars.value = b'from child'
        point.x, point.y = 7, 2.5
    done.put((n, [p for p in problems if p]))


def main(method):
    ctx = mp.get_context(method)
    mp.set_start_method(method)  # mp.Value etc. use the default context

    # In this process first: the pattern that failed, with no child at all.
    vals = make_values(0)
    write_all(vals, 100)
    problem = read_all(vals, 100, ROUNDS)
    check('parent reads back its writes', problem is None, problem)
    for code, value in [('i', -5), ('d', 1.25), ('c', b'x'), ('b', 3), ('B', 250), ('h', -3), ('H', 9),
                        ('l', 1 << 40), ('L', 7), ('q', -(1 << 50)), ('Q', 1 << 60), ('f', 0.5)]:
        v = mp.Value(code, value)
        check('typecode %s' % code, fresh('v.value', v=v) == value and v.value == value, v.value)
    for cls, value in [(ctypes.c_bool, True), (ctypes.c_short, 12), (ctypes.c_ubyte, 255),
                       (ctypes.c_double, -1e300), (ctypes.c_char, b'z'), (ctypes.c_ulonglong, 1 << 62)]:
        raw = mp.RawValue(cls, value)
        assign('raw.value', value, raw=raw)
        check('RawValue %s' % cls.__name__, raw.value == value and fresh('raw.value', raw=raw) == value, raw.value)
    flag = mp.RawValue(ctypes.c_bool, False)
    reads = []
    for i in range(10):  # a c_bool once read as None (and was set to False by the read)
        assign('f.value', i % 2 == 1, f=flag)
        reads.append(fresh('f.value', f=flag))
    check('c_bool reads its value', reads == [i % 2 == 1 for i in range(10)], reads)

    # Locks: lock=True (an RLock), lock=False (the raw object), a lock of our own.
    v = mp.Value('i', 1)
    check('synchronized', isinstance(v, sharedctypes.Synchronized) and v.get_obj().value == 1)
    with v.get_lock():
        with v:  # an RLock by default: reentrant
            v.value += 1
    check('get_lock and value', v.value == 2)
    check('get_obj is the ctypes object', isinstance(v.get_obj(), ctypes.c_int))
    check('lock=False gives the raw object', isinstance(mp.Value('i', 3, lock=False), ctypes.c_int))
    lock = mp.Lock()
    own = mp.Value('d', 0.25, lock=lock)
    check('own lock', own.get_lock() is lock and own.value == 0.25)
    try:
        mp.Value('i', 0, lock='yes')
        check('bad lock rejected', False)
    except AttributeError:
        check('bad lock rejected', True)
    raw_arr = mp.RawArray('i', 4)
    check('RawArray zeroed', list(raw_arr) == [0, 0, 0, 0])

    # Arrays: indexing, slices, typecodes and ctypes types, c_char .value/.raw.
    arr = mp.Array('i', range(10))
    arr[2:5] = [20, 30, 40]
    check('Array slice', arr[:] == [0, 1, 20, 30, 40, 5, 6, 7, 8, 9] and arr[-1] == 9 and len(arr) == 10)
    darr = mp.Array(ctypes.c_double, 5, lock=False)
    darr[1] = 1.5
    check('Array of c_double, lock=False', list(darr) == [0.0, 1.5, 0.0, 0.0, 0.0])
    chars = mp.Array('c', b'hello world')
    check('char Array value/raw', chars.value == b'hello world' and chars.raw == b'hello world')
    chars.value = b'hi'
    check('char Array value set', chars.value == b'hi' and chars.raw == b'hi\0lo world', chars.raw)
    chars.raw = b'0123456789A'
    check('char Array raw set (no NUL)', chars.value == b'0123456789A' and chars[3:5] == b'34')
    raw_chars = mp.RawArray('c', 8)
    raw_chars.value = b'abc'
    check('RawArray of c_char', fresh('a.value', a=raw_chars) == b'abc' and raw_chars.raw == b'abc' + b'\0' * 5)
    try:
        raw_chars.value = b'123456789'
        check('char Array value too long', False)
    except ValueError:
        check('char Array value too long', True)
    point = mp.Value(Point, 1, 2.0)
    check('Structure Value', point.x == 1 and point.y == 2.0)
    copied = sharedctypes.copy(arr.get_obj())
    check('sharedctypes.copy', list(copied) == arr[:])

    # Between processes.
    write_all(vals, 100)
    counter = mp.Value('i', 0)
    per_child = mp.Array('i', 3)
    flags = mp.RawArray(ctypes.c_bool, 3)
    chars = mp.Array('c', 16)
    barrier, done = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=child, args=(n, vals, counter, per_child, chars, flags, point, barrier, done))
             for n in range(3)]
    for p in procs:
        p.start()
    results = sorted(done.get(timeout=LONG) for _ in procs)
    for p in procs:
        p.join(LONG)
    check('children exit 0', [p.exitcode for p in procs] == [0, 0, 0], [p.exitcode for p in procs])
    check('children read every value', all(not bad for _, bad in results), results)
    # Child 0 wrote 200-based values into the parent's memory: seen here, not copied.
    problem = read_all(vals, 200, ROUNDS)
    check('child writes seen by the parent', problem is None, problem)
    check('no increment lost', counter.value == 3 * INCREMENTS, counter.value)
    check('per-child Array slots', per_child[:] == [1000, 2000, 3000], per_child[:])
    check('RawArray of c_bool', list(flags) == [True, True, True], list(flags))
    check('char Array from child', chars.value == b'from child', chars.raw)
    check('Structure from child', (point.x, point.y) == (7, 2.5), (point.x, point.y))
    print('ALL OK', flush=True)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'spawn')
