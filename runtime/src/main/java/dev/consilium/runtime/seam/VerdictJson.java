package dev.consilium.runtime.seam;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.rewards.verdict.Verdict;

/**
 * Verdicts across process boundaries as JSON text ({@code {"score": {...}}} or {@code {"abstain": {...}}}): the
 * rewards module's records stay free of {@code java.io.Serializable}, and equal verdicts give equal text, which
 * is how results from executors are compared with in-process ones.
 */
public final class VerdictJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VerdictJson() {}

    public static String write(Verdict v) {
        ObjectNode o = JSON.createObjectNode();
        switch (v) {
            case Verdict.Score s -> o.set("score", JSON.valueToTree(s));
            case Verdict.Abstain a -> o.set("abstain", JSON.valueToTree(a));
        }
        return o.toString();
    }

    public static Verdict read(String json) {
        try {
            JsonNode o = JSON.readTree(json);
            if (o.has("score")) return JSON.treeToValue(o.get("score"), Verdict.Score.class);
            if (o.has("abstain")) return JSON.treeToValue(o.get("abstain"), Verdict.Abstain.class);
            throw new IllegalArgumentException("verdict JSON has neither \"score\" nor \"abstain\": " + json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable verdict JSON: " + e.getOriginalMessage(), e);
        }
    }
}
