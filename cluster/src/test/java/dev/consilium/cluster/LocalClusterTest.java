package dev.consilium.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.cluster.judge.JudgeItem;
import dev.consilium.cluster.judge.JudgeSpec;
import dev.consilium.cluster.judge.Judgments;
import dev.consilium.runtime.seam.VerdictJson;
import dev.consilium.runtime.seam.InProcessUnitExecutor;
import dev.consilium.runtime.seam.NoWorker;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.WorkUnit;
import dev.consilium.runtime.seam.WorkerCache;
import dev.consilium.runtime.seam.WorkerSpec;
import dev.consilium.runtime.seam.UnitExecutor;
import dev.consilium.runtime.loop.Experiment;
import dev.consilium.runtime.loop.ExperimentRun;
import dev.consilium.cluster.judge.StubJudgeServer;
import dev.consilium.cluster.spark.ClusterConf;
import dev.consilium.cluster.spark.LocalClusterHome;
import dev.consilium.cluster.spark.SparkUnitExecutor;
import dev.consilium.rewards.judge.Judge;
import dev.consilium.rewards.verdict.Verdict;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark's {@code local-cluster[2,1,1024]}: two worker processes' executor JVMs, started from the Maven classpath
 * alone. One context for the class: executors take seconds to start on a loaded two-core machine.
 */
class LocalClusterTest {

    private static SparkUnitExecutor spark;
    private static JudgeFixture judge;
    private static Map<String, List<JsonNode>> inProcess;
    @TempDir
    static Path runs;

