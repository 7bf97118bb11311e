package dev.consilium.rewards.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class RewardFunctionsTest {

    static double value(RewardFunction f, JudgedItem item) {
        return assertInstanceOf(Verdict.Score.class, f.evaluate(item), f.name()).value();
    }

    static AbstainReason abstains(RewardFunction f, JudgedItem item) {
        return assertInstanceOf(Verdict.Abstain.class, f.evaluate(item), f.name()).reason();
    }

    @Test
    void exactMatchNormalizes() {
        RewardFunction f = RewardFunctions.exactMatch();
        assertEquals(1, value(f, JudgedItem.of("q", "The answer is 1,042.", "1042")));
        assertEquals(1, value(f, JudgedItem.of("q", "  Paris ", "paris")));
        assertEquals(0, value(f, JudgedItem.of("q", "1043", "1042")));
        assertEquals(AbstainReason.UNDECIDABLE, abstains(f, JudgedItem.of("q", "1042")));
    }

    @Test
    void numericComparesTheLastNumberWithinTolerance() {
        RewardFunction f = RewardFunctions.numeric(0.01);
        assertEquals(1, value(f, JudgedItem.of("q", "17 + 25 = 42.001", "42")));
        assertEquals(0, value(f, JudgedItem.of("q", "I get 41", "42")));
        assertEquals(0, value(f, JudgedItem.of("q", "no idea", "42")));
        assertEquals(1, value(f, JudgedItem.of("q", "total: 1,042", "1042")));
        assertEquals(AbstainReason.UNDECIDABLE, abstains(f, JudgedItem.of("q", "42", "forty-two")));
    }

    @Test
    void regexTagAndJsonSchemaCheckFormat() {
        assertEquals(1, value(RewardFunctions.regex(Pattern.compile("^\\d+$")), JudgedItem.of("q", "42")));
        RewardFunction tag = RewardFunctions.inTag("answer");
        assertEquals(1, value(tag, JudgedItem.of("q", "work... <answer>42</answer>")));
        assertEquals(0, value(tag, JudgedItem.of("q", "<answer>42</answer><answer>43</answer>")));
        assertEquals(0, value(tag, JudgedItem.of("q", "<answer> </answer>")));
        assertEquals(1, value(RewardFunctions.insideTag("answer", RewardFunctions.exactMatch()), JudgedItem.of("q", "so <answer>42</answer>", "42")));

        var schema = new ObjectMapper().createObjectNode();
        schema.put("type", "object").put("additionalProperties", false).putArray("required").add("sum");
        schema.putObject("properties").putObject("sum").put("type", "integer").put("minimum", 0);
        RewardFunction json = RewardFunctions.jsonSchema(schema);
        assertEquals(1, value(json, JudgedItem.of("q", "{\"sum\": 42}")));
        assertEquals(1, value(json, JudgedItem.of("q", "Here:\n```json\n{\"sum\": 42}\n```")));
        assertEquals(0, value(json, JudgedItem.of("q", "{\"sum\": -1}")));
        assertEquals(0, value(json, JudgedItem.of("q", "{\"sum\": 42, \"x\": 1}")));
        assertEquals(0, value(json, JudgedItem.of("q", "{\"sum\": \"42\"}")));
        assertEquals(0, value(json, JudgedItem.of("q", "{\"sum\": 4")));
        var unsupported = new ObjectMapper().createObjectNode().put("oneOf", 1);
        assertThrows(IllegalArgumentException.class, () -> RewardFunctions.jsonSchema(unsupported));
    }

    @Test
    void lengthPenaltyAndLambdas() {
        RewardFunction len = RewardFunctions.lengthPenalty(10, 20);
        assertEquals(0, value(len, JudgedItem.of("q", "x".repeat(10))));
        assertEquals(0.5, value(len, JudgedItem.of("q", "x".repeat(15))));
        assertEquals(1, value(len, JudgedItem.of("q", "x".repeat(99))));
        assertEquals(0.25, value(RewardFunctions.lambda("quarter", i -> 0.25), JudgedItem.of("q", "a")));
        assertEquals(AbstainReason.ERROR, abstains(RewardFunctions.lambda("bad", i -> 2), JudgedItem.of("q", "a")));
        assertEquals(AbstainReason.ERROR, abstains(RewardFunctions.lambda("throws", i -> {
            throw new IllegalStateException("boom");
        }), JudgedItem.of("q", "a")));
    }

    @Test
    void weightedSumAbstainsWhenAPartDoes() {
        RewardFunction sum = Compose.weightedSum(List.of(Compose.term(RewardFunctions.exactMatch(), 1),
                Compose.term(RewardFunctions.lengthPenalty(2, 4), -0.5)));
        Verdict.Score s = assertInstanceOf(Verdict.Score.class, sum.evaluate(JudgedItem.of("q", "42", "42")));
        assertEquals(1, s.value());
        assertEquals(-0.5, s.distribution().min());
        assertEquals(0.75, ((Verdict.Score) sum.evaluate(JudgedItem.of("q", "42.", "42"))).value(), 1e-12, "1 - 0.5 * 0.5");
        assertEquals(AbstainReason.UNDECIDABLE, abstains(sum, JudgedItem.of("q", "42")));
    }

    @Test
    void gatesMustPassBeforeCorrectnessCounts() {
        RewardFunction f = Compose.allMustPass(List.of(RewardFunctions.inTag("answer")),
                RewardFunctions.insideTag("answer", RewardFunctions.exactMatch()));
        assertEquals(1, value(f, JudgedItem.of("q", "<answer>42</answer>", "42")));
        Verdict.Score failed = assertInstanceOf(Verdict.Score.class, f.evaluate(JudgedItem.of("q", "42", "42")));
        assertEquals(0, failed.value());
        assertTrue(failed.rationale().startsWith("gate in-tag(answer) failed"), failed.rationale());
    }

    @Test
    void theJudgeIsAskedOnlyWhereVerifiableChecksCannotDecide() {
        AtomicInteger judgeCalls = new AtomicInteger();
        RewardFunction judge = new RewardFunction() {
            public String name() {
                return "judge";
            }

            public Verdict evaluate(JudgedItem item) {
                judgeCalls.incrementAndGet();
                return Verdict.Score.point(0.7, 0, 1, "", Provenance.function("judge"));
            }
        };
        RewardFunction f = Compose.firstDecided(List.of(RewardFunctions.numeric(0), judge));
        assertEquals(1, value(f, JudgedItem.of("q", "42", "42")));
        assertEquals(0, judgeCalls.get());
        assertEquals(0.7, value(f, JudgedItem.of("Write a haiku", "leaves fall", "any good haiku")));
        assertEquals(1, judgeCalls.get());
    }
}
