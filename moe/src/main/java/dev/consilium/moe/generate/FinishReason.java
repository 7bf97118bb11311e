package dev.consilium.moe.generate;

/** Why a sequence ended: STOP = a stop token id or stop string, LENGTH = max new tokens or the context limit. */
public enum FinishReason { STOP, LENGTH, CANCELLED }