    @BeforeAll
    static void start() {
        String classpath = LocalClusterHome.prepare();
        judge = new JudgeFixture(Duration.ZERO);
        spark = SparkUnitExecutor.start(ClusterConf.secured(ClusterConf.base("local-cluster[2,1,1024]", "consilium-cluster-test"), null)
                .set("spark.ui.enabled", "false")
                .set("spark.authenticate.secret", "local-cluster-test-secret")
                .set("spark.executor.extraClassPath", classpath)
                .set("spark.executor.extraJavaOptions", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                // what the run path's shipped key must stay out of, as the judge units' key stays out of local mode's
                .set("spark.eventLog.enabled", "true")
                .set("spark.eventLog.dir", events().toUri().toString())
                .set("spark.eventLog.compress", "false"));
    }

    private static Path events() {
        try {
            return Files.createDirectories(runs.resolve("events"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (spark != null) spark.close();
        if (judge != null) judge.close();
        // the executors' own logs: nothing they print may hold the key they were shipped
        assertFalse(SparkLocalModeTest.readAll(LocalClusterHome.workDir()).contains(JudgeFixture.KEY),
                "the key is in an executor's stdout or stderr under " + LocalClusterHome.workDir());
        String log = SparkLocalModeTest.readAll(events());
        assertTrue(log.contains("SparkListenerEnvironmentUpdate"), "the event log was written");
        assertFalse(log.contains(JudgeFixture.KEY), "the shipped key is in the event log");
    }

    /** Where and on which attempt a unit ran. */
    record Ran(long pid, int attempt) implements java.io.Serializable {}

    static List<WorkUnit<Integer>> numbered(int n) {
        List<WorkUnit<Integer>> units = new ArrayList<>();
        for (int i = 0; i < n; i++) units.add(WorkUnit.of("u" + i, i));
        return units;
    }

    /** Executors register asynchronously, and one killed by a test is replaced: wait for both. */
    private static void awaitBothExecutors() {
        spark.awaitExecutors(2, Duration.ofSeconds(90));
    }

    @Test
    void unitsRunInExecutorJvmsNotTheDriver() {
        awaitBothExecutors();
        Map<String, Ran> ran = spark.runAll(new NoWorker(), SecretEnv.NONE, numbered(8),
                (w, u) -> new Ran(ProcessHandle.current().pid(), SparkUnitExecutor.attempt()));
        assertEquals(8, ran.size());
        Set<Long> pids = new HashSet<>();
        ran.values().forEach(r -> pids.add(r.pid()));
        assertFalse(pids.contains(ProcessHandle.current().pid()), "a unit ran in the driver");
        // which executor takes which task is the scheduler's choice: one may take all of these short units
        assertTrue(pids.size() <= 2, "more JVMs than the two executors ran units: " + pids);
    }

    @Test
    void judgesAsInProcessFromExecutorsOnceBuiltPerJvm() {
        List<WorkUnit<JudgeItem>> units = JudgeFixture.items(16);
        Map<String, Verdict> local = Judgments.judge(new InProcessUnitExecutor(4), judge.spec, judge.secrets, units);
        Map<String, Verdict> remote = Judgments.judge(spark, judge.spec, judge.secrets, units);
        assertEquals(List.copyOf(local.keySet()), List.copyOf(remote.keySet()));
        for (String id : local.keySet()) {
            assertInstanceOf(Verdict.Score.class, remote.get(id), id + ": the executor's judge reached the API with its key");
            assertEquals(VerdictJson.write(local.get(id)), VerdictJson.write(remote.get(id)), id);
        }
        // each executor JVM built the judge once, however many of the 16 tasks it ran
        JudgeSpec spec = judge.spec;
        UnitFunction<Judge, Integer, Integer> buildsHere = (j, u) -> WorkerCache.builds(spec);
        Map<String, Integer> builds = spark.runAll(spec, judge.secrets, numbered(8), buildsHere);
        assertEquals(Set.of(1), Set.copyOf(builds.values()));
    }

    /** The reference: the same experiment in-process, run once for the class. */
    private static Map<String, List<JsonNode>> inProcessJournals() {
        if (inProcess == null) {
            Path out = runs.resolve("in-process");
            RunFixture.start(out).run();
            inProcess = RunFixture.journals(out);
            assertFalse(inProcess.get("preferences").isEmpty() && inProcess.get("trajectories").isEmpty());
        }
        return inProcess;
    }

    @Test
    void aRunOnTheClusterJournalsWhatTheInProcessRunDoesRecordByRecord() {
        awaitBothExecutors();
        Path out = runs.resolve("on-spark");
        RunFixture.start(out).withExecutor(spark).run();
        assertJournalsEqual(inProcessJournals(), RunFixture.journals(out));
    }

    /**
     * A round judged by an API judge (a loopback stub answering 401 without the key) on the cluster: its pointwise
     * verdicts are units on the executors, which rebuild the judge from its recipe with the key shipped inside the
     * job; every verdict scores (so the key arrived), the journals equal the in-process run's, and the key is in
     * neither the configuration nor (checked after the class) the event log or the executors' logs.
     */
    @Test
    void aRoundJudgedByAnApiJudgeOnTheClusterScoresWithTheShippedKeyAsInProcess() throws IOException {
        awaitBothExecutors();
        try (StubJudgeServer api = StubJudgeServer.start(JudgeFixture.KEY, Duration.ZERO, 0, 1)) {
            Path providers = stubProviders(api, "stub-providers.json");
            Path remote = runs.resolve("judged-on-spark");
            Map<String, Integer> specs = inProcessAndOnSpark("judged", out -> RunFixture.judged(out, "stub-judge", providers, null));
            assertEquals(1, specs.get("JudgePanel"), "the round's pointwise judging was one job on the cluster: " + specs);
            assertEquals(0, api.refused(), "every judge call carried the key");
            List<JsonNode> verdicts = RunFixture.journals(remote).get("verdicts");
            assertFalse(verdicts.isEmpty());
            for (JsonNode v : verdicts) assertEquals("score", v.get("judges").get(0).get("type").asText(), v.toString());
            assertJournalsEqual(RunFixture.journals(runs.resolve("judged-in-process")), RunFixture.journals(remote));
            assertFalse(spark.context().getConf().toDebugString().contains(JudgeFixture.KEY), "the key is in SparkConf.toDebugString");
        }
    }

    /**
     * A round judged by a group judge over the stub API on the cluster: each task group's call is a unit the executors
     * run with the group judge rebuilt from its recipe and the key shipped inside the job, and the journals equal the
     * in-process run's.
     */
    @Test
    void aRoundJudgedByAGroupJudgeOnTheClusterJournalsAsInProcess() throws IOException {
        awaitBothExecutors();
        try (StubJudgeServer api = StubJudgeServer.start(JudgeFixture.KEY, Duration.ZERO, 0, 1)) {
            Path providers = stubProviders(api, "group-providers.json");
            Path remote = runs.resolve("grouped-on-spark");
            Map<String, Integer> specs = inProcessAndOnSpark("grouped", out -> RunFixture.groupJudged(out, "stub-judge", providers));
            assertEquals(1, specs.get("JudgePanel"), "the round's group calls were one job on the cluster: " + specs);
            assertEquals(0, api.refused(), "every group call carried the key");
            List<JsonNode> verdicts = RunFixture.journals(remote).get("verdicts");
            assertFalse(verdicts.isEmpty());
            for (JsonNode v : verdicts) assertEquals("stub-judge", v.get("judges").get(0).get("judge").asText(), v.toString());
            assertJournalsEqual(RunFixture.journals(runs.resolve("grouped-in-process")), RunFixture.journals(remote));
        }
    }

    /** The stub API as the deployment {@code stub-judge} of the providers file {@code file}, its key's variable named. */
    private static Path stubProviders(StubJudgeServer api, String file) throws IOException {
        return Files.writeString(runs.resolve(file), """
                {"deployments": [{"name": "stub-judge", "model": "openai/stub-judge", "baseUrl": "%s",
                                  "apiKeyEnv": "%s", "maxRetries": 0}]}""".formatted(api.baseUrl(), JudgeFixture.VARIABLE));
    }

    /**
     * The experiment {@code experiment} makes run with the stub's key in-process into {@code NAME-in-process}, then on
     * the cluster into {@code NAME-on-spark}; the worker specs the cluster's jobs were given, counted by class.
     */
    private static Map<String, Integer> inProcessAndOnSpark(String name, java.util.function.Function<Path, Experiment> experiment) {
        SecretEnv keys = SecretEnv.of(Map.of(JudgeFixture.VARIABLE, JudgeFixture.KEY));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        ExperimentRun.start(experiment.apply(runs.resolve(name + "-in-process")), quiet, keys).run();
        Map<String, Integer> specs = new java.util.concurrent.ConcurrentHashMap<>();
        ExperimentRun.start(experiment.apply(runs.resolve(name + "-on-spark")), quiet, keys).withExecutor(new Counting(spark, specs)).run();
        return specs;
    }

    /**
     * A round judged by the built-in demo judge on the cluster: its checkpoint travels inside the judging job (the
     * executors load it from the shipped files), and the journals, verdicts included, equal the in-process run's.
     */
    @Test
    void aRoundJudgedByABuiltInJudgeOnTheClusterJournalsAsInProcess() {
        awaitBothExecutors();
        String judge = "builtin/" + Path.of("..").toAbsolutePath().normalize().resolve("models/demo-judge");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Path local = runs.resolve("builtin-in-process"), remote = runs.resolve("builtin-on-spark");
        ExperimentRun.start(RunFixture.judged(local, judge, null, "arithmetic-judge"), quiet).run();
        Map<String, Integer> specs = new java.util.concurrent.ConcurrentHashMap<>();
        ExperimentRun.start(RunFixture.judged(remote, judge, null, "arithmetic-judge"), quiet).withExecutor(new Counting(spark, specs)).run();
        assertEquals(1, specs.get("JudgePanel"), "the round's pointwise judging was one job on the cluster: " + specs);
        List<JsonNode> verdicts = RunFixture.journals(remote).get("verdicts");
        assertFalse(verdicts.isEmpty());
        assertFalse(verdicts.getFirst().get("judges").get(0).get("raw").asText().isEmpty(), "the executors' judge wrote");
        assertJournalsEqual(RunFixture.journals(local), RunFixture.journals(remote));
    }

    /** Spark's executor, counting the worker specs its jobs were given, by class. */
    private record Counting(SparkUnitExecutor spark, Map<String, Integer> specs) implements UnitExecutor {
        @Override
        public <W, P extends java.io.Serializable, R extends java.io.Serializable> Map<String, R> runAll(
                WorkerSpec<W> spec, SecretEnv secrets, List<WorkUnit<P>> units, UnitFunction<W, P, R> fn) {
            specs.merge(spec.getClass().getSimpleName(), 1, Integer::sum);
            return spark.runAll(spec, secrets, units, fn);
        }

        @Override
        public int slots() {
            return spark.slots();
        }
    }

    @Test
    void anExecutorKilledMidRoundIsReRunAndTheJournalsHaveEveryRecordOnce() {
        awaitBothExecutors();
        ExecutorKiller killer = new ExecutorKiller();
        spark.context().sc().addSparkListener(killer);
        Path out = runs.resolve("killed");
        try {
            RunFixture.start(out).withExecutor(spark).run();
        } finally {
            spark.context().sc().removeSparkListener(killer);
        }
        assertTrue(killer.killed() > 0, "an executor JVM was killed mid-round");
        assertTrue(killer.failedTasks() > 0, "the killed executor's task failed and was re-run");
        Map<String, List<JsonNode>> got = RunFixture.journals(out);
        for (Map.Entry<String, List<JsonNode>> j : got.entrySet()) {
            Set<String> ids = new HashSet<>();
            for (JsonNode r : j.getValue()) assertTrue(ids.add(r.get("id").asText()), j.getKey() + " holds " + r.get("id") + " twice");
        }
        assertJournalsEqual(inProcessJournals(), got);
    }

    private static void assertJournalsEqual(Map<String, List<JsonNode>> expected, Map<String, List<JsonNode>> actual) {
        for (String journal : RunFixture.JOURNALS) {
            List<JsonNode> e = expected.get(journal), a = actual.get(journal);
            assertEquals(e.size(), a.size(), journal + ": records");
            // record by record, so a difference names the first record that differs
            for (int i = 0; i < e.size(); i++) assertEquals(e.get(i), a.get(i), journal + " record " + i);
        }
    }

    @Test
    void anExecutorKilledMidJobLosesNoUnitAndDuplicatesNone() {
        awaitBothExecutors();
        // unit u5's first attempt kills its own executor JVM by process id; Spark must re-run what it lost
        Map<String, Ran> ran = spark.runAll(new NoWorker(), SecretEnv.NONE, numbered(12), (w, u) -> {
            long pid = ProcessHandle.current().pid();
            if (u.id().equals("u5") && SparkUnitExecutor.attempt() == 0) {
                new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
            }
            return new Ran(pid, SparkUnitExecutor.attempt());
        });
        assertEquals(numbered(12).stream().map(WorkUnit::id).toList(), List.copyOf(ran.keySet()), "exactly one result per unit");
        Ran rerun = ran.get("u5");
        assertTrue(rerun.attempt() >= 1, "u5 was re-run after its executor died: " + rerun);
        assertNotEquals(ProcessHandle.current().pid(), rerun.pid());
    }
}
