package dev.consilium.runtime.loop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.seam.VerdictJson;

import java.io.Serial;
import java.util.ArrayList;
import java.util.List;

/**
 * A group judge's unit's verdicts, one per member of the group in its order: the list itself in the driver's JVM, a
 * JSON array of {@link VerdictJson} texts when it travels back from an executor.
 */
final class VerdictsResult extends JsonResult<List<Verdict>> {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    VerdictsResult(List<Verdict> verdicts) {
        super(verdicts);
    }

    List<Verdict> verdicts() {
        return value();
    }

    @Override
    String write(List<Verdict> vs) {
        ArrayNode a = JSON.createArrayNode();
        for (Verdict v : vs) a.add(VerdictJson.write(v));
        return a.toString();
    }

    @Override
    List<Verdict> read(String json) {
        try {
            List<Verdict> out = new ArrayList<>();
            for (JsonNode v : JSON.readTree(json)) out.add(VerdictJson.read(v.asText()));
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a group judge's verdicts came back as no JSON array: " + e.getOriginalMessage(), e);
        }
    }
}
