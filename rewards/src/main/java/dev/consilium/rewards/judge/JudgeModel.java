package dev.consilium.rewards.judge;

import dev.consilium.agents.provider.decorator.DeadlineExceededException;
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

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The model behind a judge and how it is called: any LangChain4j {@link ChatModel} (an API model from
 * {@code Providers}, the built-in model, a scripted one in tests), the name verdicts record, an optional price,
 * whether to ask for structured output, the nonce seed and the largest answer it accepts.
 *
 * <p>Nonces are derived from a secret seed and the request's content, so the same judgment sends the same
 * request (the response cache can answer it) while judged content still cannot predict its delimiters. Each
 * sample of a repeated judgment gets its own nonce, hence a distinct request.
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

    private JudgeModel(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model");
        this.name = Objects.requireNonNull(b.name, "name");
        this.price = b.price;
        this.structuredOutput = b.structuredOutput;
        this.nonceSeed = b.nonceSeed;
        this.maxAnswerChars = b.maxAnswerChars;
        this.temperature = b.temperature;
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
     * Asks once; a model failure becomes a {@link Failure} carrying the abstention. The format instruction and
     * response format follow {@link #structured()}.
     */
    Reply ask(PromptTemplate prompt, Material m, String textFormat, String jsonFormat, JsonObjectSchema schema) {
        boolean json = structured();
        m.put("format", json ? jsonFormat : textFormat);
        DefaultChatRequestParameters.Builder<?> parameters = DefaultChatRequestParameters.builder().temperature(temperature);
        if (json) {
            parameters.responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                    .jsonSchema(JsonSchema.builder().name(prompt.name() + "_verdict").rootElement(schema).build()).build());
        }
        ChatRequest.Builder request = ChatRequest.builder().messages(
                SystemMessage.from(prompt.renderSystem(m.values)), UserMessage.from(prompt.renderUser(m.values)))
                .parameters(parameters.build());
        ChatResponse response;
        try {
            response = model.chat(request.build());
        } catch (DeadlineExceededException e) {
            throw new Failure(AbstainReason.TIMEOUT, e.getMessage(), provenance(prompt, "", Usage.ZERO, m.flags));
        } catch (BudgetExceededException e) {
            throw new Failure(AbstainReason.BUDGET_EXCEEDED, e.getMessage(), provenance(prompt, "", Usage.ZERO, m.flags));
        } catch (RuntimeException e) {
            throw new Failure(AbstainReason.ERROR, name + " failed: " + e, provenance(prompt, "", Usage.ZERO, m.flags));
        }
        String text = response == null || response.aiMessage() == null || response.aiMessage().text() == null
                ? "" : response.aiMessage().text();
        Usage usage = response == null ? Usage.ZERO : Usage.of(response);
        return new Reply(text, response, provenance(prompt, text, usage, m.flags));
    }

    private Provenance provenance(PromptTemplate prompt, String raw, Usage usage, Set<Flag> flags) {
        return new Provenance(name, prompt.id(), raw, usage.inputTokens(), usage.outputTokens() + usage.reasoningTokens(),
                price == null ? 0 : price.cost(usage), flags);
    }

    /** Runs one judgment; a model failure or any unexpected exception becomes an abstention, never the caller's. */
    Verdict guard(PromptTemplate prompt, Supplier<Verdict> judgment) {
        try {
            return judgment.get();
        } catch (Failure f) {
            return f.abstain;
        } catch (RuntimeException e) {
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

    public static final class Builder {
        private ChatModel model;
        private String name;
        private ModelPrice price;
        private StructuredOutput structuredOutput = StructuredOutput.AUTO;
        private byte[] nonceSeed;
        private int maxAnswerChars = 200_000;
        private Double temperature = 0.0;

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
         * Fixes the secret the nonces derive from, making requests reproducible across processes (replayable from a
         * response cache). Keep it out of judged content's reach; by default a fresh random seed per judge model.
         */
        /**
         * The sampling temperature asked of the judge model: 0 by default, because a judge decides rather than
         * samples (its verdict on the same content stays the same); null leaves it to the model's defaults.
         */
        public Builder temperature(Double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder nonceSeed(long seed) {
            this.nonceSeed = Long.toString(seed).getBytes(StandardCharsets.UTF_8);
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
