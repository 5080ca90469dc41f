package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.proxy.ProxyArray;

import polyproc.internal.posix.Sockets;

/** For python/polyproc/socketpair.py: GraalPy's _socket has no socketpair. */
public final class SocketPairBridge {
    private final PythonErrors errors;

    SocketPairBridge(PythonErrors errors) {
        this.errors = errors;
    }

    /** socketpair(2) as CPython's socket.socketpair: the two descriptors, close-on-exec. */
    @HostAccess.Export
    public ProxyArray socketPair(int family, int type, int protocol) {
        return Values.array(errors.call(() -> Sockets.socketPair(family, type, protocol)));
    }
}
