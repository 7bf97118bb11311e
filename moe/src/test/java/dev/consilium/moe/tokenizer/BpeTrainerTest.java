package dev.consilium.moe.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTrainerTest {

    @Test
    void mergesTheMostFrequentPairAndBreaksTiesBySmallerIds() {
        BpeTokenizer t = BpeTokenizer.trainer().specialTokens(List.of()).vocabSize(260).minFrequency(1).train("aaabdaaabac");
        // "a a" occurs 4 times. Then "aa a" and "a b" tie at 2 and "a b" has the smaller ids (97 < 256). Then
        // "aa ab" (2). Then all pairs occur once and "a c" (97, 99) has the smallest ids.
        assertEquals(List.of(merge("a", "a"), merge("a", "b"), merge("aa", "ab"), merge("a", "c")), t.merges());
        assertEquals(List.of("aa", "ab", "aaab", "ac"), List.of(t.token(256), t.token(257), t.token(258), t.token(259)));
    }

    @Test
    void pairsBelowMinFrequencyAreNotMerged() {
        BpeTokenizer t = BpeTokenizer.trainer().specialTokens(List.of()).vocabSize(300).minFrequency(2).train("aaabdaaabac");
        assertEquals(List.of(merge("a", "a"), merge("a", "b"), merge("aa", "ab")), t.merges());
        assertEquals(259, t.vocabSize());
    }

    @Test
    void incrementalCountsGiveTheMergesOfRecountingEveryStep() {
        String corpus = Fixtures.corpus(400, 21);
        BpeTokenizer fast = BpeTokenizer.trainer().vocabSize(900).minFrequency(2).train(corpus);
        List<BpeTokenizer.Merge> reference = recountingTrainer(corpus, BpeTrainer.DEFAULT_SPECIAL_TOKENS.size(), 900, 2);
        assertEquals(reference, fast.merges());
    }

    @Test
    void reachesTheRequestedVocabSizeWithSpecialTokensFirst() {
        BpeTokenizer t = BpeTokenizer.trainer().vocabSize(1000).train(Fixtures.corpus(2000, 3));
        assertEquals(1000, t.vocabSize());
        for (int i = 0; i < BpeTrainer.DEFAULT_SPECIAL_TOKENS.size(); i++) {
            assertEquals(i, t.tokenId(BpeTrainer.DEFAULT_SPECIAL_TOKENS.get(i)));
            assertTrue(t.isSpecial(i));
        }
        assertEquals(BpeTrainer.DEFAULT_SPECIAL_TOKENS.size() + 'a', t.tokenId("a"));
    }

    @Test
    void specialTokensInTheTextAreNotLearnedFrom() {
        String corpus = Fixtures.corpus(500, 5).replace(". ", ".<｜end▁of▁sentence｜>");
        BpeTokenizer t = BpeTokenizer.trainer().vocabSize(800).train(corpus);
        for (int id = BpeTrainer.DEFAULT_SPECIAL_TOKENS.size() + 256; id < t.vocabSize(); id++) {
            String text = t.decode(new int[] {id});
            assertTrue(!text.contains("｜") && !text.contains("▁"), () -> "learned \"" + text + "\"");
        }
    }

    @Test
    void trainingIsDeterministicAndIndependentOfDocumentOrder() {
        List<String> documents = new ArrayList<>(List.of(Fixtures.corpus(1500, 9).split("\n")));
        String first = BpeTokenizer.trainer().vocabSize(700).train(documents).toJson();
        assertEquals(first, BpeTokenizer.trainer().vocabSize(700).train(documents).toJson());
        Collections.reverse(documents);
        assertEquals(first, BpeTokenizer.trainer().vocabSize(700).train(documents).toJson());
    }

    @Test
    void trainedTokenizerCompressesItsTextAndRoundTrips() {
        String corpus = Fixtures.corpus(3000, 13);
        BpeTokenizer t = BpeTokenizer.trainer().vocabSize(2000).train(corpus);
        int[] ids = t.encode(corpus);
        int bytes = corpus.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes > 3 * ids.length, bytes + " bytes in " + ids.length + " tokens");
        assertEquals(corpus, t.decode(ids));
    }

    @Test
    void vocabSizeMustLeaveRoomForBytesAndSpecialTokens() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpeTokenizer.trainer().vocabSize(260).train("abc"));
        assertEquals("vocabSize 260 is below the 5 special tokens plus 256 byte tokens", e.getMessage());
    }

    private static BpeTokenizer.Merge merge(String left, String right) {
        return new BpeTokenizer.Merge(left, right);
    }

    /** The textbook trainer: recount every pair of every piece before each merge. Slow and obviously right. */
    private static List<BpeTokenizer.Merge> recountingTrainer(String text, int specials, int vocabSize, int minFrequency) {
        Map<String, Integer> pieceCounts = new TreeMap<>();
        for (String piece : PreTokenizer.deepSeekV3().split(text)) pieceCounts.merge(piece, 1, Integer::sum);
        List<String> spelling = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < specials; i++) spelling.add("special" + i);
        for (int b = 0; b < 256; b++) {
            ids.put(String.valueOf(ByteLevel.toChar(b)), spelling.size());
            spelling.add(String.valueOf(ByteLevel.toChar(b)));
        }
        List<int[]> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : pieceCounts.entrySet()) {
            byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] w = new int[b.length];
            for (int i = 0; i < b.length; i++) w[i] = specials + (b[i] & 0xFF);
            words.add(w);
            counts.add(e.getValue());
        }
        List<BpeTokenizer.Merge> merges = new ArrayList<>();
        while (spelling.size() < vocabSize) {
            Map<List<Integer>, Integer> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] sym = words.get(w);
                for (int i = 0; i + 1 < sym.length; i++) pairs.merge(List.of(sym[i], sym[i + 1]), counts.get(w), Integer::sum);
            }
            List<Integer> best = null;
            int bestCount = 0;
            for (Map.Entry<List<Integer>, Integer> e : pairs.entrySet()) {
                List<Integer> p = e.getKey();
                int c = e.getValue();
                boolean smaller = best != null && (p.get(0) < best.get(0) || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1)));
                if (c > bestCount || (c == bestCount && smaller)) {
                    best = p;
                    bestCount = c;
                }
            }
            if (best == null || bestCount < minFrequency) break;
            int a = best.get(0);
            int b = best.get(1);
            String joined = spelling.get(a) + spelling.get(b);
            Integer merged = ids.get(joined);
            if (merged == null) {
                merged = spelling.size();
                ids.put(joined, merged);
                spelling.add(joined);
            }
            merges.add(merge(spelling.get(a), spelling.get(b)));
            for (int w = 0; w < words.size(); w++) {
                int[] sym = words.get(w);
                int[] out = new int[sym.length];
                int n = 0;
                for (int i = 0; i < sym.length; i++) {
                    if (i + 1 < sym.length && sym[i] == a && sym[i + 1] == b) {
                        out[n++] = merged;
                        i++;
                    } else {
                        out[n++] = sym[i];
                    }
                }
                words.set(w, Arrays.copyOf(out, n));
            }
        }
        return merges;
    }
}
