package dev.consilium.moe.train;

import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TemplateMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TokenDatasetTest {
    static BpeTokenizer tokenizer;

    @BeforeAll
    static void trainTokenizer() {
        tokenizer = BpeTokenizer.trainer().vocabSize(300).train("What is 12 + 30? 42. What is 7 - 5? 2.");
    }

    @Test
    void jsonlTextDocumentsAreEncodedAndEachEndsWithEndOfSentence(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, "{\"text\": \"What is 7 - 5? 2.\"}\n\n{\"tokens\": [5, 6, 7]}\n");
        TokenDataset d = TokenDataset.read(file, tokenizer);
        int[] text = tokenizer.encodeOrdinary("What is 7 - 5? 2.");
        assertEquals(text.length + 1 + 3, d.size());

        int T = d.size() - 1;
        int[] in = new int[T], tg = new int[T];
        float[] w = new float[T];
        d.sequential(0, 1, T, in, tg, w);
        for (float x : w) assertEquals(1f, x);
        assertArrayEquals(text, Arrays.copyOf(in, text.length));
        assertEquals(tokenizer.tokenId(ChatTemplate.END_OF_SENTENCE), in[text.length]);
        assertArrayEquals(new int[] {5, 6, 7}, Arrays.copyOfRange(tg, T - 3, T));
    }

    @Test
    void chatLinesAreRenderedWithTheChatTemplateAndTheirContentsTrainTheTokenizer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chat.jsonl");
        Files.writeString(file, "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"What is 7 - 5?\"}, {\"role\": \"assistant\", \"content\": \"2\"}]}\n");
        int[] expected = ChatTemplate.deepSeekV3(tokenizer).render(List.of(TemplateMessage.system("Be brief."),
                TemplateMessage.user("What is 7 - 5?"), TemplateMessage.assistant("2")), false).ids();
        TokenDataset d = TokenDataset.read(file, tokenizer);
        assertEquals(expected.length, d.size());
        int[] in = new int[d.size() - 1], tg = new int[d.size() - 1];
        d.sequential(0, 1, d.size() - 1, in, tg, new float[d.size() - 1]);
        assertArrayEquals(Arrays.copyOf(expected, expected.length - 1), in);
        assertEquals(List.of("Be brief.", "What is 7 - 5?", "2"), TokenDataset.texts(file));

        Files.writeString(file, "{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}\n");
        var e = assertThrows(IllegalArgumentException.class, () -> TokenDataset.read(file, tokenizer));
        assertTrue(e.getMessage().startsWith(file + ":1: messages[0]: role \"tool\""), e.getMessage());
    }

    @Test
    void aChatTrainsOnItsAssistantTurnsOnlyUnlessAskedForEveryToken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chat.jsonl");
        Files.writeString(file, "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"What is 7 - 5?\"}, {\"role\": \"assistant\", \"content\": \"2\"}]}\n"
                + "{\"text\": \"42.\"}\n");
        var rendered = ChatTemplate.deepSeekV3(tokenizer).render(List.of(TemplateMessage.system("Be brief."),
                TemplateMessage.user("What is 7 - 5?"), TemplateMessage.assistant("2")), false);
        int text = tokenizer.encodeOrdinary("42.").length + 1;

        TokenDataset d = TokenDataset.read(file, tokenizer);
        int T = d.size() - 1;
        int[] in = new int[T], tg = new int[T];
        float[] w = new float[T];
        d.sequential(0, 1, T, in, tg, w);
        // target n is token n + 1: a weight of 1 exactly where that token is the assistant's or the text's
        for (int n = 0; n < T; n++) {
            boolean assistant = n + 1 < rendered.size() ? rendered.assistantMask()[n + 1] : true;
            assertEquals(assistant ? 1f : 0f, w[n], "target " + n);
        }
        int assistantTokens = 0;
        for (boolean m : rendered.assistantMask()) if (m) assistantTokens++;
        assertEquals(assistantTokens + text, d.trainedSize());

        TokenDataset all = TokenDataset.read(file, tokenizer, TokenDataset.ChatLoss.ALL);
        all.sequential(0, 1, T, in, tg, w);
        for (float x : w) assertEquals(1f, x);
        assertEquals(all.size(), all.trainedSize());
    }

    @Test
    void weightedPositionsCarryTheirWeightIntoEachWindowAndAcrossASplit() {
        TokenDataset d = TokenDataset.weighted(new int[] {1, 2, 3, 4, 5}, new float[] {0f, 1f, 0f, 4f, 0.5f});
        assertEquals(3, d.trainedSize());
        int[] in = new int[4], tg = new int[4];
        float[] w = new float[4];
        d.sequential(0, 1, 4, in, tg, w);
        assertArrayEquals(new float[] {1f, 0f, 4f, 0.5f}, w);
        TokenDataset tail = d.split(0.4)[1];
        tail.sequential(0, 1, 1, new int[1], new int[1], w);
        assertEquals(0.5f, w[0]);
        assertThrows(IllegalArgumentException.class, () -> TokenDataset.weighted(new int[2], new float[] {1f, -1f}));
        assertThrows(IllegalArgumentException.class, () -> TokenDataset.weighted(new int[2], new float[1]));
    }

    @Test
    void targetsAreInputsShiftedByOne() {
        TokenDataset d = TokenDataset.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        int[] in = new int[8], tg = new int[8];
        float[] w = new float[8];
        d.sample(new SplittableRandom(3), 2, 4, in, tg, w);
        for (int i = 0; i < 8; i++) assertEquals(in[i] + 1, tg[i]);
        d.sequential(1, 2, 2, in, tg, w);
        assertArrayEquals(new int[] {4, 5, 6, 7}, Arrays.copyOf(in, 4));
    }

    @Test
    void badLinesAreNamedByFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"text\": \"ok\"}\n{\"tokens\": [1, 99999]}\n");
        var e = assertThrows(IllegalArgumentException.class, () -> TokenDataset.read(file, tokenizer));
        assertTrue(e.getMessage().startsWith(file + ":2: token id 99999"), e.getMessage());
        Files.writeString(file, "{\"text\": \"ok\"\n");
        e = assertThrows(IllegalArgumentException.class, () -> TokenDataset.read(file, tokenizer));
        assertTrue(e.getMessage().startsWith(file + ":1: not valid JSON"), e.getMessage());
        Files.writeString(file, "{\"prompt\": \"ok\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> TokenDataset.read(file, tokenizer));
        assertTrue(e.getMessage().contains("expected {\"text\""), e.getMessage());
    }

    @Test
    void unigramBaselineIsTheEntropyOfAUniformStream() {
        int[] uniform = new int[4000];
        for (int i = 0; i < uniform.length; i++) uniform[i] = i % 4;
        TokenDataset d = TokenDataset.of(uniform);
        assertEquals(Math.log(4), d.unigramCrossEntropy(d, 4), 1e-3);
        assertThrows(IllegalArgumentException.class, () -> TokenDataset.of(new int[3]).sample(new SplittableRandom(1), 1, 8, new int[8], new int[8], new float[8]));
    }
}
