package dev.consilium.moe.tokenizer;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test tokenizers and text, all deterministic. */
final class Fixtures {
    private Fixtures() {}

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/tokenizer/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource tokenizer/" + name, e);
        }
    }

    /** A hand-made GPT-2-style tokenizer: 23 tokens, ByteLevel pre-tokenizer, merges as [a, b] arrays. */
    static BpeTokenizer gpt2Mini() {
        return BpeTokenizer.load(resource("gpt2-mini.json"));
    }

    /** DeepSeek-V3's tokenizer.json structure, verbatim pre_tokenizer, with 256 byte tokens and 22 merges. */
    static BpeTokenizer deepSeekMini() {
        return BpeTokenizer.load(resource("deepseek-v3-mini.json"));
    }

    private static final String[] WORDS = {
            "the", "model", "expert", "router", "token", "attention", "latent", "gradient", "judge", "reward",
            "agent", "debate", "answer", "question", "number", "sum", "is", "a", "of", "and", "to", "in",
            "Consilium", "DeepSeek", "MoE", "GRPO", "don't", "it's", "we'll", "x_1", ".NET", "foo.bar()",
            "数学", "专家", "モデル", "カタカナ", "😀", "👍🏽", "naïve", "café", "Ωmega", "straße", "١٢٣"};

    /** About {@code sentences * 60} characters of mixed-script text with numbers, punctuation and newlines. */
    static String corpus(int sentences, long seed) {
        Random random = new Random(seed);
        StringBuilder out = new StringBuilder();
        for (int s = 0; s < sentences; s++) {
            int words = 3 + random.nextInt(10);
            for (int w = 0; w < words; w++) {
                if (w > 0) out.append(random.nextInt(20) == 0 ? "  " : " ");
                out.append(random.nextInt(8) == 0 ? Integer.toString(random.nextInt(100_000)) : WORDS[random.nextInt(WORDS.length)]);
            }
            out.append(random.nextBoolean() ? ". " : random.nextBoolean() ? "?\n" : "!\n\n");
        }
        return out.toString();
    }

    private static final int[][] RANGES = {
            {0x20, 0x7E}, {0x09, 0x0D}, {0xA0, 0x24F}, {0x300, 0x36F}, {0x391, 0x3C9}, {0x400, 0x4FF},
            {0x590, 0x6FF}, {0x900, 0x97F}, {0x2000, 0x206F}, {0x3000, 0x30FF}, {0x4E00, 0x9FFF},
            {0xAC00, 0xD7A3}, {0xFF00, 0xFFEF}, {0x1F300, 0x1FAFF}, {0x1D400, 0x1D7FF}, {0x20000, 0x2A6DF}};

    /** Random strings of Unicode scalar values from many scripts, white space, marks, emoji and astral planes. */
    static List<String> randomStrings(int count, long seed) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(40);
            for (int c = 0; c < length; c++) {
                int[] range = RANGES[random.nextInt(RANGES.length)];
                s.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
            }
            out.add(s.toString());
        }
        return out;
    }
}
