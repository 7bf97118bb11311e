package dev.consilium.runtime.loop;

import dev.langchain4j.model.chat.ChatModel;

import java.io.Serializable;

/**
 * How the policy is asked: rollouts and sampled held-out answers at {@code temperature} with a seed per
 * rollout, greedy held-out answers at temperature 0; every answer bounded by {@code answerTokens}. Serialisable:
 * executors in other JVMs sample as the driver would.
 */
record Sampling(double temperature, int answerTokens) implements Serializable {

    ChatModel sampled(ChatModel policy, long seed) {
        return new PolicyChatModel(policy, temperature, answerTokens, seed);
    }

    ChatModel greedy(ChatModel policy) {
        return GreedyChatModel.always(policy, answerTokens);
    }
}
