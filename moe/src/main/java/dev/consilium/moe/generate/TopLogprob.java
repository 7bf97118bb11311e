package dev.consilium.moe.generate;

/** An alternative token at one position and its log-probability under the model (temperature 1). */
public record TopLogprob(int token, float logprob) {}
