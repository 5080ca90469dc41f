"""Imported by forkserver.py's workers ahead of their task (set_forkserver_preload)."""
import time

IMPORTED_AT = time.time()
STATE = []  # a child appends to it; the next child must not see that
