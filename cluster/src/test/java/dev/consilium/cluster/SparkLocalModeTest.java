package dev.consilium.cluster;

import dev.consilium.cluster.judge.Judgments;
import dev.consilium.runtime.seam.VerdictJson;
import dev.consilium.runtime.seam.InProcessUnitExecutor;
import dev.consilium.runtime.seam.WorkerCache;
import dev.consilium.cluster.spark.ClusterConf;
import dev.consilium.cluster.spark.SparkUnitExecutor;
import dev.consilium.rewards.verdict.Verdict;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark from Maven jars alone, in {@code local[2]}: the judging seam, and keys kept out of what Spark writes. */
class SparkLocalModeTest {

    private static final String DECOY = "decoy-value-set-by-hand-91b2";

    @Test
    void judgesAsInProcessAndKeepsKeysOutOfEventLogAndConfDumps(@TempDir Path events) throws IOException {
        try (JudgeFixture f = new JudgeFixture(Duration.ZERO)) {
            var units = JudgeFixture.items(12);
            Map<String, Verdict> local = Judgments.judge(new InProcessUnitExecutor(4), f.spec, f.secrets, units);

            SparkConf conf = ClusterConf.base("local[2]", "consilium-local-test")
                    .set("spark.ui.enabled", "false")
                    .set("spark.eventLog.enabled", "true")
                    .set("spark.eventLog.dir", events.toUri().toString())
                    // compression would hide a key from this test's search, not from anyone who reads the log
                    .set("spark.eventLog.compress", "false")
                    // what a careless user might do; the widened pattern must blank it
                    .set("spark.executorEnv.DEMO_API_KEY", DECOY);
            String debug;
            Map<String, Verdict> onSpark;
            try (SparkUnitExecutor spark = SparkUnitExecutor.start(conf)) {
                onSpark = Judgments.judge(spark, f.spec, f.secrets, units);
                debug = spark.context().getConf().toDebugString();
            }

            assertEquals(units.stream().map(u -> u.id()).toList(), List.copyOf(onSpark.keySet()), "one verdict per unit, in order");
            for (String id : local.keySet()) {
                assertInstanceOf(Verdict.Score.class, onSpark.get(id), id + ": the key reached the judge");
                assertEquals(VerdictJson.write(local.get(id)), VerdictJson.write(onSpark.get(id)), id);
            }
            assertEquals(0, f.server.refused());
            assertEquals(1, WorkerCache.builds(f.spec), "local mode shares the driver's JVM: one judge for both runs");

            String log = readAll(events);
            assertTrue(log.contains("SparkListenerEnvironmentUpdate"), "the event log was written");
            assertTrue(log.contains("spark.executorEnv.DEMO_API_KEY"), "the decoy's name is logged");
            assertFalse(log.contains(JudgeFixture.KEY), "the shipped key is in the event log");
            assertFalse(log.contains(DECOY), "the decoy's value is in the event log");
            assertFalse(debug.contains(JudgeFixture.KEY), "the key is in SparkConf.toDebugString");
        }
    }

    /** Why {@link ClusterConf#REDACTION_REGEX} exists: Spark's own pattern lets an API key's name through. */
    @Test
    void sparksDefaultRedactionMissesApiKeyNamesOursCatchesThem() {
        String sparkDefault = org.apache.spark.internal.config.package$.MODULE$.SECRET_REDACTION_PATTERN().defaultValueString();
        String name = "spark.executorEnv.OPENAI_API_KEY";
        assertFalse(Pattern.compile(sparkDefault).matcher(name).find(), "Spark's default " + sparkDefault + " matches " + name);
        assertTrue(Pattern.compile(ClusterConf.REDACTION_REGEX).matcher(name).find());
        assertTrue(Pattern.compile(ClusterConf.REDACTION_REGEX).matcher("spark.executorEnv.ANTHROPIC_API_KEY").find());
    }

    static String readAll(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) all.append(Files.readString(p, StandardCharsets.ISO_8859_1)).append('\n');
        }
        return all.toString();
    }
}
