package dev.consilium.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.cluster.judge.JudgeItem;
import dev.consilium.cluster.judge.JudgeSpec;
import dev.consilium.cluster.judge.Judgments;
import dev.consilium.cluster.judge.VerdictJson;
import dev.consilium.runtime.seam.InProcessUnitExecutor;
import dev.consilium.runtime.seam.NoWorker;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.WorkUnit;
import dev.consilium.runtime.seam.WorkerCache;
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
                .set("spark.executor.extraJavaOptions", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (spark != null) spark.close();
        if (judge != null) judge.close();
        // the executors' own logs: nothing they print may hold the key they were shipped
        assertFalse(SparkLocalModeTest.readAll(LocalClusterHome.workDir()).contains(JudgeFixture.KEY),
                "the key is in an executor's stdout or stderr under " + LocalClusterHome.workDir());
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
