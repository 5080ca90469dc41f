package polyproc.it;

import polyproc.embed.PolyprocContext;
import polyproc.embed.PythonProcess;

/**
 * A Java host for EmbedIT's kill test: starts a child from Java and a non-daemonic one from
 * Python, prints the pids of all its child processes, then READY, and waits to be killed.
 */
public final class EmbedHost {
    public static void main(String[] args) throws Exception {
        try (PolyprocContext python = PolyprocContext.newBuilder().option("python.PythonPath", args[0]).build()) {
            PythonProcess p = python.process("embed_jobs:sleep").args(300).start();
            python.context().eval("python", """
                    import multiprocessing, embed_jobs
                    child = multiprocessing.Process(target=embed_jobs.sleep, args=(300,))
                    child.start()
                    """);
            ProcessHandle.current().children().forEach(c -> System.out.println("pid " + c.pid()));
            System.out.println("pid " + p.pid());
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(600_000);
        }
    }
}
