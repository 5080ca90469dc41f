package polyproc.bridge;

import java.util.LinkedHashMap;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.proxy.ProxyObject;

import polyproc.context.ChildSettings;
import polyproc.context.ContextSpec;

/**
 * What the Python package {@code polyproc} sees of Java in one Context: one small host object per
 * Python module that needs Java (as GraalPy has one builtins class per module), handed to
 * {@code polyproc._enable} when the Context is made polyproc-enabled, so two Contexts in one JVM
 * never share one. Python reaches them through their {@code @HostAccess.Export} methods only.
 * Every such method returns its value, or raises Python's {@code OSError} for a failed system
 * call ({@link PythonErrors}); a list crosses as a polyglot array.
 */
public final class Bridge {
    private final PopenBridge popen;

    private Bridge(PopenBridge popen) {
        this.popen = popen;
    }

    /**
     * Makes {@code context} polyproc-enabled: its {@code multiprocessing} starts children that
     * rebuild a Context from {@code childSpec}, as {@code settings} say.
     */
    public static Bridge install(Context context, ContextSpec childSpec, ChildSettings settings) {
        PythonErrors errors = new PythonErrors(context);
        PopenBridge popen = new PopenBridge(childSpec, settings, errors);
        Map<String, Object> modules = new LinkedHashMap<>();
        modules.put("popen", popen);
        modules.put("worker", new WorkerBridge(errors));
        modules.put("context", new ContextBridge(settings, errors));
        modules.put("embedded", new EmbeddedBridge(settings, popen));
        modules.put("resource_tracker", new ResourceTrackerBridge(settings, errors));
        modules.put("shared_memory", new SharedMemoryBridge(errors));
        modules.put("socketpair", new SocketPairBridge(errors));
        modules.put("reduction", new ReductionBridge(errors));
        modules.put("synchronize", new SynchronizeBridge(errors));
        modules.put("signals", new SignalsBridge());
        context.eval("python", "import polyproc\npolyproc._enable").execute(ProxyObject.fromMap(modules));
        return new Bridge(popen);
    }

    /** Stops the idle workers of the forkserver (children already handed a Process run on). */
    public void close() {
        popen.close();
    }
}
