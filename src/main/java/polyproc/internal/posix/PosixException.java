package polyproc.internal.posix;

/** A failed C call, with its errno (0 where the failure is not an errno). */
public final class PosixException extends RuntimeException {
    private final int errno;

    public PosixException(String call, int errno) {
        super(errno == 0 ? call : call + " failed: errno " + errno);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
