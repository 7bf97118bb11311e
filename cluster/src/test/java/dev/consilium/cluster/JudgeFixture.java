package dev.consilium.cluster;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.cluster.judge.JudgeItem;
import dev.consilium.cluster.judge.JudgeSpec;
import dev.consilium.cluster.judge.StubJudgeServer;
import dev.consilium.cluster.seam.SecretEnv;
import dev.consilium.cluster.seam.WorkUnit;
import dev.consilium.rewards.judge.Scale;

import java.time.Duration;
import java.util.ArrayList;
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
        ProvidersConfig providers = ProvidersConfig.of(Deployment.builder().name("stub-judge").model("openai/stub-judge")
                .baseUrl(server.baseUrl()).apiKeyEnv(VARIABLE).maxRetries(0).build());
        spec = JudgeSpec.of(providers, "stub-judge", "The answer states the correct sum.", Scale.ONE_TO_FIVE, 42);
    }

    static List<WorkUnit<JudgeItem>> items(int n) {
        List<WorkUnit<JudgeItem>> units = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            units.add(WorkUnit.of("item-" + i, new JudgeItem("What is " + i + " + " + (2 * i) + "?",
                    Integer.toString(3 * i + (i % 3 == 0 ? 1 : 0)), Integer.toString(3 * i))));
        }
        return units;
    }

    @Override
    public void close() {
        server.close();
    }
}
