package dev.consilium.runtime.server;

import dev.consilium.moe.generate.SamplingParams;

import java.util.List;
import java.util.Set;

/**
 * The options chat and legacy completions share.
 *
 * @param temperature  null: OpenAI's default, 1
 * @param maxTokens    new tokens per choice; null: as many as the context and the server's limit allow
 * @param seed         null: each choice draws its own; else choice i uses {@code seed + i}
 * @param includeUsage {@code stream_options.include_usage}: a last chunk carries the usage
 */
record Sampling(Double temperature, Double topP, Integer maxTokens, List<String> stop, Long seed, int n,
                boolean stream, boolean includeUsage) {

    /** Reads the shared fields; {@code maxTokensFields} are the names that set the token budget, first wins. */
    static Sampling read(Params p, ServerLimits limits, int minTokens, String... maxTokensFields) {
        Integer maxTokens = null;
        for (String field : maxTokensFields) {
            Integer v = p.integer(field, minTokens, Integer.MAX_VALUE);
            if (v == null) continue;
            if (limits.maxTokens() != null && v > limits.maxTokens()) {
                throw ApiException.invalid(field, "'" + field + "' is " + v + "; this server allows at most "
                        + limits.maxTokens() + " new tokens");
            }
            if (maxTokens == null) maxTokens = v;
        }
        Integer n = p.integer("n", 1, Integer.MAX_VALUE);
        if (n != null && n > limits.maxN()) {
            throw ApiException.invalid("n", "'n' is " + n + "; this server allows at most " + limits.maxN() + " choices");
        }
        boolean stream = p.bool("stream");
        boolean includeUsage = false;
        var options = p.node("stream_options");
        if (options != null) {
            if (!stream) throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true");
            if (!options.isObject()) throw ApiException.invalid("stream_options", "'stream_options' must be an object");
            var usage = options.get("include_usage");
            if (usage != null && !usage.isNull()) {
                if (!usage.isBoolean()) {
                    throw ApiException.invalid("stream_options.include_usage", "'stream_options.include_usage' must be a boolean");
                }
                includeUsage = usage.booleanValue();
            }
        }
        p.refuseUnsupported();
        return new Sampling(p.number("temperature", 0, 2), topP(p), maxTokens, p.stop(), p.longInteger("seed"),
                n == null ? 1 : n, stream, includeUsage);
    }

    private static Double topP(Params p) {
        Double v = p.number("top_p", 0, 1);
        if (v != null && v == 0) throw ApiException.invalid("top_p", "'top_p' must be greater than 0; for greedy output set 'temperature' to 0");
        return v;
    }

    /** The engine's parameters for one choice, before its seed is set. */
    SamplingParams params(int maxNewTokens, Set<Integer> stopTokenIds, boolean logprobs, int topLogprobs, boolean echo) {
        return SamplingParams.builder()
                .temperature(temperature == null ? 1.0 : temperature)
                .topP(topP == null ? 1.0 : topP)
                .maxNewTokens(maxNewTokens)
                .stopTokenIds(stopTokenIds)
                .stopStrings(stop)
                .logprobs(logprobs)
                .topLogprobs(topLogprobs)
                .echo(echo)
                .build();
    }

    /** The seed of choice {@code choice}'s {@code attempt}-th generation: distinct across choices and attempts. */
    Long seed(int choice, int attempt) {
        return seed == null ? null : seed + choice + (long) attempt * n;
    }
}
