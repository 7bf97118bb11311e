package dev.consilium.rewards.judge;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.agents.provider.TokenLogprob;
import dev.consilium.agents.provider.ledger.ModelPrice;
import dev.consilium.rewards.testing.ScriptedModel;
import dev.consilium.rewards.testing.StubOpenAiServer;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Distribution;
import dev.consilium.rewards.verdict.Flag;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class JudgesTest {

    static final JudgedItem ITEM = JudgedItem.of("What is 17 + 25?", "42", "42");

    static JudgeModel model(ScriptedModel m) {
        return JudgeModel.builder().model(m).name("scripted/judge").nonceSeed(7).build();
    }

    static PointwiseJudge pointwise(ScriptedModel m, Scale scale) {
        return PointwiseJudge.builder().model(model(m)).rubric("The answer is the correct sum.").scale(scale).build();
    }

    /** The text between the prompt's fence tags named {@code tag}. */
    static String fenced(String prompt, String tag) {
        int open = prompt.indexOf("<" + tag + "-");
        return prompt.substring(prompt.indexOf('\n', open) + 1, prompt.indexOf("</" + tag + "-", open)).strip();
    }

    @Test
    void pointwiseScoresOnItsScaleWithReferenceAndProvenance() {
        ScriptedModel m = ScriptedModel.constant("The sum is right.\nScore: 1");
        PointwiseJudge j = PointwiseJudge.builder().model(JudgeModel.builder().model(m).name("scripted/judge")
                .price(ModelPrice.of(1e-6, 2e-6)).build()).rubric("correct sum").scale(Scale.BINARY).build();
        Verdict.Score s = assertInstanceOf(Verdict.Score.class, j.evaluate(ITEM));
        assertEquals(1, s.value());
        assertEquals(1, s.normalized());
        assertEquals("The sum is right.", s.rationale());
        assertEquals("scripted/judge", s.provenance().judge());
        assertEquals("pointwise@1", s.provenance().prompt());
        assertEquals("The sum is right.\nScore: 1", s.provenance().rawOutput());
        assertTrue(s.provenance().costUsd() > 0);
        String prompt = ScriptedModel.userText(m.requests.getFirst());
        assertEquals("42", fenced(prompt, "reference"));
        assertTrue(prompt.contains("Score: N"), "text format asked for when the model has no JSON schema support");
        assertNull(m.requests.getFirst().responseFormat());
    }

    @Test
    void structuredOutputIsRequestedAndParsedWhereSupported() {
        ScriptedModel m = ScriptedModel.constant("{\"rationale\": \"correct\", \"score\": 5}").withJsonSchema();
        Verdict.Score s = assertInstanceOf(Verdict.Score.class, pointwise(m, Scale.ONE_TO_FIVE).evaluate(ITEM));
        assertEquals(5, s.value());
        assertEquals("correct", s.rationale());
        assertEquals(ResponseFormatType.JSON, m.requests.getFirst().responseFormat().type());
        assertNotNull(m.requests.getFirst().responseFormat().jsonSchema());
    }

    @Test
    void aReplacedPromptTemplateIsUsedAndRecorded() {
        ScriptedModel m = ScriptedModel.constant("Score: 3");
        PromptTemplate mine = PromptTemplate.of("terse", "2", "Grade.", "{{rubric}} | {{task}} | {{answer}} | {{scale}} | {{reference}}{{format}}");
        Verdict v = PointwiseJudge.builder().model(model(m)).rubric("R").prompt(mine).build().evaluate(ITEM);
        assertEquals("terse@2", v.provenance().prompt());
        assertTrue(ScriptedModel.userText(m.requests.getFirst()).startsWith("R | <task-"));
        assertEquals("Grade.", ScriptedModel.systemText(m.requests.getFirst()));
    }

    @Test
    void aTemplateNamingAnUnknownPlaceholderAbstainsNamingIt() {
        PromptTemplate bad = PromptTemplate.of("bad", "1", "s", "{{nope}}");
        Verdict.Abstain a = assertInstanceOf(Verdict.Abstain.class,
                PointwiseJudge.builder().model(model(ScriptedModel.constant("Score: 3"))).rubric("R").prompt(bad).build().evaluate(ITEM));
        assertTrue(a.detail().contains("{{nope}}"), a.detail());
    }

    @Test
    void theSameJudgmentSendsTheSameRequestSoACacheCanAnswerIt() {
        ScriptedModel m = ScriptedModel.constant("Score: 3");
        PointwiseJudge j = pointwise(m, Scale.ONE_TO_FIVE);
        j.evaluate(ITEM);
        j.evaluate(ITEM);
        assertEquals(m.requests.get(0), m.requests.get(1));
    }

    @Test
    void probabilityWeightedScoreReadsTheVerdictTokensLogprobs() {
        String reply = "Mostly right.\nScore: 4";
        Function<String, List<TokenLogprob>> tokens = text -> List.of(
                new TokenLogprob(1, "Mostly right.\nScore:", -0.1, List.of()),
                new TokenLogprob(2, " 4", Math.log(0.6), List.of(
                        new TokenLogprob(2, " 4", Math.log(0.6), List.of()),
                        new TokenLogprob(3, " 5", Math.log(0.3), List.of()),
                        new TokenLogprob(4, " five", Math.log(0.05), List.of()),
                        new TokenLogprob(5, " 3", Math.log(0.05), List.of()))));
        ScriptedModel m = ScriptedModel.constant(reply).withLogprobs(tokens);
        PointwiseJudge j = PointwiseJudge.builder().model(model(m)).rubric("r").probabilityWeighted(5).build();
        Verdict.Score s = assertInstanceOf(Verdict.Score.class, j.evaluate(ITEM));
        assertEquals(Distribution.Source.LOGPROBS, s.distribution().source());
        assertEquals((0.6 * 4 + 0.3 * 5 + 0.05 * 3) / 0.95, s.value(), 1e-9);
        assertEquals(1, m.requests.size(), "logprobs need no extra samples");
        assertFalse(s.provenance().flags().contains(Flag.SAMPLED_ESTIMATE));
    }

    @Test
    void withoutLogprobsTheScoreIsASampledEstimateLabelledAsSuch() {
        AtomicInteger call = new AtomicInteger();
        ScriptedModel m = ScriptedModel.of(p -> "Score: " + (call.getAndIncrement() % 2 == 0 ? 4 : 5));
        PointwiseJudge j = PointwiseJudge.builder().model(JudgeModel.builder().model(m).name("scripted/judge").temperature(0.7).build())
                .rubric("r").probabilityWeighted(4).build();
        Verdict.Score s = assertInstanceOf(Verdict.Score.class, j.evaluate(ITEM));
        assertEquals(Distribution.Source.SAMPLES, s.distribution().source());
        assertTrue(s.provenance().flags().contains(Flag.SAMPLED_ESTIMATE));
        assertEquals(4.5, s.value(), 1e-9);
        assertEquals(4, m.requests.size(), "a sampling judge's first reply is a sample");
        assertEquals(4, m.requests.stream().distinct().count(), "each sample is a distinct request");
    }

    @Test
    void aGreedyJudgeIsNeverAskedTheSameThingTwiceAtTemperatureZero() {
        AtomicInteger call = new AtomicInteger();
        ScriptedModel m = ScriptedModel.of(p -> "Score: " + (call.getAndIncrement() % 2 == 0 ? 4 : 5));
        Verdict.Score s = assertInstanceOf(Verdict.Score.class,
                PointwiseJudge.builder().model(model(m)).rubric("r").probabilityWeighted(4).build().evaluate(ITEM));
        List<Double> temperatures = m.requests.stream().map(r -> r.parameters().temperature()).toList();
        assertEquals(1, temperatures.stream().filter(t -> t == 0.0).count(), "only the first call is greedy: " + temperatures);
        assertEquals(List.of(0.0, 1.0, 1.0, 1.0, 1.0), temperatures);
        // The greedy reply (4) is one deterministic draw: the estimate is the four samples' 5, 4, 5, 4.
        assertEquals(4.5, s.value(), 1e-9);
        assertEquals(5 * 2, s.provenance().outputTokens(), "the greedy call's tokens still count");
        assertEquals(5, s.provenance().rawOutput().split("\n---\n").length);
    }

    /** A judge model replying {@code reply} whose score token's alternatives are {@code top}. */
    static PointwiseJudge logprobJudge(String reply, List<TokenLogprob> top, Double floor) {
        int at = reply.lastIndexOf(' ');
        String head = reply.substring(0, at), score = reply.substring(at);
        ScriptedModel m = ScriptedModel.constant(reply).withLogprobs(text -> List.of(
                new TokenLogprob(1, head, -0.1, List.of()), new TokenLogprob(2, score, top.getFirst().logprob(), top)));
        PointwiseJudge.Builder b = PointwiseJudge.builder().model(model(m)).rubric("r").probabilityWeighted(5);
        if (floor != null) b.minScaleProbability(floor);
        return b.build();
    }

    static TokenLogprob alt(String text, double logprob) {
        return new TokenLogprob(-1, text, logprob, List.of());
    }

    @Test
    void aNaNAmongTheAlternativesIsSkippedNotFatal() {
        Verdict v = logprobJudge("Score: 4", List.of(alt(" 4", Math.log(0.7)), alt(" 5", Double.NaN), alt(" 3", Math.log(0.1))), null).evaluate(ITEM);
        Verdict.Score s = assertInstanceOf(Verdict.Score.class, v, v.toString());
        assertEquals(Distribution.Source.LOGPROBS, s.distribution().source());
        assertEquals((0.7 * 4 + 0.1 * 3) / 0.8, s.value(), 1e-9);
    }

    @Test
    void aPositiveLogprobIsNoProbability() {
        // exp(+2) = 7.4 "probability" on 5 would drag the score to 5; it is skipped instead.
        Verdict.Score s = assertInstanceOf(Verdict.Score.class,
                logprobJudge("Score: 4", List.of(alt(" 4", Math.log(0.9)), alt(" 5", 2.0)), null).evaluate(ITEM));
        assertEquals(4, s.value(), 1e-9);
        assertEquals(0.9, s.distribution().mass(), 1e-9);
    }

    @Test
    void aScoreTheJudgeBarelyMeantAbstainsAndConfidenceIsTheMassOnTheScale() {
        List<TokenLogprob> longShot = List.of(alt(" 4", Math.log(0.02)), alt(" The", Math.log(0.6)), alt(" I", Math.log(0.3)));
        Verdict.Abstain a = assertInstanceOf(Verdict.Abstain.class, logprobJudge("Score: 4", longShot, null).evaluate(ITEM));
        assertEquals(AbstainReason.AMBIGUOUS, a.reason());
        assertTrue(a.detail().contains("0.020"), a.detail());

        // Above a lowered floor it scores, and its confidence is the 2% the judge gave it, not 1.
        Verdict.Score s = assertInstanceOf(Verdict.Score.class, logprobJudge("Score: 4", longShot, 0.01).evaluate(ITEM));
        assertEquals(0.02, s.confidence(), 1e-9);
        assertEquals(0.02, s.distribution().mass(), 1e-9);

        Verdict.Score sure = assertInstanceOf(Verdict.Score.class,
                logprobJudge("Score: 4", List.of(alt(" 4", Math.log(0.6)), alt(" 5", Math.log(0.3))), null).evaluate(ITEM));
        assertEquals(0.6, sure.confidence(), 1e-9);
    }

    static JudgeModel openAiCompatible(StubOpenAiServer server) {
        Providers providers = Providers.builder().config(ProvidersConfig.of(Deployment.builder().model("openai-compatible/stub")
                .baseUrl(server.baseUrl()).build())).env(k -> null).build();
        return JudgeModel.builder().model(providers.chatModel("openai-compatible/stub")).name("openai-compatible/stub").nonceSeed(7).build();
    }

    @Test
    void overOpenAiCompatibleTheWeightedScoreComesFromLogprobsInOneCall() {
        try (StubOpenAiServer server = StubOpenAiServer.withLogprobs(r -> "Mostly right.\nScore: 4",
                token -> token.equals(" 4") ? new StubOpenAiServer.Alternatives(List.of(" 4", " 5", " 3"),
                        List.of(Math.log(0.6), Math.log(0.3), Math.log(0.1))) : null)) {
            PointwiseJudge j = PointwiseJudge.builder().model(openAiCompatible(server)).rubric("r").probabilityWeighted(5).topLogprobs(3).build();
            Verdict.Score s = assertInstanceOf(Verdict.Score.class, j.evaluate(ITEM));
            assertEquals(1, server.requests.size());
            assertTrue(server.requests.getFirst().path("logprobs").asBoolean(), server.requests.getFirst().toString());
            assertEquals(3, server.requests.getFirst().path("top_logprobs").asInt());
            assertEquals(Distribution.Source.LOGPROBS, s.distribution().source());
            assertEquals(0.6 * 4 + 0.3 * 5 + 0.1 * 3, s.value(), 1e-6);
        }
    }

    @Test
    void overAServerWithoutLogprobsNoTemperatureZeroCallIsRepeated() {
        AtomicInteger call = new AtomicInteger();
        try (StubOpenAiServer server = StubOpenAiServer.withoutLogprobs(r -> "Score: " + (call.getAndIncrement() % 2 == 0 ? 4 : 5))) {
            PointwiseJudge j = PointwiseJudge.builder().model(openAiCompatible(server)).rubric("r").probabilityWeighted(2).build();
            Verdict.Score s = assertInstanceOf(Verdict.Score.class, j.evaluate(ITEM));
            List<Double> temperatures = server.requests.stream().map(r -> r.path("temperature").asDouble()).toList();
            assertEquals(List.of(0.0, 1.0, 1.0), temperatures);
            assertEquals(Distribution.Source.SAMPLES, s.distribution().source());
            assertEquals(4.5, s.value(), 1e-9);
        }
    }

    @Test
    void aServerThatRejectsLogprobsIsAskedAgainWithoutThemAndNotAskedForThemAgain() {
        try (StubOpenAiServer server = StubOpenAiServer.refusingLogprobs(r -> "Score: 4")) {
            JudgeModel model = openAiCompatible(server);
            PointwiseJudge j = PointwiseJudge.builder().model(model).rubric("r").probabilityWeighted(2).build();
            Verdict.Score s = assertInstanceOf(Verdict.Score.class, j.evaluate(ITEM));
            assertEquals(4, s.value());
            List<Boolean> askedLogprobs = server.requests.stream().map(r -> r.has("logprobs")).toList();
            assertEquals(List.of(true, false, false, false), askedLogprobs, "refused, asked again, then two samples");
            j.evaluate(ITEM.withAnswer("41"));
            assertFalse(server.requests.get(4).has("logprobs"), "once refused, logprobs are not asked for again");
        }
    }

    @Test
    void selfConsistencyReportsAgreementAsConfidence() {
        AtomicInteger call = new AtomicInteger();
        ScriptedModel m = ScriptedModel.of(p -> switch (call.getAndIncrement()) {
            case 0, 1, 2 -> "Score: 4";
            case 3 -> "Score: 2";
            default -> "no verdict";
        });
        Verdict.Score s = assertInstanceOf(Verdict.Score.class, SelfConsistency.of(pointwise(m, Scale.ONE_TO_FIVE), 5, Pooling.VOTE).evaluate(ITEM));
        assertEquals(4, s.value());
        assertEquals(0.75, s.confidence(), 1e-9);
        assertTrue(s.rationale().contains("1 abstained"), s.rationale());
    }

    @Test
    void panelsPoolOnTheCommonScaleAndSkipAbstentions() {
        Judge yes = pointwise(ScriptedModel.constant("Score: 1"), Scale.BINARY);
        Judge five = pointwise(ScriptedModel.constant("Score: 5"), Scale.ONE_TO_FIVE);
        Judge low = pointwise(ScriptedModel.constant("Score: 1"), Scale.ONE_TO_FIVE);
        Judge broken = pointwise(ScriptedModel.constant("???"), Scale.ONE_TO_FIVE);
        Verdict.Score vote = assertInstanceOf(Verdict.Score.class, Panel.of(Pooling.VOTE, List.of(yes, five, low, broken)).evaluate(ITEM));
        assertEquals(1, vote.value());
        assertEquals(2.0 / 3, vote.confidence(), 1e-9);
        Verdict.Score mean = assertInstanceOf(Verdict.Score.class, Panel.of(Pooling.MEAN, List.of(yes, five, low)).evaluate(ITEM));
        assertEquals(2.0 / 3, mean.value(), 1e-9);
        Verdict.Abstain none = assertInstanceOf(Verdict.Abstain.class, Panel.of(Pooling.MEAN, List.of(broken, broken)).evaluate(ITEM));
        assertEquals(AbstainReason.ALL_ABSTAINED, none.reason());
    }

    /** A judge that prefers the answer "42" wherever it is shown; positionally biased when {@code biased}. */
    static ScriptedModel pairModel(boolean biased) {
        return ScriptedModel.of(p -> {
            if (biased) return "[[A]]";
            return fenced(p, "answer_a").equals("42") ? "[[A]]" : "[[B]]";
        });
    }

    @Test
    void pairwiseJudgesBothOrdersAndTurnsAFlipIntoATie() {
        JudgedItem right = ITEM, wrong = ITEM.withAnswer("43");
        PairwiseJudge fair = PairwiseJudge.builder().model(model(pairModel(false))).rubric("correct sum").build();
        assertEquals(1, ((Verdict.Score) fair.compare(right, wrong)).value());
        assertEquals(0, ((Verdict.Score) fair.compare(wrong, right)).value());

        Verdict.Score flip = assertInstanceOf(Verdict.Score.class,
                PairwiseJudge.builder().model(model(pairModel(true))).rubric("correct sum").build().compare(wrong, right));
        assertEquals(0.5, flip.value());
        assertTrue(flip.provenance().flags().contains(Flag.ORDER_FLIP));

        ScriptedModel oneOrder = pairModel(true);
        assertEquals(1, ((Verdict.Score) PairwiseJudge.builder().model(model(oneOrder)).rubric("r").bothOrders(false).build()
                .compare(wrong, right)).value());
        assertEquals(1, oneOrder.requests.size());
    }

    @Test
    void pairwiseAbstainsWhenEitherOrderAbstains() {
        AtomicInteger call = new AtomicInteger();
        ScriptedModel m = ScriptedModel.of(p -> call.getAndIncrement() == 0 ? "[[A]]" : "hmm");
        Verdict.Abstain a = assertInstanceOf(Verdict.Abstain.class,
                PairwiseJudge.builder().model(model(m)).rubric("r").build().compare(ITEM, ITEM.withAnswer("43")));
        assertTrue(a.detail().startsWith("with the answers swapped"), a.detail());
    }

    @Test
    void rankingGivesEachAnswerItsRankAsAScore() {
        RankingJudge j = RankingJudge.of(model(ScriptedModel.constant("Ranking: 2 > 3 > 1")), "correct sum");
        List<Verdict> v = j.rank("What is 17 + 25?", List.of("41", "42", "forty-two"), "42");
        assertEquals(List.of(0.0, 1.0, 0.5), v.stream().map(x -> ((Verdict.Score) x).value()).toList());
    }

    @Test
    void rankingSkipsUnjudgeableAnswersAndAbstainsOnABadRanking() {
        ScriptedModel m = ScriptedModel.constant("Ranking: 2 > 1");
        List<Verdict> v = RankingJudge.of(model(m), "r").rank("t", List.of("a", "", "b"), null);
        assertEquals(AbstainReason.MALFORMED_ANSWER, ((Verdict.Abstain) v.get(1)).reason());
        assertEquals(1.0, ((Verdict.Score) v.get(2)).value());
        assertEquals(0.0, ((Verdict.Score) v.get(0)).value());

        List<Verdict> bad = RankingJudge.of(model(ScriptedModel.constant("Ranking: 1 > 1 > 2")), "r").rank("t", List.of("a", "b", "c"), null);
        for (Verdict x : bad) assertEquals(AbstainReason.OUT_OF_RANGE, ((Verdict.Abstain) x).reason());
    }
}
