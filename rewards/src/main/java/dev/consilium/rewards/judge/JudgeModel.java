package dev.consilium.rewards.judge;

import dev.consilium.agents.provider.decorator.DeadlineExceededException;
import dev.consilium.agents.provider.decorator.Failures;
import dev.consilium.agents.provider.ledger.BudgetExceededException;
import dev.consilium.agents.provider.ledger.ModelPrice;
import dev.consilium.agents.provider.ledger.Usage;
import dev.consilium.rewards.parse.ContentFence;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Flag;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The model behind a judge and how it is called: any LangChain4j {@link ChatModel} (an API model from
 * {@code Providers}, the built-in model, a scripted one in tests), the name verdicts record, an optional price,
 * whether to ask for structured output, the nonce seed and the largest answer it accepts.
 *
 * <p>Nonces are derived from a secret seed and the request's content, so the same judgment sends the same
 * request (the response cache can answer it) while judged content still cannot predict its delimiters. Each
 * sample of a repeated judgment gets its own nonce, hence a distinct request.
 *
 * <p>Each model call runs on its own virtual thread under the judge's own {@link Builder#timeout deadline}, so a
 * model that hangs, or throws anything at all (a checked exception thrown sneakily, a {@link StackOverflowError}),
 * costs one abstention and never the caller's thread. Scoped values bound by the caller do not reach that thread;
 * attribution travels with the request, as everywhere in the provider layer.
 */
public final class JudgeModel {

    /** When to ask the model for a JSON verdict under a schema. */
    public enum StructuredOutput { AUTO, ALWAYS, NEVER }

    private final ChatModel model;
    private final String name;
    private final ModelPrice price;
    private final StructuredOutput structuredOutput;
    private final byte[] nonceSeed;
    private final int maxAnswerChars;
    private final Double temperature;
    private final Duration timeout;
    /** Set once the model has rejected a request for logprobs; later calls do not ask. */
    private volatile boolean logprobsRefused;

    private JudgeModel(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model");
        this.name = Objects.requireNonNull(b.name, "name");
        this.price = b.price;
        this.structuredOutput = b.structuredOutput;
        this.nonceSeed = b.nonceSeed;
        this.maxAnswerChars = b.maxAnswerChars;
        this.temperature = b.temperature;
        this.timeout = b.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code model} under {@code name} (its ref, e.g. {@code openai/gpt-4o-mini}), with every default. */
    public static JudgeModel of(ChatModel model, String name) {
        return builder().model(model).name(name).build();
    }

    public String name() {
        return name;
    }

    /** Whether the judge decodes greedily: then asking twice gives the same answer and says nothing new. */
    boolean greedy() {
        return temperature != null && temperature == 0;
    }

    boolean structured() {
        return switch (structuredOutput) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> model.supportedCapabilities().contains(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
        };
    }

