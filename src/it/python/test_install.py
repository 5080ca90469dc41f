"""polyproc's patches of GraalPy's stdlib (python/polyproc/_install.py): each module in the
patch table is patched once imported, and a patch whose seam is missing fails the import,
naming the seam (polyproc only: python3 has nothing to patch); errors from Java arrive as
CPython's OSError (python3 passes those too)."""
import importlib
import types
import unittest

import support


@unittest.skipUnless(support.ON_POLYPROC, 'polyproc patches GraalPy stdlib')
class PatchTableTest(unittest.TestCase):
    def test_each_listed_module_is_patched_once_imported(self):
        from polyproc import _install
        for name in _install.PATCHES:
            importlib.import_module(name)  # its seams are there, or this raises ImportError
        import socket
        from multiprocessing import context, reduction, shared_memory
        self.assertEqual(socket.socketpair.__module__, 'polyproc.socketpair')
        self.assertTrue(reduction.HAVE_SEND_HANDLE)
        self.assertEqual(reduction.recvfds.__module__, 'polyproc.reduction')
        self.assertEqual(shared_memory._posixshmem.shm_open.__module__, 'polyproc.shared_memory')
        self.assertEqual(sorted(context._concrete_contexts), ['forkserver', 'spawn'])

    def test_a_missing_seam_fails_the_import_and_names_it(self):
        from polyproc import _install
        without_pool = types.ModuleType('multiprocessing.pool')
        with self.assertRaises(ImportError) as e:
            _install._patch('multiprocessing.pool', without_pool)
        self.assertIn('multiprocessing.pool.Pool.__init__', str(e.exception))
        with_pool = types.SimpleNamespace(Pool=type('Pool', (), {'__init__': lambda self, processes=None: None}))
        _install._patch('multiprocessing.pool', with_pool)  # the seam is there: patched
        self.assertTrue(hasattr(with_pool.Pool.__init__, '__wrapped__'), 'patched')


class JavaErrorsTest(unittest.TestCase):
    """A failed system call in Java (polyproc.bridge.PythonErrors) is the OSError CPython raises."""

    def test_a_missing_segment_is_file_not_found_with_its_name(self):
        from multiprocessing import shared_memory
        with self.assertRaises(FileNotFoundError) as e:
            shared_memory.SharedMemory('polyproc-no-such-segment')
        self.assertEqual(e.exception.filename, '/polyproc-no-such-segment')

    def test_socketpair_of_another_family_is_eopnotsupp(self):
        import socket
        with self.assertRaises(OSError) as e:
            socket.socketpair(socket.AF_INET)
        self.assertEqual(e.exception.errno, 95)
