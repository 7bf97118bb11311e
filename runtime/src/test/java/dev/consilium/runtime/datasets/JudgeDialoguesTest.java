package dev.consilium.runtime.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.runtime.demo.arithmetic.ArithmeticJudge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class JudgeDialoguesTest {
    @Test
    void theVerdictReadsTheFinalAnswerDigitByDigitBeforeScoring() {
        assertEquals("final: a6 b2 c3\nreference: a6 b2 c3\ncheck: a6 6= b2 2= c3 3=\nScore: 1",
                ArithmeticJudge.verdict("623", " 623 "));
        assertEquals("final: a6 b3 c2\nreference: a6 b2 c3\ncheck: a6 6= b3 2x c2 3x\nScore: 0",
                ArithmeticJudge.verdict("623", "632"));
        assertEquals("final: a6 b2 c3 d3\nreference: a6 b2 c3\ncheck: a6 6= b2 2= c3 3= d3 -x\nScore: 0",
                ArithmeticJudge.verdict("623", "6233"));
        assertEquals("final: a9\nreference: a1 b0\ncheck: a9 1x b- 0x\nScore: 0", ArithmeticJudge.verdict("10", "9"));
    }

    @Test
    void anAnswerThatStatesNoNumberIsNamedAndFails() {
        assertEquals("final: missing\nScore: 0", ArithmeticJudge.verdict("623", " "));
        assertEquals("final: hedged\nScore: 0", ArithmeticJudge.verdict("623", "I think 623"));
        assertEquals("final: not a number\nScore: 0", ArithmeticJudge.verdict("623", "six hundred"));
        assertTrue(ArithmeticJudge.verdict("13", "The answer is 13.").endsWith("Score: 1"));
        assertTrue(ArithmeticJudge.verdict("13", "8 + 5 = 13").endsWith("Score: 1"));
        assertTrue(ArithmeticJudge.verdict("13", "Let me see. Computing 8 + 5, it comes to 13. Final answer: 13").endsWith("Score: 1"));
    }

    @Test
    void everyChatIsTheJudgesOwnFencedPromptAndATrueVerdict(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("j.jsonl");
        JudgeDialogues.write(file, 2, 500, List.of(), 3);
        ObjectMapper json = new ObjectMapper();
        int correct = 0, solverOnly = 0;
        for (String line : Files.readAllLines(file)) {
            JsonNode m = json.readTree(line).get("messages");
            assertEquals(ArithmeticJudge.PROMPT.system(), m.get(0).get("content").asText());
            String user = m.get(1).get("content").asText(), verdict = m.get(2).get("content").asText();
            assertTrue(user.startsWith("Task: <task-"), user);
            assertTrue(user.contains("<answer-") && user.contains("</answer-"), user);
            assertTrue(user.contains("<reference-"), "the judge is reference-guided: " + user);
            String question = user.lines().skip(1).findFirst().orElseThrow();
            String[] t = question.substring("What is ".length(), question.length() - 1).split(" ");
            int truth = t[1].equals("+") ? Integer.parseInt(t[0]) + Integer.parseInt(t[2]) : Integer.parseInt(t[0]) - Integer.parseInt(t[2]);
            // the final answer is the transcript's last turn: the reviser's, or the solver's where the transcript stops there
            List<String> turns = user.lines().filter(l -> l.startsWith("solver:") || l.startsWith("reviser:")).toList();
            String last = turns.getLast();
            if (turns.size() == 1) solverOnly++;
            boolean right = last.substring(last.indexOf(':') + 1).strip().equals(Integer.toString(truth));
            assertTrue(verdict.endsWith(right ? "Score: 1" : "Score: 0"), user + " -> " + verdict);
            if (right) correct++;
        }
        assertTrue(correct > 150 && correct < 350, "both verdicts are common: " + correct + " correct of 500");
        assertTrue(solverOnly > 120 && solverOnly < 220, "a third end at the solver: " + solverOnly + " of 500");
    }

    @Test
    void noTranscriptEndsAtTheSolverWhenNoneIsAskedFor(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("j.jsonl");
        JudgeDialogues.write(file, 2, 300, List.of(), 0);
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(file)) {
            String user = json.readTree(line).get("messages").get(1).get("content").asText();
            assertTrue(user.contains("\nreviser: "), user);
        }
    }
}
