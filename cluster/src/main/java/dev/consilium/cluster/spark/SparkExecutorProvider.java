package dev.consilium.cluster.spark;

import dev.consilium.runtime.seam.ExecutorOptions;
import dev.consilium.runtime.seam.ExecutorProvider;
import dev.consilium.runtime.seam.UnitExecutor;
import org.apache.spark.SparkConf;

import java.util.Map;

/**
 * {@code "executor": {"type": "spark"}} and {@code consilium run --executor spark}: a {@link SparkUnitExecutor} in
 * client mode (this JVM is the driver, as under {@code spark-submit}, whose {@code spark.*} system properties it
 * reads). Off loopback the cluster is always authenticated and encrypted ({@link ClusterConf#secured}); on a
 * standalone master the shared secret comes from {@code SPARK_AUTHENTICATE_SECRET} or {@code --conf
 * spark.authenticate.secret=...} (a name Spark redacts), on YARN and Kubernetes Spark makes one per application.
 */
public final class SparkExecutorProvider implements ExecutorProvider {
    public static final String NAME = "spark";
    static final String SECRET_VARIABLE = "SPARK_AUTHENTICATE_SECRET";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UnitExecutor open(ExecutorOptions options) {
        return SparkUnitExecutor.start(conf(options, System.getenv(SECRET_VARIABLE)));
    }

    /** The configuration {@code options} ask for, {@code secret} the shared secret of a standalone cluster (or null). */
    public static SparkConf conf(ExecutorOptions options, String secret) {
        SparkConf conf = new SparkConf();   // spark-submit's settings arrive as spark.* system properties
        String master = options.master() != null ? options.master() : conf.get("spark.master", null);
        if (master == null) {
            throw new IllegalArgumentException("executor spark: no master; give --master URL (spark://HOST:7077, k8s://..., yarn, "
                    + "local-cluster[2,1,1024]) or \"executor.master\" in the experiment, or start it with spark-submit --master");
        }
        ClusterConf.onto(conf, master);
        if (!conf.contains("spark.app.name")) conf.setAppName("consilium");
        for (Map.Entry<String, String> e : options.conf().entrySet()) conf.set(e.getKey(), e.getValue());
        if (master.startsWith("local-cluster[") && !conf.contains("spark.executor.extraClassPath")) {
            conf.set("spark.executor.extraClassPath", LocalClusterHome.prepare());
        }
        if (!ClusterConf.loopback(master)) {
            boolean standalone = master.startsWith("spark://");
            String given = conf.get("spark.authenticate.secret", secret);
            if (standalone && given == null) {
                throw new IllegalArgumentException("executor spark: " + master + " is off loopback, so the cluster runs with "
                        + "spark.authenticate and encryption on; export " + SECRET_VARIABLE + " with the secret the workers were "
                        + "started with (spark.authenticate.secret in their spark-defaults.conf)");
            }
            ClusterConf.secured(conf, standalone ? given : null);
        }
        return conf;
    }
}
