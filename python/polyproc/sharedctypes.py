"""Value, Array, RawValue and RawArray (multiprocessing.sharedctypes) on GraalPy 25.0.3.

The stdlib's substrate works as it is: multiprocessing.heap's arenas are files in /dev/shm mapped
with mmap.mmap(fd, size) (MAP_SHARED, in the native posix backend), a child gets the descriptor
and maps the same pages, and ctype.from_buffer(memoryview) lays the ctypes object over them.
What fails is GraalPy's ctypes itself, whatever the memory underneath (a bytearray, an anonymous
mmap, from_address, a plain c_int() alike):

- Reading ``obj.value`` of a simple type (c_int, c_double, ...) through the generic attribute
  path sometimes runs the combined getter/setter builtin ``_SimpleCData.value`` as a *setter with
  None*: after an ``obj.value = x`` in a process that has imported enough code (collections will
  do; multiprocessing always has), the next reads raise "'NoneType' object cannot be interpreted
  as an integer" (c_int), "must be real number, not NoneType" (c_double), or, where None is a
  valid value, return None and write it (c_bool: False). Calling the same descriptor's
  ``__get__``/``__set__`` explicitly does not go wrong, so the simple types get a property that
  does just that.
- ``char_array.value = b'hi'`` does not write the terminating NUL (CPython does, where there is
  room), and ``.value`` of a char array with no NUL in it can fail with an internal
  ArrayIndexOutOfBoundsException. Char array types get a ``value`` computed from ``raw``.

Both are installed on the ctypes types (class attributes: every object of the type sees them,
in this process), when multiprocessing.sharedctypes loads: the standard simple types at once,
any other type (a user's _SimpleCData subclass, ``c_char * n``) when sharedctypes builds an object
of it, in the parent (``_new_value``) and in a child (unpickling) alike. sharedctypes.py and
heap.py themselves run unchanged; only sharedctypes.rebuild_ctype is wrapped, and its
class_cache (a WeakKeyDictionary) replaced by one that also takes the types GraalPy cannot
weakly reference (Structures), so that Value(SomeStructure) with a lock works.
"""

import ctypes
import functools
import weakref

_SIMPLE_VALUE = ctypes._SimpleCData.__dict__['value']


def _get_simple(self):
    return _SIMPLE_VALUE.__get__(self, type(self))


def _set_simple(self, value):
    _SIMPLE_VALUE.__set__(self, value)


_simple_value = property(_get_simple, _set_simple, doc=_SIMPLE_VALUE.__doc__)


def _get_chars(self):
    raw = self.raw
    end = raw.find(b'\0')
    return raw if end < 0 else raw[:end]


def _set_chars(self, value):
    if not isinstance(value, bytes):
        raise TypeError('bytes expected instead of %s instance' % type(value).__name__)
    if len(value) > self._length_:
        raise ValueError('byte string too long')
    if len(value) < self._length_:
        value += b'\0'
    self[:len(value)] = value


_chars_value = property(_get_chars, _set_chars, doc='string value')


def _defining_class(cls, name):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass
    return None


def fix_type(cls):
    """Give a ctypes type the working ``value`` if it would use one of the broken builtins."""
    if issubclass(cls, ctypes._SimpleCData):
        if _defining_class(cls, 'value') is ctypes._SimpleCData:
            cls.value = _simple_value
    elif issubclass(cls, ctypes.Array) and getattr(cls, '_type_', None) is ctypes.c_char:
        if 'value' in cls.__dict__ and cls.__dict__['value'] is not _chars_value:
            cls.value = _chars_value


def _standard_simple_types():
    for obj in list(vars(ctypes).values()):
        if isinstance(obj, type) and issubclass(obj, ctypes._SimpleCData) and obj is not ctypes._SimpleCData:
            yield obj


class _ClassCache(weakref.WeakKeyDictionary):
    """sharedctypes.class_cache (ctypes type -> its Synchronized wrapper class): GraalPy cannot
    weakly reference a Structure's type (a PyCStructType), so those are held strongly."""

    def __init__(self):
        super().__init__()
        self._strong = {}

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except TypeError:
            return self._strong[key]

    def __setitem__(self, key, value):
        try:
            super().__setitem__(key, value)
        except TypeError:
            self._strong[key] = value


def install(sharedctypes):
    """Patch the ctypes types that multiprocessing.sharedctypes hands out."""
    if getattr(sharedctypes.rebuild_ctype, '_polyproc', False):
        return
    for cls in _standard_simple_types():
        fix_type(cls)
    original = sharedctypes.rebuild_ctype

    # Pickled by reference (reduce_ctype names it), so it keeps the stdlib function's name.
    @functools.wraps(original)
    def rebuild_ctype(type_, wrapper, length):
        obj = original(type_, wrapper, length)
        fix_type(type(obj))
        return obj

    rebuild_ctype._polyproc = True
    sharedctypes.rebuild_ctype = rebuild_ctype
    if not sharedctypes.class_cache:
        sharedctypes.class_cache = _ClassCache()
