package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;

import polyproc.internal.posix.Sockets;

/** For python/polyproc/reduction.py: descriptor passing (GraalPy's sockets have no sendmsg). */
public final class ReductionBridge {
    private final PythonErrors errors;

    ReductionBridge(PythonErrors errors) {
        this.errors = errors;
    }

    /**
     * multiprocessing.reduction's sendfds: one byte, len(fds) % 256 as CPython sends, with the
     * descriptors attached (SCM_RIGHTS) on the Unix socket socketFd.
     */
    @HostAccess.Export
    public void sendFds(int socketFd, Value fds) {
        int[] list = Values.ints(fds);
        errors.call(() -> Sockets.sendWithFds(socketFd, new byte[] {(byte) list.length}, list));
    }

    /**
     * multiprocessing.reduction's recvfds: reads one byte and at most maxFds descriptors from the
     * Unix socket socketFd: the byte's value, then the descriptors; empty at end of file.
     */
    @HostAccess.Export
    public ProxyArray receiveFds(int socketFd, int maxFds) {
        Sockets.Received r = errors.call(() -> Sockets.receiveWithFds(socketFd, 1, maxFds));
        if (r.data().length == 0) {
            return Values.array();
        }
        int[] result = new int[r.fds().length + 1];
        result[0] = r.data()[0] & 0xff;
        System.arraycopy(r.fds(), 0, result, 1, r.fds().length);
        return Values.array(result);
    }
}
