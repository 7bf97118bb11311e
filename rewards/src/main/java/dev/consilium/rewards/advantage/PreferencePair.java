package dev.consilium.rewards.advantage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.rewards.verdict.Verdict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A DPO training pair: the same prompt, a chosen and a rejected response, and the reward gap between them.
 * {@link #toJsonl} writes the {@code prompt}/{@code chosen}/{@code rejected} lines TRL and OpenRLHF read.
 */
public record PreferencePair(String prompt, String chosen, String rejected, double margin) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The group's best against its worst, by normalized score, when they differ by at least {@code minMargin};
     * abstentions take no part. Among equal scores the earlier response wins, so the choice is reproducible.
     */
    public static Optional<PreferencePair> bestVsWorst(String prompt, List<String> responses, List<Verdict> verdicts, double minMargin) {
        return choose(responses, verdicts, minMargin)
                .map(c -> new PreferencePair(prompt, responses.get(c.chosen()), responses.get(c.rejected()), c.margin()));
    }

    /** A pair as indices into the group's responses, with the score gap between them. */
    public record Choice(int chosen, int rejected, double margin) {}

    /**
     * {@link #bestVsWorst}'s choice as indices: the earliest best-scored response and the earliest worst-scored one
     * whose text differs from it (a pair whose two sides read alike teaches nothing: it happens where a later
     * agent, not the response, made the difference). Empty when the scores are flat, differ by less than
     * {@code minMargin}, or every such pair reads alike; a null response never takes part.
     */
    public static Optional<Choice> choose(List<String> responses, List<Verdict> verdicts, double minMargin) {
        if (responses.size() != verdicts.size()) {
            throw new IllegalArgumentException(responses.size() + " responses but " + verdicts.size() + " verdicts");
        }
        double hi = Double.NEGATIVE_INFINITY, lo = Double.POSITIVE_INFINITY;
        for (Verdict v : verdicts) {
            if (v instanceof Verdict.Score s) {
                hi = Math.max(hi, s.normalized());
                lo = Math.min(lo, s.normalized());
            }
        }
        if (!(hi > lo) || hi - lo < minMargin) return Optional.empty();
        for (int b = 0; b < verdicts.size(); b++) {
            if (!(verdicts.get(b) instanceof Verdict.Score sb) || sb.normalized() != hi || responses.get(b) == null) continue;
            for (int w = 0; w < verdicts.size(); w++) {
                if (!(verdicts.get(w) instanceof Verdict.Score sw) || sw.normalized() != lo || responses.get(w) == null) continue;
                if (!responses.get(b).strip().equals(responses.get(w).strip())) return Optional.of(new Choice(b, w, hi - lo));
            }
        }
        return Optional.empty();
    }

    /** One JSON object per line: {@code {"prompt","chosen","rejected"}}; written atomically. */
    public static void toJsonl(List<PreferencePair> pairs, Path file) {
        StringBuilder sb = new StringBuilder();
        for (PreferencePair p : pairs) {
            ObjectNode o = JSON.createObjectNode();
            o.put("prompt", p.prompt).put("chosen", p.chosen).put("rejected", p.rejected);
            sb.append(o).append('\n');
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
