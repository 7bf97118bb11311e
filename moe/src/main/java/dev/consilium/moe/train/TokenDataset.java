package dev.consilium.moe.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.moe.tensor.IntList;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.ChatTokens;
import dev.consilium.moe.tokenizer.TemplateMessage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A token stream for language-model training: documents joined end to end, each followed by the
 * end-of-sentence token, cut into windows of {@code T + 1} tokens (inputs and their next-token targets).
 * Reads plain text, or JSONL whose lines are {@code {"text": ...}}, {@code {"tokens": [...]}} or a chat,
 * {@code {"messages": [{"role": "system"|"user"|"assistant", "content": ...}, ...]}} as OpenAI and TRL write
 * them, rendered with the DeepSeek-V3 {@link ChatTemplate} (which ends each assistant turn with the
 * end-of-sentence token itself).
 *
 * <p>Each target position carries a weight of 1 or 0. A chat's prompt (its system and user turns, the role
 * markers) is context, not something to learn to write: by default ({@link ChatLoss#ASSISTANT}) only the
 * assistant turns are targets, as supervised fine-tuning on conversations does (TRL's assistant-only loss),
 * so a model trained on chats spends its capacity on its answers. Text and token lines are targets throughout.
 */
public final class TokenDataset {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which tokens of a chat line are training targets. */
    public enum ChatLoss {
        /** The assistant turns and the end-of-sentence token closing each. */
        ASSISTANT,
        /** Every token, prompt included. */
        ALL
    }

    private final int[] tokens;
    /** Positions that are not training targets; null when every position is one. */
    private final BitSet untrained;
    /** Each position's weight as a target, where they are not all 1 or 0; null otherwise. */
    private final float[] weights;

    private TokenDataset(int[] tokens, BitSet untrained) {
        this(tokens, untrained, null);
    }

    private TokenDataset(int[] tokens, BitSet untrained, float[] weights) {
        this.tokens = tokens;
        this.untrained = untrained == null || untrained.isEmpty() ? null : untrained;
        this.weights = weights;
    }

    public static TokenDataset of(int[] tokens) {
        return new TokenDataset(tokens.clone(), null);
    }

    /**
     * A stream whose position {@code i} weighs {@code weights[i]} as a target (0: context only): what a caller
     * that wants some tokens to matter more than others (a judge's verdict over its reading) trains on.
     */
    public static TokenDataset weighted(int[] tokens, float[] weights) {
        if (weights.length != tokens.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + tokens.length + " tokens; give one per token");
        }
        BitSet untrained = new BitSet();
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || Float.isInfinite(weights[i])) {
                throw new IllegalArgumentException("weight " + weights[i] + " at position " + i + " is not a finite non-negative number");
            }
            if (weights[i] == 0) untrained.set(i);
        }
        return new TokenDataset(tokens.clone(), untrained, weights.clone());
    }

    /** As {@link #read(Path, BpeTokenizer, ChatLoss)}, with chats trained on their assistant turns only. */
    public static TokenDataset read(Path file, BpeTokenizer tokenizer) {
        return read(file, tokenizer, ChatLoss.ASSISTANT);
    }

    /**
     * Reads {@code file}: a {@code .jsonl} file line by line, anything else as one text. Errors name the
     * file and line: malformed JSON, a line with neither field, a token id outside the vocabulary.
     */
    public static TokenDataset read(Path file, BpeTokenizer tokenizer, ChatLoss chatLoss) {
        int eos = tokenizer.tokenId(ChatTemplate.END_OF_SENTENCE);
        IntList out = new IntList(1 << 16);
        BitSet untrained = new BitSet();
        ChatTemplate[] chat = new ChatTemplate[1];
        forEachRecord(file, (where, record) -> {
            if (record.messages() != null) {
                if (chat[0] == null) chat[0] = ChatTemplate.deepSeekV3(tokenizer);
                ChatTokens rendered = chat[0].render(record.messages(), false);
                if (chatLoss == ChatLoss.ASSISTANT) {
                    boolean[] mask = rendered.assistantMask();
                    for (int i = 0; i < mask.length; i++) if (!mask[i]) untrained.set(out.size() + i);
                }
                out.addAll(rendered.ids());
            } else if (record.isTokens()) {
                for (int id : record.tokens()) {
                    if (id < 0 || id >= tokenizer.vocabSize()) {
                        throw new IllegalArgumentException(where + ": token id " + id
                                + " is outside the vocabulary [0, " + tokenizer.vocabSize() + ")");
                    }
                }
                out.addAll(record.tokens());
            } else {
                out.addAll(tokenizer.encodeOrdinary(record.text()));
                out.add(eos);
            }
        });
        return new TokenDataset(out.toArray(), untrained);
    }

    /**
     * The texts of {@code file}: each text document and each chat message's content (token-id lines skipped),
     * what a tokenizer for it is trained on.
     */
    public static List<String> texts(Path file) {
        List<String> texts = new ArrayList<>();
        forEachRecord(file, (where, record) -> {
            if (record.messages() != null) {
                for (TemplateMessage m : record.messages()) texts.add(m.content());
            } else if (!record.isTokens()) {
                texts.add(record.text());
            }
        });
        return texts;
    }

    /** One document: text, token ids, or a chat; exactly one is non-null. */
    private record Doc(String text, int[] tokens, List<TemplateMessage> messages) {
        boolean isTokens() {
            return tokens != null;
        }
    }

    private interface DocConsumer {
        void accept(String where, Doc doc);
    }

    /** Plain text is one document; JSONL is one per non-blank line. Errors name file and line. */
    private static void forEachRecord(Path file, DocConsumer consumer) {
        try {
            if (!file.getFileName().toString().endsWith(".jsonl")) {
                consumer.accept(file.toString(), new Doc(Files.readString(file, StandardCharsets.UTF_8), null, null));
                return;
            }
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                int lineNo = 0;
                while ((line = in.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) continue;
                    String where = file + ":" + lineNo;
                    JsonNode o;
                    try {
                        o = JSON.readTree(line);
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
                    }
                    if (o.has("tokens")) {
                        JsonNode ids = o.get("tokens");
                        if (!ids.isArray()) throw new IllegalArgumentException(where + ": \"tokens\" must be an array");
                        int[] tokens = new int[ids.size()];
                        for (int i = 0; i < tokens.length; i++) {
                            JsonNode id = ids.get(i);
                            if (!id.canConvertToInt()) {
                                throw new IllegalArgumentException(where + ": token id " + id + " is not an integer");
                            }
                            tokens[i] = id.intValue();
                        }
                        consumer.accept(where, new Doc(null, tokens, null));
                    } else if (o.has("text") && o.get("text").isTextual()) {
                        consumer.accept(where, new Doc(o.get("text").textValue(), null, null));
                    } else if (o.has("messages")) {
                        consumer.accept(where, new Doc(null, null, messages(where, o.get("messages"))));
                    } else {
                        throw new IllegalArgumentException(where
                                + ": expected {\"text\": \"...\"}, {\"tokens\": [...]} or {\"messages\": [...]}");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<TemplateMessage> messages(String where, JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException(where + ": \"messages\" must be a non-empty array");
        }
        List<TemplateMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = where + ": messages[" + i + "]";
            JsonNode role = m.get("role"), content = m.get("content");
            if (role == null || !role.isTextual()) throw new IllegalArgumentException(at + ": missing \"role\"");
            if (content == null || !content.isTextual()) throw new IllegalArgumentException(at + ": missing \"content\" text");
            TemplateMessage.Role r = switch (role.textValue().toLowerCase(Locale.ROOT)) {
                case "system" -> TemplateMessage.Role.SYSTEM;
                case "user" -> TemplateMessage.Role.USER;
                case "assistant" -> TemplateMessage.Role.ASSISTANT;
                default -> throw new IllegalArgumentException(at + ": role \"" + role.textValue()
                        + "\" is not system, user or assistant");
            };
            out.add(new TemplateMessage(r, content.textValue()));
        }
        return out;
    }

    public int size() {
        return tokens.length;
    }

    /** Number of positions that are training targets. */
    public int trainedSize() {
        return untrained == null ? tokens.length : tokens.length - untrained.cardinality();
    }

    /** The first {@code 1 - fraction} of the stream and the last {@code fraction}, as (train, held-out). */
    public TokenDataset[] split(double heldoutFraction) {
        int cut = (int) Math.round(tokens.length * (1 - heldoutFraction));
        return new TokenDataset[] {
                new TokenDataset(Arrays.copyOfRange(tokens, 0, cut), untrained == null ? null : untrained.get(0, cut),
                        weights == null ? null : Arrays.copyOfRange(weights, 0, cut)),
                new TokenDataset(Arrays.copyOfRange(tokens, cut, tokens.length),
                        untrained == null ? null : untrained.get(cut, tokens.length),
                        weights == null ? null : Arrays.copyOfRange(weights, cut, tokens.length))};
    }

    /**
     * Fills B windows at uniformly random offsets: inputs (B*T), next-token targets (B*T) and each target's
     * weight (B*T; 1 for a training target, 0 for prompt context, or as {@link #weighted} set it).
     */
    public void sample(SplittableRandom rng, int B, int T, int[] inputs, int[] targets, float[] weights) {
        requireWindow(T);
        for (int b = 0; b < B; b++) copyWindow(rng.nextInt(tokens.length - T), b, T, inputs, targets, weights);
    }

    /**
     * Fills B consecutive windows starting at window {@code batch * B}, wrapping around the stream: the
     * order an independent implementation can reproduce exactly. Weights as in {@link #sample}.
     */
    public void sequential(long batch, int B, int T, int[] inputs, int[] targets, float[] weights) {
        requireWindow(T);
        long windows = (tokens.length - 1) / T;
        for (int b = 0; b < B; b++) copyWindow((int) (((batch * B + b) % windows) * T), b, T, inputs, targets, weights);
    }

    /** Number of whole windows of T + 1 tokens, for a full pass in {@link #sequential} order. */
    public int windows(int T) {
        return (tokens.length - 1) / T;
    }

    /**
     * Cross-entropy in nats per token of {@code eval} under this stream's unigram distribution (add-one
     * smoothed): the loss a model that ignores context would reach, the baseline training must beat.
     */
    public double unigramCrossEntropy(TokenDataset eval, int vocabSize) {
        long[] counts = new long[vocabSize];
        for (int i = 0; i < tokens.length; i++) if (trained(i)) counts[tokens[i]]++;
        double total = trainedSize() + vocabSize, nll = 0;
        for (int i = 0; i < eval.tokens.length; i++) if (eval.trained(i)) nll -= Math.log((counts[eval.tokens[i]] + 1) / total);
        return nll / Math.max(1, eval.trainedSize());
    }

    private boolean trained(int position) {
        return untrained == null || !untrained.get(position);
    }

    private float weight(int position) {
        return weights != null ? weights[position] : trained(position) ? 1f : 0f;
    }

    private void requireWindow(int T) {
        if (tokens.length < T + 1) {
            throw new IllegalArgumentException("dataset has " + tokens.length + " tokens, fewer than one window of "
                    + (T + 1) + "; use a shorter --seq-len or more data");
        }
    }

    private void copyWindow(int start, int b, int T, int[] inputs, int[] targets, float[] weights) {
        System.arraycopy(tokens, start, inputs, b * T, T);
        System.arraycopy(tokens, start + 1, targets, b * T, T);
        for (int n = 0; n < T; n++) weights[b * T + n] = weight(start + 1 + n);
    }
}