    /** 12 hex digits from the seed and the parts. */
    String nonce(Object... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(nonceSeed);
            for (Object p : parts) {
                sha.update((byte) 0);
                sha.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** Why {@code answer} cannot be judged, or null when it can. */
    String malformed(String answer) {
        if (answer.isBlank()) return "the answer is empty";
        if (answer.length() > maxAnswerChars) {
            return "the answer is " + answer.length() + " chars, over this judge's limit of " + maxAnswerChars;
        }
        return null;
    }

    /** A judge prompt's values, with its judged parts fenced and the flags raised while fencing them. */
    static final class Material {
        final Map<String, String> values = new LinkedHashMap<>();
        final Set<Flag> flags = EnumSet.noneOf(Flag.class);
        final String nonce;

        Material(String nonce) {
            this.nonce = nonce;
        }

        Material put(String key, String value) {
            values.put(key, value);
            return this;
        }

        /** Fences {@code content} under {@code tag} as the value of {@code key}. */
        Material fence(String key, String tag, String content) {
            ContentFence.Fenced f = ContentFence.fence(tag, content, nonce);
            flags.addAll(f.flags());
            values.put(key, f.text());
            return this;
        }

        /**
         * Fences each answer under {@code candidate_K} as the {@code candidates} value, numbered from 1, with
         * {@code count}; returns the flags each answer raised, so a verdict carries its own answer's flags.
         */
        List<Set<Flag>> candidates(List<String> answers) {
            StringBuilder out = new StringBuilder();
            List<Set<Flag>> each = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                ContentFence.Fenced f = ContentFence.fence("candidate_" + (i + 1), answers.get(i), nonce);
                each.add(f.flags());
                flags.addAll(f.flags());
                out.append("Candidate ").append(i + 1).append(":\n").append(f.text()).append("\n\n");
            }
            put("count", Integer.toString(answers.size()));
            put("candidates", out.toString().strip());
            return each;
        }

        /** The {@code reference} value: empty, or a labelled fenced reference answer. */
        Material reference(String reference) {
            if (reference == null) return put("reference", "");
            fence("reference", "reference", reference);
            values.put("reference", "Reference answer (known to be correct):\n" + values.get("reference") + "\n\n");
            return this;
        }
    }

    /** What the model said, the raw response (for logprobs), and the call's provenance. */
    record Reply(String text, ChatResponse response, Provenance provenance) {}

    /**
     * How one call departs from the judge's defaults: the alternatives per token to ask for (0: no logprobs) and
     * a temperature to sample at instead of the judge's own (null: the judge's).
     */
    record Call(int topLogprobs, Double temperature) {
        static final Call PLAIN = new Call(0, null);
    }

    Reply ask(PromptTemplate prompt, Material m, String textFormat, String jsonFormat, JsonObjectSchema schema) {
        return ask(prompt, m, textFormat, jsonFormat, schema, Call.PLAIN);
    }

    /**
     * Asks once; a model failure becomes a {@link Failure} carrying the abstention. The format instruction and
     * response format follow {@link #structured()}. Logprobs are asked for with OpenAI's {@code logprobs} and
     * {@code top_logprobs}, the names the OpenAI wire, OpenAI-compatible servers and the built-in model all read.
     */
    Reply ask(PromptTemplate prompt, Material m, String textFormat, String jsonFormat, JsonObjectSchema schema, Call call) {
        boolean json = structured();
        m.put("format", json ? jsonFormat : textFormat);
        ChatResponse response;
        boolean logprobs = call.topLogprobs() > 0 && !logprobsRefused;
        try {
            response = call(request(prompt, m, json, schema, call, logprobs), prompt, m.flags, logprobs);
        } catch (LogprobsRefused e) {
            // Some servers reject the logprobs fields (OpenAI's reasoning models answer 400): ask again without, and
            // when that is answered, stop asking this model for them. A request invalid for another reason fails
            // again here, and logprobs stay asked for.
            response = call(request(prompt, m, json, schema, call, false), prompt, m.flags, false);
            logprobsRefused = true;
        }
        String text = response == null || response.aiMessage() == null || response.aiMessage().text() == null
                ? "" : response.aiMessage().text();
        Usage usage = response == null ? Usage.ZERO : Usage.of(response);
        return new Reply(text, response, provenance(prompt, text, usage, m.flags));
    }

    private ChatRequest request(PromptTemplate prompt, Material m, boolean json, JsonObjectSchema schema, Call call, boolean logprobs) {
        DefaultChatRequestParameters.Builder<?> parameters = logprobs
                ? OpenAiChatRequestParameters.builder().logprobs(true).topLogprobs(call.topLogprobs())
                : DefaultChatRequestParameters.builder();
        parameters.temperature(call.temperature() != null ? call.temperature() : temperature);
        if (json) {
            parameters.responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                    .jsonSchema(JsonSchema.builder().name(prompt.name() + "_verdict").rootElement(schema).build()).build());
        }
        return ChatRequest.builder().messages(
                SystemMessage.from(prompt.renderSystem(m.values)), UserMessage.from(prompt.renderUser(m.values)))
                .parameters(parameters.build()).build();
    }

    /** A request that asked for logprobs was rejected as invalid (HTTP 400 or 422). */
    private static final class LogprobsRefused extends RuntimeException {
        LogprobsRefused() {
            super(null, null, false, false);
        }
    }

