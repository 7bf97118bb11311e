package dev.consilium.cluster;

import dev.consilium.cluster.bench.SumItems;
import dev.consilium.cluster.judge.JudgeItem;
import dev.consilium.cluster.judge.JudgeSpec;
import dev.consilium.cluster.judge.StubJudgeServer;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.WorkUnit;
import dev.consilium.rewards.judge.Scale;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A stub API judge on loopback, the spec naming it, its key, and items to judge. */
final class JudgeFixture implements AutoCloseable {
    /** Long enough that {@code Secrets} treats it as a key; distinctive enough to grep for. */
    static final String KEY = "sk-test-cluster-7f3a9c1e5b";
    static final String VARIABLE = "OPENAI_API_KEY";

    final StubJudgeServer server;
    final JudgeSpec spec;
    final SecretEnv secrets = SecretEnv.of(Map.of(VARIABLE, KEY));

    JudgeFixture(Duration latency) {
        server = StubJudgeServer.start(KEY, latency, 1, 5);
        spec = server.spec(VARIABLE, "The answer states the correct sum.", Scale.ONE_TO_FIVE, 42);
    }

    static List<WorkUnit<JudgeItem>> items(int n) {
        return SumItems.of(n);
    }

    @Override
    public void close() {
        server.close();
    }
}
