package polyproc.internal.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A POSIX named semaphore (sem_open(3)) operated from Java: the file /dev/shm/sem.NAME mapped
 * shared, in glibc's own layout, so that it is the very semaphore glibc's sem_open, sem_post and
 * sem_unlink see (a test checks both ways), and the resource tracker's and the stdlib's
 * sem_unlink clean it up as any other.
 *
 * <p>Why not glibc's functions through FFM, as GraalPy's _multiprocessing does: a lock's
 * acquire+release then costs three native calls (sem_trywait; sem_getvalue and sem_post for the
 * "released too many times" check), 440 ns from Python against CPython's 100 ns
 * (bench/communication.py). Here the uncontended paths are one compare-and-set or
 * one atomic add on the mapped word, and only sleeping and waking sleepers make a system call
 * (futex(2) on the word, which the kernel keys by file and offset, so it works across
 * processes). Written with compareAndSet and getAndAdd, not compareAndExchange: polyproc runs
 * host code with C1 only, and there a trywait+post pair costs 58 ns with compareAndExchange
 * against 19 ns with these (C2: 15 ns; a loop of 5M pairs on a mapped /dev/shm file).
 *
 * <p>The layout (glibc's struct new_sem on 64-bit Linux, 32 bytes): a 64-bit word at offset 0
 * whose low 32 bits are the value and high 32 bits the number of sleepers (the low half is the
 * futex word on a little-endian machine), then int private (128: a process-shared futex).
 * Both platforms polyproc supports (x86_64, aarch64) are little-endian.
 */
public final class NamedSemaphore {
    /** SEM_VALUE_MAX on Linux. */
    public static final int VALUE_MAX = Integer.MAX_VALUE;
    private static final long SIZE = 32;
    private static final long PRIVATE_OFFSET = 8;
    private static final int FUTEX_SHARED = 128;
    private static final long VALUE_MASK = 0xffff_ffffL;
    private static final long ONE_SLEEPER = 1L << 32;
    private static final Path DIR = Path.of("/dev/shm");
    private static final VarHandle WORD = JAVA_LONG.varHandle();

    private final MemorySegment sem;

    private NamedSemaphore(MemorySegment sem) {
        this.sem = sem;
    }

    /** The semaphore's failure to open: errno, as sem_open(3) would set it. */
    public static final class OpenFailed extends Exception {
        private final int errno;

        OpenFailed(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /** sem_open(name, O_CREAT | O_EXCL, 0600, value). */
    public static NamedSemaphore create(String name, int value) throws OpenFailed {
        Path path = path(name);
        if (value < 0) {
            throw new OpenFailed(Errno.EINVAL);
        }
        // As glibc: initialise a file of a temporary name, then link it to the semaphore's
        // name, so that nobody ever opens a half-made semaphore and O_EXCL holds.
        Path temp = null;
        try {
            temp = Files.createTempFile(DIR, "sem.", ".new",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer initial = ByteBuffer.allocate((int) SIZE).order(ByteOrder.nativeOrder());
                initial.putLong(0, value).putInt((int) PRIVATE_OFFSET, FUTEX_SHARED);
                channel.write(initial, 0);
                NamedSemaphore semaphore = map(channel);
                Files.createLink(path, temp);
                return semaphore;
            }
        } catch (IOException e) {
            throw new OpenFailed(errno(e));
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray temporary file in /dev/shm; nothing refers to it
                }
            }
        }
    }

    /** sem_open(name, 0): a semaphore that exists. */
    public static NamedSemaphore open(String name) throws OpenFailed {
        Path path = path(name);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() < SIZE) {
                throw new OpenFailed(Errno.EINVAL);
            }
            return map(channel);
        } catch (IOException e) {
            throw new OpenFailed(errno(e));
        }
    }

    /** sem_unlink(3): 0, or errno. */
    public static int unlink(String name) {
        try {
            Files.delete(path(name));
            return 0;
        } catch (OpenFailed e) {
            return e.errno();
        } catch (IOException e) {
            return errno(e);
        }
    }

    private static NamedSemaphore map(FileChannel channel) throws IOException {
        // Unmapped when this object is garbage (the mapping outlives the channel).
        return new NamedSemaphore(channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, Arena.ofAuto()));
    }

    /** glibc's mapping of a name to its file: leading slashes dropped, none allowed after. */
    static Path path(String name) throws OpenFailed {
        String n = name;
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        if (n.isEmpty() || n.contains("/") || n.length() > 251) {
            throw new OpenFailed(n.length() > 251 ? Errno.ENAMETOOLONG : Errno.EINVAL);
        }
        return DIR.resolve("sem." + n);
    }

    private static int errno(IOException e) {
        if (e instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        return Errno.EIO;
    }

    /** The address of the mapping in this process (CPython's SemLock.handle is the sem_t*). */
    public long address() {
        return sem.address();
    }

    /** sem_getvalue(3). */
    public int value() {
        return (int) ((long) WORD.getVolatile(sem, 0L) & VALUE_MASK);
    }

    /** sem_trywait(3): takes one if the value is above zero, never sleeps. */
    public boolean tryWait() {
        long d = (long) WORD.getVolatile(sem, 0L);
        while ((d & VALUE_MASK) > 0) {
            if (WORD.compareAndSet(sem, 0L, d, d - 1)) {
                return true;
            }
            d = (long) WORD.getVolatile(sem, 0L);
        }
        return false;
    }

    /**
     * sem_timedwait(3) with a relative timeout: takes one, sleeping up to {@code nanos} for it.
     * A sleeper counts itself in the high half so that a post knows to wake it.
     */
    public boolean waitFor(long nanos) {
        if (tryWait()) {
            return true;
        }
        long deadline = System.nanoTime() + nanos;
        long d = (long) WORD.getAndAdd(sem, 0L, ONE_SLEEPER) + ONE_SLEEPER;
        boolean taken = false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeout = arena.allocate(Futex.TIMESPEC);
            while (!taken) {
                if ((d & VALUE_MASK) == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    Futex.TIMESPEC_SEC.set(timeout, 0L, left / 1_000_000_000L);
                    Futex.TIMESPEC_NSEC.set(timeout, 0L, left % 1_000_000_000L);
                    Errno.Result r = Futex.futexWait(sem, 0, timeout);
                    if (r.failed() && r.errno() != Errno.EAGAIN && r.errno() != Errno.ETIMEDOUT
                            && r.errno() != Errno.EINTR) {
                        throw new PosixException("futex", r.errno());
                    }
                    d = (long) WORD.getVolatile(sem, 0L);
                } else {
                    // take one and stop counting ourselves as a sleeper, in one step
                    taken = WORD.compareAndSet(sem, 0L, d, d - 1 - ONE_SLEEPER);
                    d = (long) WORD.getVolatile(sem, 0L);
                }
            }
        } finally {
            if (!taken) {
                WORD.getAndAdd(sem, 0L, -ONE_SLEEPER);
            }
        }
        return taken;
    }

    /** sem_post(3): 0, or EOVERFLOW at VALUE_MAX. Wakes one sleeper if there is any. */
    public int post() {
        long d = (long) WORD.getAndAdd(sem, 0L, 1L);
        if ((d & VALUE_MASK) >= VALUE_MAX) {
            // VALUE_MAX + 1 still fits the low half: undo, nothing carried into the sleepers
            WORD.getAndAdd(sem, 0L, -1L);
            return Errno.EOVERFLOW;
        }
        if ((d >>> 32) > 0) {
            Futex.futexWake(sem, 1);
        }
        return 0;
    }
}
