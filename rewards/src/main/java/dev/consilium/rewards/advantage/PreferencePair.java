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
        if (responses.size() != verdicts.size()) {
            throw new IllegalArgumentException(responses.size() + " responses but " + verdicts.size() + " verdicts");
        }
        int best = -1, worst = -1;
        for (int i = 0; i < verdicts.size(); i++) {
            if (!(verdicts.get(i) instanceof Verdict.Score s)) continue;
            if (best < 0 || s.normalized() > score(verdicts, best)) best = i;
            if (worst < 0 || s.normalized() < score(verdicts, worst)) worst = i;
        }
        if (best < 0) return Optional.empty();
        double margin = score(verdicts, best) - score(verdicts, worst);
        if (margin < minMargin || margin == 0) return Optional.empty();
        return Optional.of(new PreferencePair(prompt, responses.get(best), responses.get(worst), margin));
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

    private static double score(List<Verdict> verdicts, int i) {
        return ((Verdict.Score) verdicts.get(i)).normalized();
    }
}
