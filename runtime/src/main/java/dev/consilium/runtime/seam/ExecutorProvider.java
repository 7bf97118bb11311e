package dev.consilium.runtime.seam;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * An engine the loop's units can run on, found by name with {@link ServiceLoader}: runtime cannot depend on the
 * module that holds it (the cluster module, which brings Apache Spark, depends on runtime), so it names the
 * engine ({@code "executor": {"type": "spark"}}, {@code consilium run --executor spark}) and whichever jar on the
 * class path provides that name opens it. List the implementing class in the jar's
 * {@code META-INF/services/dev.consilium.runtime.seam.ExecutorProvider}.
 */
public interface ExecutorProvider {

    /** The name experiment files and {@code --executor} use. */
    String name();

    /** A started executor; the run closes it when it ends. */
    UnitExecutor open(ExecutorOptions options);

    /** The executor {@code options} names, from the providers {@code loader} finds; an error names those it found. */
    static UnitExecutor open(ExecutorOptions options, ClassLoader loader) {
        List<String> known = new ArrayList<>();
        for (ExecutorProvider p : ServiceLoader.load(ExecutorProvider.class, loader)) {
            if (p.name().equals(options.type())) return p.open(options);
            known.add(p.name());
        }
        throw new IllegalArgumentException("no executor \"" + options.type() + "\" on the class path (found: "
                + (known.isEmpty() ? "none" : String.join(", ", known)) + "); the spark executor is in the cluster module: run "
                + "through ./consilium, which adds it, or put consilium-cluster's jar and Spark's on the class path");
    }
}
