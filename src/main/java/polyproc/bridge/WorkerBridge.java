package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.proxy.ProxyArray;

import polyproc.protocol.Bootstrap;

/** For python/polyproc/worker.py: the worker JVM's side of its bootstrap socket. */
public final class WorkerBridge {
    private final PythonErrors errors;

    WorkerBridge(PythonErrors errors) {
        this.errors = errors;
    }

    /** Waits for the task on the bootstrap socket; the descriptors it brought. */
    @HostAccess.Export
    public ProxyArray receiveTask(int socketFd) {
        return Values.array(errors.call(() -> Bootstrap.receiveTask(socketFd)));
    }
}
