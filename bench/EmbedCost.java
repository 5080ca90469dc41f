import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.io.IOAccess;

import polyproc.embed.PolyprocContext;

/**
 * What polyproc.embed costs a Java host: the extra time and heap of a PolyprocContext over a
 * plain GraalPy Context with the same options (native posix backend), both measured warm in
 * one JVM, alternating, medians; then the time from building a fresh PolyprocContext to the
 * first result of Pool(2).map (the Pool's two worker JVMs boot in parallel), also measured for
 * python3 in the same run.
 * Run after `mvn package` (as a host would: polyproc's jar and GraalPy's on the class path):
 *   JDK25/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *       -cp "$(ls target/dist/lib/*.jar | tr '\n' :)" bench/EmbedCost.java [rounds]
 */
public class EmbedCost {
    static final String POOL = """
            import multiprocessing, operator
            with multiprocessing.Pool(2) as pool:
                result = pool.map(operator.neg, range(4))
            result
            """;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Double> plain = new ArrayList<>(), enabled = new ArrayList<>();
        List<Long> plainHeap = new ArrayList<>(), enabledHeap = new ArrayList<>();
        for (int i = 0; i < rounds + 1; i++) { // the first round warms up both and is dropped
            long t = System.nanoTime();
            try (Context c = Context.newBuilder("python").allowNativeAccess(true).allowIO(IOAccess.ALL)
                    .allowCreateThread(true).option("python.PosixModuleBackend", "native")
                    .option("engine.WarnInterpreterOnly", "false").option("log.python.level", "SEVERE")
                    .out(new ByteArrayOutputStream()).build()) {
                c.eval("python", "1");
                double s = (System.nanoTime() - t) / 1e9;
                long heap = usedHeap();
                if (i > 0) {
                    plain.add(s);
                    plainHeap.add(heap);
                }
            }
            t = System.nanoTime();
            try (PolyprocContext p = PolyprocContext.newBuilder().out(new ByteArrayOutputStream()).build()) {
                p.context().eval("python", "1");
                double s = (System.nanoTime() - t) / 1e9;
                long heap = usedHeap();
                if (i > 0) {
                    enabled.add(s);
                    enabledHeap.add(heap);
                }
            }
        }
        System.out.printf("Context build + first eval: plain %.3f s, polyproc %.3f s (+%.3f s)%n",
                median(plain), median(enabled), median(enabled) - median(plain));
        System.out.printf("heap in use with the Context open: plain %d MB, polyproc %d MB (+%d MB)%n",
                medianLong(plainHeap) >> 20, medianLong(enabledHeap) >> 20,
                (medianLong(enabledHeap) - medianLong(plainHeap)) >> 20);

        List<Double> pool = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long t = System.nanoTime();
            try (PolyprocContext p = PolyprocContext.newBuilder().out(new ByteArrayOutputStream()).build()) {
                p.context().eval("python", POOL);
                pool.add((System.nanoTime() - t) / 1e9);
            }
        }
        List<Double> cpython = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long t = System.nanoTime();
            Process p = new ProcessBuilder("python3", "-c", "if __name__ == '__main__':\n" + POOL.indent(4)
                    .replace("    result\n", "    print(result)\n")).inheritIO().start();
            p.waitFor();
            cpython.add((System.nanoTime() - t) / 1e9);
        }
        System.out.printf("fresh PolyprocContext to first Pool(2).map result: %.2f s (python3 -c, whole process: %.3f s)%n",
                median(pool), median(cpython));
    }

    static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    static long medianLong(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
