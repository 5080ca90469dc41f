package polyproc.internal.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static polyproc.internal.posix.Native.CAPTURE_ERRNO;
import static polyproc.internal.posix.Native.call;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.withErrno;

/**
 * What a process carries that its children inherit ({@code <sys/resource.h>}, umask(2),
 * getuid(2)): a served program (polyproc.server) takes these over from the
 * command that asked for it, so that it runs as the command would have.
 */
public final class ProcessAttributes {
    private ProcessAttributes() {}

    /** RLIMIT_NLIMITS on Linux: the resources 0..15 getrlimit knows. */
    public static final int RESOURCE_LIMITS = 16;
    private static final int PRIO_PROCESS = 0;

    private static final MethodHandle UMASK = fn("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETUID = fn("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETRLIMIT = fn("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SETRLIMIT = fn("setrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle GETPRIORITY = fn("getpriority",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SETPRIORITY = fn("setpriority",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /** umask(2): sets the mask, returns the old one. */
    public static int umask(int mask) {
        return call(UMASK, mask);
    }

    /** The process's umask, read without changing it (Linux 4.7+: /proc/self/status). */
    public static int currentUmask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring(6).trim(), 8);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        throw new PosixException("/proc/self/status has no Umask", Errno.EIO);
    }

    /** The calling thread's nice value. */
    public static int nice() {
        try (Arena arena = Arena.ofConfined()) {
            Errno.Result r = withErrno(arena, s -> (int) GETPRIORITY.invokeExact(s, PRIO_PROCESS, 0));
            if (r.errno() != 0 && r.value() == -1) {
                throw new PosixException("getpriority", r.errno());
            }
            return (int) r.value();
        }
    }

    /** Every resource limit of this process. */
    public static List<Limit> limits() {
        List<Limit> limits = new java.util.ArrayList<>();
        for (int r = 0; r < RESOURCE_LIMITS; r++) {
            limits.add(limit(r));
        }
        return limits;
    }

    public static int uid() {
        return call(GETUID);
    }

    /** A resource's limit: soft and hard (RLIM_INFINITY is -1). */
    public record Limit(int resource, long soft, long hard) {}

    public static Limit limit(int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(JAVA_LONG, 2);
            Errno.check("getrlimit", withErrno(arena, s -> (int) GETRLIMIT.invokeExact(s, resource, rlimit)));
            return new Limit(resource, rlimit.getAtIndex(JAVA_LONG, 0), rlimit.getAtIndex(JAVA_LONG, 1));
        }
    }

    /** setrlimit(2); raising a hard limit takes a privilege this process may not have (EPERM). */
    public static void setLimit(Limit limit) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(JAVA_LONG, 2);
            rlimit.setAtIndex(JAVA_LONG, 0, limit.soft());
            rlimit.setAtIndex(JAVA_LONG, 1, limit.hard());
            Errno.check("setrlimit(" + limit.resource() + ")",
                    withErrno(arena, s -> (int) SETRLIMIT.invokeExact(s, limit.resource(), rlimit)));
        }
    }

    /**
     * The nice value of every thread of this process. Linux keeps it per thread and a new thread
     * inherits its creator's, so the JVM's threads that exist now (compiler, GC, ...) are set one
     * by one; lowering it needs a privilege (EACCES).
     */
    public static void setNice(int nice) {
        List<Integer> threads;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            threads = tasks.map(t -> Integer.parseInt(t.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new PosixException("/proc/self/task", Errno.EIO);
        }
        try (Arena arena = Arena.ofConfined()) {
            for (int tid : threads) {
                Errno.Result r = withErrno(arena, s -> (int) SETPRIORITY.invokeExact(s, PRIO_PROCESS, tid, nice));
                if (r.failed() && r.errno() != Errno.ESRCH) { // ESRCH: the thread ended meanwhile
                    throw new PosixException("setpriority", r.errno());
                }
            }
        }
    }
}
