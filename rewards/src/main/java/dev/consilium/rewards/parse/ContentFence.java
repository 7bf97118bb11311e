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
        for (Pattern p : Markers.INSTRUCTIONS) {
            if (p.matcher(content).find()) {
                flags.add(Flag.INSTRUCTION_IN_CONTENT);
                break;
            }
        }
        return new Fenced("<" + tag + "-" + nonce + ">\n" + safe + "\n</" + tag + "-" + nonce + ">", flags);
    }

    /** {@code content} with every verdict marker's value and every delimiter look-alike defanged. */
    static String neutralize(String content, Set<Flag> flags) {
        String s = content;
        Matcher d = Markers.DELIMITER.matcher(s);
        if (d.find()) {
            flags.add(Flag.DELIMITER_IN_CONTENT);
            s = d.replaceAll("‹");
        }
        // Wrapping a value cannot create a new match, so one pass per pattern reaches the fixpoint; the loop is
        // the proof obligation made explicit (a test asserts no marker survives).
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

    private static String wrapValues(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) return s;
        StringBuilder out = new StringBuilder(s.length() + 16);
        int at = 0;
        do {
            int g = m.group(1) != null ? 1 : 2;
            out.append(s, at, m.start(g)).append('⟪').append(m.group(g)).append('⟫');
            at = m.end(g);
        } while (m.find());
        return out.append(s, at, s.length()).toString();
    }
}
