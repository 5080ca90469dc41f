package polyproc.internal.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static polyproc.internal.posix.Native.call;
import static polyproc.internal.posix.Native.fn;

/**
 * posix_spawn(3) with its file actions and attributes ({@code <spawn.h>}). These return an error
 * number rather than setting errno: pass it to {@link Errno#checkErr}.
 */
public final class Spawn {
    private Spawn() {}

    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    /**
     * posix_spawn_file_actions_t and posix_spawnattr_t are opaque: allocated with room to spare
     * (glibc: 80 and 336 bytes).
     */
    public static final long SPAWN_FILE_ACTIONS_SIZE = 256;
    public static final long SPAWNATTR_SIZE = 512;

    private static final MethodHandle POSIX_SPAWN = fn("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT = fn("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = fn("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_ADDDUP2 = fn("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDOPEN = fn("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDCHDIR = fn("posix_spawn_file_actions_addchdir_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle FA_ADDCLOSEFROM = fn("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = fn("posix_spawnattr_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = fn("posix_spawnattr_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = fn("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = fn("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGDEFAULT = fn("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    public static int posixSpawn(MemorySegment pid, MemorySegment path, MemorySegment fileActions,
                                 MemorySegment attr, MemorySegment argv, MemorySegment envp) {
        return call(POSIX_SPAWN, pid, path, fileActions, attr, argv, envp);
    }

    public static int fileActionsInit(MemorySegment fa) { return call(FA_INIT, fa); }
    public static int fileActionsDestroy(MemorySegment fa) { return call(FA_DESTROY, fa); }
    public static int fileActionsAddDup2(MemorySegment fa, int fd, int newFd) { return call(FA_ADDDUP2, fa, fd, newFd); }
    public static int fileActionsAddOpen(MemorySegment fa, int fd, MemorySegment path, int flags, int mode) {
        return call(FA_ADDOPEN, fa, fd, path, flags, mode);
    }
    public static int fileActionsAddChdir(MemorySegment fa, MemorySegment path) { return call(FA_ADDCHDIR, fa, path); }
    public static int fileActionsAddCloseFrom(MemorySegment fa, int lowFd) { return call(FA_ADDCLOSEFROM, fa, lowFd); }
    public static int spawnAttrInit(MemorySegment attr) { return call(ATTR_INIT, attr); }
    public static int spawnAttrDestroy(MemorySegment attr) { return call(ATTR_DESTROY, attr); }
    public static int spawnAttrSetFlags(MemorySegment attr, short flags) { return call(ATTR_SETFLAGS, attr, flags); }
    public static int spawnAttrSetSigMask(MemorySegment attr, MemorySegment set) { return call(ATTR_SETSIGMASK, attr, set); }
    public static int spawnAttrSetSigDefault(MemorySegment attr, MemorySegment set) { return call(ATTR_SETSIGDEFAULT, attr, set); }
}
