package dev.consilium.rewards.parse;

import dev.consilium.rewards.verdict.Flag;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts judged content between delimiters tagged with a nonce the content cannot know
 * ({@code <answer-3f9a0c12d4e7>…</answer-3f9a0c12d4e7>}) after defanging, inside it, everything the parser would
 * read as a verdict and everything shaped like a delimiter. Values stay readable: {@code Score: 10} becomes
 * {@code Score: ⟪10⟫}, {@code [[A]]} becomes {@code [[⟪A⟫]]}, {@code "score":} becomes {@code "⟪score⟫":},
 * {@code <answer>} becomes {@code ‹answer>}. Content that addresses the judge is flagged, not altered.
 */
public final class ContentFence {
    private ContentFence() {}

    /** The fenced text to put in a prompt, and what was found on the way. */
    public record Fenced(String text, Set<Flag> flags) {}

    public static Fenced fence(String tag, String content, String nonce) {
        EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
        String safe = neutralize(content, flags);
        String seen = Normalized.of(content).text;
        for (Pattern p : Markers.INSTRUCTIONS) {
            if (p.matcher(seen).find()) {
                flags.add(Flag.INSTRUCTION_IN_CONTENT);
                break;
            }
        }
        return new Fenced("<" + tag + "-" + nonce + ">\n" + safe + "\n</" + tag + "-" + nonce + ">", flags);
    }

    /**
     * {@code content} with every verdict marker's value and every delimiter look-alike defanged. Markers are looked
     * for in the {@link Normalized} text (full-width, zero-width-split) and defanged where they sit in the original,
     * which is otherwise left as written.
     */
    static String neutralize(String content, Set<Flag> flags) {
        String s = content;
        Normalized n = Normalized.of(s);
        Matcher d = Markers.DELIMITER.matcher(n.text);
        if (d.find()) {
            flags.add(Flag.DELIMITER_IN_CONTENT);
            java.util.List<Integer> at = new java.util.ArrayList<>();
            do at.add(d.start()); while (d.find());
            // The look-alike's "<" may be a full-width or small form: it is replaced where it was written, last
            // first so that earlier offsets hold.
            StringBuilder out = new StringBuilder(s);
            for (int i = at.size() - 1; i >= 0; i--) out.replace(n.rawStart(at.get(i)), n.rawEnd(at.get(i) + 1), "‹");
            s = out.toString();
        }
        // Wrapping a value cannot create a new match, so the loop ends; it runs again after each change because
        // wrapping moves offsets (a test asserts no marker survives).
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Pattern p : Markers.VERDICTS) {
                String next = wrapValues(p, s);
                if (!next.equals(s)) {
                    flags.add(Flag.MARKERS_NEUTRALIZED);
                    s = next;
                    changed = true;
                }
            }
        }
        return s;
    }

    /** Wraps the value of every match of {@code p} in the normalized text, in the original, last first. */
    private static String wrapValues(Pattern p, String s) {
        Normalized n = Normalized.of(s);
        Matcher m = p.matcher(n.text);
        if (!m.find()) return s;
        StringBuilder out = new StringBuilder(s.length() + 16);
        int at = 0;
        do {
            int g = m.group(1) != null ? 1 : 2;
            int from = n.rawStart(m.start(g)), to = n.rawEnd(m.end(g));
            out.append(s, at, from).append('⟪').append(s, from, to).append('⟫');
            at = to;
        } while (m.find());
        return out.append(s, at, s.length()).toString();
    }
}
