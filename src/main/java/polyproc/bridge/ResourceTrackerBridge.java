package polyproc.bridge;

import java.util.List;

import org.graalvm.polyglot.HostAccess;

import polyproc.context.ChildSettings;
import polyproc.internal.posix.Signals;
import polyproc.launch.ChildStdio;
import polyproc.launch.Spawner;

/** For python/polyproc/resource_tracker.py. */
public final class ResourceTrackerBridge {
    private final ChildSettings settings;
    private final PythonErrors errors;

    ResourceTrackerBridge(ChildSettings settings, PythonErrors errors) {
        this.settings = settings;
        this.errors = errors;
    }

    /**
     * Starts the resource tracker's server (python/polyproc/resource_tracker.sh) with the read
     * end of its pipe as descriptor 4. It ignores SIGINT and SIGTERM and outlives this JVM when
     * it must: it ends when the last process holding the write end has gone.
     */
    @HostAccess.Export
    public ChildHandle start(String script, int pipeReadFd) {
        return new ChildHandle(errors.call(() -> ChildStdio.launch(settings.stdio(), stdio -> Spawner.spawnHelper(List.of("/bin/sh", script),
                List.of("PATH=/usr/bin:/bin"), "/", stdio, new int[] {pipeReadFd},
                new int[] {Signals.SIGINT, Signals.SIGTERM}))), errors);
    }
}
