package example;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import polyproc.embed.PolyprocContext;
import polyproc.embed.PythonProcess;

/** Embeds GraalPy, runs Python code that uses multiprocessing, and starts a Python function as a process. */
public final class Main {
    public static void main(String[] args) throws Exception {
        Path python = Path.of(args.length > 0 ? args[0] : "python").toAbsolutePath();
        try (PolyprocContext py = PolyprocContext.newBuilder()
                .option("python.PythonPath", python.toString())
                .childJavaOptions("-Xmx1g")
                .build()) {
            py.context().eval("python", "import jobs\njobs.run()");

            PythonProcess p = py.process("jobs:word_count").args("the quick brown fox").start();
            Object result = p.result().get();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            System.out.println("Java started process " + p.pid() + ": result " + result
                    + ", exit code " + p.waitFor() + ", its output: " + output);
        }
        long left = ProcessHandle.current().children().count();
        System.out.println("closed: " + left + " child processes left");
        if (left != 0) {
            System.exit(1);
        }
    }
}
