package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static polyproc.internal.posix.Native.CAPTURE_ERRNO;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.withErrno;

/** POSIX shared memory objects: shm_open(3) and shm_unlink(3). */
public final class SharedMemory {
    private SharedMemory() {}

    private static final MethodHandle SHM_OPEN = fn("shm_open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SHM_UNLINK = fn("shm_unlink",
            FunctionDescriptor.of(JAVA_INT, ADDRESS), CAPTURE_ERRNO);

    /** shm_open(3): flags and mode as os.open's; the descriptor is close-on-exec. */
    public static Errno.Result shmOpen(String name, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            return withErrno(arena, s -> (int) SHM_OPEN.invokeExact(s, cName, flags, mode));
        }
    }

    public static Errno.Result shmUnlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            return withErrno(arena, s -> (int) SHM_UNLINK.invokeExact(s, cName));
        }
    }
}
