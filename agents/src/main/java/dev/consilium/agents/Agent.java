package dev.consilium.agents;

import dev.consilium.agents.provider.Providers;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.langchain4j.service.tool.ToolExecutor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model with a name and a role. Immutable and thread-safe; a workflow of one.
 * <pre>{@code
 * Agent solver = Agent.builder()
 *         .name("solver")
 *         .role("You solve arithmetic problems. Answer with the number only.")
 *         .model("openai/gpt-4o-mini")
 *         .build();
 * Trajectory t = solver.run(Task.of("What is 17 + 25?"));
 * }</pre>
 *
 * <p>What the model is sent: the role (plus, with an {@link Builder#outputType output type}, a line asking for
 * its JSON), the task as the first user message, then the turns its {@link MemoryPolicy} lets it see: its own
 * earlier turns as assistant messages, another agent's as a user message {@code "NAME: TEXT"}, a workflow's
 * instruction as a plain user message.
 *
 * <p>With an output type, a reply that does not parse is shown back to the model once with the parse error; a
 * second failure is an {@link InvalidOutputException}. With tools, the agent runs the tool calls the model asks
 * for and calls it again, up to {@link Builder#maxToolRounds} times.
 */
public final class Agent implements Workflow {

    private final String name;
    private final String role;
    private final String description;
    private final ChatModel model;
    private final RecordingChatModel recorded;
    private final StreamingChatModel streamingModel;
    private final Providers providers;
    private final String ref;
    private final List<Object> tools;
    private final List<ToolSpecification> toolSpecs;
    private final Map<String, ToolExecutor> executors;
    private final TypedOutput output;
    private final MemoryPolicy memory;
    private final ChatRequestParameters parameters;
    private final int maxToolRounds;
    private final SystemMessage system;

    private Agent(Builder b) {
        if (b.name == null || b.name.isBlank()) throw new IllegalArgumentException("agent: name is missing");
        if (b.name.contains("/")) throw new IllegalArgumentException("agent '" + b.name + "': a name cannot contain '/'");
        this.name = b.name;
        this.role = b.role;
        this.description = b.description;
        this.providers = b.providers;
        this.ref = b.ref;
        if (b.model != null) this.model = b.model;
        else if (b.ref != null) this.model = (b.providers != null ? b.providers : Models.providers()).chatModel(b.ref);
        else throw new IllegalArgumentException("agent '" + name + "': no model; call model(\"openai/gpt-4o-mini\") or model(chatModel)");
        this.recorded = (RecordingChatModel) RecordingChatModel.wrap(model);
        this.streamingModel = b.streamingModel;
        this.tools = List.copyOf(b.tools);
        this.toolSpecs = new ArrayList<>();
        Map<String, ToolExecutor> ex = new LinkedHashMap<>();
        for (Object tool : tools) {
            for (Method m : tool.getClass().getDeclaredMethods()) {
                if (!m.isAnnotationPresent(Tool.class)) continue;
                ToolSpecification spec = ToolSpecifications.toolSpecificationFrom(m);
                if (ex.put(spec.name(), new DefaultToolExecutor(tool, m)) != null) {
                    throw new IllegalArgumentException("agent '" + name + "': two tools named '" + spec.name() + "'");
                }
                toolSpecs.add(spec);
            }
        }
        if (!tools.isEmpty() && toolSpecs.isEmpty()) {
            throw new IllegalArgumentException("agent '" + name + "': the tool objects have no @Tool methods");
        }
        this.executors = Map.copyOf(ex);
        this.output = b.outputType == null ? null : new TypedOutput(b.outputType);
        this.memory = b.memory;
        this.parameters = b.parameters;
        this.maxToolRounds = b.maxToolRounds;
        String sys = role == null ? "" : role;
        if (output != null) sys = sys.isEmpty() ? output.instruction() : sys + "\n\n" + output.instruction();
        this.system = sys.isEmpty() ? null : SystemMessage.from(sys);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this agent's settings, e.g. to make a second debater under another name. */
    public Builder toBuilder() {
        Builder b = new Builder().name(name).role(role).description(description).memory(memory)
                .parameters(parameters).maxToolRounds(maxToolRounds).streamingModel(streamingModel)
                .providers(providers).tools(tools.toArray()).outputType(output == null ? null : output.type());
        return ref != null ? b.model(ref) : b.model(model);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description != null ? description : role != null && !role.isBlank() ? role : name;
    }

    public String role() {
        return role;
    }

    @Override
    public Turn respond(Conversation conversation) {
        Run.Position p = Run.position();
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) messages.add(system);
        messages.add(UserMessage.from(conversation.task().input()));
        for (Turn t : memory.visible(conversation.turns())) messages.add(render(t));
        Run.Recorded reply = call(p, messages);
        String text = reply.response().aiMessage().text();
        if (output == null) return new Turn(name, text == null ? "" : text, null);
        try {
            return typed(reply, text);
        } catch (IllegalArgumentException first) {
            messages.add(reply.response().aiMessage());
            messages.add(UserMessage.from("Your reply could not be read as the JSON asked for (" + first.getMessage()
                    + "). " + output.instruction()));
            Run.Recorded again = call(p, messages);
            String retry = again.response().aiMessage().text();
            try {
                return typed(again, retry);
            } catch (IllegalArgumentException second) {
                throw new InvalidOutputException("agent '" + name + "': reply is not the JSON of "
                        + output.type().getSimpleName() + " even after one repair: " + second.getMessage()
                        + "; reply was: " + abbreviate(retry), second);
            }
        }
    }

    private Turn typed(Run.Recorded reply, String text) {
        TypedOutput.Parsed parsed = output.parse(text);
        if (reply.slot() != null) reply.slot().parsed(parsed.json());
        return new Turn(name, text, parsed.value());
    }

    private ChatMessage render(Turn t) {
        if (t.isInstruction()) return UserMessage.from(t.text());
        if (t.agent().equals(name)) return AiMessage.from(t.text());
        return UserMessage.from(t.agent() + ": " + t.text());
    }

    /** One answer from the model, running any tool calls it asks for first. */
    private Run.Recorded call(Run.Position p, List<ChatMessage> messages) {
        Run.Recorded r = once(p, messages);
        for (int round = 1; r.response().aiMessage().hasToolExecutionRequests(); round++) {
            if (round > maxToolRounds) {
                throw new IllegalStateException("agent '" + name + "': the model still asked for tools after "
                        + maxToolRounds + " rounds of tool calls; raise maxToolRounds or check the tools' answers");
            }
            AiMessage ai = r.response().aiMessage();
            messages.add(ai);
            for (ToolExecutionRequest req : ai.toolExecutionRequests()) {
                ToolExecutor ex = executors.get(req.name());
                String result = ex == null ? "Error: there is no tool named '" + req.name() + "'; tools: "
                        + String.join(", ", executors.keySet()) : ex.execute(req, name);
                messages.add(ToolExecutionResultMessage.from(req, result));
            }
            r = once(p, messages);
        }
        return r;
    }

    private Run.Recorded once(Run.Position p, List<ChatMessage> messages) {
        ChatRequest.Builder b = ChatRequest.builder().messages(List.copyOf(messages));
        if (parameters != null) b.parameters(parameters);
        if (!toolSpecs.isEmpty()) b.toolSpecifications(toolSpecs);
        ChatRequest request = b.build();
        boolean toCaller = p != null && p.streamsToCaller();
        if (!toCaller) return recorded.chatRecorded(request);
        StreamingChatModel streaming = streamingModel();
        if (streaming == null || !toolSpecs.isEmpty()) {
            Run.Recorded r = recorded.chatRecorded(request);
            if (r.response().aiMessage().text() != null) p.run().partial(p, r.response().aiMessage().text());
            return r;
        }
        return RecordingChatModel.stream(streaming, request, text -> p.run().partial(p, text));
    }

    /** The given streaming model, else the ref's through the providers; null for a plain ChatModel agent. */
    private StreamingChatModel streamingModel() {
        if (streamingModel != null) return streamingModel;
        if (ref == null) return null;
        return (providers != null ? providers : Models.providers()).streamingChatModel(ref);
    }

    private static String abbreviate(String s) {
        if (s == null) return "(no text)";
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    @Override
    public String toString() {
        return "Agent[" + name + "]";
    }

    public static final class Builder {
        private String name;
        private String role;
        private String description;
        private ChatModel model;
        private String ref;
        private Providers providers;
        private StreamingChatModel streamingModel;
        private final List<Object> tools = new ArrayList<>();
        private Class<?> outputType;
        private MemoryPolicy memory = MemoryPolicy.ALL;
        private ChatRequestParameters parameters;
        private int maxToolRounds = 8;

        private Builder() {}

        /** Names the agent in step paths and trajectories; no '/'. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The system prompt. */
        public Builder role(String role) {
            this.role = role;
            return this;
        }

        /** What a router is told this agent does; the role by default. */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** A model ref, resolved through {@link #providers} (the {@link Models#providers() default} if unset). */
        public Builder model(String ref) {
            this.ref = Objects.requireNonNull(ref, "ref");
            this.model = null;
            return this;
        }

        /** Any LangChain4j model; its calls are recorded. */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            this.ref = null;
            return this;
        }

        public Builder providers(Providers providers) {
            this.providers = providers;
            return this;
        }

        /**
         * The model that streams this agent's answer when it is a run's final answer and the run has an
         * {@link RunOptions#onPartial} listener. An agent given a ref streams through its providers without this.
         */
        public Builder streamingModel(StreamingChatModel streamingModel) {
            this.streamingModel = streamingModel;
            return this;
        }

        /** Objects with LangChain4j {@link Tool @Tool} methods the model may call. */
        public Builder tools(Object... tools) {
            this.tools.addAll(List.of(tools));
            return this;
        }

        /** A record (or other Jackson-readable type) the reply is parsed into; the turn's value. */
        public Builder outputType(Class<?> outputType) {
            this.outputType = outputType;
            return this;
        }

        /** Which earlier turns the model sees; {@link MemoryPolicy#ALL} by default. */
        public Builder memory(MemoryPolicy memory) {
            this.memory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /** Request parameters (temperature, max tokens, a vendor's own) sent with every call. */
        public Builder parameters(ChatRequestParameters parameters) {
            this.parameters = parameters;
            return this;
        }

        /** Model calls that may ask for tools, in a row, before the agent gives up (8). */
        public Builder maxToolRounds(int maxToolRounds) {
            if (maxToolRounds < 1) throw new IllegalArgumentException("maxToolRounds must be >= 1, got " + maxToolRounds);
            this.maxToolRounds = maxToolRounds;
            return this;
        }

        public Agent build() {
            return new Agent(this);
        }
    }
}
