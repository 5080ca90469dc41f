import java.util.List;

import polyproc.launch.Spawner;

/**
 * What launching itself costs, without any JVM boot: start and reap /bin/true, through
 * polyproc's Spawner (posix_spawn, pidfd, reaper thread) and through ProcessBuilder.
 * Run after a build:  JDK25/bin/java --enable-native-access=ALL-UNNAMED -cp target/classes bench/SpawnCost.java
 */
public class SpawnCost {
    public static void main(String[] args) throws Exception {
        int n = 200;
        for (int round = 0; round < 3; round++) {
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Spawner.spawn(List.of("/bin/true"), List.of(), null, Spawner.Stdio.INHERIT, new int[0], new byte[0]).onExit().get();
            }
            long spawn = System.nanoTime() - t;
            t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                new ProcessBuilder("/bin/true").start().waitFor();
            }
            long builder = System.nanoTime() - t;
            System.out.printf("Spawner: %.0f us per child   ProcessBuilder: %.0f us per child%n",
                    spawn / 1e3 / n, builder / 1e3 / n);
        }
    }
}
