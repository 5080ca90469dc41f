"""Value, Array, RawValue and RawArray (multiprocessing.sharedctypes), in one process and shared
with children (python3 passes these too).

GraalPy 25.0.3's ctypes once made these read as None ("'NoneType' object cannot be interpreted as
an integer") or read wrong, after any ``.value =`` at an attribute site not yet run: so every
read and write here goes through many objects, in loops, and through fresh code (compiled anew
each time), in the parent and in the children. Children write, the parent sees it in the same
memory (and the other way round), without anything going through a pipe."""
import ctypes
import multiprocessing as mp
import unittest
from multiprocessing import sharedctypes

from support import LONG

N_VALUES = 40
ROUNDS = 25
INCREMENTS = 20000  # enough for the children to contend for the lock
CHILDREN = 2  # each a JVM: two contend for a lock and read each other's writes as three would


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


def read_all(vals, base, rounds=ROUNDS):
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


def child(n, vals, counter, per_child, chars, flags, point, barrier, done):
    # What the parent wrote before start, seen here, read over and over.
    problems = {'parent': read_all(vals, 100)}
    barrier.wait(LONG)
    if n == 0:
        write_all(vals, 200)
    barrier.wait(LONG)
    # What child 0 wrote, seen by every child.
    problems['child 0'] = read_all(vals, 200)
    # Concurrent increments under the Value's own lock: none lost if the memory is shared.
    for _ in range(INCREMENTS):
        with counter.get_lock():
            counter.value += 1
    with per_child.get_lock():
        per_child[n] = per_child[n] + 1000 * (n + 1)
    flags[n] = True
    if n == 0:
        chars.value = b'from child'
        point.x, point.y = 7, 2.5
    done.put((n, problems))


class ValueTest(unittest.TestCase):
    """In this process, with no child at all: the pattern that failed."""

    def test_reads_give_back_the_writes_through_loop_and_fresh_sites(self):
        vals = make_values(0)
        write_all(vals, 100)
        self.assertIsNone(read_all(vals, 100))

    def test_every_typecode_reads_its_value(self):
        for code, value in [('i', -5), ('d', 1.25), ('c', b'x'), ('b', 3), ('B', 250), ('h', -3), ('H', 9),
                            ('l', 1 << 40), ('L', 7), ('q', -(1 << 50)), ('Q', 1 << 60), ('f', 0.5)]:
            with self.subTest(typecode=code):
                v = mp.Value(code, value)
                self.assertEqual(fresh('v.value', v=v), value)
                self.assertEqual(v.value, value)

    def test_raw_values_of_ctypes_types_read_their_value(self):
        for cls, value in [(ctypes.c_bool, True), (ctypes.c_short, 12), (ctypes.c_ubyte, 255),
                           (ctypes.c_double, -1e300), (ctypes.c_char, b'z'), (ctypes.c_ulonglong, 1 << 62)]:
            with self.subTest(type=cls.__name__):
                raw = mp.RawValue(cls, value)
                assign('raw.value', value, raw=raw)
                self.assertEqual(raw.value, value)
                self.assertEqual(fresh('raw.value', raw=raw), value)

    def test_a_c_bool_reads_its_value(self):
        """A c_bool once read as None (and was set to False by the read)."""
        flag = mp.RawValue(ctypes.c_bool, False)
        reads = []
        for i in range(10):
            assign('f.value', i % 2 == 1, f=flag)
            reads.append(fresh('f.value', f=flag))
        self.assertEqual(reads, [i % 2 == 1 for i in range(10)])

    def test_a_structure_value_has_its_fields(self):
        point = mp.Value(Point, 1, 2.0)
        self.assertEqual((point.x, point.y), (1, 2.0))


class LocksOfValuesTest(unittest.TestCase):
    """lock=True (an RLock), lock=False (the raw object), a lock of our own."""

    def test_a_value_is_synchronized_around_a_ctypes_object(self):
        v = mp.Value('i', 1)
        self.assertIsInstance(v, sharedctypes.Synchronized)
        self.assertIsInstance(v.get_obj(), ctypes.c_int)
        self.assertEqual(v.get_obj().value, 1)

    def test_its_lock_is_reentrant(self):
        v = mp.Value('i', 1)
        with v.get_lock():
            with v:
                v.value += 1
        self.assertEqual(v.value, 2)

    def test_lock_false_gives_the_raw_object(self):
        self.assertIsInstance(mp.Value('i', 3, lock=False), ctypes.c_int)

    def test_a_lock_of_our_own_is_the_values_lock(self):
        lock = mp.Lock()
        own = mp.Value('d', 0.25, lock=lock)
        self.assertIs(own.get_lock(), lock)
        self.assertEqual(own.value, 0.25)

    def test_a_lock_that_is_not_a_lock_is_refused(self):
        with self.assertRaises(AttributeError):
            mp.Value('i', 0, lock='yes')


