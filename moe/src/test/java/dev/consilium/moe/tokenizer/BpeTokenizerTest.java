package dev.consilium.moe.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTokenizerTest {

    private static final BpeTokenizer MINI = Fixtures.gpt2Mini();
    private static final BpeTokenizer TRAINED = BpeTokenizer.trainer().vocabSize(1500).train(Fixtures.corpus(3000, 1));

    @Test
    void mergesApplyLowestRankFirst() {
        // h e l l o: "h e" (rank 0) first, then "l l" (1) before "l o" (2) can take the second l, then "he ll", "hell o".
        assertArrayEquals(new int[] {16}, MINI.encode("hello"));
        // " world" is one GPT-2 piece: Ġ w, o r, Ġw or, l d, Ġwor ld. "!" is its own piece.
        assertArrayEquals(new int[] {16, 21, 9}, MINI.encode("hello world!"));
        // With no "l l" in reach, "l o" applies.
        assertArrayEquals(new int[] {14, 6}, MINI.encode("low"));
        assertArrayEquals(new int[] {1, 4, 20}, MINI.encode("hold"));
        assertArrayEquals(new int[] {16, 22}, MINI.encode("hello's"));
    }

    @Test
    void addedTokensInTextBecomeSingleIdsUnlessEncodedAsOrdinaryText() {
        assertArrayEquals(new int[] {16, 0, 21}, MINI.encode("hello<|endoftext|> world"));
        int[] ordinary = TRAINED.encodeOrdinary("a<｜end▁of▁sentence｜>b");
        assertTrue(ordinary.length > 3);
        for (int id : ordinary) assertNotEquals(TRAINED.tokenId(ChatTemplate.END_OF_SENTENCE), id);
        assertEquals("a<｜end▁of▁sentence｜>b", TRAINED.decode(ordinary));
    }

    @Test
    void bytesWithoutATokenAreDroppedAsInHuggingFace() {
        // The mini vocab has no "i"; with unk_token null Hugging Face drops it rather than failing.
        assertArrayEquals(new int[] {1}, MINI.encode("hi"));
    }

    @Test
    void decodeJoinsTokenBytesAndCanSkipSpecialTokens() {
        assertEquals("hello world!<|endoftext|>", MINI.decode(new int[] {16, 21, 9, 0}));
        assertEquals("hello world!", MINI.decode(new int[] {16, 21, 9, 0}, true));
    }

    @Test
    void decodeSkipsIdsNoTokenUses() {
        assertEquals("hello world", MINI.decode(new int[] {16, 99, -1, 21}));
    }

    @Test
    void decodeReplacesBytesThatAreNotUtf8() {
        int firstByteOfHan = TRAINED.tokenId(String.valueOf(ByteLevel.toChar(0xE4)));
        assertEquals("a\uFFFD", TRAINED.decode(new int[] {TRAINED.tokenId("a"), firstByteOfHan}));
    }

    @Test
    void anyIdSequenceDecodesToTextThatRoundTrips() {
        Random random = new Random(3);
        for (int trial = 0; trial < 500; trial++) {
            int[] ids = new int[random.nextInt(30)];
            for (int i = 0; i < ids.length; i++) ids[i] = random.nextInt(TRAINED.vocabSize());
            String text = TRAINED.decode(ids);
            assertEquals(text, TRAINED.decode(TRAINED.encode(text)), () -> "ids " + Arrays.toString(ids));
        }
    }

    @Test
    void randomUnicodeRoundTripsExactly() {
        for (String s : Fixtures.randomStrings(2000, 11)) {
            assertEquals(s, TRAINED.decode(TRAINED.encode(s)));
            assertEquals(s, TRAINED.decode(TRAINED.encodeOrdinary(s)));
        }
    }

    @Test
    void emojiCjkAndControlCharactersRoundTrip() {
        String s = "👩‍👩‍👧 家族 🇺🇸 e\u0301 \u0000\u0007\u007f 𝔘𠀀 \r\n\t";
        assertEquals(s, TRAINED.decode(TRAINED.encode(s)));
    }

    @Test
    void concurrentEncodingGivesTheSameIdsAsSequential() throws Exception {
        BpeTokenizer tokenizer = BpeTokenizer.trainer().vocabSize(800).train(Fixtures.corpus(1000, 2));
        List<String> texts = Fixtures.randomStrings(300, 5);
        texts.addAll(List.of(Fixtures.corpus(300, 6).split("\n")));
        // A separate copy, so that the threads start from an empty piece cache.
        BpeTokenizer sequential = BpeTokenizer.fromJson(tokenizer.toJson());
        List<int[]> expected = new ArrayList<>();
        for (String t : texts) expected.add(sequential.encode(t));
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<List<int[]>>> results = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                results.add(pool.submit(() -> {
                    List<int[]> out = new ArrayList<>();
                    for (String t : texts) out.add(tokenizer.encode(t));
                    return out;
                }));
            }
            for (Future<List<int[]>> result : results) {
                List<int[]> got = result.get();
                for (int i = 0; i < texts.size(); i++) assertArrayEquals(expected.get(i), got.get(i));
            }
        }
    }

    @Test
    void tokenIdFindsAddedAndVocabTokens() {
        assertEquals(0, MINI.tokenId("<|endoftext|>"));
        assertEquals(21, MINI.tokenId("Ġworld"));
        assertEquals("Ġworld", MINI.token(21));
        assertNull(MINI.token(23));
        assertTrue(MINI.isSpecial(0));
        assertFalse(MINI.isSpecial(21));
        assertEquals(23, MINI.vocabSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MINI.tokenId("<pad>"));
        assertEquals("this tokenizer has no token \"<pad>\"", e.getMessage());
    }
}
