package dev.consilium.cluster.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.cluster.spark.ClusterConf;
import dev.consilium.cluster.spark.SparkUnitExecutor;
import dev.consilium.runtime.loop.Experiment;
import dev.consilium.runtime.loop.ExperimentFile;
import dev.consilium.runtime.loop.ExperimentRun;
import dev.consilium.runtime.loop.PluginRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One round of an experiment (the demo's: 64 tasks x 8 rollouts, 100 held-out tasks greedy and sampled once) timed
 * in-process and then on {@code local-cluster[executors,1,memory]}: its rollouts and held-out answers are units,
 * the checkpoint is shipped per stage, training stays on the driver. The judges are left out (exact-match reward):
 * they judge on the driver either way, so they would add the same seconds to both. The round's own
 * {@code seconds} (its metrics record) are compared; round 0's evaluation, before it, warms each side up.
 */
final class RoundBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path experiment;
    private final int executors, memoryMb;
    private final String classpath;

    RoundBench(Path experiment, int executors, int memoryMb, String classpath) {
        this.experiment = experiment;
        this.executors = executors;
        this.memoryMb = memoryMb;
        this.classpath = classpath;
    }

    ObjectNode run() {
        if (!Files.isRegularFile(experiment)) {
            throw new IllegalArgumentException("--round: no experiment file " + experiment.toAbsolutePath() + " (run from the "
                    + "repository's root, or give --round PATH, or --round '' to skip the round)");
        }
        Path tmp;
        try {
            tmp = Files.createTempDirectory("consilium-bench-round-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            ObjectNode o = JSON.createObjectNode();
            Experiment e = oneRound(tmp.resolve("in-process"));
            o.put("experiment", experiment.toString());
            JsonNode local = start(e).run().after();
            double inProcess = local.get("seconds").asDouble();
            double spark;
            try (SparkUnitExecutor cluster = SparkUnitExecutor.start(ClusterConf.base(
                            "local-cluster[" + executors + ",1," + memoryMb + "]", "consilium-bench-round")
                    .set("spark.ui.enabled", "false")
                    .set("spark.executor.memory", memoryMb + "m")
                    .set("spark.executor.extraClassPath", classpath))) {
                cluster.awaitExecutors(executors, Duration.ofMinutes(3));
                JsonNode remote = start(oneRound(tmp.resolve("on-spark"))).withExecutor(cluster).run().after();
                spark = remote.get("seconds").asDouble();
                if (!remote.get("heldout_accuracy").equals(local.get("heldout_accuracy"))) {
                    throw new IllegalStateException("the round on Spark measured held-out accuracy " + remote.get("heldout_accuracy")
                            + ", in-process " + local.get("heldout_accuracy") + ": not the same round");
                }
            }
            int heldout = local.get("heldout_total").asInt() * (1 + e.evalSamples());
            int units = e.tasksPerRound() * e.rolloutsPerTask() + heldout;
            o.put("units", units);
            o.put("rollouts", e.tasksPerRound() * e.rolloutsPerTask());
            o.put("heldout_answers", heldout);
            o.put("executors", executors);
            o.put("in_process_s", ClusterBench.round(inProcess));
            o.put("local_cluster_s", ClusterBench.round(spark));
            o.put("overhead_s_per_round", ClusterBench.round(spark - inProcess));
            o.put("overhead_ms_per_unit", ClusterBench.round((spark - inProcess) * 1000 / units));
            o.put("checkpoint_mb", ClusterBench.round(directoryBytes(experiment.toAbsolutePath().getParent().resolve(e.policy())) / (double) (1 << 20)));
            return o;
        } finally {
            delete(tmp);
        }
    }

    /** The experiment as one round: no judges, probes or alarm, an exact-match reward, no warmup, into {@code out}. */
    private Experiment oneRound(Path out) {
        ObjectNode tree;
        try {
            tree = (ObjectNode) JSON.readTree(Files.readString(experiment));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        tree.remove("judges");
        tree.remove("probes");
        tree.remove("alarm");
        tree.putArray("rewards").addObject().put("type", "exact_match").put("weight", 1.0);
        ((ObjectNode) tree.get("algorithm")).remove("warmup");
        tree.put("rounds", 1).put("out", out.toString());
        return Experiment.fromJson(tree.toString(), experiment.toString());
    }

    private ExperimentRun start(Experiment e) {
        return ExperimentFile.start(e, experiment.toAbsolutePath().getParent(), experiment.toString(),
                PluginRegistry.load(RoundBench.class.getClassLoader()), new PrintStream(OutputStream.nullOutputStream()));
    }

    private static long directoryBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            long n = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) n += Files.size(f);
            return n;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a bench's temporary run left behind is not worth failing the figures for
        }
    }
}
