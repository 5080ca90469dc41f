package polyproc.context;


import java.util.List;

/**
 * How one Context's children are started, besides the ContextSpec they rebuild.
 *
 * @param javaOptions    JVM options for the child JVMs, after this JVM's own (so they win)
 * @param startMethod    the default start method, null for polyproc's ('forkserver')
 * @param stdio          where the children's standard streams go
 * @param cannotStartChildrenBecause why a child cannot rebuild this Context (a host's own objects), or null
 * @param embedded       a Java host's Context rather than the {@code polyproc} command's: its
 *                       close ends the children still running and frees what they shared, and
 *                       Python's standard streams write to the Context's streams
 */
public record ChildSettings(List<String> javaOptions, String startMethod, ChildStreams stdio,
                            String cannotStartChildrenBecause, boolean embedded) {
    /** The {@code polyproc} command's, and every child's (grandchildren start as their parent did). */
    public static final ChildSettings COMMAND = new ChildSettings(List.of(), null, ChildStreams.INHERIT, null, false);

    public ChildSettings {
        javaOptions = List.copyOf(javaOptions);
    }
}
