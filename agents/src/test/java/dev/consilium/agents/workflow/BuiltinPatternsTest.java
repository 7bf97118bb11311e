package dev.consilium.agents.workflow;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.TokenLogprob;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every pattern end to end on the shipped built-in checkpoint {@code models/demo-policy}, decoding greedily and at
 * most a few tokens: each call is recorded with the token ids and logprobs the model sampled, and the trajectory
 * reads back from its JSON unchanged. {@link WorkflowsTest} checks the patterns' logic on scripted models.
 */
class BuiltinPatternsTest {

    /** The repository's checkpoint, from the module directory Surefire runs in. */
    static final String POLICY = "builtin/" + Path.of("..", "models", "demo-policy");
    static final ChatRequestParameters GREEDY = ChatRequestParameters.builder().temperature(0.0).maxOutputTokens(4).build();
    static final Providers PROVIDERS = Providers.builder().build();

    static Agent agent(String name, String role) {
        return Agent.builder().name(name).role(role).model(POLICY).providers(PROVIDERS).parameters(GREEDY).build();
    }

    static final Agent SOLVER = agent("solver", "You solve arithmetic problems. Answer with the number only.");
    static final Agent REVISER = agent("reviser", "You check a proposed answer and give the correct number.");

    /** Every call answered by the built-in model with its tokens, and the JSON round trip exact; {@code t} back. */
    static Trajectory recordedInFull(Trajectory t, int calls) {
        assertTrue(t.completed(), () -> String.valueOf(t.failure()));
        assertEquals(calls, t.calls().size(), () -> "calls: " + t.calls());
        for (ModelCall c : t.calls()) {
            assertNull(c.error(), c.path());
            assertTrue(c.model().endsWith("demo-policy"), c.path() + ": answered by " + c.model());
            assertFalse(c.tokens().isEmpty(), c.path() + ": no tokens");
            assertEquals(c.usage().outputTokens(), c.tokens().size(), c.path());
            for (TokenLogprob tok : c.tokens()) {
                assertTrue(tok.id() >= 0, c.path() + ": token id " + tok.id());
                assertTrue(tok.logprob() <= 0 && Double.isFinite(tok.logprob()), c.path() + ": logprob " + tok.logprob());
                assertFalse(tok.top().isEmpty(), c.path() + ": no alternatives");
            }
        }
        assertEquals(t, Trajectory.fromJson(t.toJson()));
        return t;
    }

    static List<String> paths(Trajectory t) {
        return t.calls().stream().map(ModelCall::path).sorted().toList();
    }

    @Test
    void sequence() {
        Trajectory t = recordedInFull(Workflows.sequence(SOLVER, REVISER).run(Task.of("What is 2 + 3?")), 2);
        assertEquals(List.of("sequence/reviser", "sequence/solver"), paths(t));
        assertEquals(t.calls().get(1).output(), t.output());
    }

    @Test
    void parallel() {
        Trajectory t = recordedInFull(Workflows.parallel(SOLVER, agent("checker", "You solve it another way."))
                .combiner(REVISER).run(Task.of("What is 4 + 4?")), 3);
        assertEquals(List.of("parallel/checker", "parallel/reviser", "parallel/solver"), paths(t));
    }

    @Test
    void loop() {
        Trajectory t = recordedInFull(Workflows.loop(SOLVER, REVISER).maxRounds(2).run(Task.of("What is 7 - 2?")), 4);
        assertEquals(List.of("loop/round-1/reviser", "loop/round-1/solver", "loop/round-2/reviser", "loop/round-2/solver"),
                paths(t));
    }

    @Test
    void debate() {
        Trajectory t = recordedInFull(Workflows.debate(List.of(SOLVER, agent("other", "You solve arithmetic problems.")),
                2, REVISER).run(Task.of("What is 10 + 5?")), 5);
        assertEquals(List.of("debate/aggregate/reviser", "debate/round-1/other", "debate/round-1/solver",
                "debate/round-2/other", "debate/round-2/solver"), paths(t));
    }

    @Test
    void vote() {
        Trajectory t = recordedInFull(Workflows.vote(SOLVER, 3, VoteStrategy.majority()).run(Task.of("What is 3 + 3?")), 3);
        // Greedy samples are one answer three times: the same tokens, the same logprobs.
        assertEquals(1, t.calls().stream().map(ModelCall::tokens).distinct().count());
        assertEquals(t.calls().getFirst().output(), t.output());
    }

    /**
     * The router sends its requests without parameters; these are the test's greedy ones, as a deployment's
     * defaults would be. The demo policy is an arithmetic solver, so a route is named after what it answers to
     * this exact router prompt ("5"): its greedy reply decides, reproducibly, which node acts. A retrained
     * checkpoint may answer otherwise; the failure quotes the reply, and the route takes that name.
     */
    @Test
    void router() {
        ChatModel policy = PROVIDERS.chatModel(POLICY);
        ChatModel greedy = new ChatModel() {
            @Override
            public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
                return policy.chat(ChatRequest.builder().messages(request.messages()).parameters(GREEDY).build(), options);
            }
        };
        Trajectory t = recordedInFull(Workflows.router(greedy, agent("5", "You solve arithmetic problems."),
                agent("reviser", "You check the answer.")).maxSteps(1).run(Task.of("What is 2 + 3?")), 2);
        assertEquals(List.of("router", "router/step-1/5"), paths(t));
    }

    @Test
    void map() {
        List<Task> tasks = List.of(Task.of("a", "What is 1 + 1?"), Task.of("b", "What is 2 + 2?"), Task.of("c", "What is 9 - 4?"));
        List<Trajectory> out = Workflows.map(SOLVER, tasks).concurrency(3).run();
        assertEquals(List.of("a", "b", "c"), out.stream().map(t -> t.task().id()).toList());
        for (Trajectory t : out) recordedInFull(t, 1);
    }
}
