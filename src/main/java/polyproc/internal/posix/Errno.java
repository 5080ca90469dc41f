package polyproc.internal.posix;

/**
 * Errors of C calls: the errno values polyproc tests for (Linux, {@code <errno.h>}), the result
 * of a call that sets errno, and the one place a failure becomes a {@link PosixException}.
 */
public final class Errno {
    private Errno() {}

    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int EOVERFLOW = 75;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ETIMEDOUT = 110;

    /** The result of a call that sets errno: the C return value and errno right after it. */
    public record Result(long value, int errno) {
        public boolean failed() {
            return value == -1;
        }
    }

    /** Turns a failed call into an exception naming the call. */
    public static long check(String call, Result r) {
        if (r.failed()) {
            throw new PosixException(call, r.errno());
        }
        return r.value();
    }

    /** For functions that return an error number instead of setting errno (posix_spawn*). */
    public static void checkErr(String call, int err) {
        if (err != 0) {
            throw new PosixException(call, err);
        }
    }
}
