package dev.consilium.cluster.spark;

import org.apache.spark.SparkConf;

import java.util.Objects;

/**
 * The Spark settings Consilium runs with. {@link #base} widens Spark's redaction pattern so that a key set by hand
 * in the configuration under a name like {@code spark.executorEnv.OPENAI_API_KEY} is blanked in the UI, the
 * event log and debug dumps too (Spark's default pattern matches {@code secret|password|token|access.key} and
 * not {@code api_key}); Consilium itself never puts a key there (see {@code SecretEnv}).
 * {@link #secured} is what a cluster off loopback needs: authenticated RPC, encrypted RPC and block transfers,
 * and encrypted local spill files (which may hold serialised tasks, hence shipped keys).
 */
public final class ClusterConf {

    /** Spark's default plus API key, credential and bearer names, case-insensitive. */
    public static final String REDACTION_REGEX = "(?i)secret|password|token|access[.]?key|api[._-]?key|credential|bearer|authorization";

    private ClusterConf() {}

    public static SparkConf base(String master, String appName) {
        return onto(new SparkConf(), master).setAppName(appName);
    }

    /** {@code conf} (e.g. what spark-submit passed in system properties) with Consilium's settings and {@code master}. */
    static SparkConf onto(SparkConf conf, String master) {
        return conf.setMaster(Objects.requireNonNull(master, "master"))
                .set("spark.redaction.regex", REDACTION_REGEX)
                // units are small and independent: no locality wait
                .set("spark.locality.wait", "0s");
    }

    /** Whether every process of {@code master} runs on this machine: {@code local[N]}, {@code local-cluster[...]}. */
    public static boolean loopback(String master) {
        return master.equals("local") || master.startsWith("local[") || master.startsWith("local-cluster[");
    }

    /**
     * {@code conf} for a cluster whose nodes talk over a network: every connection authenticated with
     * {@code sharedSecret} (on YARN and Kubernetes Spark generates one per application; pass null there),
     * RPC and block transfers encrypted with AES, spill and shuffle files encrypted.
     */
    public static SparkConf secured(SparkConf conf, String sharedSecret) {
        conf.set("spark.authenticate", "true")
                .set("spark.network.crypto.enabled", "true")
                .set("spark.io.encryption.enabled", "true");
        if (sharedSecret != null) conf.set("spark.authenticate.secret", sharedSecret);
        return conf;
    }
}
