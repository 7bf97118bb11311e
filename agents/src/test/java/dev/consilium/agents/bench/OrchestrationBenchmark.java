package dev.consilium.agents.bench;

import dev.consilium.agents.Agent;
import dev.consilium.agents.MemoryPolicy;
import dev.consilium.agents.Task;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;
import dev.langchain4j.agentic.AgenticServices;
import dev.langchain4j.agentic.UntypedAgent;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Orchestration overhead per agent step: the same three-step sequence on the same zero-latency model (one
 * prebuilt response, no work), run by Consilium with its trajectory recorded and by langchain4j-agentic's
 * {@code sequenceBuilder}. Each invocation is three steps, so the scores are per step. Run with {@code -prof gc}
 * for allocation per step (gc.alloc.rate.norm). See docs/BENCH-AGENTS.md for the command.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseParallelGC")
public class OrchestrationBenchmark {

    /** Answers instantly with the same response: all the time measured is orchestration. */
    static final class ZeroLatencyModel implements ChatModel {
        private final ChatResponse response = ChatResponse.builder().aiMessage(AiMessage.from("42"))
                .modelName("zero").tokenUsage(new TokenUsage(10, 1)).build();

        @Override
        public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
            return response;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            return response;
        }
    }

    Workflow consilium;
    UntypedAgent agentic;
    Task task;
    Map<String, Object> input;

    @Setup
    public void setup() {
        ChatModel model = new ZeroLatencyModel();
        Agent a = Agent.builder().name("a").memory(MemoryPolicy.LAST).model(model).build();
        Agent b = Agent.builder().name("b").memory(MemoryPolicy.LAST).model(model).build();
        Agent c = Agent.builder().name("c").memory(MemoryPolicy.LAST).model(model).build();
        consilium = Workflows.sequence(a, b, c);
        agentic = AgenticServices.sequenceBuilder().subAgents(step(model, "a", "topic", "s1"),
                step(model, "b", "s1", "s2"), step(model, "c", "s2", "s3")).outputKey("s3").build();
        task = Task.of("What is 17 + 25?");
        input = Map.of("topic", "What is 17 + 25?");
    }

    private static UntypedAgent step(ChatModel model, String name, String in, String out) {
        return AgenticServices.agentBuilder().chatModel(model).name(name).userMessage("{{" + in + "}}")
                .inputKey(String.class, in).returnType(String.class).outputKey(out).build();
    }

    @Benchmark
    @OperationsPerInvocation(3)
    public Trajectory consiliumSequenceRecorded() {
        return consilium.run(task);
    }

    @Benchmark
    @OperationsPerInvocation(3)
    public Object agenticSequenceBuilder() {
        return agentic.invoke(input);
    }
}
