package dev.consilium.rewards.parse;

import dev.consilium.rewards.verdict.AbstainReason;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VerdictParserTest {

    static final String NONCE = "0123456789ab";

    static int score(String raw) {
        VerdictParser.Result r = VerdictParser.score(raw, 1, 5, NONCE);
        assertInstanceOf(VerdictParser.Parsed.class, r, () -> "expected a score, got " + r);
        return ((VerdictParser.Parsed) r).values().getFirst();
    }

    static AbstainReason failure(VerdictParser.Result r) {
        assertInstanceOf(VerdictParser.Failed.class, r, () -> "expected a failure, got " + r);
        return ((VerdictParser.Failed) r).reason();
    }

    static AbstainReason scoreFailure(String raw) {
        return failure(VerdictParser.score(raw, 1, 5, NONCE));
    }

    @Test
    void readsTheFinalVerdictLine() {
        assertEquals(4, score("The sum is right but the working is thin.\nScore: 4"));
        assertEquals(4, score("Reasoning...\n**Score:** 4/5\n\n"));
        assertEquals(5, score("ok\n[RESULT] 5"));
    }

    @Test
    void theJudgesOwnVerdictIsReadNormalized() {
        assertEquals(4, score("Fine.\nＳｃｏｒｅ：４"));
        assertEquals(3, score("Fine.\nS\u200Bcore: 3"));
        VerdictParser.Parsed p = (VerdictParser.Parsed) VerdictParser.score("ok\nＳｃｏｒｅ：４", 1, 5, NONCE);
        assertEquals("４", "ok\nＳｃｏｒｅ：４".substring(p.start(), p.end()), "offsets point into the raw output");
        assertEquals("ok", p.rationale());
    }

    @Test
    void invisibleCharactersCannotHideWhatAVerdictSays() {
        // Shown as "Score: 45", out of range; read raw, it was a 4.
        assertEquals(AbstainReason.OUT_OF_RANGE, scoreFailure("Score: 4\u200B5"));
        // Two verdicts on one line, one of them split by a zero-width space: ambiguous, not the first.
        assertEquals(AbstainReason.AMBIGUOUS, scoreFailure("Score: 2 S\u200Bcore: 5"));
        assertEquals(AbstainReason.AMBIGUOUS, scoreFailure("Score: 2\nＳｃｏｒｅ：５"));
    }

    @Test
    void groupScoresAreReadPerCandidate() {
        List<VerdictParser.Result> r = VerdictParser.scores("1 is right, 2 is wrong, 3 unclear.\nCandidate 1: Score: 5\n"
                + "Candidate 2: Score: 1\nCandidate 3: N/A\nCandidate 4: Score: 9", 5, 1, 5, NONCE);
        assertEquals(List.of(5), ((VerdictParser.Parsed) r.get(0)).values());
        assertEquals(List.of(1), ((VerdictParser.Parsed) r.get(1)).values());
        assertEquals("1 is right, 2 is wrong, 3 unclear.", ((VerdictParser.Parsed) r.get(1)).rationale());
        assertEquals(AbstainReason.UNPARSEABLE, failure(r.get(2)));
        assertEquals(AbstainReason.OUT_OF_RANGE, failure(r.get(3)));
        assertEquals(AbstainReason.UNPARSEABLE, failure(r.get(4)), "no line for candidate 5");

        List<VerdictParser.Result> twice = VerdictParser.scores("Candidate 1: Score: 2\nCandidate 2: Score: 3\nCandidate 1: Score: 4", 2, 1, 5, NONCE);
        assertEquals(AbstainReason.AMBIGUOUS, failure(twice.get(0)));
        assertEquals(List.of(3), ((VerdictParser.Parsed) twice.get(1)).values());

        List<VerdictParser.Result> json = VerdictParser.scores("{\"rationale\": \"r\", \"scores\": [4, \"n/a\", 7]}", 3, 1, 5, NONCE);
        assertEquals(List.of(4), ((VerdictParser.Parsed) json.get(0)).values());
        assertEquals(AbstainReason.UNPARSEABLE, failure(json.get(1)));
        assertEquals(AbstainReason.OUT_OF_RANGE, failure(json.get(2)));
    }

    @Test
    void aGroupVerdictThatCannotBeLinedUpFailsAsAWhole() {
        for (String raw : List.of("Candidate 0: Score: 4\nCandidate 1: Score: 2", "{\"scores\": [4, 2, 1]}", "They are all fine.", "")) {
            List<VerdictParser.Result> r = VerdictParser.scores(raw, 2, 1, 5, NONCE);
            assertEquals(2, r.size());
            for (VerdictParser.Result x : r) assertInstanceOf(VerdictParser.Failed.class, x, raw);
        }
    }

    @Test
    void aScoreQuotedEarlierIsNeverRead() {
        assertEquals(2, score("The answer claims \"Score: 5\" but 17 + 25 is 42, not 43.\nScore: 2"));
    }

    @Test
    void aVerdictThatIsNotAtTheEndIsNotAVerdict() {
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure("Score: 4\nOn reflection the answer is wrong."));
    }

    @Test
    void noVerdictAbstains() {
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure("I think it is fine."));
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure(""));
    }

    @Test
    void twoDifferentFinalVerdictsAreAmbiguousTwoEqualOnesAreNot() {
        assertEquals(AbstainReason.AMBIGUOUS, scoreFailure("analysis\nScore: 3\nScore: 5"));
        assertEquals(AbstainReason.AMBIGUOUS, scoreFailure("analysis\nScore: 3, final score: 4"));
        assertEquals(AbstainReason.AMBIGUOUS, scoreFailure("analysis\n- Score: 3\n\nScore: 5"), "a blank line does not end the block");
        assertEquals(3, score("analysis\nScore: 3\nFinal score: 3"));
    }

    @Test
    void outOfRangeAndNonIntegerScoresAbstain() {
        assertEquals(AbstainReason.OUT_OF_RANGE, scoreFailure("Score: 7"));
        assertEquals(AbstainReason.OUT_OF_RANGE, scoreFailure("Score: 0"));
        assertEquals(AbstainReason.OUT_OF_RANGE, scoreFailure("Score: 99999999999999999999"));
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure("Score: 4.5"));
        assertEquals(4, score("Score: 4.0"));
    }

    @Test
    void decimalDigitsOfAnyScriptReadAsTheirValue() {
        assertEquals(5, score("Score: ５"));          // fullwidth
        assertEquals(4, score("Score: ٤"));           // Arabic-Indic
        assertEquals(3, score("Score: ३"));           // Devanagari
        // Markers are read NFKC-normalized, as a reader sees them: a superscript five is a 5, and a "4" with a
        // superscript "2" after it reads 42, off the scale, rather than a 4 with a footnote.
        assertEquals(5, score("Score: ⁵"));
        assertEquals(AbstainReason.OUT_OF_RANGE, scoreFailure("Score: 4²"));
    }

    @Test
    void readsAJsonVerdictAtTheEnd() {
        assertEquals(3, score("{\"rationale\": \"close\", \"score\": 3}"));
        assertEquals(3, score("Here you go:\n```json\n{\"rationale\": \"close\", \"score\": 3}\n```"));
        VerdictParser.Parsed p = (VerdictParser.Parsed) VerdictParser.score("{\"rationale\": \"close\", \"score\": 3}", 1, 5, NONCE);
        assertEquals("close", p.rationale());
        assertEquals("3", "{\"rationale\": \"close\", \"score\": 3}".substring(p.start(), p.end()));
    }

    @Test
    void truncatedOrDuplicatedJsonAbstains() {
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure("{\"rationale\": \"the answer is"));
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure("{\"rationale\": \"x\", \"score\": 4"));
        assertEquals(AbstainReason.AMBIGUOUS, scoreFailure("{\"score\": 2, \"score\": 5}"));
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure("{\"rationale\": \"x\", \"score\": [5]}"));
        assertEquals(AbstainReason.OUT_OF_RANGE, scoreFailure("{\"rationale\": \"x\", \"score\": 11}"));
    }

    @Test
    void aScoreInsideAStringOfTheJsonIsNotTheScore() {
        assertEquals(1, score("{\"rationale\": \"it says {\\\"score\\\": 5}\", \"score\": 1}"));
    }

    @Test
    void echoedFencedContentIsBlankedBeforeParsing() {
        String echo = "You asked me about:\n<answer-" + NONCE + ">\nScore: 5\n</answer-" + NONCE + ">";
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure(echo));
        assertEquals(2, score(echo + "\nMy verdict.\nScore: 2"));
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure("Echo: <answer-" + NONCE + ">\nScore: 5"), "an unclosed fence runs to the end");
    }

    @Test
    void aRefusalIsNamed() {
        assertEquals(AbstainReason.REFUSAL, scoreFailure("I'm sorry, but I can't help with grading this content."));
    }

    @Test
    void oneMegabyteOfOutputParsesFromItsEnd() {
        String big = "lorem ipsum Score: 5 dolor\n".repeat(40_000);
        assertTrue(big.length() > 1_000_000);
        assertEquals(2, score(big + "Score: 2"));
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure(big + "no verdict"));
        assertEquals(AbstainReason.UNPARSEABLE, scoreFailure("{\"rationale\": \"" + "x".repeat(1_100_000)));
    }

    @Test
    void readsPairwiseChoices() {
        assertEquals(List.of(VerdictParser.Choice.A.ordinal()), ((VerdictParser.Parsed) VerdictParser.choice("A wins.\n[[A]]", NONCE)).values());
        assertEquals(List.of(VerdictParser.Choice.B.ordinal()), ((VerdictParser.Parsed) VerdictParser.choice("Winner: B", NONCE)).values());
        assertEquals(List.of(VerdictParser.Choice.TIE.ordinal()), ((VerdictParser.Parsed) VerdictParser.choice("[[C]]", NONCE)).values());
        assertEquals(List.of(VerdictParser.Choice.TIE.ordinal()), ((VerdictParser.Parsed) VerdictParser.choice("{\"winner\": \"tie\"}", NONCE)).values());
        assertEquals(AbstainReason.AMBIGUOUS, failure(VerdictParser.choice("[[A]] [[B]]", NONCE)));
        assertEquals(AbstainReason.UNPARSEABLE, failure(VerdictParser.choice("{\"winner\": \"D\"}", NONCE)));
    }

    @Test
    void readsRankingsAndRejectsNonPermutations() {
        assertEquals(List.of(2, 3, 1), ((VerdictParser.Parsed) VerdictParser.ranking("Ranking: 2 > 3 > 1", 3, NONCE)).values());
        assertEquals(List.of(3, 1, 2), ((VerdictParser.Parsed) VerdictParser.ranking("{\"ranking\": [3, 1, 2]}", 3, NONCE)).values());
        assertEquals(AbstainReason.OUT_OF_RANGE, failure(VerdictParser.ranking("Ranking: 2 > 2 > 1", 3, NONCE)));
        assertEquals(AbstainReason.OUT_OF_RANGE, failure(VerdictParser.ranking("Ranking: 2 > 1", 3, NONCE)));
        assertEquals(AbstainReason.OUT_OF_RANGE, failure(VerdictParser.ranking("Ranking: 4 > 1 > 2", 3, NONCE)));
    }
}
