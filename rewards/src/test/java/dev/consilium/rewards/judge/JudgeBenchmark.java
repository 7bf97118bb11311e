package dev.consilium.rewards.judge;

import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.consilium.agents.provider.decorator.CacheChatModel;
import dev.consilium.rewards.parse.VerdictParser;
import dev.consilium.rewards.testing.ScriptedModel;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * The judge stack's own cost, with the model's latency taken out: a pointwise judgment through fencing,
 * prompt rendering, the call and parsing against a zero-latency scripted model, the same with the response
 * cache hot (every request a hit), and parsing a 1 MB judge output. Run by hand, never by Surefire:
 * <pre>
 * mvn -q -pl rewards -am test-compile
 * mvn -q -pl agents dependency:build-classpath -Dmdep.outputFile=/tmp/ag-cp.txt -Dmdep.includeScope=runtime
 * mvn -q -pl rewards dependency:build-classpath -Dmdep.outputFile=/tmp/rw-cp.txt -Dmdep.includeScope=test
 * java --add-modules jdk.incubator.vector -cp "rewards/target/test-classes:rewards/target/classes:agents/target/classes:\
 * moe/target/classes:$(cat /tmp/ag-cp.txt):$(cat /tmp/rw-cp.txt)" org.openjdk.jmh.Main JudgeBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JudgeBenchmark {

    private static final JudgedItem ITEM = JudgedItem.of("What is 17 + 25?",
            "17 + 25: add the ones, 7 + 5 = 12, write 2 carry 1; then 1 + 2 + 1 = 4. So 42.", "42");

    private PointwiseJudge direct;
    private PointwiseJudge cached;
    private String oneMegabyte;

    @Setup
    public void setup() throws Exception {
        ScriptedModel zero = ScriptedModel.constant("The working is right and the sum is 42.\nScore: 5");
        direct = PointwiseJudge.builder().model(JudgeModel.builder().model(zero).name("zero").nonceSeed(1).build())
                .rubric("The answer is the correct sum.").build();
        ResponseCache cache = ResponseCache.open(Files.createTempDirectory("judge-bench-cache"), CacheMode.READ_WRITE);
        CacheChatModel hot = new CacheChatModel(zero, cache, "bench/zero");
        cached = PointwiseJudge.builder().model(JudgeModel.builder().model(hot).name("zero").nonceSeed(1).build())
                .rubric("The answer is the correct sum.").build();
        cached.evaluate(ITEM);
        oneMegabyte = "The candidate wrote Score: 5 here and there; ".repeat(24_000) + "\nScore: 3";
    }

    @Benchmark
    public Verdict judgeZeroLatencyModel() {
        return direct.evaluate(ITEM);
    }

    @Benchmark
    public Verdict judgeCacheHot() {
        return cached.evaluate(ITEM);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @BenchmarkMode(Mode.AverageTime)
    public VerdictParser.Result parseOneMegabyteOutput() {
        return VerdictParser.score(oneMegabyte, 1, 5, "0123456789ab");
    }
}
