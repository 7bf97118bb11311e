package dev.consilium.rewards.parse;

import java.text.Normalizer;

/**
 * Text as marker patterns should read it, with the way back to the original: each code point in NFKC form
 * ({@code Ｓｃｏｒｅ：１０} reads {@code Score:10}), with invisible characters dropped (zero-width spaces and joiners,
 * soft hyphens, bidi controls, variation selectors), so that {@code S\u200Bcore: 10} reads {@code Score: 10}.
 * {@code start[i]} and {@code end[i]} (null for ASCII text, the identity) are where normalized char {@code i} came
 * from in the original, so a match found here is acted on there and the original is never rewritten wholesale:
 * NFKC would turn a judged answer's {@code x²} into {@code x2}.
 *
 * <p>Code points are folded one at a time rather than as a string; composition across code points (a letter
 * and a combining accent) is lost, which is harmless for finding ASCII markers and keeps the map exact.
 */
final class Normalized {
    final String raw;
    final String text;
    private final int[] start;
    private final int[] end;
    private final int rawLength;

    private Normalized(String raw, String text, int[] start, int[] end) {
        this.raw = raw;
        this.text = text;
        this.start = start;
        this.end = end;
        this.rawLength = raw.length();
    }

    static Normalized of(String raw) {
        // Most judge output and most answers are ASCII, where nothing folds and nothing is invisible: the identity.
        if (ascii(raw)) return new Normalized(raw, raw, null, null);
        StringBuilder out = new StringBuilder(raw.length());
        int[] start = new int[raw.length() + 8];
        int[] end = new int[raw.length() + 8];
        for (int i = 0; i < raw.length(); ) {
            int cp = raw.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (!invisible(cp)) {
                String folded = cp < 0x80 ? null : Normalizer.normalize(raw.substring(i, next), Normalizer.Form.NFKC);
                int from = out.length();
                if (folded == null) out.append((char) cp);
                else for (int k = 0; k < folded.length(); k++) if (!invisible(folded.charAt(k))) out.append(folded.charAt(k));
                if (out.length() > start.length) {
                    start = java.util.Arrays.copyOf(start, out.length() * 2);
                    end = java.util.Arrays.copyOf(end, out.length() * 2);
                }
                for (int k = from; k < out.length(); k++) {
                    start[k] = i;
                    end[k] = next;
                }
            }
            i = next;
        }
        return new Normalized(raw, out.toString(), start, end);
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    /** Where the normalized span {@code [from, to)} starts in the original. */
    int rawStart(int from) {
        if (start == null) return Math.min(from, rawLength);
        return from < text.length() ? start[from] : rawLength;
    }

    /** Where the normalized span {@code [from, to)} ends in the original. */
    int rawEnd(int to) {
        if (end == null) return to;
        return to == 0 ? 0 : end[to - 1];
    }

    /**
     * Characters with no glyph of their own that can split a marker without changing how it reads: the Unicode
     * format category (zero-width space, joiners, word joiner, soft hyphen, BOM, bidi controls, tag characters),
     * variation selectors and the combining grapheme joiner.
     */
    static boolean invisible(int cp) {
        return Character.getType(cp) == Character.FORMAT
                || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) || cp == 0x034F
                || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0; // Hangul fillers render blank
    }
}
