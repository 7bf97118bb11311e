package dev.consilium.moe.generate;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class GeneratorTest {
    private static final int[] PROMPT = {5, 17, 99, 3, 250, 41, 7};

    private static int[] greedyReference(DeepSeekV3Model m, int[] prompt, int n) {
        return new GreedyDecoder(m).complete(prompt, n, -1);
    }

    @Test
    void greedyOutputEqualsFullRecomputeForEveryAttentionAndFeedForwardVariant() {
        for (boolean qLora : new boolean[] {true, false}) {
            for (boolean yarn : new boolean[] {true, false}) {
                for (int dense : new int[] {0, 3}) {
                    ModelConfig c = TinyModels.config(qLora, yarn, dense, 0);
                    DeepSeekV3Model m = TinyModels.model(c, 11);
                    Completion out = Generator.builder().model(m).build().generate(PROMPT, SamplingParams.greedy(12));
                    assertArrayEquals(greedyReference(m, PROMPT, 12), out.tokens(),
                            "qLora=" + qLora + " yarn=" + yarn + " dense=" + dense);
                    assertEquals(FinishReason.LENGTH, out.finishReason());
                }
            }
        }
    }

    @ParameterizedTest(name = "speculative={0}")
    @ValueSource(booleans = {false, true})
    void aSeededSampleDoesNotDependOnWhatElseIsInTheBatch(boolean speculative) {
        DeepSeekV3Model m = TinyModels.model(3);
        SamplingParams p = SamplingParams.builder().temperature(0.9).topK(40).topP(0.95).seed(42L).maxNewTokens(10).build();
        Completion alone = Generator.builder().model(m).speculative(speculative).build().generate(PROMPT, p);
        Generator g = Generator.builder().model(m).speculative(speculative).build();
        DecodeSequence other = g.add(new int[] {1, 2, 3}, p.toBuilder().seed(7L).build(), null);
        DecodeSequence mine = g.add(PROMPT, p, null);
        DecodeSequence third = g.add(new int[] {9}, p.toBuilder().seed(null).build(), null);
        while (g.step()) { }
        assertArrayEquals(alone.tokens(), mine.completion().tokens());
        assertTrue(other.finished() && third.finished());
        assertFalse(Arrays.equals(alone.tokens(), other.completion().tokens()));
    }

    @Test
    void differentSeedsSampleDifferentOutputs() {
        DeepSeekV3Model m = TinyModels.model(3);
        Generator g = Generator.builder().model(m).build();
        SamplingParams p = SamplingParams.builder().seed(1L).maxNewTokens(12).build();
        assertFalse(Arrays.equals(g.generate(PROMPT, p).tokens(), g.generate(PROMPT, p.toBuilder().seed(2L).build()).tokens()));
    }

    @Test
    void topKOfOneIsGreedy() {
        DeepSeekV3Model m = TinyModels.model(5);
        Generator g = Generator.builder().model(m).build();
        Completion k1 = g.generate(PROMPT, SamplingParams.builder().topK(1).seed(9L).maxNewTokens(8).build());
        assertArrayEquals(greedyReference(m, PROMPT, 8), k1.tokens());
    }

    @Test
    void aStopTokenEndsGenerationAndIsTheLastToken() {
        DeepSeekV3Model m = TinyModels.model(11);
        int[] free = greedyReference(m, PROMPT, 10);
        int stop = free[3];
        int first = 0;
        while (free[first] != stop) first++;
        Completion out = Generator.builder().model(m).build()
                .generate(PROMPT, SamplingParams.greedy(10).toBuilder().stopTokenIds(Set.of(stop)).build());
        assertArrayEquals(Arrays.copyOf(free, first + 1), out.tokens());
        assertEquals(FinishReason.STOP, out.finishReason());
    }

    @Test
    void logprobsAreLogSoftmaxOfTheUnscaledLogitsWithAlternativesMostLikelyFirst() {
        DeepSeekV3Model m = TinyModels.model(11);
        SamplingParams p = SamplingParams.builder().temperature(0.5).seed(4L).maxNewTokens(4).logprobs(true)
                .topLogprobs(3).echo(true).build();
        Completion out = Generator.builder().model(m).build().generate(PROMPT, p);
        int[] seq = new int[PROMPT.length + out.tokens().length];
        System.arraycopy(PROMPT, 0, seq, 0, PROMPT.length);
        System.arraycopy(out.tokens(), 0, seq, PROMPT.length, out.tokens().length);
        int V = m.config().vocabSize();
        float[] logits = m.logits(seq, 1, seq.length);
        assertEquals(out.tokens().length, out.logprobs().size());
        assertEquals(PROMPT.length, out.promptLogprobs().size());
        assertNull(out.promptLogprobs().get(0));
        for (int i = 1; i < seq.length; i++) {
            TokenLogprob lp = i < PROMPT.length ? out.promptLogprobs().get(i) : out.logprobs().get(i - PROMPT.length);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[(i - 1) * V + v]);
            for (int v = 0; v < V; v++) sum += Math.exp(logits[(i - 1) * V + v] - max);
            double expected = logits[(i - 1) * V + seq[i]] - max - Math.log(sum);
            assertEquals(seq[i], lp.token());
            assertEquals(expected, lp.logprob(), 2e-4, "position " + i);
            assertEquals(3, lp.top().size());
            assertEquals(Sampler.argmax(logits, (i - 1) * V, V), lp.top().get(0).token());
            assertTrue(lp.top().get(0).logprob() >= lp.top().get(1).logprob());
            assertTrue(lp.top().get(1).logprob() >= lp.top().get(2).logprob());
        }
    }

    @Test
    void streamedPiecesConcatenateToTheTextAndStopStringsCutIt() {
        BpeTokenizer tok = TinyModels.tokenizer();
        DeepSeekV3Model m = TinyModels.model(21);
        Generator g = Generator.builder().model(m).tokenizer(tok).build();
        int[] prompt = tok.encode("the model");
        SamplingParams p = SamplingParams.builder().seed(3L).maxNewTokens(30).build();
        StringBuilder streamed = new StringBuilder();
        Completion free = g.generate(prompt, p, (t, piece) -> streamed.append(piece));
        assertEquals(free.text(), streamed.toString());
        assertEquals(tok.decode(free.tokens(), true), free.text());
        assertTrue(free.text().length() > 4, free.text());

        String stop = free.text().substring(2, 4);
        StringBuilder cut = new StringBuilder();
        Completion stopped = g.generate(prompt, p.toBuilder().stopStrings(List.of(stop)).build(),
                (t, piece) -> cut.append(piece));
        assertEquals(FinishReason.STOP, stopped.finishReason());
        assertEquals(free.text().substring(0, free.text().indexOf(stop)), stopped.text());
        assertEquals(stopped.text(), cut.toString());
    }

    @Test
    void aCharacterSplitAcrossTokensIsStreamedWhole() {
        BpeTokenizer tok = TinyModels.tokenizer();
        TextStream s = new TextStream(tok, List.of());
        // 😀 is four bytes; fed as single-byte tokens, nothing is released until the last one
        byte[] utf8 = "a😀".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<String> pieces = new ArrayList<>();
        for (int id : tok.encodeOrdinary("a😀")) pieces.add(s.add(id));
        assertEquals("a😀", String.join("", pieces));
        for (String piece : pieces) assertFalse(piece.contains("\uFFFD"), pieces.toString());
        assertEquals(5, utf8.length);
        assertEquals(4, TextStream.completePrefix(new byte[] {'a', utf8[1], utf8[2], utf8[3]}, 4) + 3);
    }

    @Test
    void theEndOfSentenceTokenOfTheChatTemplateStopsAChat() {
        BpeTokenizer tok = TinyModels.tokenizer();
        int eos = ChatTemplate.deepSeekV3(tok).endOfTurn();
        DeepSeekV3Model m = TinyModels.model(11);
        int[] free = greedyReference(m, PROMPT, 20);
        Completion out = Generator.builder().model(m).tokenizer(tok).build()
                .generate(PROMPT, SamplingParams.greedy(20).toBuilder().stopTokenIds(Set.of(eos, free[1])).build());
        assertEquals(FinishReason.STOP, out.finishReason());
        assertEquals(free[1], out.tokens()[out.tokens().length - 1]);
    }

    @Test
    void removingASequenceCancelsItAndFreesItsSlot() {
        Generator g = Generator.builder().model(TinyModels.model(2)).maxBatch(1).build();
        DecodeSequence a = g.add(PROMPT, SamplingParams.greedy(50), null);
        DecodeSequence b = g.add(PROMPT, SamplingParams.greedy(3), null);
        g.step();
        g.remove(a);
        assertEquals(FinishReason.CANCELLED, a.completion().finishReason());
        assertEquals(1, a.completion().tokens().length);
        while (g.step()) { }
        assertEquals(3, b.completion().tokens().length);
        assertEquals(0, g.active());
    }

    @Test
    void generateAllBatchesPromptsOfDifferentLengths() {
        DeepSeekV3Model m = TinyModels.model(8);
        List<int[]> prompts = List.of(new int[] {1}, PROMPT, new int[] {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2});
        List<Completion> out = Generator.builder().model(m).maxBatch(2).build().generateAll(prompts, SamplingParams.greedy(6));
        for (int i = 0; i < prompts.size(); i++) assertArrayEquals(greedyReference(m, prompts.get(i), 6), out.get(i).tokens());
    }
}
