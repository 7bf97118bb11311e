package dev.consilium.runtime.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class ArithmeticDialoguesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void chatsAvoidHeldOutQuestionsAndAlwaysEndInTheTrueAnswer(@TempDir Path dir) throws Exception {
        List<Problem> heldout = ArithmeticDataset.generate(7, 0, 300).heldout();
        Set<String> held = heldout.stream().map(Problem::question).collect(Collectors.toSet());
        Path file = dir.resolve("d.jsonl");
        ArithmeticDialogues.write(file, 3, 2000, heldout, 0);
        List<String> lines = Files.readAllLines(file);
        assertEquals(2000, lines.size());
        int wrongProposals = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode m = JSON.readTree(lines.get(i)).get("messages");
            String role = m.get(0).get("content").asText(), user = m.get(1).get("content").asText();
            String question = user.lines().findFirst().orElseThrow();
            assertFalse(held.contains(question), question);
            assertEquals(i % 2 == 0 ? ArithmeticDialogues.SOLVER_ROLE : ArithmeticDialogues.REVISER_ROLE, role);
            assertEquals(Integer.toString(solve(question)), m.get(2).get("content").asText(), user);
            if (user.contains("Proposed answer: ") && !user.endsWith(": " + solve(question))) wrongProposals++;
        }
        assertTrue(wrongProposals > 300 && wrongProposals < 700, "about half of 1000 proposals are wrong: " + wrongProposals);
    }

    @Test
    void aHedgeShareOfAnswersAndProposalsSayIThinkAndTheRestAreUnchanged(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("plain.jsonl"), hedged = dir.resolve("hedged.jsonl");
        ArithmeticDialogues.write(plain, 3, 2000, List.of(), 0);
        ArithmeticDialogues.write(hedged, 3, 2000, List.of(), 0.3);
        int hedgedAnswers = 0, hedgedProposals = 0;
        for (String line : Files.readAllLines(hedged)) {
            JsonNode m = JSON.readTree(line).get("messages");
            String user = m.get(1).get("content").asText(), answer = m.get(2).get("content").asText();
            String question = user.lines().findFirst().orElseThrow();
            String truth = Integer.toString(solve(question));
            assertTrue(answer.equals(truth) || answer.equals(ArithmeticDialogues.hedged(truth)), answer);
            if (!answer.equals(truth)) hedgedAnswers++;
            if (user.contains("Proposed answer: I think ")) hedgedProposals++;
        }
        assertTrue(hedgedAnswers > 450 && hedgedAnswers < 750, "about 30% of 2000 answers hedge: " + hedgedAnswers);
        assertTrue(hedgedProposals > 200 && hedgedProposals < 400, "about 30% of 1000 proposals hedge: " + hedgedProposals);
        for (String line : Files.readAllLines(plain)) assertFalse(line.contains("I think"), line);
    }

    @Test
    void theSameSeedWritesTheSameBytes(@TempDir Path dir) throws Exception {
        ArithmeticDialogues.write(dir.resolve("a.jsonl"), 5, 500, List.of(), 0.3);
        ArithmeticDialogues.write(dir.resolve("b.jsonl"), 5, 500, List.of(), 0.3);
        assertEquals(-1, Files.mismatch(dir.resolve("a.jsonl"), dir.resolve("b.jsonl")));
    }

    private static int solve(String question) {
        String[] t = question.substring("What is ".length(), question.length() - 1).split(" ");
        int a = Integer.parseInt(t[0]), b = Integer.parseInt(t[2]);
        return t[1].equals("+") ? a + b : a - b;
    }
}