    /** The model's answer within {@link #timeout}, or a {@link Failure}; on expiry the call is cancelled. */
    private ChatResponse call(ChatRequest request, PromptTemplate prompt, Set<Flag> flags, boolean askedLogprobs) {
        FutureTask<ChatResponse> task = new FutureTask<>(() -> model.chat(request));
        Thread.ofVirtual().name("judge " + name).start(task);
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new Failure(AbstainReason.TIMEOUT, name + ": no answer within the judge's deadline of " + timeout
                    + "; the call was cancelled (JudgeModel.Builder.timeout sets it)", provenance(prompt, "", Usage.ZERO, flags));
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new Failure(AbstainReason.ERROR, name + ": interrupted while waiting for the judge model; the call was cancelled",
                    provenance(prompt, "", Usage.ZERO, flags));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            rethrowIfFatal(cause);
            int status = Failures.httpStatus(cause).orElse(0);
            if (askedLogprobs && (status == 400 || status == 422)) throw new LogprobsRefused();
            AbstainReason reason = switch (cause) {
                case DeadlineExceededException d -> AbstainReason.TIMEOUT;
                case BudgetExceededException b -> AbstainReason.BUDGET_EXCEEDED;
                default -> AbstainReason.ERROR;
            };
            String detail = reason == AbstainReason.ERROR ? name + " failed: " + cause : cause.getMessage();
            throw new Failure(reason, detail, provenance(prompt, "", Usage.ZERO, flags));
        }
    }

    /**
     * Errors the process cannot shrug off pass through: an {@link OutOfMemoryError} or an {@link InternalError}
     * says the whole JVM is in trouble, and an abstention would hide it while the run goes on failing. A
     * {@link StackOverflowError} is the exception: it belongs to the one thread that overflowed, whose stack has
     * unwound by the time it is caught (on the call's own thread, entirely gone), so it is one failed judgment
     * like any other, and a model or a parser that recurses too deep on hostile input must not stop the run.
     */
    static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) throw (VirtualMachineError) t;
    }

    private Provenance provenance(PromptTemplate prompt, String raw, Usage usage, Set<Flag> flags) {
        return new Provenance(name, prompt.id(), raw, usage.inputTokens(), usage.outputTokens() + usage.reasoningTokens(),
                price == null ? 0 : price.cost(usage), flags);
    }

    /**
     * Runs one judgment; a model failure or anything else thrown (checked exceptions thrown sneakily included, and
     * a {@link StackOverflowError}) becomes an abstention, never the caller's; see {@link #rethrowIfFatal}.
     */
    Verdict guard(PromptTemplate prompt, Supplier<Verdict> judgment) {
        try {
            return judgment.get();
        } catch (Failure f) {
            return f.abstain;
        } catch (Exception | StackOverflowError e) {
            return new Verdict.Abstain(AbstainReason.ERROR, "judging failed: " + e,
                    new Provenance(name, prompt.id(), "", 0, 0, 0, Set.of()));
        }
    }

    /** A judgment that ended before a verdict; {@link #guard} turns it into its abstention. */
    static final class Failure extends RuntimeException {
        final Verdict.Abstain abstain;

        Failure(AbstainReason reason, String detail, Provenance provenance) {
            super(detail, null, false, false);
            this.abstain = new Verdict.Abstain(reason, detail, provenance);
        }
    }

    /**
     * Long enough for a reasoning model's slow answer or a built-in judge queued behind rollouts on a busy CPU,
     * short enough that a hung connection costs one abstention rather than the run.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    public static final class Builder {
        private ChatModel model;
        private String name;
        private ModelPrice price;
        private StructuredOutput structuredOutput = StructuredOutput.AUTO;
        private byte[] nonceSeed;
        private int maxAnswerChars = 200_000;
        private Double temperature = 0.0;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {}

        public Builder model(ChatModel model) {
            this.model = model;
            return this;
        }

        /** The name verdicts record as their judge: the model ref. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Prices each call into the verdict's cost; unpriced calls cost 0. */
        public Builder price(ModelPrice price) {
            this.price = price;
            return this;
        }

        /** {@code AUTO} (default) asks for JSON under a schema when the model reports that capability. */
        public Builder structuredOutput(StructuredOutput structuredOutput) {
            this.structuredOutput = structuredOutput;
            return this;
        }

        /**
         * The sampling temperature asked of the judge model: 0 by default, because a judge decides rather than
         * samples (its verdict on the same content stays the same); null leaves it to the model's defaults.
         */
        public Builder temperature(Double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Fixes the secret the nonces derive from, making requests reproducible across processes (replayable from a
         * response cache). Keep it out of judged content's reach; by default a fresh random seed per judge model.
         */
        public Builder nonceSeed(long seed) {
            this.nonceSeed = Long.toString(seed).getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * The judge's own deadline for one model call, whatever the model's stack does (5 minutes by default): on
         * expiry the call is cancelled (its thread interrupted) and the verdict abstains with {@code TIMEOUT}.
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("a judge's timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Answers longer than this abstain as malformed (200,000 chars by default). */
        public Builder maxAnswerChars(int maxAnswerChars) {
            this.maxAnswerChars = maxAnswerChars;
            return this;
        }

        public JudgeModel build() {
            if (nonceSeed == null) {
                nonceSeed = new byte[16];
                new SecureRandom().nextBytes(nonceSeed);
            }
            return new JudgeModel(this);
        }
    }
}
