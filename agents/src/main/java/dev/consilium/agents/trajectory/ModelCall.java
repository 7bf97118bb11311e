package dev.consilium.agents.trajectory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.agents.provider.TokenLogprob;
import dev.consilium.agents.provider.ledger.Usage;

import java.util.List;

/**
 * One model call of a run, as the model seam saw it. See {@code docs/TRAJECTORY.md} for the JSON form.
 *
 * @param index         the call's place in the run, in order of starting (0, 1, ...)
 * @param agent         the agent (or custom step) that made the call
 * @param path          the workflow node it ran in, e.g. {@code review/round-2/critic}
 * @param model         the model that answered, as the response names it, else the request's model name
 * @param messages      the exact request messages
 * @param output        the response text; null when the call failed or answered with tool calls only
 * @param toolCalls     tools the model asked to call
 * @param parsed        the typed output read from {@code output}, as JSON; null when the agent has no output type
 *                      or the text did not parse
 * @param tokens        the output's token ids and log-probabilities, where the model reports them
 * @param usage         tokens by bucket, {@link Usage#ZERO} when the model reports none
 * @param costUsd       what the provider ledger charged for it; 0 without a ledger, on a cache hit, or unpriced
 * @param startMicros   when it started, in microseconds since the run started
 * @param latencyMicros how long it took
 * @param cacheHit      whether the response cache answered it
 * @param error         why it failed, else null
 */
public record ModelCall(int index, String agent, String path, String model, List<Message> messages, String output,
                        List<ToolCall> toolCalls, JsonNode parsed, List<TokenLogprob> tokens, Usage usage,
                        double costUsd, long startMicros, long latencyMicros, boolean cacheHit, String error) {

    public ModelCall {
        messages = List.copyOf(messages);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        if (usage == null) usage = Usage.ZERO;
    }

    public boolean failed() {
        return error != null;
    }

    public ModelCall withParsed(JsonNode value) {
        return new ModelCall(index, agent, path, model, messages, output, toolCalls, value, tokens, usage, costUsd,
                startMicros, latencyMicros, cacheHit, error);
    }
}
