package dev.consilium.cluster.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code local-cluster[workers,cores,memory]} needs to start executor JVMs from Maven jars alone. Its
 * workers launch each executor with the classpath of a Spark home's {@code jars/} folder, which a Maven build
 * does not have, and read that home from {@code SPARK_HOME} (with {@code SPARK_SCALA_VERSION} set, so the
 * launcher does not look for Spark's own build folders). This lays out a home whose {@code jars/} is empty and
 * gives the executors this JVM's whole classpath instead, directories included, so tests and benches run their
 * own classes on executors without packaging a jar.
 */
public final class LocalClusterHome {

    private LocalClusterHome() {}

    /**
     * Creates {@code SPARK_HOME/jars} if missing and returns the executors' classpath; fails, naming what to
     * set, when this JVM was started without {@code SPARK_HOME}.
     */
    public static String prepare() {
        String home = System.getenv("SPARK_HOME");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("local-cluster needs SPARK_HOME set before the JVM starts (any writable "
                    + "folder: it gets an empty jars/ and the executors' work dirs) and SPARK_SCALA_VERSION=2.13");
        }
        try {
            Files.createDirectories(Path.of(home, "jars"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + home + "/jars for local-cluster's executors", e);
        }
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isBlank()) entries.add(Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Where a local-cluster application's executors write their stdout and stderr. */
    public static Path workDir() {
        return Path.of(System.getenv("SPARK_HOME"), "work");
    }
}