class ArrayTest(unittest.TestCase):
    def test_a_raw_array_starts_zeroed(self):
        self.assertEqual(list(mp.RawArray('i', 4)), [0, 0, 0, 0])

    def test_indexing_and_slices(self):
        arr = mp.Array('i', range(10))
        arr[2:5] = [20, 30, 40]
        self.assertEqual(arr[:], [0, 1, 20, 30, 40, 5, 6, 7, 8, 9])
        self.assertEqual(arr[-1], 9)
        self.assertEqual(len(arr), 10)

    def test_an_array_of_a_ctypes_type_without_a_lock(self):
        darr = mp.Array(ctypes.c_double, 5, lock=False)
        darr[1] = 1.5
        self.assertEqual(list(darr), [0.0, 1.5, 0.0, 0.0, 0.0])

    def test_a_char_array_has_value_and_raw(self):
        chars = mp.Array('c', b'hello world')
        self.assertEqual((chars.value, chars.raw), (b'hello world', b'hello world'))
        chars.value = b'hi'
        self.assertEqual((chars.value, chars.raw), (b'hi', b'hi\0lo world'))
        chars.raw = b'0123456789A'  # no NUL left: value is the whole array
        self.assertEqual(chars.value, b'0123456789A')
        self.assertEqual(chars[3:5], b'34')

    def test_a_raw_array_of_c_char_has_value_and_raw(self):
        raw_chars = mp.RawArray('c', 8)
        raw_chars.value = b'abc'
        self.assertEqual(fresh('a.value', a=raw_chars), b'abc')
        self.assertEqual(raw_chars.raw, b'abc' + b'\0' * 5)

    def test_a_char_array_value_too_long_is_a_value_error(self):
        raw_chars = mp.RawArray('c', 8)
        with self.assertRaises(ValueError):
            raw_chars.value = b'123456789'

    def test_sharedctypes_copy_has_the_same_items(self):
        arr = mp.Array('i', range(10))
        self.assertEqual(list(sharedctypes.copy(arr.get_obj())), arr[:])


class SharedWithChildrenTest(unittest.TestCase):
    """The children read what the parent wrote before their start, child 0 writes, all read
    that; each increments one counter under its lock; the parent sees every write."""

    @classmethod
    def setUpClass(cls):
        cls.vals = make_values(0)
        write_all(cls.vals, 100)
        cls.counter = mp.Value('i', 0)
        cls.per_child = mp.Array('i', CHILDREN)
        cls.flags = mp.RawArray(ctypes.c_bool, CHILDREN)
        cls.chars = mp.Array('c', 16)
        cls.point = mp.Value(Point, 1, 2.0)
        barrier, done = mp.Barrier(CHILDREN), mp.Queue()
        cls.procs = [mp.Process(target=child, args=(n, cls.vals, cls.counter, cls.per_child, cls.chars,
                                                    cls.flags, cls.point, barrier, done))
                     for n in range(CHILDREN)]
        for p in cls.procs:
            p.start()
        cls.problems = {}
        try:
            for _ in cls.procs:
                n, problems = done.get(timeout=LONG)
                cls.problems[n] = problems
        finally:
            for p in cls.procs:
                p.join(LONG)

    def test_children_exit_0(self):
        self.assertEqual([p.exitcode for p in self.procs], [0] * CHILDREN)

    def test_children_read_what_the_parent_wrote_before_their_start(self):
        self.assertEqual(sorted(self.problems), list(range(CHILDREN)))
        self.assertEqual({n: p['parent'] for n, p in self.problems.items()}, dict.fromkeys(range(CHILDREN)))

    def test_children_read_what_one_child_wrote(self):
        self.assertEqual(sorted(self.problems), list(range(CHILDREN)))
        self.assertEqual({n: p['child 0'] for n, p in self.problems.items()}, dict.fromkeys(range(CHILDREN)))

    def test_the_parent_reads_what_a_child_wrote(self):
        self.assertIsNone(read_all(self.vals, 200))

    def test_no_increment_under_the_values_lock_is_lost(self):
        self.assertEqual(self.counter.value, CHILDREN * INCREMENTS)

    def test_each_child_wrote_its_array_slot(self):
        self.assertEqual(self.per_child[:], [1000 * (n + 1) for n in range(CHILDREN)])

    def test_a_raw_array_of_c_bool_written_by_children(self):
        self.assertEqual(list(self.flags), [True] * CHILDREN)

    def test_a_char_array_written_by_a_child(self):
        self.assertEqual(self.chars.value, b'from child')

    def test_a_structure_written_by_a_child(self):
        self.assertEqual((self.point.x, self.point.y), (7, 2.5))


if __name__ == '__main__':
    unittest.main()
