package polyproc.internal.posix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The struct layouts declared with MemoryLayout give the sizes and offsets of Linux's C ABI on
 * x86_64 and aarch64 (as {@code offsetof} there reports them).
 */
class StructLayoutsTest {
    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    @Test
    void siginfoHasTheChildFieldsWhereWaitidWritesThem() {
        assertEquals(128, Processes.SIGINFO_SIZE);
        assertEquals(0, offset(Processes.SIGINFO, "si_signo"));
        assertEquals(4, offset(Processes.SIGINFO, "si_errno"));
        assertEquals(8, Processes.SIGINFO_CODE);
        assertEquals(16, Processes.SIGINFO_PID);
        assertEquals(20, offset(Processes.SIGINFO, "si_uid"));
        assertEquals(24, Processes.SIGINFO_STATUS);
    }

    @Test
    void msghdrIovecAndCmsghdrMatchTheKernels() {
        assertEquals(56, Sockets.MSGHDR.byteSize());
        assertEquals(16, offset(Sockets.MSGHDR, "msg_iov"));
        assertEquals(24, offset(Sockets.MSGHDR, "msg_iovlen"));
        assertEquals(32, offset(Sockets.MSGHDR, "msg_control"));
        assertEquals(40, offset(Sockets.MSGHDR, "msg_controllen"));
        assertEquals(48, offset(Sockets.MSGHDR, "msg_flags"));
        assertEquals(16, Sockets.IOVEC.byteSize());
        assertEquals(16, Sockets.CMSGHDR.byteSize());
        assertEquals(12, offset(Sockets.CMSGHDR, "cmsg_type"));
    }

    @Test
    void pollfdAndTimespec() {
        assertEquals(8, Poll.POLLFD.byteSize());
        assertEquals(6, offset(Poll.POLLFD, "revents"));
        assertEquals(16, Futex.TIMESPEC.byteSize());
        assertEquals(8, offset(Futex.TIMESPEC, "tv_nsec"));
    }
}
