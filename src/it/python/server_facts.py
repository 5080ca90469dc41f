"""What a program sees of its command, for ServerIT: a served program must print the same as the
same command run by itself (POLYPROC_SERVER=0), except for the last line, its parent's pid."""
import os
import subprocess
import sys

hidden = ('POLYPROC_SERVER', 'POLYPROC_SERVER_DEBUG')
print('argv', sys.argv)
print('name', __name__, __file__)
print('cwd', os.getcwd())
print('environ', sorted((k, v) for k, v in os.environ.items() if k not in hidden))
# The process's own environment, not only os.environ: what a subprocess inherits.
child = subprocess.run(['sh', '-c', 'echo "${ONLY_COMMAND:-unset}/${ONLY_SERVER:-unset}"'],
                       capture_output=True, text=True)
print('child sees', child.stdout.strip())
mask = os.umask(0)
os.umask(mask)
print('umask', oct(mask))
# From /proc: GraalPy has no os.nice, and its resource.getrlimit does not ask the kernel.
print('nice', open('/proc/self/stat').read().rsplit(')', 1)[1].split()[16])
limits = open('/proc/self/limits').read().splitlines()
print('msgqueue', [line.split()[3:5] for line in limits if line.startswith('Max msgqueue size')])
print('nofile', [line.split()[3:5] for line in limits if line.startswith('Max open files')])
print('executable', sys.executable)
print('path0', sys.path[0])
print('ppid', os.getppid(), flush=True)
sys.exit(int(sys.argv[1]))
