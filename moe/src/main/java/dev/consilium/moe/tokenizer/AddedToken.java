package dev.consilium.moe.tokenizer;

/**
 * A token matched as a whole in text before pre-tokenization ({@code added_tokens} in {@code tokenizer.json}).
 *
 * @param special    whether decoding may skip it; non-special added tokens (DeepSeek-V3's {@code <｜User｜>}) are
 *                   still matched in text, as in Hugging Face
 * @param normalized kept only to write back; with no normalizer it changes nothing
 */
record AddedToken(int id, String content, boolean special, boolean normalized) {}
