package dev.consilium.cluster.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.cluster.judge.JudgeItem;
import dev.consilium.cluster.judge.JudgeSpec;
import dev.consilium.cluster.judge.Judgments;
import dev.consilium.cluster.judge.StubJudgeServer;
import dev.consilium.runtime.seam.InProcessUnitExecutor;
import dev.consilium.runtime.seam.NoWorker;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;
import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.WorkUnit;
import dev.consilium.cluster.spark.ClusterConf;
import dev.consilium.cluster.spark.LocalClusterHome;
import dev.consilium.cluster.spark.SparkUnitExecutor;
import dev.consilium.rewards.judge.Scale;
import dev.consilium.rewards.verdict.Verdict;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code consilium bench cluster}: Spark's {@code local-cluster} on this machine. Prints one JSON object: a
 * demo-sized round's seconds in-process and on local-cluster ({@link RoundBench}); against judges behind a
 * loopback stub that answers after a fixed latency, judgments per second with each
 * executor count (the latency-bound case, where more executors must give proportionally more), the time a unit
 * costs beyond its own work on Spark and in-process, and broadcast seconds per MB. Its own main, not a
 * subcommand of runtime's CLI: runtime must not depend on this module (the demo's build never pulls Spark),
 * so the launcher runs this class with the cluster module's classpath.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "A demo-sized round in-process and on Spark local-cluster; judgments per second with 2 and 4 executors "
                + "against a 200 ms loopback judge; per-unit overhead; broadcast seconds per MB. Prints one JSON object.")
public final class ClusterBench implements Runnable {

