package dev.consilium.runtime.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class JudgeDialoguesTest {
    @Test
    void theVerdictFollowsTheFinalAnswerOnly() {
        assertEquals("7+6=13 3+8+1=12 5+0+1=6 so 537 + 86 = 623. The final answer is 623. Verdict: correct",
                JudgeDialogues.verdict(537, 86, true, "623"));
        assertTrue(JudgeDialogues.verdict(537, 86, true, "624").endsWith("The final answer is 624. Verdict: incorrect"));
        assertTrue(JudgeDialogues.verdict(537, 86, true, " ").endsWith("The final answer is missing. Verdict: incorrect"));
        assertTrue(JudgeDialogues.verdict(537, 86, true, "I think 623").endsWith(JudgeDialogues.INCORRECT));
    }

    @Test
    void everyWrittenVerdictIsTrueOfTheReviserTurn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("j.jsonl");
        JudgeDialogues.write(file, 2, 1000, List.of());
        ObjectMapper json = new ObjectMapper();
        int correct = 0;
        for (String line : Files.readAllLines(file)) {
            JsonNode m = json.readTree(line).get("messages");
            String user = m.get(1).get("content").asText(), verdict = m.get(2).get("content").asText();
            String question = user.lines().findFirst().orElseThrow().substring("Task: ".length());
            String[] t = question.substring("What is ".length(), question.length() - 1).split(" ");
            int truth = t[1].equals("+") ? Integer.parseInt(t[0]) + Integer.parseInt(t[2]) : Integer.parseInt(t[0]) - Integer.parseInt(t[2]);
            String reviser = user.lines().filter(l -> l.startsWith("reviser: ")).findFirst().orElseThrow().substring(9).strip();
            boolean right = reviser.equals(Integer.toString(truth));
            assertTrue(verdict.endsWith(right ? JudgeDialogues.CORRECT : JudgeDialogues.INCORRECT), user + " -> " + verdict);
            if (right) correct++;
        }
        assertTrue(correct > 300 && correct < 700, "both verdicts are common: " + correct + " correct of 1000");
    }
}
