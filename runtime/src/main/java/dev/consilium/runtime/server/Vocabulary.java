package dev.consilium.runtime.server;

import dev.consilium.moe.generate.TokenLogprob;
import dev.consilium.moe.generate.TopLogprob;
import dev.consilium.moe.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Token ids as the wire shows them: a token's text and UTF-8 bytes (a token that splits a character shows
 * U+FFFD in its text; its bytes are exact). Without a tokenizer a token shows as {@code token_id:N}, as vLLM does.
 */
final class Vocabulary {
    private final BpeTokenizer tokenizer;

    Vocabulary(BpeTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    byte[] bytes(int id) {
        return tokenizer == null ? ("token_id:" + id).getBytes(StandardCharsets.UTF_8) : tokenizer.tokenBytes(id, false);
    }

    String text(int id) {
        return new String(bytes(id), StandardCharsets.UTF_8);
    }

    /** Chat's shape: {@code content: [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}. */
    Wire.ChatLogprobs chat(List<TokenLogprob> tokens) {
        List<Wire.ChatTokenLogprob> content = new ArrayList<>(tokens.size());
        for (TokenLogprob t : tokens) {
            List<Wire.ChatTopLogprob> top = new ArrayList<>(t.top().size());
            for (TopLogprob a : t.top()) top.add(new Wire.ChatTopLogprob(text(a.token()), a.logprob(), unsigned(bytes(a.token()))));
            content.add(new Wire.ChatTokenLogprob(text(t.token()), t.logprob(), unsigned(bytes(t.token())), top));
        }
        return new Wire.ChatLogprobs(content);
    }

    /**
     * The legacy shape for {@code ids} with their logprobs (an entry may be null: an echoed prompt's first
     * token); {@code textOffset} is where the first token's text starts in the choice's text.
     */
    Wire.LegacyLogprobs legacy(int[] ids, List<TokenLogprob> logprobs, int textOffset) {
        Wire.LegacyLogprobs out = new Wire.LegacyLogprobs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        append(out, ids, logprobs, textOffset);
        return out;
    }

    /** Appends to {@code out}; returns the text offset after the last token. */
    int append(Wire.LegacyLogprobs out, int[] ids, List<TokenLogprob> logprobs, int textOffset) {
        for (int i = 0; i < ids.length; i++) {
            TokenLogprob t = logprobs.get(i);
            String text = text(ids[i]);
            out.tokens().add(text);
            out.textOffset().add(textOffset);
            textOffset += text.length();
            if (t == null) {
                out.tokenLogprobs().add(null);
                out.topLogprobs().add(null);
                continue;
            }
            out.tokenLogprobs().add(t.logprob());
            Map<String, Float> top = new LinkedHashMap<>();
            // two ids can show the same text (halves of a character both show U+FFFD); the likelier one stays
            for (TopLogprob a : t.top()) top.putIfAbsent(text(a.token()), a.logprob());
            out.topLogprobs().add(top);
        }
        return textOffset;
    }

    private static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xFF;
        return out;
    }
}