    @Option(names = "--executors", split = ",", defaultValue = "2,4", description = "Executor counts to compare (default: ${DEFAULT-VALUE}).")
    List<Integer> executors;
    // A judging stage's size: the demo judges 512 rollouts and 32 probes a round. A job has a fixed cost (about a
    // second here: the spec's broadcast, scheduling, each task's launch) that a smaller job would mostly measure.
    @Option(names = "--units", defaultValue = "512", description = "Judgments per timed job (default: ${DEFAULT-VALUE}).")
    int units;
    @Option(names = "--latency-ms", defaultValue = "200", description = "The stub judge's answer latency (default: ${DEFAULT-VALUE}).")
    int latencyMs;
    @Option(names = "--noop-units", defaultValue = "256", description = "Units of no work, for the per-unit overhead (default: ${DEFAULT-VALUE}).")
    int noopUnits;
    @Option(names = "--broadcast-mb", defaultValue = "64", description = "Size of the broadcast timed, in MB (default: ${DEFAULT-VALUE}).")
    int broadcastMb;
    @Option(names = "--executor-memory-mb", defaultValue = "640", description = "Heap of each executor JVM (default: ${DEFAULT-VALUE}).")
    int executorMemoryMb;
    @Option(names = "--calls-per-slot", defaultValue = "4", description = "Judge calls in flight per executor core, on virtual "
            + "threads inside its task (default: ${DEFAULT-VALUE}).")
    int callsPerSlot;
    @Option(names = "--round", defaultValue = "experiments/demo.json", description = "The experiment whose round is timed in-process "
            + "and on local-cluster: one round of its tasks x rollouts and held-out answers, exact-match reward, its judges left out "
            + "(they judge on the driver either way) (default: ${DEFAULT-VALUE}; '' skips it).")
    String round;
    @Option(names = "--round-executors", defaultValue = "2", description = "Executors (1 core each) of the timed round (default: ${DEFAULT-VALUE}).")
    int roundExecutors;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterBench()).execute(args));
    }

    @Override
    public void run() {
        String key = "sk-bench-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        SecretEnv secrets = SecretEnv.of(Map.of("BENCH_JUDGE_KEY", key));
        String classpath = LocalClusterHome.prepare();
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("load_average_at_start", round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        if (!round.isEmpty()) out.set("round", new RoundBench(Path.of(round), roundExecutors, executorMemoryMb, classpath).run());
        out.put("case", "latency-bound judging, loopback stub judge");
        out.put("latency_ms", latencyMs);
        out.put("units", units);
        out.put("calls_per_slot", callsPerSlot);
        ObjectNode byExecutors = out.putObject("executors");
        List<WorkUnit<JudgeItem>> items = SumItems.of(units);
        try (StubJudgeServer stub = StubJudgeServer.start(key, Duration.ofMillis(latencyMs), 1, 5)) {
            JudgeSpec spec = stub.spec("BENCH_JUDGE_KEY", "The answer states the correct sum.", Scale.ONE_TO_FIVE, 7);
            double first = 0, last = 0;
            for (int n : executors) {
                try (SparkUnitExecutor spark = SparkUnitExecutor.start(ClusterConf.base(
                                "local-cluster[" + n + ",1," + executorMemoryMb + "]", "consilium-bench-cluster")
                        .set("spark.ui.enabled", "false")
                        .set("spark.executor.memory", executorMemoryMb + "m")
                        .set("spark.executor.extraClassPath", classpath)).withUnitsInFlight(callsPerSlot)) {
                    spark.awaitExecutors(n, Duration.ofMinutes(3));
                    // untimed, as large as the timed job but other items: every executor builds its judge and its JVM
                    // compiles the path, so that the timed job measures the steady state whatever the executor count
                    Judgments.judge(spark, spec, secrets, SumItems.of(2 * units).subList(units, 2 * units));
                    long t0 = System.nanoTime();
                    Map<String, Verdict> verdicts = Judgments.judge(spark, spec, secrets, items);
                    double s = seconds(t0);
                    long scored = verdicts.values().stream().filter(v -> v instanceof Verdict.Score).count();
                    if (scored != units) throw new IllegalStateException(units - scored + " of " + units + " judgments abstained; "
                            + "the figure would not be a judging rate");
                    double jps = units / s;
                    ObjectNode o = byExecutors.putObject(Integer.toString(n));
                    o.put("judgments_per_s", round(jps));
                    o.put("seconds", round(s));
                    o.put("ideal_judgments_per_s", round(n * callsPerSlot * 1000.0 / latencyMs));
                    if (first == 0) first = jps;
                    last = jps;
                    if (n == executors.getLast()) {
                        out.put("per_unit_overhead_ms", round(perUnitMs(spark, n)));
                        out.put("per_task_overhead_ms", round(perUnitMs(spark.withTasksPerSlot(Integer.MAX_VALUE).withUnitsInFlight(1), n)));
                        out.put("tasks_per_slot", SparkUnitExecutor.DEFAULT_TASKS_PER_SLOT);
                        out.put("broadcast_s_per_mb", round(broadcastSecondsPerMb(spark.context(), n)));
                    }
                }
            }
            out.put("scaleup_" + executors.getLast() + "_vs_" + executors.getFirst(), round(last / first));
        }
        out.put("in_process_per_unit_overhead_ms", round(perUnitMs(new InProcessUnitExecutor(1), 1)));
        out.put("broadcast_mb", broadcastMb);
        System.out.println(out.toPrettyString());
    }

    /** A slot's time per unit that does nothing: scheduling, serialisation and the result's trip to the driver. */
    private double perUnitMs(UnitExecutor executor, int slots) {
        UnitFunction<String, Integer, Integer> nothing = (w, u) -> u.payload();
        List<WorkUnit<Integer>> noop = new ArrayList<>(noopUnits);
        for (int i = 0; i < noopUnits; i++) noop.add(WorkUnit.of("noop-" + i, i));
        executor.runAll(new NoWorker(), SecretEnv.NONE, noop, nothing); // warm-up
        long t0 = System.nanoTime();
        executor.runAll(new NoWorker(), SecretEnv.NONE, noop, nothing);
        return seconds(t0) * 1000 * slots / noopUnits;
    }

    /**
     * One job per executor reading a broadcast of {@code broadcastMb} MB, less the same job reading a tiny one:
     * what shipping a checkpoint of that size to every executor costs, per MB.
     */
    private double broadcastSecondsPerMb(JavaSparkContext sc, int executors) {
        byte[] big = new byte[broadcastMb << 20];
        new SplittableRandom(7).nextBytes(big); // incompressible, as weights are
        double tiny = readEverywhere(sc, new byte[16], executors);
        double full = readEverywhere(sc, big, executors);
        return Math.max(0, full - tiny) / broadcastMb;
    }

    private static double readEverywhere(JavaSparkContext sc, byte[] payload, int executors) {
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < executors; i++) slots.add(i);
        long t0 = System.nanoTime();
        Broadcast<byte[]> b = sc.broadcast(payload);
        sc.parallelize(slots, executors).map(i -> b.value().length).collect();
        double s = seconds(t0);
        b.destroy();
        return s;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
